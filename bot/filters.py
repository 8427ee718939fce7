"""Filters: who may use a router, and which updates a handler takes.

All are coroutines on purpose: aiogram runs a synchronous filter (a magic `F` filter
included) in a worker thread, which costs more than the rest of a registration answer.
"""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message, TelegramObject

from conversations import runner
from conversations.context import Ctx


class IsCoordinator(Filter):
    """Passes for people on the coordinators' allow-list (by numeric Telegram id)."""

    async def __call__(self, event: TelegramObject, ctx: Ctx) -> bool:
        return ctx.is_coordinator


async def typed_answer(message: Message) -> bool:
    """Text that is not a command."""
    return message.text is not None and not message.text.startswith("/")


async def typed_command(message: Message) -> bool:
    """Text that is a command."""
    return message.text is not None and message.text.startswith("/")


class DataPrefix(Filter):
    """A button whose data starts with `prefix:`."""

    def __init__(self, prefix: str) -> None:
        self.prefix = f"{prefix}:"

    async def __call__(self, query: CallbackQuery) -> bool:
        return (query.data or "").startswith(self.prefix)


class FlowButton(Filter):
    """A button of any registered guided conversation (its data starts with the flow's prefix)."""

    async def __call__(self, query: CallbackQuery) -> bool:
        prefix = (query.data or "").partition(":")[0]
        return prefix in runner.PREFIXES
