"""Coordinator commands; the allow-list filter applies to the whole router."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from admin import commands
from bot.filters import IsCoordinator
from conversations import participant
from conversations.context import Ctx


async def queue(message: Message, ctx: Ctx) -> None:
    """/queue."""
    commands.queue(ctx)
    participant.resume(ctx)


def make_router() -> Router:
    """A fresh router with this module's handlers (each dispatcher gets its own)."""
    router = Router(name=__name__)
    router.message.filter(IsCoordinator())
    router.callback_query.filter(IsCoordinator())
    router.message.register(queue, Command("queue"))
    return router
