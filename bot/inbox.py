"""Every update is stored before Telegram is told it arrived, then handled from the inbox.

Polling confirms an offset, and the webhook answers 200, only after the updates are committed
to storage.InboxUpdate. A worker hands them to the dispatcher, each chat's in order; an update
whose turn raises (a locked database, a bug, a key that no longer opens a row) is tried again
with backoff, and after a few tries set aside: the person is asked to send it again, the log
says which update and where it failed (never what she wrote), and coordinators see it in
/overdue. An update that cannot even be read is set aside at once. A repeated update is caught
by its update id in the turn (storage.ProcessedUpdate), so it changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from pydantic import ValidationError
from sqlmodel import Session

from conversations.clock import Clock
from conversations.context import payload
from conversations.errors import where
from conversations.events import Reply
from conversations.i18n import I18n, pick_language
from conversations.texts import SET_ASIDE_APOLOGY
from storage import inbox, queries
from storage.db import Database
from storage.inbox import Claimed, Received

log = logging.getLogger(__name__)
PLATFORM = "telegram"
LEASE = timedelta(seconds=10)  # a process killed mid-batch lets its updates go after this long
POLL_TIMEOUT = 25
HANDLED, FAILED, SET_ASIDE = "handled", "failed", "set aside"


class GetRawUpdates(TelegramMethod[list[dict[str, Any]]]):
    """getUpdates, answered as plain JSON: one malformed update must not hide the others."""

    __returning__: ClassVar[type] = list[dict[str, Any]]
    __api_method__: ClassVar[str] = "getUpdates"

    offset: int | None = None
    timeout: int | None = None
    allowed_updates: list[str] | None = None


def received(raw: dict[str, Any]) -> Received:
    """An update as stored: its id, the chat its answer goes to, and its text cleaned of NULs."""
    cleaned = _without_nul(raw)
    chat = _chat_of(cleaned)
    return Received(int(cleaned.get("update_id", 0)), None if chat is None else str(chat), cleaned)


def _without_nul(value: Any) -> Any:
    """PostgreSQL refuses the NUL character in text and JSON; nobody means to send one."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {key: _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


def _chat_of(payload: dict[str, Any]) -> int | None:
    """The private chat (her user id) an update comes from, read from the raw JSON."""
    for key, body in payload.items():
        if key == "update_id" or not isinstance(body, dict):
            continue
        message = body.get("message") if isinstance(body.get("message"), dict) else body
        chat = message.get("chat") if isinstance(message, dict) else None
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
        sender = body.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return None


class Inbox:
    """Receives updates (polling or webhook) and feeds them to the dispatcher, none lost."""

    def __init__(
        self,
        db: Database,
        dp: Dispatcher,
        bot: Bot,
        clock: Clock,
        i18n: I18n,
        *,
        default_language: str = "en",
        wake_sender: Callable[[], None] = lambda: None,
    ) -> None:
        self.db, self.dp, self.bot, self.clock, self.i18n = db, dp, bot, clock, i18n
        self.default_language, self.wake_sender = default_language, wake_sender
        self._wakeup = asyncio.Event()
        self.handled = 0  # updates handled since start (tests, the benchmark)

    def wake(self) -> None:
        """Updates were stored: handle them now."""
        self._wakeup.set()

    def receive(self, updates: Sequence[dict[str, Any]]) -> None:
        """Store raw updates in one transaction; raises if they could not be stored (do not acknowledge)."""
        with self.db.session() as session:
            inbox.store(
                session, platform=PLATFORM, updates=[received(u) for u in updates], now=self.clock.now()
            )
        self.wake()

    async def run(self, idle_seconds: float = 1.0) -> None:
        """Handle forever; between rounds wait for wake() or idle_seconds (retries falling due)."""
        while True:
            try:
                if await self.handle_once():
                    continue
            except Exception as error:  # the database may be down: the next round tries again
                log.warning("inbox round failed: %s", where(error))
            # asyncio.timeout, not wait_for: Python 3.11's wait_for swallows a cancellation that
            # arrives as the wakeup does, and the loop would never stop (seen: a stop that hung).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(idle_seconds):
                    await self._wakeup.wait()
            self._wakeup.clear()

    async def drain(self, rounds: int = 100) -> int:
        """Handle until nothing is due (tests, the benchmark); returns how many were handled."""
        before = self.handled
        for _ in range(rounds):
            if not await self.handle_once():
                break
        return self.handled - before

    async def handle_once(self) -> int:
        """Claim a batch and feed it to the dispatcher; returns how many were claimed."""
        with self.db.session() as session:
            batch = inbox.claim(session, now=self.clock.now(), lease=LEASE)
        claimed_at = time.monotonic()
        done: list[int] = []
        settled: set[int] = set()  # handled, or its failure recorded
        stopped: set[str] = set()  # chats whose earlier update failed: the rest of theirs waits
        try:
            for index, row in enumerate(batch):
                if row.address is not None and row.address in stopped:
                    continue
                if time.monotonic() - claimed_at > LEASE.total_seconds() / 3:
                    # A slow batch (a locked database) keeps its lease; a dead process's runs out soon.
                    with self.db.session() as session:
                        inbox.renew(
                            session, ids=[r.id for r in batch[index:]], until=self.clock.now() + LEASE
                        )
                    claimed_at = time.monotonic()
                outcome = await self._handle(row)
                if outcome is HANDLED:
                    done.append(row.id)
                elif outcome is FAILED and row.address is not None:
                    stopped.add(row.address)
                settled.add(row.id)
        finally:
            with self.db.session() as session:
                inbox.done(session, ids=done)
                # Not tried (her earlier update failed) or cut short (we are stopping): back in line.
                inbox.release(session, ids=[r.id for r in batch if r.id not in settled])
        return len(batch)

    async def _handle(self, row: Claimed) -> str:
        """Feed one stored update: HANDLED (its turn committed, or it needed none), FAILED or SET_ASIDE."""
        try:
            update = Update.model_validate(row.payload, context={"bot": self.bot})
        except ValidationError as error:
            self._give_up(row, f"malformed update: {error.error_count()} problems", at_once=True)
            return SET_ASIDE
        try:
            await self.dp.feed_update(self.bot, update)
        except Exception as error:
            self._give_up(row, where(error), at_once=False)
            return FAILED
        self.handled += 1
        return HANDLED

    def _give_up(self, row: Claimed, error: str, *, at_once: bool) -> None:
        """Count a failure; when the update is set aside, apologise to her and tell the operator."""
        now = self.clock.now()
        try:
            with self.db.session() as session:
                aside = inbox.failed(session, row_id=row.id, error=error, now=now, at_once=at_once)
                if aside is None:
                    log.warning("update %s failed (%s); it will be tried again", row.update_id, error)
                    return
                log.error(
                    "update %s set aside after %s tries (%s): `mentorbot inbox` lists it, "
                    "`mentorbot inbox --retry` tries again",
                    row.update_id,
                    aside.attempts,
                    error,
                )
                if row.address is not None and not row.address.startswith("-"):  # a private chat: she waits
                    self._apologise(session, row, now)
        except Exception as failure:  # the database is still out: the lease runs out and it is tried again
            log.warning(
                "update %s failed (%s) and could not be recorded: %s", row.update_id, error, where(failure)
            )
            return
        self.wake_sender()

    def _apologise(self, session: Session, row: Claimed, now: datetime) -> None:
        assert row.address is not None
        key = queries.person_key(session, platform=PLATFORM, address=row.address)
        if key is not None:
            language = key.language
        else:
            sender = next((b.get("from") for b in row.payload.values() if isinstance(b, dict)), None) or {}
            language = pick_language(sender.get("language_code"), self.default_language)
        tr = self.i18n.translator(language)
        data = payload(Reply(tr.gettext(SET_ASIDE_APOLOGY)), tr)
        queries.enqueue(
            session, platform=PLATFORM, address=row.address, kind="message", payload=data, now=now
        )

    async def poll(self, *, allowed_updates: list[str] | None = None, retry_seconds: float = 5) -> None:
        """Long polling: store each batch, and only then confirm it with the next offset."""
        offset: int | None = None
        backoff = 1.0
        while True:
            try:
                updates = await self.bot(
                    GetRawUpdates(offset=offset, timeout=POLL_TIMEOUT, allowed_updates=allowed_updates),
                    request_timeout=POLL_TIMEOUT + 10,
                )
                if updates:
                    self.receive(updates)
                    offset = max(int(u.get("update_id", 0)) for u in updates) + 1
                backoff = 1.0
            except (TelegramNetworkError, TelegramAPIError) as error:
                log.warning("getUpdates failed (%s); trying again in %.0f s", type(error).__name__, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 60)
            except Exception as error:  # storing failed: Telegram keeps them until we confirm
                log.warning(
                    "updates could not be stored (%s); asking again in %.0f s", where(error), retry_seconds
                )
                await asyncio.sleep(retry_seconds)
