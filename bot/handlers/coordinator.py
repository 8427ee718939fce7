"""Coordinator commands and buttons; the allow-list filter applies to the whole router."""

from __future__ import annotations

from collections.abc import Callable

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from admin import announcements, interviews, matching, overdue, pairs
from bot.events import as_press, on_press
from bot.filters import DataPrefix, IsCoordinator
from conversations import participant
from conversations.context import Ctx
from conversations.matching import MatchWeights

# Commands that take the rest of the line as their argument.
WITH_ARGUMENTS: dict[str, Callable[[Ctx, str], None]] = {
    "invite": interviews.invite,
    "addslot": interviews.addslot,
    "delslot": interviews.delslot,
    "interviewed": interviews.interviewed,
    "noshow": interviews.noshow,
    "person": interviews.person_record,
    "propose": matching.propose,
    "overdue": overdue.overdue,
    "pair": pairs.pair_record,
    "end": pairs.end,
    "announce": announcements.announce,
    "event": announcements.event,
}
WITHOUT: dict[str, Callable[[Ctx], None]] = {
    "queue": interviews.queue,
    "slots": interviews.slots,
    "caseload": pairs.caseload,
}


async def with_arguments(message: Message, command: CommandObject, ctx: Ctx) -> None:
    """/invite P-12, /addslot …, /delslot S-3."""
    WITH_ARGUMENTS[command.command](ctx, command.args or "")


async def without_arguments(message: Message, command: CommandObject, ctx: Ctx) -> None:
    """/queue, /slots, /overdue; an open question is asked again afterwards."""
    WITHOUT[command.command](ctx)
    participant.resume(ctx)


async def suggest(message: Message, command: CommandObject, ctx: Ctx, match_weights: MatchWeights) -> None:
    """/suggest P-12, or /suggest alone for everyone waiting."""
    matching.suggest(ctx, command.args or "", match_weights)


async def propose_all(query: CallbackQuery, ctx: Ctx, match_weights: MatchWeights) -> str | None:
    """The "Propose all" button under /suggest."""
    return matching.press_propose_all(ctx, as_press(query), match_weights)


def make_router() -> Router:
    """A fresh router with this module's handlers (each dispatcher gets its own)."""
    router = Router(name=__name__)
    router.message.filter(IsCoordinator())
    router.callback_query.filter(IsCoordinator())
    router.message.register(with_arguments, Command(*WITH_ARGUMENTS))
    router.message.register(without_arguments, Command(*WITHOUT))
    router.message.register(suggest, Command("suggest"))
    router.callback_query.register(on_press(interviews.press_invite), DataPrefix(interviews.INVITE_PREFIX))
    router.callback_query.register(on_press(interviews.press_delete), DataPrefix(interviews.DELETE_PREFIX))
    router.callback_query.register(on_press(interviews.press_profile), DataPrefix(interviews.PROFILE_PREFIX))
    router.callback_query.register(on_press(matching.press_propose), DataPrefix(matching.PROPOSE_PREFIX))
    router.callback_query.register(propose_all, DataPrefix(matching.PROPOSE_ALL_PREFIX))
    router.callback_query.register(on_press(overdue.press), DataPrefix(overdue.PREFIX))
    router.callback_query.register(on_press(announcements.press), DataPrefix(announcements.PREFIX))
    return router
