"""Telegram updates turned into the plain events conversations understand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram.types import CallbackQuery

from conversations import events
from conversations.context import Ctx

PressAction = Callable[[Ctx, events.Press], str | None]


def as_press(query: CallbackQuery) -> events.Press:
    """A button press: its data and the message that carried the button."""
    message_id = query.message.message_id if query.message is not None else None
    return events.Press(query.data or "", message_id)


def on_press(action: PressAction) -> Callable[[CallbackQuery, Ctx], Awaitable[str | None]]:
    """A callback-query handler that hands the press to a conversation function; its toast answers it."""

    async def handler(query: CallbackQuery, ctx: Ctx) -> str | None:
        return action(ctx, as_press(query))

    handler.__name__ = handler.__qualname__ = f"press_{action.__name__}"
    handler.__doc__ = action.__doc__
    return handler
