"""/edit P-12: a coordinator changes a person's registration answers for her.

The same questions and checks as the registration (registration.PERSON_EDIT_FLOW); the person
is told in her own language what changed, and /person shows that it changed, when and by whom.
"""

from __future__ import annotations

from typing import Any

from admin.interviews import person_by_id
from conversations import editing, runner
from conversations.context import Ctx, post
from conversations.events import Reply
from conversations.i18n import Translator, __, isolate
from conversations.participant import profile_lines, resume
from conversations.registration import PERSON_EDIT_FLOW, answers_of
from storage import queries
from storage.models import Person
from storage.queries import ConversationRow

CHANGED_FOR_HER = __(
    "A coordinator has changed your answers:\n{changes}\n\n/profile shows everything we keep about you."
)


def edit(ctx: Ctx, args: str) -> None:
    """/edit P-12: her answers now, then the menu of answers to change."""
    person = person_by_id(ctx, args, "edit")
    if person is None:
        return
    if runner.current(ctx) is not None:
        ctx.say(Reply(ctx.tr.gettext(editing.ONE_AT_A_TIME)))
        resume(ctx)
        return
    tr = ctx.tr
    accounts = queries.accounts_of(ctx.session, person_id=person.id or 0)
    notice = tr.gettext(
        "Changing the answers of {name} ({id}). The questions are the ones she was asked; answer them for "
        "her. She will be told what changed.",
        name=isolate(person.name),
        id=person.short_id,
    )
    notice += "\n\n" + profile_lines(tr, person, accounts)
    runner.begin(ctx, PERSON_EDIT, answers=answers_of(person), context={"subject": person.id}, notice=notice)


def _finished(ctx: Ctx, conversation: ConversationRow, answers: dict[str, Any]) -> None:
    """Save the answers given, tell her what changed in her language, and show it to the coordinator."""
    session, tr = ctx.session, ctx.tr
    person = session.get(Person, conversation.context.get("subject", 0))
    if person is None or person.status is None:
        ctx.say(Reply(tr.gettext("Nothing was saved: this person's data has been deleted meanwhile.")))
        return
    changed = editing.save(session, person, answers, by=ctx.key.id, now=ctx.now)
    if not changed:
        ctx.say(Reply(tr.gettext("Nothing was changed.")))
        return

    def told(her: Translator) -> Reply:
        return Reply(her.gettext(CHANGED_FOR_HER, changes=editing.change_lines(her, person, changed)))

    post(session, person, ctx.i18n, ctx.now, told)
    saved = tr.gettext(
        "Saved for {name} ({id}); she has been told:", name=isolate(person.name), id=person.short_id
    )
    ctx.say(Reply(f"{saved}\n{editing.change_lines(tr, person, changed)}"))


PERSON_EDIT = runner.guided(
    runner.Guided(
        PERSON_EDIT_FLOW, finish=_finished, cancelled=__("Nothing was changed."), coordinators_only=True
    )
)
