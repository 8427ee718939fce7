"""Telegram glue of the participants' conversations: answers, /back and /skip, consent, language, booking."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot.events import as_press
from bot.filters import DataPrefix, FlowButton, typed_answer
from conversations import booking, events, participant
from conversations.context import Ctx


async def consent(query: CallbackQuery, ctx: Ctx) -> str | None:
    """The buttons under the privacy notice."""
    return participant.press_consent(ctx, as_press(query))


async def language(query: CallbackQuery, ctx: Ctx) -> str | None:
    """A language picked from /language."""
    return participant.press_language(ctx, as_press(query))


async def book_button(query: CallbackQuery, ctx: Ctx) -> str | None:
    """An interview time picked from an invitation."""
    return booking.press_book(ctx, as_press(query))


async def booking_answer(query: CallbackQuery, ctx: Ctx) -> str | None:
    """Coming, another time, or cancel, about a booked interview."""
    return booking.press_answer(ctx, as_press(query))


async def answer_button(query: CallbackQuery, ctx: Ctx) -> str | None:
    """A button of a guided conversation's question."""
    return participant.converse(ctx, as_press(query))


async def navigate(message: Message, command: CommandObject, ctx: Ctx) -> None:
    """/back and /skip."""
    participant.converse(ctx, events.Command(command.command))


async def answer_text(message: Message, ctx: Ctx) -> None:
    """A typed answer."""
    participant.converse(ctx, events.Text(message.text or ""))


def make_router() -> Router:
    """A fresh router with this module's handlers (each dispatcher gets its own)."""
    router = Router(name=__name__)
    router.callback_query.register(consent, DataPrefix(participant.CONSENT_PREFIX))
    router.callback_query.register(language, DataPrefix(participant.LANGUAGE_PREFIX))
    router.callback_query.register(answer_button, FlowButton())
    router.callback_query.register(book_button, DataPrefix(booking.BOOK_PREFIX))
    router.callback_query.register(booking_answer, DataPrefix(booking.ANSWER_PREFIX))
    router.message.register(answer_text, typed_answer)  # first: the most frequent update of all
    router.message.register(navigate, Command("back", "skip"))
    return router
