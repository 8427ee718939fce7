"""Telegram's command menu, per language and per role (setMyCommands), built from admin.commands."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from admin.commands import menu
from conversations.i18n import LANGUAGES, I18n, Translator
from storage import queries
from storage.db import Database
from storage.models import Platform

log = logging.getLogger(__name__)


def command_list(tr: Translator, *, coordinator: bool) -> list[BotCommand]:
    """The menu one person sees, as Telegram's commands."""
    return [BotCommand(command=name, description=text) for name, text in menu(tr, coordinator=coordinator)]


async def set_command_menus(bot: Bot, db: Database, i18n: I18n, coordinators: frozenset[int]) -> None:
    """Participants' menu in every language; coordinators get theirs in their own chat."""
    await bot.set_my_commands(
        command_list(i18n.translator(None), coordinator=False), scope=BotCommandScopeDefault()
    )
    for language in LANGUAGES:
        await bot.set_my_commands(
            command_list(i18n.translator(language), coordinator=False),
            scope=BotCommandScopeDefault(),
            language_code=language,
        )
    with db.session() as session:
        known = queries.people_by_accounts(
            session, platform=Platform.TELEGRAM, addresses=map(str, coordinators)
        )
    for telegram_id in coordinators:
        person = known.get(str(telegram_id))
        tr = i18n.translator(person.language if person else None)
        try:
            await bot.set_my_commands(
                command_list(tr, coordinator=True), scope=BotCommandScopeChat(chat_id=telegram_id)
            )
        except TelegramAPIError as error:  # she has not opened the bot yet
            log.warning("could not set the coordinator menu for %s: %s", telegram_id, error)
