"""What is overdue, derived from the stored dates: for /overdue and the coordinators' morning digest."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from babel.lists import format_list
from sqlmodel import Session

from conversations import timeline
from conversations.context import post
from conversations.events import Reply
from conversations.i18n import I18n, Translator, __
from conversations.timeline import AGREEMENT, BOOKING, DECISION, EVALUATION, FIRST_MEETING, MEETING_DATE, step
from storage import inbox, interviews, pairs, queries, surveys, threads
from storage.models import Pair, PairStatus, Person

# Not a step of the programme: someone the sender found blocked or gone.
UNREACHABLE = "unreachable"
UNREACHABLE_HEADING = __("Has blocked the bot or cannot be reached – call her or write another way:")
UNREACHABLE_SHORT = __("people who cannot be reached")
# Nor this: a message of hers the bot kept failing on (bot/inbox.py); she was asked to send it again.
SET_ASIDE = "set_aside"
SET_ASIDE_HEADING = __(
    "The bot could not take in a message from her – she was asked to send it again; check that she did:"
)
SET_ASIDE_SHORT = __("messages the bot could not take in")
SET_ASIDE_SHOWN = timedelta(days=7)
# Nor this: she wrote to the coordinator (conversations.threads) and the promised answer is late.
UNANSWERED = "unanswered"
UNANSWERED_HEADING = __(
    "Wrote to the coordinators and has waited longer than promised – answer her (/inbox):"
)
UNANSWERED_SHORT = __("messages waiting too long for an answer")
NOT_STEPS = {
    UNREACHABLE: (UNREACHABLE_HEADING, UNREACHABLE_SHORT),
    SET_ASIDE: (SET_ASIDE_HEADING, SET_ASIDE_SHORT),
    UNANSWERED: (UNANSWERED_HEADING, UNANSWERED_SHORT),
}


def headings(tr: Translator) -> list[tuple[str, str]]:
    """Each kind of overdue item, in the order /overdue lists them, with its heading (what to do) for her."""
    return [
        (s.name, tr.gettext(s.heading, **s.words(tr.locale))) for s in timeline.PROGRAMME if s.heading
    ] + [(kind, tr.gettext(heading)) for kind, (heading, _) in NOT_STEPS.items()]


def short(kind: str) -> str:
    """A kind's few words in the morning digest (a msgid)."""
    return NOT_STEPS[kind][1] if kind in NOT_STEPS else step(kind).short


@dataclass
class Item:
    """One overdue thing: what, since when, about whom, and whose it is."""

    kind: str
    key: str  # e.g. "nd:5": names it in buttons and in storage.Handled
    due_at: datetime
    people: list[Person]
    pair: Pair | None = None
    waiting_for: list[Person] = field(default_factory=list)  # who has not answered
    owner: int | None = None  # whose it is when there is no pair (a thread's coordinator)

    @property
    def coordinator(self) -> int | None:
        """The pair's (or the owner's) coordinator; None: every coordinator's."""
        return self.pair.coordinator if self.pair is not None else self.owner

    @property
    def last_contact(self) -> datetime | None:
        """When one of them last wrote."""
        seen = [p.last_seen_at for p in self.people if p.last_seen_at]
        return max(seen, default=None)


def _pair_kind(pair: Pair, now: datetime) -> tuple[str, datetime] | None:
    """Which step a proposed or confirmed pair is overdue in, and since when."""
    if pair.status == PairStatus.PROPOSED:
        expires = step(FIRST_MEETING).overdue_for(pair)
        met = pair.meeting_agreed_at is not None and pair.meeting_at is not None and pair.meeting_at <= now
        if expires and now >= expires and not met:
            return FIRST_MEETING, expires
        no_date = step(MEETING_DATE).overdue_for(pair)
        if pair.meeting_agreed_at is None and no_date and now >= no_date:
            return MEETING_DATE, no_date
        no_decision = step(DECISION).overdue_for(pair)
        if met and no_decision and now >= no_decision:
            return DECISION, no_decision
    if pair.status == PairStatus.CONFIRMED and pair.agreement_done_at is None:
        due = step(AGREEMENT).overdue_for(pair)
        return (AGREEMENT, due) if due and now >= due else None
    return None


def items(session: Session, *, now: datetime) -> list[Item]:
    """Everything overdue now that nobody has marked handled, the longest waiting first."""
    found: list[Item] = []
    for person in interviews.waiting_for_slots(session):
        due = step(BOOKING).overdue_for(person)
        if due and now >= due:
            found.append(Item(BOOKING, f"{BOOKING}:{person.id}", due, [person]))
    for pair, mentee, mentor in pairs.with_people(
        session, statuses=(PairStatus.PROPOSED, PairStatus.CONFIRMED)
    ):
        kind = _pair_kind(pair, now)
        if kind is not None:
            waiting = []
            if kind[0] == DECISION:
                waiting = [
                    p
                    for p, said in ((mentee, pair.mentee_decision), (mentor, pair.mentor_decision))
                    if said is None
                ]
            found.append(Item(kind[0], f"{kind[0]}:{pair.id}", kind[1], [mentee, mentor], pair, waiting))
    found += _surveys(session, now)
    for person in queries.unreachable(session):
        found.append(Item(UNREACHABLE, f"{UNREACHABLE}:{person.id}", person.unreachable_at or now, [person]))
    found += _set_aside(session, now)
    found += [
        Item(
            UNANSWERED,
            f"{UNANSWERED}:{thread.id}",
            thread.answer_due or now,
            [person],
            owner=thread.coordinator,
        )
        for thread, person in threads.unanswered_since(session, due_before=now)
    ]
    handled = queries.handled_keys(session)
    return sorted(
        (item for item in found if (item.key, item.due_at) not in handled), key=lambda i: (i.due_at, i.key)
    )


def _set_aside(session: Session, now: datetime) -> list[Item]:
    """Registered people whose message the bot set aside in the last week."""
    found: list[Item] = []
    rows = [r for r in inbox.set_aside_rows(session, since=now - SET_ASIDE_SHOWN) if r.address is not None]
    for platform in {r.platform for r in rows}:
        addresses = {r.address for r in rows if r.platform == platform and r.address}
        people = queries.people_by_accounts(session, platform=platform, addresses=addresses)
        found += [
            Item(SET_ASIDE, f"{SET_ASIDE}:{row.id}", row.set_aside_at or now, [person])
            for row in rows
            if row.platform == platform
            and (person := people.get(row.address or "")) is not None
            and person.status is not None
        ]
    return found


def _surveys(session: Session, now: datetime) -> list[Item]:
    """Follow-ups (each woman's) and evaluations (the pair's) sent and not answered in time."""
    waiting = surveys.unanswered(session)
    pairs_by_id = pairs.by_ids(session, ids={s.pair_id for s in waiting})
    people = queries.people_by_ids(
        session, ids={i for p in pairs_by_id.values() for i in (p.mentee_id, p.mentor_id)}
    )
    steps = {s.name: s for s in timeline.PROGRAMME if s.overdue is not None}
    found: list[Item] = []
    evaluations: dict[int, list[Person]] = {}
    due_of: dict[int, datetime] = {}
    for survey in waiting:
        pair, person = pairs_by_id[survey.pair_id], people[survey.person_id]
        if survey.kind not in steps:
            continue
        due = steps[survey.kind].overdue_at(survey.sent_at)
        if survey.kind == EVALUATION:
            if now >= due:
                evaluations.setdefault(survey.pair_id, []).append(person)
                due_of[survey.pair_id] = due
        elif pair.status == PairStatus.CONFIRMED and now >= due:
            found.append(Item(survey.kind, f"{survey.kind}:{survey.id}", due, [person], pair, [person]))
    for pair_id, late in evaluations.items():
        pair = pairs_by_id[pair_id]
        both = [people[pair.mentee_id], people[pair.mentor_id]]
        found.append(Item(EVALUATION, f"{EVALUATION}:{pair_id}", due_of[pair_id], both, pair, late))
    return found


def send_digest(session: Session, *, person_id: int, items: list[Item], i18n: I18n, now: datetime) -> None:
    """The morning digest to one coordinator: how many of each kind, and where to see them."""
    counts = Counter(short(item.kind) for item in items)  # the follow-ups count together

    def digest(tr: Translator) -> Reply:
        parts = [f"{tr.gettext(words)}: {count}" for words, count in counts.items()]
        return Reply(
            tr.gettext(
                "Good morning! Overdue today – {items}.\n/overdue shows each with what to do; /overdue mine only your pairs.",
                items=format_list(parts, locale=tr.locale),
            )
        )

    post(session, person_id, i18n, now, digest)
