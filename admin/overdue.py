"""/overdue: everything waiting too long, grouped by kind, the longest waiting first."""

from __future__ import annotations

from datetime import datetime

from admin.interviews import overdue_lines as interviews_overdue
from conversations import timeline
from conversations.context import Ctx
from conversations.events import Reply
from conversations.i18n import __
from storage import pairs
from storage.models import Pair, PairStatus, Person

# Each kind: its heading with what to do next, and when a pair falls into it (None: it does not).
NO_DATE = __("No first meeting date 14 days after the proposal – remind the mentee or call her:")
EXPIRED = __("No first meeting two months after the proposal (expired) – ask them, or propose another match:")
NO_DECISION = __("No decision 14 days after the first meeting – call the one who has not answered:")
NO_AGREEMENT = __("No mentor agreement four weeks after the confirmation – ask how they are doing:")


def _kind_of(pair: Pair, now: datetime) -> tuple[str, datetime] | None:
    """Which overdue kind a pair is in, and since when it was due."""
    if pair.status == PairStatus.PROPOSED:
        expires = timeline.add_months(pair.proposed_at, timeline.MEETING_DUE_MONTHS)
        met = pair.meeting_agreed_at is not None and pair.meeting_at is not None and pair.meeting_at <= now
        if now >= expires and not met:
            return EXPIRED, expires
        if pair.meeting_agreed_at is None and now >= pair.proposed_at + timeline.MEETING_DATE_DUE:
            return NO_DATE, pair.proposed_at + timeline.MEETING_DATE_DUE
        if met and pair.meeting_at and now >= pair.meeting_at + timeline.DECISION_OVERDUE:
            return NO_DECISION, pair.meeting_at + timeline.DECISION_OVERDUE
    confirmed = pair.confirmed_at
    if pair.status == PairStatus.CONFIRMED and pair.agreement_done_at is None and confirmed:
        due = confirmed + timeline.AGREEMENT_OVERDUE
        return (NO_AGREEMENT, due) if now >= due else None
    return None


def _pair_line(ctx: Ctx, pair: Pair, mentee: Person, mentor: Person, since: datetime) -> str:
    tr = ctx.tr
    waited = tr.ngettext("{count} day", "{count} days", (ctx.now - since).days)
    line = f"{pair.short_id} {mentee.name} ({mentee.short_id}) + {mentor.name} ({mentor.short_id}) – {waited}"
    if pair.status == PairStatus.PROPOSED and pair.meeting_agreed_at is not None:
        missing = [
            p.name
            for p, said in ((mentee, pair.mentee_decision), (mentor, pair.mentor_decision))
            if said is None
        ]
        line += " – " + tr.gettext("not answered: {names}", names=", ".join(n or "" for n in missing))
    return line


def overdue(ctx: Ctx) -> None:
    """/overdue."""
    tr = ctx.tr
    groups: dict[str, list[tuple[datetime, str]]] = {
        NO_DATE: [],
        EXPIRED: [],
        NO_DECISION: [],
        NO_AGREEMENT: [],
    }
    for pair, mentee, mentor in pairs.with_people(
        ctx.session, statuses=(PairStatus.PROPOSED, PairStatus.CONFIRMED)
    ):
        found = _kind_of(pair, ctx.now)
        if found is not None:
            kind, since = found
            groups[kind].append((since, _pair_line(ctx, pair, mentee, mentor, since)))
    sections = []
    booking = interviews_overdue(ctx)
    if booking:
        heading = tr.gettext("Invited 14 days ago or more, no interview booked – call her or /invite again:")
        sections.append("\n".join([heading, *booking]))
    for kind, items in groups.items():
        if items:
            sections.append("\n".join([tr.gettext(kind), *(line for _, line in sorted(items))]))
    ctx.say(Reply("\n\n".join(sections) if sections else tr.gettext("Nothing is overdue.")))
