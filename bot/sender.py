"""The sender: drains the outbox through one platform's transport, within its limits, losing nothing.

The policy is the same for every platform; a Transport knows only how to talk to one:
- ~30 messages a second overall and one a second per chat (aiolimiter). Each chat has its own
  queue, so a chat that must wait (its rate, a 429) holds up nobody else.
- A 429's retry_after gives the message back with not_before = now + retry_after: nobody holds
  it while it waits, so no lease can run out under it. A 429 in a second chat while the first
  still waits is taken as the bot-wide flood limit: everything pauses for it.
- A sender leases what it claims for LEASE and renews the lease every LEASE/3 while it holds the
  messages, so what a crashed sender held goes out from another within LEASE.
- At most `in_flight` requests are under way at once: a crash can leave that many messages sent
  but not recorded, each sent once more by whoever picks them up (one by default).
- Network and server errors retry with backoff; a refusal (400) is given up and logged; a 403
  (she blocked the bot) marks the person unreachable and tells the coordinators.
- Messages to one chat go in the order they were written; a long text goes in pieces, and an
  edit changes every piece, sending more when the new text is longer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol

from aiolimiter import AsyncLimiter

from admin.commands import menu
from conversations.clock import Clock
from conversations.context import Coordinators, tell_coordinators
from conversations.events import Reply
from conversations.i18n import I18n, Translator
from storage import queries
from storage.crypto import NotesCipher, UnreadableSeal
from storage.db import Database
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=15)
HOLD = 200  # messages one sender holds at most
STOP_GRACE = 5.0  # seconds a stop waits for the requests under way, so that none is sent twice
MAX_ATTEMPTS = 12  # with the backoff below, about two hours of trying
MAX_BACKOFF = timedelta(minutes=30)
SPARE_PIECE = "…"  # what a piece says when an edit's new text needs fewer pieces than the old

Buttons = list[list[list[str]]]  # rows of [label, data], as the outbox stores them


class DeliveryError(Exception):
    """A transport could not deliver; the subclass says what the sender should do."""


class RetryAfter(DeliveryError):
    """The platform asks to wait this many seconds before writing to this chat again."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class Unreachable(DeliveryError):
    """She blocked the bot or left the platform."""


class Temporary(DeliveryError):
    """A network or server error: try again later."""


class Refused(DeliveryError):
    """The platform refuses this message; trying again would not help."""


class Transport(Protocol):
    """How the sender talks to one messaging platform; an address is a chat there."""

    platform: str
    text_limit: int
    caption_limit: int

    async def send(self, address: str, text: str, buttons: Buttons) -> int:
        """Send one message (buttons under it); returns its id."""
        ...

    async def send_media(self, address: str, kind: str, file_id: str, caption: str, buttons: Buttons) -> int:
        """Pass on a file the platform already has (a voice note, photo...) by its id; returns the message id."""
        ...

    async def edit(self, address: str, message_id: int, text: str, buttons: Buttons) -> None:
        """Change a sent message; an unchanged text is no error."""
        ...

    async def set_menu(self, address: str, commands: list[tuple[str, str]]) -> None:
        """Set her chat's command menu, (command, description) each."""
        ...


def split_text(text: str, limit: int) -> list[str]:
    """Cut a long text into pieces the platform accepts, at paragraph, line or word ends when possible."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    pieces.append(rest)
    return [p for p in pieces if p] or [text]


class Sender:
    """Sends what the outbox holds for one platform; start run() once per process, wake() after each commit."""

    def __init__(
        self,
        db: Database,
        transport: Transport,
        clock: Clock,
        i18n: I18n,
        coordinators: Coordinators,
        *,
        per_second: float = 30,
        per_chat_per_second: float = 1,
        per_chat_burst: int = 3,
        in_flight: int = 1,
        notes: NotesCipher | None = None,
        lease: timedelta = LEASE,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.db, self.transport, self.clock, self.i18n = db, transport, clock, i18n
        self.coordinators = coordinators
        self.notes, self.lease, self.sleep = notes, lease, sleep
        # Evenly spaced, no burst: a bucket of one refilled per_second times a second. A bucket of
        # per_second would let a full second's worth out at once and then the next second's, twice
        # Telegram's limit within one second (measured: 57-60 at the start of an announcement).
        self.limiter = AsyncLimiter(1, 1 / per_second)
        self.in_flight = asyncio.Semaphore(in_flight)
        # One a second per chat on average, with room for a short burst: an answer that
        # takes three messages then arrives at once instead of over three seconds.
        self.per_chat_burst, self.per_chat_period = per_chat_burst, per_chat_burst / per_chat_per_second
        self.chat_limiters: dict[str, AsyncLimiter] = {}
        self.chats: dict[str, deque[OutboxMessage]] = {}  # what this sender holds, chat by chat
        self.tasks: set[asyncio.Task[None]] = set()
        self.waits: dict[str, float] = {}  # chat -> when (loop time) her 429 ends
        self.paused_until = 0.0  # loop time: the bot-wide flood wait
        self._wakeup = asyncio.Event()
        self.sent = 0  # messages sent since start, for drain() and the logs
        self.stopping = False  # a stop: each chat finishes the message under way and takes no next

    def wake(self) -> None:
        """Something was committed to the outbox: send it now."""
        self._wakeup.set()

    async def run(self, idle_seconds: float = 1.0) -> None:
        """Send forever: claim whenever woken or every idle_seconds, renew the leases, give all back at the end."""
        renewing = asyncio.create_task(self._renew_forever(), name="sender leases")
        try:
            while True:
                try:
                    self.claim()
                except Exception:  # a broken round must not stop the sender; the next one retries
                    log.exception("sender round failed")
                # asyncio.timeout, not wait_for: Python 3.11's wait_for swallows a cancellation that
                # arrives as the wakeup does, and the loop would never stop (seen: a stop that hung).
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(idle_seconds):
                        await self._wakeup.wait()
                self._wakeup.clear()
        finally:
            held = self._held()
            renewing.cancel()
            # A request under way is let finish and recorded: cancelled, it may have reached her
            # and would be sent again by the next process. Nothing new begins (see _send_one); a
            # chat still waiting out a 429 when the grace ends is given back untouched.
            self.stopping = True
            if self.tasks:
                await asyncio.wait(list(self.tasks), timeout=STOP_GRACE)
            for task in list(self.tasks):
                task.cancel()
            await asyncio.gather(renewing, *self.tasks, return_exceptions=True)
            # Stopping: what it held goes to another sender at once instead of after the lease.
            with contextlib.suppress(Exception), self.db.session() as session:
                queries.release_claims(session, ids=held)

    async def drain(self, rounds: int = 50) -> int:
        """Send until nothing sendable is left (tests, the benchmark); returns how many were sent."""
        before = self.sent
        for _ in range(rounds):
            if not self.claim() and not self.tasks:
                break
            await asyncio.gather(*self.tasks)
        return self.sent - before

    def claim(self) -> int:
        """Lease what is sendable, up to HOLD held, and queue it behind its chat; returns how many."""
        room = HOLD - sum(len(queue) for queue in self.chats.values())
        if room <= 0:
            return 0
        with self.db.session() as session:
            batch = queries.claim_outbox(
                session, platform=self.transport.platform, now=self.clock.now(), lease=self.lease, limit=room
            )
        for message in batch:
            queue = self.chats.get(message.address)
            if queue is None:
                queue = self.chats[message.address] = deque()
                task = asyncio.create_task(self._chat(message.address, queue))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
            queue.append(message)
        return len(batch)

    def _held(self) -> list[int]:
        return [m.id for queue in self.chats.values() for m in queue if m.id is not None]

    def renew(self) -> None:
        """Extend the lease on everything this sender holds: it is alive and will send it."""
        with self.db.session() as session:
            queries.renew_claims(session, ids=self._held(), until=self.clock.now() + self.lease)

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            try:
                self.renew()
            except Exception:
                log.exception("could not renew the sender's leases")

    async def _chat(self, address: str, queue: deque[OutboxMessage]) -> None:
        """Send one chat's messages in order; when one must wait, the rest are given back with it."""
        try:
            while queue and not self.stopping:
                go_on = await self._send_one(queue[0])
                if go_on is None:
                    break
                queue.popleft()
                if not go_on:
                    rest = [m.id for m in queue if m.id is not None]
                    queue.clear()
                    with self.db.session() as session:
                        queries.release_claims(session, ids=rest)
        except Exception:  # e.g. the database: what she had waits out its lease, then goes again
            log.exception("sending to a chat failed")
        finally:
            if self.chats.get(address) is queue:
                del self.chats[address]
        self.wake()  # what was written to her meanwhile may go now

    def _chat_limiter(self, address: str) -> AsyncLimiter:
        if len(self.chat_limiters) > 10_000:  # forget idle chats
            self.chat_limiters = {k: v for k, v in self.chat_limiters.items() if not v.has_capacity(1)}
        if address not in self.chat_limiters:
            self.chat_limiters[address] = AsyncLimiter(self.per_chat_burst, self.per_chat_period)
        return self.chat_limiters[address]

    async def _send_one(self, message: OutboxMessage) -> bool | None:
        """Try one outbox message; True when the chat's next message may follow, None when stopping."""
        try:
            async with self._chat_limiter(message.address), self.in_flight:
                await self._flood_wait()  # here, so that a pause that began while she queued holds her too
                async with self.limiter:
                    if self.stopping:  # not begun: it stays queued and is given back
                        return None
                    await self._deliver(message)
        except RetryAfter as error:
            self._postpone(message, error.seconds)
            return False
        except Unreachable as error:
            self._unreachable(message, str(error))
            return False  # the rest of her messages were given up with it
        except Temporary as error:
            return self._retry_later(message, error)
        except Refused as error:
            self._finish(message, failed=str(error))
            log.error("outbox %s refused by %s: %s", message.id, self.transport.platform, error)
            return True
        except UnreadableSeal as error:  # sealed with a key since removed: it can never be sent
            self._finish(message, failed=str(error))
            log.error("outbox %s %s", message.id, error)
            return True
        self._finish(message)
        return True

    async def _flood_wait(self) -> None:
        loop = asyncio.get_running_loop()
        while (wait := self.paused_until - loop.time()) > 0:
            await self.sleep(wait)

    async def _deliver(self, message: OutboxMessage) -> None:
        """Make the transport's calls for one message; message_ids ends up holding every piece's id."""
        data = message.payload
        if "sealed" in data:
            assert self.notes is not None, "a sealed message needs the notes cipher"
            data = {**self.notes.open(data["sealed"]), **{k: v for k, v in data.items() if k != "sealed"}}
        transport, address = self.transport, message.address
        if message.kind == "message":
            pieces = split_text(data["text"], transport.text_limit)
            ids = list(message.message_ids)  # pieces a crashed sender already sent are not sent again
            for number in range(len(ids), len(pieces)):
                last = number == len(pieces) - 1
                ids.append(
                    await transport.send(address, pieces[number], data.get("buttons", []) if last else [])
                )
                if not last:
                    self._record_pieces(message, ids)
            message.message_ids = ids
        elif message.kind == "edit":
            with self.db.session() as session:
                old = queries.pieces_of(
                    session, platform=transport.platform, address=address, message_id=data["message_id"]
                )
            pieces = split_text(data["text"], transport.text_limit)
            ids = []
            for number, piece in enumerate(pieces):
                buttons = data.get("buttons", []) if number == len(pieces) - 1 else []
                if number < len(old):
                    await transport.edit(address, old[number], piece, buttons)
                    ids.append(old[number])
                else:
                    ids.append(await transport.send(address, piece, buttons))
            for spare in old[len(pieces) :]:
                await transport.edit(address, spare, SPARE_PIECE, [])
            message.message_ids = ids
        elif message.kind == "media":
            message.message_ids = [await self._send_media(address, data)]
        elif message.kind == "commands":
            tr = self.i18n.translator(data["language"])
            await transport.set_menu(address, menu(tr, coordinator=data.get("coordinator", False)))
        else:
            raise ValueError(f"unknown outbox kind {message.kind}")

    async def _send_media(self, address: str, data: dict[str, Any]) -> int:
        """A file passed on with its caption; if the platform refuses the file, the caption and a word why."""
        transport, buttons = self.transport, data.get("buttons", [])
        caption = data["text"]
        if len(caption) > transport.caption_limit:
            caption = caption[: transport.caption_limit - 1] + "…"
        try:
            return await transport.send_media(address, data["media"], data["file_id"], caption, buttons)
        except Refused as error:
            if not data.get("fallback"):
                raise
            log.warning("a %s was refused (%s); its caption is sent instead", data["media"], error)
            text = f"{data['fallback']}\n\n{caption}".strip()
            return await transport.send(address, text[: transport.text_limit], buttons)

    def _record_pieces(self, message: OutboxMessage, ids: list[int]) -> None:
        """Remember the pieces sent so far, so that a crash repeats at most the piece in flight."""
        with self.db.session() as session:
            row = session.get(OutboxMessage, message.id)
            if row is not None:
                row.message_ids = list(ids)
                session.add(row)

    def _finish(self, message: OutboxMessage, *, failed: str | None = None) -> None:
        with self.db.session() as session:
            row = session.get(OutboxMessage, message.id)
            if row is None:
                return
            now = self.clock.now()
            row.attempts += 1
            row.claimed_until = None
            row.message_ids = list(message.message_ids)
            row.message_id = message.message_ids[-1] if message.message_ids else None
            if failed:
                row.failed_at, row.error = now, failed[:500]
            else:
                row.sent_at = now
                self.sent += 1
            session.add(row)

    def _postpone(self, message: OutboxMessage, seconds: float) -> None:
        """A 429: give the message back, not to be sent before the wait is over, by this sender or any other."""
        loop_now = asyncio.get_running_loop().time()
        if any(until > loop_now for chat, until in self.waits.items() if chat != message.address):
            # A second chat told to wait while the first still waits: the limit is the bot's, not a chat's.
            self.paused_until = max(self.paused_until, loop_now + seconds)
            log.warning("%s asks the whole bot to wait %ss", self.transport.platform, seconds)
        self.waits = {chat: until for chat, until in self.waits.items() if until > loop_now}
        self.waits[message.address] = loop_now + seconds
        with self.db.session() as session:
            row = session.get(OutboxMessage, message.id)
            if row is None:
                return
            row.claimed_until = None
            row.not_before = self.clock.now() + timedelta(seconds=seconds)
            row.error = f"retry after {seconds}s"
            session.add(row)
        log.warning("outbox %s: %s asks to wait %ss", message.id, self.transport.platform, seconds)

    def _retry_later(self, message: OutboxMessage, error: Exception) -> bool:
        with self.db.session() as session:
            row = session.get(OutboxMessage, message.id)
            if row is None:
                return True
            row.attempts += 1
            row.claimed_until = None
            row.error = str(error)[:500]
            if row.attempts >= MAX_ATTEMPTS:
                row.failed_at = self.clock.now()
                log.error("outbox %s given up after %s attempts: %s", row.id, row.attempts, error)
            else:
                delay = min(timedelta(seconds=2**row.attempts), MAX_BACKOFF)
                row.not_before = self.clock.now() + delay
                log.warning("outbox %s failed (%s); retry in %s", row.id, error, delay)
            session.add(row)
        return False

    def _unreachable(self, message: OutboxMessage, error: str) -> None:
        """She blocked the bot: stop writing to her and tell the coordinators, once."""
        now = self.clock.now()
        platform, address = message.platform, message.address
        with self.db.session() as session:
            row = session.get(OutboxMessage, message.id)
            if row is not None:
                row.failed_at, row.error, row.attempts, row.claimed_until = (
                    now,
                    error[:500],
                    row.attempts + 1,
                    None,
                )
                session.add(row)
            person = queries.person_by_account(session, platform=platform, address=address)
            if person is None or not person.reachable:
                return
            person.reachable, person.unreachable_at = False, now
            session.add(person)
            queries.fail_pending(session, platform=platform, address=address, now=now, reason="unreachable")
            if person.status is None:
                return  # nobody is waiting for someone who never registered

            def notice(tr: Translator) -> Reply:
                return Reply(
                    tr.gettext(
                        "{name} ({id}) has blocked the bot or deleted her account, so she no longer gets our "
                        "messages. Please reach her another way.",
                        name=person.name,
                        id=person.short_id,
                    )
                )

            tell_coordinators(
                session, i18n=self.i18n, coordinators=self.coordinators, now=now, compose=notice
            )
        self.wake()
