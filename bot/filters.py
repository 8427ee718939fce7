"""Filters: who may use a router."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import TelegramObject

from conversations.context import Ctx


class IsCoordinator(Filter):
    """Passes for people on the coordinators' allow-list (by numeric Telegram id)."""

    async def __call__(self, event: TelegramObject, ctx: Ctx) -> bool:
        return ctx.is_coordinator
