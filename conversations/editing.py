"""Changing registration answers afterwards, by the woman herself or by a coordinator for her.

Both go through the registration's own questions and checks (registration.EDIT_FLOW); this
module saves what was answered, records that it changed (conversations never keep the old
values, see storage.models.ProfileChange) and words the change for the person it is about.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from conversations import engine
from conversations.coordinators import coordinator_name
from conversations.i18n import Translator, __
from conversations.registration import FLOW, answers_of, store
from storage.models import Person, ProfileChange

REMOVED = __("(removed)")
ONE_AT_A_TIME = __(
    "Please finish the question below first, or stop it with /cancel; then you can change an answer."
)


def save(session: Session, person: Person, answers: dict[str, Any], *, by: int, now: datetime) -> list[str]:
    """Put the answers given in an editing flow on her profile; returns the fields that changed.

    The answers are laid over her profile as it is now, not as it was when the flow began, so a
    change someone else made meanwhile stays.
    """
    merged = {**answers_of(person), **answers}
    changed = store(person, merged)
    session.add(person)
    for field_id in changed:
        session.add(ProfileChange(person_id=person.id or 0, field=field_id, changed_by=by, at=now))
    return changed


def change_lines(tr: Translator, person: Person, changed: list[str]) -> str:
    """What changed, one line each: the question's label and the new answer, in her language."""
    answers = answers_of(person)
    lines = []
    for field_id in changed:
        step = FLOW.step(field_id)
        value = answers.get(field_id)
        shown = tr.gettext(REMOVED) if value in (None, "", []) else engine.display(step, value, answers, tr)
        lines.append(f"• {tr.gettext(step.label)}: {shown}")
    return "\n".join(lines)


def history(session: Session, *, person_id: int) -> list[ProfileChange]:
    """The changes to her profile, oldest first."""
    return list(
        session.exec(
            select(ProfileChange).where(ProfileChange.person_id == person_id).order_by(col(ProfileChange.id))
        ).all()
    )


def history_lines(session: Session, tr: Translator, person: Person) -> list[str]:
    """Her answers' changes for /person: when, which answer, and whether she or a coordinator made it."""
    changes = history(session, person_id=person.id or 0)
    if not changes:
        return []
    known = {step.field: step.label for step in FLOW.steps}
    lines = ["", tr.gettext("Changes to the answers:")]
    for change in changes:
        if change.changed_by == person.id:
            who = tr.gettext("by herself")
        else:
            name = coordinator_name(session, tr, change.changed_by, with_id=True)
            who = tr.gettext("by {coordinator}", coordinator=name)
        label = tr.gettext(known[change.field]) if change.field in known else change.field
        lines.append(f"• {tr.date(change.at)}: {label} ({who})")
    return lines
