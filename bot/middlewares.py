"""The middleware that turns each update into one turn: a transaction, a person, her language."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import CallbackQuery, TelegramObject, Update, User

from bot.settings import Settings, coordinators_of
from conversations import threads
from conversations.clock import Clock
from conversations.context import Ctx
from conversations.i18n import I18n, pick_language
from storage import queries
from storage.crypto import NotesCipher
from storage.db import Database, Turn
from storage.models import Platform

log = logging.getLogger(__name__)
SEEN_EVERY = timedelta(hours=1)  # how precisely "last contact" is kept (a write at most once an hour)
TELEGRAM = Platform.TELEGRAM
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class TurnMiddleware(BaseMiddleware):
    """One update, one turn: a transaction, the update_id check, and the person behind it.

    A repeated update_id changes nothing. The person is found by her Telegram account (or
    created, with only that account and her language) and handlers receive her `ctx`. Handlers never await the
    network inside the transaction: a button's answer (the handler's return value, a toast
    or None) is sent after the commit, and messages go through the outbox, whose sender is
    woken then.
    """

    def __init__(
        self,
        db: Database,
        settings: Settings,
        i18n: I18n,
        clock: Clock,
        wake: Callable[[], None],
        notes: NotesCipher,
    ) -> None:
        self.db, self.settings, self.i18n, self.clock, self.wake = db, settings, i18n, clock, wake
        self.notes = notes
        self.coordinators = coordinators_of(settings)
        # In webhook mode updates arrive concurrently, and a turn may await the network inside
        # its transaction (aiogram's command filter asks getMe). SQLite turns share one
        # connection, so they go one at a time; PostgreSQL turns each check a connection out of
        # the pool, synchronously, so no more turns run than the pool holds: a turn waiting for
        # a connection must wait here, asynchronously, not block the event loop in the pool.
        self.turns = asyncio.Semaphore(db.max_connections)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        chat = data.get("event_chat")
        if chat is not None and chat.type != "private":
            return UNHANDLED  # the programme is one-to-one: groups and channels are ignored, untouched
        async with self.turns:
            return await self._turn(handler, event, data)

    async def _turn(self, handler: Handler, event: Update, data: dict[str, Any]) -> Any:
        """Handle the update in its transaction, then answer a pressed button."""
        user: User | None = data.get("event_from_user")
        with self.db.turn() as turn:
            if not queries.first_time_update(
                turn.connection, platform=TELEGRAM, update_id=event.update_id, now=self.clock.now()
            ):
                log.info("update %s was handled before; ignored", event.update_id)
                return UNHANDLED
            if user is None or user.is_bot:
                return UNHANDLED
            data["ctx"] = self._ctx(turn, user)
            result = await handler(event, data)
        self.wake()
        if event.callback_query is not None:
            await _answer(event.callback_query, result)
        return result

    def _ctx(self, turn: Turn, user: User) -> Ctx:
        """Her Ctx for this turn; a first-timer is stored with only her id and language."""
        address = str(user.id)
        key = queries.person_key(turn.connection, platform=TELEGRAM, address=address)
        if key is None:
            language = pick_language(user.language_code, self.settings.default_language)
            person = queries.create_person(
                turn.session, platform=TELEGRAM, address=address, language=language, now=self.clock.now()
            )
            assert person.id is not None
            key = queries.PersonKey(person.id, TELEGRAM, address, language, reachable=True)
        else:
            now = self.clock.now()
            if not key.reachable:
                queries.mark_reachable(turn.connection, person_id=key.id)  # she wrote again: she unblocked us
            if key.last_seen_at is None or now - key.last_seen_at >= SEEN_EVERY:
                queries.mark_seen(turn.connection, person_id=key.id, now=now)
        return Ctx(
            turn=turn,
            key=key,
            tr=self.i18n.translator(key.language),
            i18n=self.i18n,
            clock=self.clock,
            coordinators=self.coordinators,
            phone_region=self.settings.phone_region,
            username=user.username,
            notes=self.notes,
            answer_within_days=self.settings.answer_within_days,
        )


class WritingAside(BaseMiddleware):
    """A command drops a message someone was about to write aside (a coordinator's answer, a
    participant's word to the coordinator mid-question); /cancel then only says nothing was sent.

    Only commands are looked at: answers to questions pass without a query.
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        ctx = data.get("ctx")
        text = getattr(event, "text", None)
        if ctx is not None and text and text.startswith("/"):
            name = text.split(maxsplit=1)[0][1:].split("@")[0].lower()
            if threads.on_command(ctx, name):
                return None
        return await handler(event, data)


async def _answer(query: CallbackQuery, result: Any) -> None:
    """Every button press gets an answer, with the toast if the handler gave one."""
    toast = result if isinstance(result, str) else None
    await query.answer(text=toast, show_alert=False)
