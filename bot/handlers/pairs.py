"""Telegram glue of a pair's buttons: the first meeting, the decision, the agreement, meetings.

Their commands (/meeting, /met, /agreement, /endmatch) are declared in admin.commands.
"""

from __future__ import annotations

from aiogram import Router

from bot.events import on_press
from bot.filters import DataPrefix
from conversations import agreement, pairing, year


def make_router() -> Router:
    """A fresh router with this module's handlers (each dispatcher gets its own)."""
    router = Router(name=__name__)
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
