"""Anyone's buttons under announcements and events: stop news, I will come, I cannot come."""

from __future__ import annotations

from aiogram import Router

from bot.events import on_press
from bot.filters import DataPrefix
from conversations import announcements


def make_router() -> Router:
    """A fresh router with this module's handlers (each dispatcher gets its own)."""
    router = Router(name=__name__)
    router.callback_query.register(on_press(announcements.press_news), DataPrefix(announcements.NEWS_PREFIX))
    router.callback_query.register(
        on_press(announcements.press_event), DataPrefix(announcements.EVENT_PREFIX)
    )
    return router
