"""What is overdue, derived from the stored dates: for /overdue and the coordinators' morning digest."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from babel.lists import format_list
from sqlmodel import Session

from conversations import timeline
from conversations.context import post
from conversations.events import Reply
from conversations.i18n import I18n, __
from storage import interviews, pairs, queries, surveys
from storage.models import Pair, PairStatus, Person, SurveyKind

BOOKING, UNREACHABLE = "booking", "unreachable"
NO_DATE, EXPIRED, NO_DECISION, NO_AGREEMENT = "no_date", "expired", "no_decision", "no_agreement"
FOLLOWUP, EVALUATION = "followup", "evaluation"

# Each kind: its heading with what to do next, and its short name in the morning digest.
HEADINGS = {
    BOOKING: __("Invited 14 days ago or more, no interview booked – call her or /invite again:"),
    NO_DATE: __("No first meeting date 14 days after the proposal – remind the mentee or call her:"),
    EXPIRED: __(
        "No first meeting two months after the proposal (expired) – ask them, or propose another match:"
    ),
    NO_DECISION: __("No decision 14 days after the first meeting – call the one who has not answered:"),
    NO_AGREEMENT: __("No mentor agreement four weeks after the confirmation – ask how they are doing:"),
    FOLLOWUP: __("Follow-up not answered in 21 days – remind her again or call her:"),
    EVALUATION: __("Evaluation not returned four weeks after the end – call the pair:"),
    UNREACHABLE: __("Has blocked the bot or cannot be reached – call her or write another way:"),
}
SHORT = {
    BOOKING: __("interviews not booked"),
    NO_DATE: __("first meetings without a date"),
    EXPIRED: __("expired proposals"),
    NO_DECISION: __("decisions missing"),
    NO_AGREEMENT: __("agreements missing"),
    FOLLOWUP: __("follow-ups not answered"),
    EVALUATION: __("evaluations not returned"),
    UNREACHABLE: __("people who cannot be reached"),
}


@dataclass
class Item:
    """One overdue thing: what, since when, about whom, and whose it is."""

    kind: str
    key: str  # e.g. "nd:5": names it in buttons and in storage.Handled
    due_at: datetime
    people: list[Person]
    pair: Pair | None = None
    waiting_for: list[Person] = field(default_factory=list)  # who has not answered

    @property
    def coordinator(self) -> int | None:
        """The pair's coordinator; None: every coordinator's."""
        return self.pair.coordinator if self.pair is not None else None

    @property
    def last_contact(self) -> datetime | None:
        """When one of them last wrote."""
        seen = [p.last_seen_at for p in self.people if p.last_seen_at]
        return max(seen, default=None)


def _pair_kind(pair: Pair, now: datetime) -> tuple[str, datetime] | None:
    """Which overdue kind a proposed or confirmed pair is in, and since when it was due."""
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


def items(session: Session, *, now: datetime) -> list[Item]:
    """Everything overdue now that nobody has marked handled, the longest waiting first."""
    found: list[Item] = []
    for person in interviews.waiting_for_slots(session):
        if person.invited_at and now >= person.invited_at + timeline.BOOKING_OVERDUE:
            found.append(
                Item(BOOKING, f"bk:{person.id}", person.invited_at + timeline.BOOKING_OVERDUE, [person])
            )
    for pair, mentee, mentor in pairs.with_people(
        session, statuses=(PairStatus.PROPOSED, PairStatus.CONFIRMED)
    ):
        kind = _pair_kind(pair, now)
        if kind is not None:
            waiting = []
            if kind[0] == NO_DECISION:
                waiting = [
                    p
                    for p, said in ((mentee, pair.mentee_decision), (mentor, pair.mentor_decision))
                    if said is None
                ]
            found.append(Item(kind[0], f"{kind[0]}:{pair.id}", kind[1], [mentee, mentor], pair, waiting))
    found += _surveys(session, now)
    for person in queries.unreachable(session):
        found.append(Item(UNREACHABLE, f"ur:{person.id}", person.unreachable_at or now, [person]))
    handled = queries.handled_keys(session)
    return sorted(
        (item for item in found if (item.key, item.due_at) not in handled), key=lambda i: (i.due_at, i.key)
    )


def _surveys(session: Session, now: datetime) -> list[Item]:
    waiting = surveys.unanswered(session)
    pairs_by_id = pairs.by_ids(session, ids={s.pair_id for s in waiting})
    people = queries.people_by_ids(
        session, ids={i for p in pairs_by_id.values() for i in (p.mentee_id, p.mentor_id)}
    )
    found: list[Item] = []
    evaluations: dict[int, list[Person]] = {}
    due_of: dict[int, datetime] = {}
    for survey in waiting:
        pair, person = pairs_by_id[survey.pair_id], people[survey.person_id]
        if survey.kind == SurveyKind.EVALUATION:
            if now >= survey.sent_at + timeline.EVALUATION_OVERDUE:
                evaluations.setdefault(survey.pair_id, []).append(person)
                due_of[survey.pair_id] = survey.sent_at + timeline.EVALUATION_OVERDUE
        elif pair.status == PairStatus.CONFIRMED and now >= survey.sent_at + timeline.FOLLOWUP_OVERDUE:
            due = survey.sent_at + timeline.FOLLOWUP_OVERDUE
            found.append(Item(FOLLOWUP, f"fu:{survey.id}", due, [person], pair, [person]))
    for pair_id, late in evaluations.items():
        pair = pairs_by_id[pair_id]
        both = [people[pair.mentee_id], people[pair.mentor_id]]
        found.append(Item(EVALUATION, f"ev:{pair_id}", due_of[pair_id], both, pair, late))
    return found


def send_digest(session: Session, *, person_id: int, items: list[Item], i18n: I18n, now: datetime) -> None:
    """The morning digest to one coordinator: how many of each kind, and where to see them."""
    coordinator = session.get(Person, person_id)
    tr = i18n.translator(coordinator.language if coordinator else None)
    counts = Counter(item.kind for item in items)
    parts = [f"{tr.gettext(SHORT[kind])}: {count}" for kind, count in counts.items()]
    text = tr.gettext(
        "Good morning! Overdue today – {items}.\n/overdue shows each with what to do; /overdue mine only your pairs.",
        items=format_list(parts, locale=tr.locale),
    )
    post(session, person_id, Reply(text), tr, now)
