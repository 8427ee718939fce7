"""/overdue: everything waiting too long, grouped by kind, the longest waiting first, with buttons
to send the reminder again, open the pair, or mark it handled with a note.

    ov:r:<item>   send the reminder again        ov:p:<pair>   open the pair
    ov:h:<item>   mark it handled (a note follows)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from admin.pairs import pair_record
from conversations import agreement, booking, engine, pairing, runner, timeline, year
from conversations.context import Ctx
from conversations.engine import Flow, Kind, Step
from conversations.events import Button, Press, Reply
from conversations.i18n import Translator, __, isolate
from conversations.overdue import NOT_STEPS, Item, headings, items
from conversations.timeline import AGREEMENT, BOOKING, DECISION, EVALUATION, FIRST_MEETING, MEETING_DATE
from storage import surveys
from storage.models import Handled, Pair, Survey
from storage.queries import ConversationRow

PREFIX = "ov"
WITH_BUTTONS = 6  # items that get their own row of buttons under the list


def _one_woman(item: Item) -> bool:
    """A follow-up is each woman's own; other items of a pair are the pair's."""
    return item.kind in {s.name for s in timeline.followups()}


def _who(item: Item) -> str:
    if item.pair is not None and not _one_woman(item):
        mentee, mentor = item.people
        return f"{item.pair.short_id} {isolate(mentee.name)} ({mentee.short_id}) + {isolate(mentor.name)} ({mentor.short_id})"
    person = item.people[0]
    prefix = f"{item.pair.short_id} " if item.pair is not None else ""
    return f"{prefix}{isolate(person.name)} ({person.short_id})"


def _line(tr: Translator, item: Item, now: datetime) -> str:
    waited = tr.ngettext("{count} day", "{count} days", (now - item.due_at).days)
    contact = tr.date(item.last_contact) if item.last_contact else "–"
    line = tr.gettext(
        "{who} – overdue {waited}, last contact {contact}", who=_who(item), waited=waited, contact=contact
    )
    if item.waiting_for and not _one_woman(item):
        line += " – " + tr.gettext(
            "not answered: {names}", names=", ".join(p.name or "" for p in item.waiting_for)
        )
    return line


def _label(item: Item) -> str:
    return item.pair.short_id if item.pair is not None and not _one_woman(item) else item.people[0].short_id


def overdue(ctx: Ctx, args: str) -> None:
    """/overdue, or /overdue mine for the pairs she coordinates."""
    tr, now = ctx.tr, ctx.now
    mine = args.strip().casefold() == "mine"
    found = items(ctx.session, now=now)
    if mine:
        found = [item for item in found if item.coordinator == ctx.key.id]
    if not found:
        ctx.say(
            Reply(tr.gettext("Nothing of yours is overdue.") if mine else tr.gettext("Nothing is overdue."))
        )
        return
    sections = []
    for kind, heading in headings(tr):
        lines = [_line(tr, item, now) for item in found if item.kind == kind]
        if lines:
            sections.append("\n".join([heading, *lines]))
    buttons = []
    for item in found[:WITH_BUTTONS]:
        label = _label(item)
        row = []
        if item.kind not in NOT_STEPS:  # nothing of the programme to remind her of
            row.append(Button(tr.gettext("🔁 Remind {id}", id=label), f"{PREFIX}:r:{item.key}"))
        if item.pair is not None:
            row.append(Button(f"📂 {item.pair.short_id}", f"{PREFIX}:p:{item.pair.id}"))
        row.append(Button(tr.gettext("✔ Handled {id}", id=label), f"{PREFIX}:h:{item.key}"))
        buttons.append(tuple(row))
    ctx.say(Reply("\n\n".join(sections), tuple(buttons)))


def press(ctx: Ctx, event: Press) -> str | None:
    """The buttons under /overdue."""
    action, _, key = event.data.partition(":")[2].partition(":")
    if action == "p":
        if not key.isdigit() or ctx.session.get(Pair, int(key)) is None:
            return engine.stale(ctx.tr)
        pair_record(ctx, f"M-{key}")
        return None
    item = next((i for i in items(ctx.session, now=ctx.now) if i.key == key), None)
    if item is None:
        return ctx.tr.gettext("This is no longer overdue.")
    if action == "r" and item.kind not in NOT_STEPS:
        return ctx.tr.gettext("Sent again.") if _remind(ctx, item) else None
    if action == "h":
        notice = ctx.tr.gettext("Marking as handled: {who}", who=_who(item))
        runner.begin(
            ctx, HANDLED_NOTE, context={"key": key, "due_at": item.due_at.isoformat()}, notice=notice
        )
        return None
    return engine.stale(ctx.tr)


def _remind(ctx: Ctx, item: Item) -> bool:
    """Send the item's reminder again; False when there was nothing to send (she is told why, and so is the coordinator)."""
    session, i18n, now = ctx.session, ctx.i18n, ctx.now
    pair = item.pair
    if item.kind == BOOKING:
        if not booking.nudge_to_book(session, person=item.people[0], i18n=i18n, now=now):
            # Sending nothing would leave her last invitation, with its passed times, as the latest word.
            booking.times_passed(session, person=item.people[0], i18n=i18n, now=now)
            ctx.say(
                Reply(
                    ctx.tr.gettext(
                        "{who}: there is no free interview time to offer her. She is told that new times "
                        "will come; add some with /addslot and she gets them at once.",
                        who=_who(item),
                    )
                )
            )
            return False
    elif pair is not None and item.kind in (MEETING_DATE, FIRST_MEETING):
        mentee, mentor = item.people
        pairing.remind_meeting_date(session, pair=pair, mentee=mentee, mentor=mentor, i18n=i18n, now=now)
    elif pair is not None and item.kind == DECISION:
        for person in item.waiting_for:
            pairing.ask_decision(session, pair=pair, person=person, i18n=i18n, now=now, reminder=True)
    elif pair is not None and item.kind == AGREEMENT:
        for person in item.people:
            agreement.check_agreement(session, pair=pair, person=person, i18n=i18n, now=now)
    elif pair is not None and (_one_woman(item) or item.kind == EVALUATION):
        waiting = {p.id: p for p in item.waiting_for}
        for survey in surveys.of_pair(session, pair_id=pair.id or 0):
            if survey.answered_at is None and survey.person_id in waiting and _matches(survey, item):
                year.remind_survey(
                    session, survey=survey, person=waiting[survey.person_id], i18n=i18n, now=now
                )
    ctx.say(Reply(ctx.tr.gettext("Sent again: {who}", who=_who(item))))
    return True


def _matches(survey: Survey, item: Item) -> bool:
    return item.key == f"{survey.kind}:{survey.id}" if _one_woman(item) else survey.kind == EVALUATION


NOTE = "note"
HANDLED_FLOW = Flow(
    name="handled",
    prefix="hd",
    confirm=False,
    sensitive=True,
    steps=(
        Step(
            NOTE,
            __("A note on what you did (only coordinators see it), or skip:"),
            Kind.TEXT,
            __("Note"),
            optional=True,
            min=2,
            max=1000,
        ),
    ),
)


def _handled(ctx: Ctx, conversation: ConversationRow, answers: dict[str, Any]) -> None:
    assert ctx.notes is not None
    note = answers.get(NOTE)
    ctx.session.add(
        Handled(
            item=conversation.context["key"],
            due_at=datetime.fromisoformat(conversation.context["due_at"]),
            by=ctx.key.id,
            note=ctx.notes.seal({NOTE: note}) if note else None,
            at=ctx.now,
        )
    )
    ctx.say(Reply(ctx.tr.gettext("Marked handled. It shows again only if it falls due again.")))


HANDLED_NOTE = runner.guided(
    runner.Guided(HANDLED_FLOW, finish=_handled, cancelled=__("Nothing was marked."), coordinators_only=True)
)
