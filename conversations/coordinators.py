"""Coordinators as people with names: the first /start asks her language, then her name; /name
changes it; and one function says how a coordinator is named wherever she is shown.

A coordinator is not a participant: she is never asked to consent or for a role (she can still
try the registration as participants see it with /start mentee).

    cnl:<language>   the language picked at her first /start; then the name is asked
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from conversations import engine, runner
from conversations.context import Ctx
from conversations.engine import Flow, Kind, Step
from conversations.events import Button, Press, Reply, rows
from conversations.i18n import LANGUAGES, Translator, __, isolate
from conversations.registration import FLOW as REGISTRATION_FLOW
from conversations.registration import NAME
from conversations.texts import COORDINATOR_WELCOME
from conversations.validation import Invalid, clean_text
from storage.models import Person
from storage.queries import ConversationRow

SETUP_LANGUAGE_PREFIX = "cnl"
A_COORDINATOR = __("a coordinator")  # one who has not told the bot her name yet


def name_of(session: Session, person_id: int | None) -> str | None:
    """A coordinator's own name, or None while she has not given one."""
    person = session.get(Person, person_id) if person_id else None
    return person.name if person is not None and person.name else None


def coordinator_name(
    session: Session, tr: Translator, person_id: int | None, *, with_id: bool = False
) -> str:
    """How a coordinator is named to the reader: her name, set apart for the other writing direction.

    Without a name yet, a neutral word; with_id adds her P-id to it, for coordinators, who may
    need to tell two such apart (and can type it, as in /handover P-3).
    """
    name = name_of(session, person_id)
    if name is not None:
        return isolate(name)
    word = tr.gettext(A_COORDINATOR)
    return f"{word} (P-{person_id})" if with_id and person_id else word


# -- her first /start: language, then name ------------------------------------------------------------


def welcome(ctx: Ctx) -> None:
    """A coordinator's /start: her language and name the first time, the welcome after that."""
    if ctx.person.name:
        ctx.say(Reply(ctx.tr.gettext(COORDINATOR_WELCOME)))
        return
    picks = [Button(name, f"{SETUP_LANGUAGE_PREFIX}:{code}") for code, name in LANGUAGES.items()]
    ctx.say(
        Reply(
            ctx.tr.gettext("Welcome, coordinator! 👋 First: which language would you like me to write in?"),
            tuple(rows(picks, 2)),
        )
    )


def press_setup_language(ctx: Ctx, event: Press) -> str | None:
    """She picked her language at her first /start: switch to it and ask her name in it."""
    code = event.data.partition(":")[2]
    if code not in LANGUAGES or ctx.person.name:  # a forged button, or one from before she was named
        return engine.stale(ctx.tr)
    ctx.switch_language(code)
    ctx.edit(event.message_id, Reply(f"✓ {LANGUAGES[code]}"))
    ctx.set_menu(coordinator=True)
    runner.begin(ctx, NAMING)
    return None


_REGISTRATION_NAME = REGISTRATION_FLOW.step(NAME)  # the same bounds as a participant's name
NAME_FLOW = Flow(
    name="coordinator_name",
    prefix="cnm",
    confirm=False,
    steps=(
        Step(
            NAME,
            __(
                "What is your name? Participants and the other coordinators will see it, for example when you "
                "propose a match."
            ),
            Kind.TEXT,
            __("Name"),
            min=_REGISTRATION_NAME.min,
            max=_REGISTRATION_NAME.max,
        ),
    ),
)


def _named(ctx: Ctx, conversation: ConversationRow, answers: dict[str, Any]) -> None:
    _set_name(ctx, answers[NAME])


NAMING = runner.guided(
    runner.Guided(
        NAME_FLOW, finish=_named, cancelled=__("Your name was not changed."), coordinators_only=True
    )
)


def _set_name(ctx: Ctx, name: str) -> None:
    """Store her name; the first time, the welcome follows."""
    first = not ctx.person.name
    ctx.person.name = name
    ctx.session.add(ctx.person)
    tr = ctx.tr
    if first:
        thanks = tr.gettext("Thank you, {name}!", name=isolate(name))  # extracted: not inside an f-string
        ctx.say(Reply(f"{thanks}\n\n{tr.gettext(COORDINATOR_WELCOME)}"))
    else:
        ctx.say(
            Reply(
                tr.gettext("Done: participants and coordinators now see you as {name}.", name=isolate(name))
            )
        )


def rename(ctx: Ctx, args: str) -> None:
    """/name Karen Jensen, or /name alone to be asked."""
    if not args.strip():
        runner.begin(ctx, NAMING)
        return
    try:
        name = clean_text(args, min_len=_REGISTRATION_NAME.min or 1, max_len=_REGISTRATION_NAME.max or 80)
    except Invalid as problem:
        ctx.say(Reply(ctx.tr.gettext(problem.msgid, **problem.params)))
        return
    _set_name(ctx, name)
