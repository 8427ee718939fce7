"""The composition root's parts: the dispatcher factory that the runner and the tests share."""

from __future__ import annotations

from collections.abc import Callable

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.handlers import build_routers
from bot.middlewares import TurnMiddleware, WritingAside
from bot.settings import Settings
from conversations import cities
from conversations.clock import Clock
from conversations.i18n import I18n
from storage.crypto import NotesCipher
from storage.db import Database


def create_dispatcher(
    *,
    settings: Settings,
    db: Database,
    i18n: I18n,
    clock: Clock,
    wake: Callable[[], None],
    notes: NotesCipher,
) -> Dispatcher:
    """The dispatcher with its middlewares and routers; all state is in the database."""
    # Conversation state lives in our own tables (storage.Conversation), so aiogram's FSM,
    # and the per-update work of its middleware, is not needed.
    cities.use(settings.cities)  # the registration's city buttons
    dp = Dispatcher(disable_fsm=True)
    dp.update.outer_middleware(TurnMiddleware(db, settings, i18n, clock, wake, notes))
    dp.message.outer_middleware(WritingAside())  # inside the turn: it needs her ctx
    dp["match_weights"] = settings.match_weights  # handlers that need it take it as an argument
    dp.include_routers(*build_routers())
    return dp


def create_bot(token: str, api_url: str) -> Bot:
    """A Bot talking to Telegram, a self-hosted Bot API server or the sandbox emulator."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url))
    # Texts are plain: a name like "<Amal>" must show as typed, never be parsed as markup.
    return Bot(token=token, session=session, default=DefaultBotProperties(parse_mode=None))
