"""Telegram glue of the participants' conversations: answers, consent, language, booking (/back and /skip are commands)."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import Message

from bot.events import on_press
from bot.filters import DataPrefix, FlowButton, typed_answer
from conversations import booking, events, participant, threads
from conversations.context import Ctx


async def answer_text(message: Message, ctx: Ctx) -> None:
    """A typed answer."""
    participant.converse(ctx, events.Text(message.text or ""))


def make_router() -> Router:
    """A fresh router with this module's handlers (each dispatcher gets its own)."""
    router = Router(name=__name__)
    router.callback_query.register(
        on_press(participant.press_consent), DataPrefix(participant.CONSENT_PREFIX)
    )
    router.callback_query.register(
        on_press(participant.press_language), DataPrefix(participant.LANGUAGE_PREFIX)
    )
    router.callback_query.register(on_press(participant.press_change), DataPrefix(participant.CHANGE_PREFIX))
    router.callback_query.register(on_press(participant.converse), FlowButton())
    router.callback_query.register(on_press(booking.press_book), DataPrefix(booking.BOOK_PREFIX))
    router.callback_query.register(on_press(booking.press_answer), DataPrefix(booking.ANSWER_PREFIX))
    router.callback_query.register(
        on_press(threads.press_participant), DataPrefix(threads.PARTICIPANT_PREFIX)
    )
    router.message.register(answer_text, typed_answer)  # first: the most frequent update of all
    return router
