"""Middlewares: one transaction per update, then the person, her language and her role."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import CallbackQuery, TelegramObject, Update, User

from bot.settings import Settings
from conversations.clock import Clock
from conversations.context import Ctx
from conversations.i18n import I18n, pick_language
from storage import queries
from storage.db import Database, Turn

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class TransactionMiddleware(BaseMiddleware):
    """Handle each update in one transaction; a repeated update_id changes nothing.

    Handlers never await the network inside the transaction: a callback query's answer (the
    handler's return value, a toast or None) is sent only after the commit, and messages go
    through the outbox, which the sender is woken to drain.
    """

    def __init__(self, db: Database, clock: Clock, wake: Callable[[], None]) -> None:
        self.db, self.clock, self.wake = db, clock, wake

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        with self.db.turn() as turn:
            if not queries.first_time_update(
                turn.connection, update_id=event.update_id, now=self.clock.now()
            ):
                log.info("update %s was handled before; ignored", event.update_id)
                return UNHANDLED
            data["turn"] = turn
            result = await handler(event, data)
        self.wake()
        if event.callback_query is not None:
            await _answer(event.callback_query, result)
        return result


async def _answer(query: CallbackQuery, result: Any) -> None:
    """Every button press gets an answer, with the toast if the handler gave one."""
    toast = result if isinstance(result, str) else None
    await query.answer(text=toast, show_alert=False)


class PersonMiddleware(BaseMiddleware):
    """Find or create the person behind the update and give handlers her Ctx."""

    def __init__(self, settings: Settings, i18n: I18n, clock: Clock) -> None:
        self.settings, self.i18n, self.clock = settings, i18n, clock

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or user.is_bot:
            return UNHANDLED
        turn: Turn = data["turn"]
        key = queries.person_key(turn.connection, telegram_id=user.id)
        if key is None:
            language = pick_language(user.language_code, self.settings.default_language)
            person = queries.create_person(
                turn.session, telegram_id=user.id, language=language, now=self.clock.now()
            )
            assert person.id is not None
            key = queries.PersonKey(person.id, user.id, language, reachable=True)
        elif not key.reachable:
            queries.mark_reachable(turn.connection, person_id=key.id)  # she wrote again, so she unblocked us
        data["ctx"] = Ctx(
            turn=turn,
            key=key,
            tr=self.i18n.translator(key.language),
            i18n=self.i18n,
            clock=self.clock,
            coordinators=self.settings.coordinators,
            phone_region=self.settings.phone_region,
            username=user.username,
        )
        return await handler(event, data)
