"""Telegram glue of the registration: answers, /back and /skip, and its buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from conversations import events, participant
from conversations.context import Ctx
from conversations.registration import FLOW

router = Router(name=__name__)


@router.callback_query(F.data.startswith(f"{participant.CONSENT_PREFIX}:"))
async def consent(query: CallbackQuery, ctx: Ctx) -> str | None:
    """The buttons under the privacy notice."""
    return participant.press_consent(ctx, events.Press(query.data or "", _message_id(query)))


@router.callback_query(F.data.startswith(f"{participant.LANGUAGE_PREFIX}:"))
async def language(query: CallbackQuery, ctx: Ctx) -> str | None:
    """A language picked from /language."""
    return participant.press_language(ctx, events.Press(query.data or "", _message_id(query)))


@router.callback_query(F.data.startswith(f"{FLOW.prefix}:"))
async def answer_button(query: CallbackQuery, ctx: Ctx) -> str | None:
    """A button of a registration question."""
    return participant.converse(ctx, events.Press(query.data or "", _message_id(query)))


@router.message(Command("back", "skip"))
async def navigate(message: Message, command: CommandObject, ctx: Ctx) -> None:
    """/back and /skip."""
    participant.converse(ctx, events.Command(command.command))


@router.message(F.text & ~F.text.startswith("/"))
async def answer_text(message: Message, ctx: Ctx) -> None:
    """A typed answer."""
    participant.converse(ctx, events.Text(message.text or ""))


def _message_id(query: CallbackQuery) -> int | None:
    return query.message.message_id if query.message is not None else None
