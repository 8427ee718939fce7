"""The sender: drains the outbox within Telegram's limits and never loses a message.

~30 messages a second overall and one a second per chat (aiolimiter); a 429 waits the
retry_after Telegram gives; network and 5xx errors retry with backoff; a 403 (she blocked
the bot) marks the person unreachable and tells the coordinators. Messages to one chat go
in the order they were written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup
from aiolimiter import AsyncLimiter

from bot.commands import command_list
from conversations.clock import Clock
from conversations.context import tell_coordinators
from conversations.events import Reply
from conversations.i18n import I18n, Translator
from storage import queries
from storage.crypto import NotesCipher
from storage.db import Database
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

TELEGRAM_TEXT_LIMIT = 4096
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 12  # with the backoff below, about two hours of trying
MAX_BACKOFF = timedelta(minutes=30)


def split_text(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Cut a long text into pieces Telegram accepts, at paragraph, line or word ends when possible."""
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


def keyboard(buttons: list[list[list[str]]]) -> InlineKeyboardMarkup | None:
    """The outbox's [label, data] rows as Telegram's inline keyboard."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=data) for label, data in row] for row in buttons
        ]
    )


class Sender:
    """Sends what the outbox holds; start run() once per process, wake() after each commit."""

    def __init__(
        self,
        db: Database,
        bot: Bot,
        clock: Clock,
        i18n: I18n,
        coordinators: frozenset[int],
        *,
        per_second: float = 30,
        per_chat_per_second: float = 1,
        per_chat_burst: int = 3,
        notes: NotesCipher | None = None,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.db, self.bot, self.clock, self.i18n, self.coordinators = db, bot, clock, i18n, coordinators
        self.notes = notes
        self.limiter = AsyncLimiter(per_second, 1)
        # One a second per chat on average, with room for a short burst: an answer that
        # takes three messages then arrives at once instead of over three seconds.
        self.per_chat_burst, self.per_chat_period = per_chat_burst, per_chat_burst / per_chat_per_second
        self.chat_limiters: dict[int, AsyncLimiter] = {}
        self.sleep = sleep
        self._wakeup = asyncio.Event()
        self.sent = 0  # messages sent since start, for drain() and the logs

    def wake(self) -> None:
        """Something was committed to the outbox: send it now."""
        self._wakeup.set()

    async def run(self, idle_seconds: float = 1.0) -> None:
        """Drain forever; between rounds wait for wake() or idle_seconds (retries falling due)."""
        while True:
            try:
                await self.drain_once()
            except Exception:  # a broken round must not stop the sender; the next one retries
                log.exception("sender round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=idle_seconds)
            self._wakeup.clear()

    async def drain(self, rounds: int = 50) -> int:
        """Send until nothing sendable is left (tests, the benchmark); returns how many were sent."""
        before = self.sent
        for _ in range(rounds):
            if not await self.drain_once():
                break
        return self.sent - before

    async def drain_once(self) -> int:
        """Lease a batch, send it chat by chat in parallel, record each result; returns the batch size."""
        with self.db.session() as session:
            batch = queries.claim_outbox(session, now=self.clock.now(), lease=LEASE)
        by_chat: dict[int, list[OutboxMessage]] = defaultdict(list)
        for message in batch:
            by_chat[message.chat_id].append(message)
        await asyncio.gather(*(self._send_chat(messages) for messages in by_chat.values()))
        return len(batch)

    async def _send_chat(self, messages: list[OutboxMessage]) -> None:
        for index, message in enumerate(messages):
            if not await self._send_one(message):
                # Keep the chat's order: what comes after a message that must wait, waits too.
                with self.db.session() as session:
                    queries.release_claims(
                        session, ids=[m.id for m in messages[index + 1 :] if m.id is not None]
                    )
                return

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        if len(self.chat_limiters) > 10_000:  # forget idle chats
            self.chat_limiters = {k: v for k, v in self.chat_limiters.items() if not v.has_capacity(1)}
        if chat_id not in self.chat_limiters:
            self.chat_limiters[chat_id] = AsyncLimiter(self.per_chat_burst, self.per_chat_period)
        return self.chat_limiters[chat_id]

    async def _send_one(self, message: OutboxMessage) -> bool:
        """Try one outbox message; True when the chat's next message may follow."""
        while True:
            try:
                async with self._chat_limiter(message.chat_id), self.limiter:
                    message_id = await self._call(message)
            except TelegramRetryAfter as error:
                log.warning("Telegram asks to wait %ss (chat %s)", error.retry_after, message.chat_id)
                await self.sleep(error.retry_after)
                continue
            except TelegramForbiddenError as error:
                self._unreachable(message, str(error))
                return False  # the rest of her batch was given up with it
            except (TelegramNetworkError, TelegramServerError) as error:
                return self._retry_later(message, error)
            except TelegramBadRequest as error:
                if "message is not modified" in str(error):
                    message_id = None
                else:
                    self._finish(message, failed=str(error))
                    log.error("outbox %s refused by Telegram: %s", message.id, error)
                    return True
            self._finish(message, message_id=message_id)
            return True

    async def _call(self, message: OutboxMessage) -> int | None:
        data = message.payload
        if "sealed" in data:
            assert self.notes is not None, "a sealed message needs the notes cipher"
            data = {**self.notes.open(data["sealed"]), **{k: v for k, v in data.items() if k != "sealed"}}
        if message.kind == "message":
            pieces = split_text(data["text"])
            result = None
            for number, piece in enumerate(pieces, 1):
                markup = keyboard(data.get("buttons", [])) if number == len(pieces) else None
                result = await self.bot.send_message(message.chat_id, piece, reply_markup=markup)
            return result.message_id if result else None
        if message.kind == "edit":
            await self.bot.edit_message_text(
                text=split_text(data["text"])[0],
                chat_id=message.chat_id,
                message_id=data["message_id"],
                reply_markup=keyboard(data.get("buttons", [])),
            )
            return data["message_id"]
        if message.kind == "commands":
            tr = self.i18n.translator(data["language"])
            await self.bot.set_my_commands(
                command_list(tr, coordinator=data.get("coordinator", False)),
                scope=BotCommandScopeChat(chat_id=message.chat_id),
            )
            return None
        raise ValueError(f"unknown outbox kind {message.kind}")

    def _finish(
        self, message: OutboxMessage, *, message_id: int | None = None, failed: str | None = None
    ) -> None:
        with self.db.session() as session:
            row = session.get(OutboxMessage, message.id)
            if row is None:
                return
            now = self.clock.now()
            row.attempts += 1
            row.claimed_until = None
            row.message_id = message_id
            if failed:
                row.failed_at, row.error = now, failed[:500]
            else:
                row.sent_at = now
                self.sent += 1
            session.add(row)

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
            person = queries.person_by_telegram_id(session, telegram_id=message.chat_id)
            if person is None or not person.reachable:
                return
            person.reachable, person.unreachable_at = False, now
            session.add(person)
            queries.fail_pending(session, chat_id=message.chat_id, now=now, reason="unreachable")
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
