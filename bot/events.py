"""Telegram updates turned into the plain events conversations understand."""

from __future__ import annotations

from aiogram.types import CallbackQuery

from conversations import events


def as_press(query: CallbackQuery) -> events.Press:
    """A button press: its data and the message that carried the button."""
    message_id = query.message.message_id if query.message is not None else None
    return events.Press(query.data or "", message_id)
