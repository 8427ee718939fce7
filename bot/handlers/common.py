"""Commands every person can use at any time; an open question is asked again afterwards."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message

from bot.filters import typed_command
from conversations import participant
from conversations.context import Ctx


async def start(message: Message, command: CommandObject, ctx: Ctx) -> None:
    """/start and the deep links ?start=mentee / ?start=mentor."""
    participant.start(ctx, (command.args or "").strip().lower())


async def language(message: Message, ctx: Ctx) -> None:
    """/language."""
    participant.language_menu(ctx)


async def help_(message: Message, ctx: Ctx) -> None:
    """/help."""
    participant.help_(ctx)
    participant.resume(ctx)


async def privacy(message: Message, ctx: Ctx) -> None:
    """/privacy."""
    participant.privacy(ctx)
    participant.resume(ctx)


async def profile(message: Message, ctx: Ctx) -> None:
    """/profile."""
    participant.profile(ctx)
    participant.resume(ctx)


async def whoami(message: Message, ctx: Ctx) -> None:
    """/whoami."""
    participant.whoami(ctx)
    participant.resume(ctx)


async def cancel(message: Message, ctx: Ctx) -> None:
    """/cancel."""
    participant.cancel(ctx)


def make_router() -> Router:
    """A fresh router with this module's handlers (each dispatcher gets its own)."""
    router = Router(name=__name__)
    router.message.filter(typed_command)  # one cheap check spares plain answers six command parsers
    router.message.register(start, CommandStart())
    router.message.register(language, Command("language"))
    router.message.register(help_, Command("help"))
    router.message.register(privacy, Command("privacy"))
    router.message.register(profile, Command("profile"))
    router.message.register(whoami, Command("whoami"))
    router.message.register(cancel, Command("cancel"))
    return router
