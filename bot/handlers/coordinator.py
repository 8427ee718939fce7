"""Coordinator commands (declared in admin.commands) and buttons; the allow-list filter applies to the whole router."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery

from admin import announcements, commands, interviews, matching, overdue, people
from admin.commands import COORDINATOR
from bot.events import as_press, on_press
from bot.filters import DataPrefix, IsCoordinator
from bot.handlers.common import run_command
from conversations import coordinators, threads
from conversations.context import Ctx
from conversations.matching import MatchWeights


async def propose_all(query: CallbackQuery, ctx: Ctx, match_weights: MatchWeights) -> str | None:
    """The "Propose all" button under /suggest."""
    return matching.press_propose_all(ctx, as_press(query), match_weights)


def make_router() -> Router:
    """A fresh router with this module's handlers (each dispatcher gets its own)."""
    router = Router(name=__name__)
    router.message.filter(IsCoordinator())
    router.callback_query.filter(IsCoordinator())
    router.message.register(run_command, Command(*commands.names(COORDINATOR)))
    router.callback_query.register(on_press(interviews.press_invite), DataPrefix(interviews.INVITE_PREFIX))
    router.callback_query.register(on_press(interviews.press_delete), DataPrefix(interviews.DELETE_PREFIX))
    router.callback_query.register(on_press(interviews.press_profile), DataPrefix(interviews.PROFILE_PREFIX))
    router.callback_query.register(on_press(matching.press_propose), DataPrefix(matching.PROPOSE_PREFIX))
    router.callback_query.register(propose_all, DataPrefix(matching.PROPOSE_ALL_PREFIX))
    router.callback_query.register(on_press(overdue.press), DataPrefix(overdue.PREFIX))
    router.callback_query.register(on_press(people.press_handover), DataPrefix(people.HANDOVER_PREFIX))
    router.callback_query.register(
        on_press(coordinators.press_setup_language), DataPrefix(coordinators.SETUP_LANGUAGE_PREFIX)
    )
    router.callback_query.register(
        on_press(threads.press_coordinator), DataPrefix(threads.COORDINATOR_PREFIX)
    )
    router.callback_query.register(on_press(announcements.press), DataPrefix(announcements.PREFIX))
    return router
