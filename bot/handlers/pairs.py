"""Telegram glue of a pair's conversations: the first meeting, the decision, the agreement, meetings."""

from __future__ import annotations

from collections.abc import Callable

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.events import on_press
from bot.filters import DataPrefix
from conversations import agreement, pairing, year
from conversations.context import Ctx

COMMANDS: dict[str, Callable[[Ctx], None]] = {
    "meeting": pairing.meeting_command,
    "met": agreement.met_command,
    "agreement": agreement.agreement_command,
    "endmatch": year.endmatch,
}


async def command(message: Message, command: CommandObject, ctx: Ctx) -> None:
    """/meeting, /met, /agreement, /endmatch."""
    COMMANDS[command.command](ctx)


def make_router() -> Router:
    """A fresh router with this module's handlers (each dispatcher gets its own)."""
    router = Router(name=__name__)
    router.message.register(command, Command(*COMMANDS))
    for prefix, action in (
        (pairing.SET_MEETING_PREFIX, pairing.press_set_meeting),
        (pairing.MEETING_PREFIX, pairing.press_meeting),
        (pairing.DECISION_PREFIX, pairing.press_decision),
        (agreement.CONFIRM_PREFIX, agreement.press_confirm),
        (agreement.CHECK_PREFIX, agreement.press_check),
        (agreement.MET_PREFIX, agreement.press_met),
        (year.SURVEY_PREFIX, year.press_survey),
        (year.NEXT_PREFIX, year.press_next),
    ):
        router.callback_query.register(on_press(action), DataPrefix(prefix))
    return router
