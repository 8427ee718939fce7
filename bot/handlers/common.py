"""Commands every person can use at any time, also mid-question; all are declared in admin.commands."""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from admin import commands
from admin.commands import ANYONE, PARTICIPANT
from bot.filters import typed_command
from conversations.context import Ctx


async def run_command(message: Message, command: CommandObject, ctx: Ctx, **deps: Any) -> None:
    """A command of the registry: its handler, given the rest of the line and what it needs (e.g. match_weights)."""
    commands.run(ctx, command.command, command.args or "", deps)


def make_router() -> Router:
    """A fresh router with this module's handlers (each dispatcher gets its own)."""
    router = Router(name=__name__)
    router.message.filter(typed_command)  # one cheap check spares plain answers the command parsers
    router.message.register(run_command, Command(*commands.names(ANYONE, PARTICIPANT)))
    return router
