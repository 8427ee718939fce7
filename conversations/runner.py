"""Runs guided conversations: one open at a time per person, stored, resumed, finished.

A flow module declares its Flow and what happens when it is confirmed, and registers them
here with `guided(...)`; the bot routes every button with a registered prefix, every typed
answer, /back and /skip to `converse`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conversations import engine
from conversations.context import Ctx
from conversations.engine import Flow, State
from conversations.events import Event, Media, Press, Reply, Text
from conversations.i18n import __
from storage import queries
from storage.crypto import NotesCipher, UnreadableSeal
from storage.queries import ConversationRow


@dataclass(frozen=True)
class Guided:
    """A flow and what to do with its confirmed answers."""

    flow: Flow
    finish: Callable[[Ctx, ConversationRow, dict[str, Any]], None]
    cancelled: str  # the msgid said on /cancel
    on_cancel: Callable[[Ctx, ConversationRow], None] | None = None
    coordinators_only: bool = False  # every step checks the allow-list again


# Shown to mentees too (the reason for a no is sealed): no word about keys, and a way on.
UNREADABLE_CONVERSATION = __(
    "Sorry: what you had begun here could not be read any more, so it was not saved. "
    "Please start it again, or send /help to see what you can do."
)
NO_LONGER_COORDINATOR = __(
    "You are no longer on the list of this network's coordinators, so what you had begun was not saved."
)


log = logging.getLogger(__name__)
GUIDED: dict[str, Guided] = {}
SEALED = "_sealed"


PREFIXES: set[str] = set()  # the button prefixes of every registered flow
# In an open conversation's context: her next message goes aside, not to the question (the
# thread to the coordinator keeps what that means; this flag only spares every answer a look).
ASIDE = "aside"


def guided(spec: Guided) -> Guided:
    """Register a flow so that its buttons and answers reach it."""
    GUIDED[spec.flow.name] = spec
    PREFIXES.add(spec.flow.prefix)
    return spec


def current(ctx: Ctx, flow: Flow | None = None) -> ConversationRow | None:
    """Her open conversation (of one flow, if given)."""
    row = queries.open_conversation(ctx.db, person_id=ctx.key.id)
    return row if row is not None and (flow is None or row.flow == flow.name) else None


def state_of(row: ConversationRow, notes: NotesCipher | None = None) -> State:
    """The engine state stored in a conversation row (a sensitive flow's answers are sealed)."""
    answers = dict(row.answers)
    if SEALED in answers:
        assert notes is not None, "sealed answers need the notes cipher"
        answers = notes.open(answers[SEALED])
    return State(row.step, row.rev, answers, list(row.context.get("pending", [])))


def ask_again(ctx: Ctx, row: ConversationRow, notice: str | None = None) -> Reply:
    """Her open question, as it stands (or, if it can no longer be read, that it was ended)."""
    try:
        state = state_of(row, ctx.notes)
    except UnreadableSeal as error:
        log.error("conversation %s (%s) %s; it was ended", row.id, row.flow, error)
        queries.delete_conversation(ctx.db, conversation_id=row.id)
        return Reply(ctx.tr.gettext(UNREADABLE_CONVERSATION))
    return engine.ask(GUIDED[row.flow].flow, state, ctx.tr, notice=notice)


def begin(
    ctx: Ctx,
    spec: Guided,
    *,
    answers: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
    notice: str | None = None,
) -> None:
    """Start a flow for her (ending any other she had open) and ask its first question."""
    state = engine.begin(spec.flow, answers)
    queries.start_conversation(
        ctx.db,
        person_id=ctx.key.id,
        flow=spec.flow.name,
        step=state.step,
        answers=_stored(ctx, spec, state.answers),
        context=context or {},
        now=ctx.now,
    )
    ctx.say(engine.ask(spec.flow, state, ctx.tr, notice=notice), sealed=spec.flow.sensitive)


def _stored(ctx: Ctx, spec: Guided, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers as they go to the database: sealed for a sensitive flow."""
    if not spec.flow.sensitive or not answers:
        return answers
    assert ctx.notes is not None
    return {SEALED: ctx.notes.seal(answers)}


def set_aside(ctx: Ctx, on: bool) -> None:
    """Mark her open conversation (if any): her next message goes aside, or no longer does."""
    row = current(ctx)
    if row is None or bool(row.context.get(ASIDE)) == on:
        return
    row.context = {**row.context, ASIDE: True} if on else {k: v for k, v in row.context.items() if k != ASIDE}
    queries.save_conversation(ctx.db, conversation=row)


def converse(
    ctx: Ctx,
    event: Event,
    on_idle: Callable[[Ctx], None],
    aside: Callable[[Ctx, Event], bool] | None = None,
) -> str | None:
    """Pass an event to her open conversation; returns a toast for a refused button, or None.

    A message she asked to send aside (`set_aside`) goes to `aside` instead, which returns
    whether it took it.
    """
    row = current(ctx)
    if row is None or row.flow not in GUIDED:
        if isinstance(event, Press):
            return engine.stale(ctx.tr)
        on_idle(ctx)
        return None
    if aside is not None and row.context.get(ASIDE) and isinstance(event, Text | Media) and aside(ctx, event):
        return None
    spec = GUIDED[row.flow]
    if spec.coordinators_only and not ctx.is_coordinator:
        # Removed from MENTORBOT_COORDINATORS mid-flow (a restart in between): nothing is saved.
        queries.delete_conversation(ctx.db, conversation_id=row.id)
        ctx.say(Reply(ctx.tr.gettext(NO_LONGER_COORDINATOR)))
        return None
    try:
        state = state_of(row, ctx.notes)
    except UnreadableSeal:
        # Sealed with a key since removed: begin again rather than fail on every message she sends.
        ctx.say(ask_again(ctx, row))
        return None
    today = ctx.now.astimezone(ctx.tr.tz).date()
    outcome = engine.handle(spec.flow, state, event, ctx.tr, phone_region=ctx.phone_region, today=today)
    sealed = spec.flow.sensitive
    if outcome.changed:
        state = outcome.state
        row.step, row.rev, row.answers = state.step, state.rev, _stored(ctx, spec, state.answers)
        row.context = {**row.context, "pending": state.pending}
        row.updated_at = ctx.now
        if outcome.completed:
            row.completed_at = ctx.now
            answers = spec.flow.final_answers(state.answers)
            row.answers = {}  # the answers now live where finish puts them
        queries.save_conversation(ctx.db, conversation=row)
    if outcome.edit is not None and isinstance(event, Press):
        ctx.edit(event.message_id, outcome.edit, sealed=sealed)
    if outcome.completed:
        spec.finish(ctx, row, answers)
    for reply in outcome.replies:
        ctx.say(reply, sealed=sealed)
    return outcome.toast


def cancel(ctx: Ctx) -> bool:
    """Stop her open conversation and delete its answers; False if she had none."""
    row = current(ctx)
    if row is None or row.flow not in GUIDED:
        return False
    spec = GUIDED[row.flow]
    queries.delete_conversation(ctx.db, conversation_id=row.id)
    if spec.on_cancel is not None:
        spec.on_cancel(ctx, row)
    ctx.say(Reply(ctx.tr.gettext(spec.cancelled)))
    return True
