"""Last in line: coordinator commands from others, unknown commands, media and stale buttons."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from admin import commands
from admin.commands import COORDINATOR
from bot.filters import typed_command
from conversations import engine, events, participant
from conversations.context import Ctx

log = logging.getLogger(__name__)


async def not_a_coordinator(message: Message, command: CommandObject, ctx: Ctx) -> None:
    """Only reached by people who are not coordinators: refuse politely and log it."""
    log.warning("coordinator command /%s refused for Telegram user %s", command.command, ctx.key.address)
    commands.refuse(ctx, command.command)


async def unknown_command(message: Message, ctx: Ctx) -> None:
    """A command we do not have."""
    name = (message.text or "/").split()[0][1:].split("@")[0]
    participant.unknown_command(ctx, events.Command(name))


def as_media(message: Message) -> events.Media:
    """A message that is not text: its kind, and the file's id and caption where it has a file."""
    kind = str(
        getattr(message.content_type, "value", message.content_type)
    )  # "voice", not "ContentType.VOICE"
    if kind == "photo" and message.photo:
        file_id = message.photo[-1].file_id  # the largest size
    else:
        file = {
            "voice": message.voice,
            "audio": message.audio,
            "document": message.document,
            "video": message.video,
            "video_note": message.video_note,
        }.get(kind)
        file_id = file.file_id if file is not None else ""
    return events.Media(kind, file_id, message.caption or "")


async def media(message: Message, ctx: Ctx) -> None:
    """A voice note, photo, sticker, file, location...: mid-question explained, else to the coordinator."""
    participant.media(ctx, as_media(message))


async def unknown_button(query: CallbackQuery, ctx: Ctx) -> str:
    """A button we did not make, or from a conversation long gone."""
    return engine.stale(ctx.tr)


def make_router() -> Router:
    """A fresh router with this module's handlers (each dispatcher gets its own)."""
    router = Router(name=__name__)
    router.message.register(not_a_coordinator, Command(*commands.names(COORDINATOR)))
    router.message.register(unknown_command, typed_command)
    router.message.register(media)
    router.callback_query.register(unknown_button)
    return router
