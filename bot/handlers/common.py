"""Commands every person can use at any time; an open question is asked again afterwards."""

from __future__ import annotations

from collections.abc import Callable

from aiogram import Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message

from admin.commands import coordinator_help
from bot.filters import typed_command
from conversations import participant
from conversations.context import Ctx


# Commands that answer and then give her back the question she was at.
def _help(ctx: Ctx) -> None:
    participant.help_(ctx)
    if ctx.is_coordinator:
        coordinator_help(ctx)


INTERRUPTIONS: dict[str, Callable[[Ctx], None]] = {
    "help": _help,
    "privacy": participant.privacy,
    "profile": participant.profile,
    "whoami": participant.whoami,
}


async def start(message: Message, command: CommandObject, ctx: Ctx) -> None:
    """/start and the deep links ?start=mentee / ?start=mentor."""
    participant.start(ctx, (command.args or "").strip().lower())


async def language(message: Message, ctx: Ctx) -> None:
    """/language."""
    participant.language_menu(ctx)


async def interruption(message: Message, command: CommandObject, ctx: Ctx) -> None:
    """/help, /privacy, /profile, /whoami: answered, then the open question again."""
    INTERRUPTIONS[command.command](ctx)
    participant.resume(ctx)


async def cancel(message: Message, ctx: Ctx) -> None:
    """/cancel."""
    participant.cancel(ctx)


def make_router() -> Router:
    """A fresh router with this module's handlers (each dispatcher gets its own)."""
    router = Router(name=__name__)
    router.message.filter(typed_command)  # one cheap check spares plain answers the command parsers
    router.message.register(start, CommandStart())
    router.message.register(language, Command("language"))
    router.message.register(interruption, Command(*INTERRUPTIONS))
    router.message.register(cancel, Command("cancel"))
    return router
