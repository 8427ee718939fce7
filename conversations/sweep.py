"""The sweep: find what the timeline says is due and act on it exactly once.

Each action is keyed (subject, kind, seq) in storage.SweepAction under a unique constraint,
claimed in the same transaction that writes its messages to the outbox. A second sweep, a
second process, or a catch-up after downtime therefore sends nothing twice; after a long
downtime only the latest due step of each subject is sent.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlmodel import Session

from conversations import agreement, booking, engine, overdue, pairing, timeline, year
from conversations.clock import Clock
from conversations.context import Coordinators, post
from conversations.events import Reply
from conversations.i18n import I18n
from conversations.registration import FLOW
from conversations.runner import state_of
from conversations.texts import NUDGE_FIRST, NUDGE_LAST
from conversations.timeline import REGISTRATION_NUDGES, registration_nudge_due
from storage import interviews, pairs, queries
from storage.db import Database
from storage.models import Booking, InterviewSlot, Pair, PairStatus, Person, Role

log = logging.getLogger(__name__)
NUDGE = "registration_nudge"
INTERVIEW_REMINDER = "interview_reminder"
BOOKING_REMINDER = "booking_reminder"
MEETING_DATE_REMINDER = "meeting_date_reminder"
DECISION = "decision"
AGREEMENT_CHECK = "agreement_check"


@dataclass
class SweepReport:
    """What one sweep did."""

    nudges: int = 0
    interview_reminders: int = 0
    booking_reminders: int = 0
    pair_messages: int = 0  # first-meeting reminders, decision questions, agreement checks
    year_messages: int = 0  # follow-ups, evaluations, their reminders, the end of a pair
    digests: int = 0
    forgotten: int = 0  # old processed-update ids and sent messages deleted


def sweep(db: Database, clock: Clock, i18n: I18n, coordinators: Coordinators = Coordinators()) -> SweepReport:
    """Run every due action once; each subject in its own transaction."""
    now = clock.now()
    report = SweepReport(
        nudges=_registration_nudges(db, now, i18n),
        interview_reminders=_interview_reminders(db, now, i18n),
        booking_reminders=_booking_reminders(db, now, i18n),
        pair_messages=_pair_steps(db, now, i18n),
        year_messages=_year_steps(db, now, i18n),
        digests=digests(db, now, i18n, coordinators),
    )
    with db.session() as session:
        report.forgotten = queries.forget_old(
            session,
            updates_before=now - timeline.KEEP_UPDATE_IDS,
            messages_before=now - timeline.KEEP_SENT_MESSAGES,
        )
    if any(count for name, count in asdict(report).items() if name != "forgotten"):
        log.info("sweep: %s", report)
    return report


def next_due(db: Database, now: datetime) -> datetime | None:
    """When the sweep will next have something to do (the sandbox's "to the next thing due")."""
    with db.session() as session:
        candidates = [
            *(
                idle + after
                for idle in queries.idle_since(session, flow=FLOW.name)
                for _, after in REGISTRATION_NUDGES
            ),
            *(
                slot.starts_at - timeline.INTERVIEW_REMINDER
                for _, slot in interviews.active_bookings(session, after=now)
            ),
            *(
                p.invited_at + timeline.BOOKING_REMINDER
                for p in interviews.waiting_for_slots(session)
                if p.invited_at
            ),
            *(when for pair in pairs.active(session) if (chain := _pair_chain(pair)) for when in chain[2]),
            *(
                when
                for pair in pairs.in_year(session, ended_since=now - timeline.EVALUATION_OVERDUE)
                for _, steps in year.chains(pair, now)
                for when in steps
            ),
        ]
    later = [when for when in candidates if when > now]
    return min(later, default=None)


def _registration_nudges(db: Database, now: datetime, i18n: I18n) -> int:
    """Registrations left unanswered for a day, then a week."""
    with db.session() as session:
        stalled = queries.stalled_conversations(
            session, flow=FLOW.name, idle_since=now - REGISTRATION_NUDGES[0][1]
        )
    sent = 0
    for person_id in stalled:
        with db.session() as session:
            sent += _nudge(session, person_id, now, i18n)
    return sent


def _interview_reminders(db: Database, now: datetime, i18n: I18n) -> int:
    """Interviews tomorrow; not for a time booked within the last day (she has just been told)."""
    with db.session() as session:
        due = [
            (b.id or 0, b.person_id)
            for b, slot in interviews.due_interview_reminders(
                session, now=now, ahead=timeline.INTERVIEW_REMINDER
            )
            if slot.starts_at - b.created_at > timeline.INTERVIEW_REMINDER
        ]
    sent = 0
    for booking_id, person_id in due:
        with db.session() as session:
            subject = f"booking:{booking_id}"
            if queries.claim_action(session, subject=subject, kind=INTERVIEW_REMINDER, seq=1, now=now):
                booking_row, person = session.get(Booking, booking_id), session.get(Person, person_id)
                assert booking_row is not None and person is not None
                slot = session.get(InterviewSlot, booking_row.slot_id)
                assert slot is not None
                booking.remind(session, booking=booking_row, slot=slot, person=person, i18n=i18n, now=now)
                sent += 1
    return sent


def _booking_reminders(db: Database, now: datetime, i18n: I18n) -> int:
    """Invited a week ago and no time chosen: one reminder per invitation."""
    with db.session() as session:
        late = [
            (p.id or 0, p.invited_at)
            for p in interviews.waiting_for_slots(session)
            if p.invited_at and now - p.invited_at >= timeline.BOOKING_REMINDER
        ]
    sent = 0
    for person_id, invited_at in late:
        with db.session() as session:
            # A new invitation is a new sequence number, so each invitation gets its reminder.
            seq = invited_at.toordinal() if invited_at else 0
            subject = f"person:{person_id}"
            if queries.claim_action(session, subject=subject, kind=BOOKING_REMINDER, seq=seq, now=now):
                person = session.get(Person, person_id)
                assert person is not None
                booking.nudge_to_book(session, person=person, i18n=i18n, now=now)
                sent += 1
    return sent


def _pair_chain(pair: Pair) -> tuple[str, int, list[datetime]] | None:
    """The chain of a pair's first weeks now running: its kind, its first sequence number, when its steps fall due."""
    if pair.status == PairStatus.PROPOSED and pair.meeting_agreed_at is None:
        return MEETING_DATE_REMINDER, 0, [pair.proposed_at + timeline.MEETING_DATE_DUE]
    if pair.status == PairStatus.PROPOSED and pair.meeting_at is not None:
        # One chain per meeting time: asked the day after, reminded a week after.
        steps = [pair.meeting_at + timeline.DECISION_ASK, pair.meeting_at + timeline.DECISION_REMINDER]
        return DECISION, pair.meeting_rev * 10, steps
    if pair.status == PairStatus.CONFIRMED and pair.agreement_done_at is None and pair.confirmed_at:
        return AGREEMENT_CHECK, 0, [pair.confirmed_at + timeline.AGREEMENT_CHECK]
    return None


def _due(steps: list[datetime], now: datetime) -> int:
    """How many of a chain's steps have fallen due."""
    return sum(1 for when in steps if when <= now)


def _waiting(pair: Pair, wanted: list[tuple[str, int]], done: set[tuple[str, str, int]]) -> bool:
    """Whether any of a pair's due steps has not been taken yet (spares a transaction per pair)."""
    return any((f"pair:{pair.id}", kind, seq) not in done for kind, seq in wanted)


def _pair_steps(db: Database, now: datetime, i18n: I18n) -> int:
    """Each active pair's due step, once: the first-meeting reminder, the decision, the agreement check."""
    with db.session() as session:
        done = queries.actions_on(session, prefix="pair:")
        due = [
            pair.id or 0
            for pair in pairs.active(session)
            if (chain := _pair_chain(pair)) is not None
            and (step := _due(chain[2], now))
            and _waiting(pair, [(chain[0], chain[1] + step)], done)
        ]
    sent = 0
    for pair_id in due:
        with db.session() as session:
            sent += _pair_step(session, pairs.get(session, pair_id=pair_id), now, i18n)
    return sent


def _pair_step(session: Session, pair: Pair, now: datetime, i18n: I18n) -> int:
    chain = _pair_chain(pair)
    if chain is None:
        return 0
    kind, base, steps = chain
    step = _due(steps, now)
    if not _claim_up_to(session, f"pair:{pair.id}", kind, base=base, due=step, now=now):
        return 0  # another sweeper got here first; after downtime only the latest step is sent
    mentee, mentor = pairs.people_of(session, pair)
    if kind == MEETING_DATE_REMINDER:
        pairing.remind_meeting_date(session, pair=pair, mentee=mentee, mentor=mentor, i18n=i18n, now=now)
    elif kind == DECISION:
        for person, role in ((mentee, Role.MENTEE), (mentor, Role.MENTOR)):
            if pair.decision_of(role) is None:
                pairing.ask_decision(
                    session, pair=pair, person=person, i18n=i18n, now=now, reminder=step == 2
                )
    else:
        for person in (mentee, mentor):
            agreement.check_agreement(session, pair=pair, person=person, i18n=i18n, now=now)
    return 1


def _year_steps(db: Database, now: datetime, i18n: I18n) -> int:
    """Each confirmed pair's due step of its year, once: follow-ups, the evaluation, the end."""
    with db.session() as session:
        done = queries.actions_on(session, prefix="pair:")
        due = [
            pair.id or 0
            for pair in pairs.in_year(session, ended_since=now - timeline.EVALUATION_OVERDUE)
            if _waiting(pair, year.due_steps(pair, now), done)
        ]
    sent = 0
    for pair_id in due:
        with db.session() as session:
            pair = pairs.get(session, pair_id=pair_id)
            for kind, step in year.due_steps(pair, now):
                claimed, first = _claim_chain(session, f"pair:{pair_id}", kind, due=step, now=now)
                if claimed:
                    sent += year.act(
                        session, pair=pair, kind=kind, step=1 if first else step, i18n=i18n, now=now
                    )
    return sent


def _claim_chain(session: Session, subject: str, kind: str, *, due: int, now: datetime) -> tuple[bool, bool]:
    """Claim a chain's steps up to the due one: (claimed the due one, the chain's first step was never sent).

    After downtime only one message goes out: the first step if it was never sent, else the latest.
    """
    done = queries.actions_done(session, subject=subject, kind=kind)
    first = 1 not in done
    return _claim_up_to(session, subject, kind, base=0, due=due, now=now, done=done), first


def _claim_up_to(
    session: Session,
    subject: str,
    kind: str,
    *,
    base: int,
    due: int,
    now: datetime,
    done: set[int] | None = None,
) -> bool:
    """Claim every step of a chain up to the due one; True if this sweep claimed the due one."""
    done = queries.actions_done(session, subject=subject, kind=kind) if done is None else done
    if due == 0 or base + due in done:
        return False
    claimed = [
        queries.claim_action(session, subject=subject, kind=kind, seq=base + step, now=now)
        for step in range(1, due + 1)
        if base + step not in done
    ]
    return bool(claimed) and claimed[-1]


def digests(db: Database, now: datetime, i18n: I18n, coordinators: Coordinators) -> int:
    """From 09:00 in the network's zone, once a day, each coordinator with anything overdue hears how much.

    Each coordinator's day is claimed first, so what is overdue is worked out once a day, not once a sweep.
    """
    local = now.astimezone(i18n.translator(None).tz)
    if local.hour < timeline.DIGEST_HOUR or not coordinators:
        return 0
    sent = 0
    with db.session() as session:
        today = [
            person_id
            for person_id in sorted(coordinators.ids(session))
            if queries.claim_action(
                session,
                subject=f"coordinator:{person_id}",
                kind="digest",
                seq=local.date().toordinal(),
                now=now,
            )
        ]
        waiting = overdue.items(session, now=now) if today else []
        for person_id in today:
            mine = [item for item in waiting if item.coordinator in (None, person_id)]
            if mine:
                overdue.send_digest(session, person_id=person_id, items=mine, i18n=i18n, now=now)
                sent += 1
    return sent


def _nudge(session: Session, person_id: int, now: datetime, i18n: I18n) -> int:
    """Send the registration nudge now due to one person, if nobody has."""
    conversation = queries.open_conversation(session, person_id=person_id)
    person = session.get(Person, person_id)
    if conversation is None or conversation.flow != FLOW.name or person is None:
        return 0
    due = registration_nudge_due(conversation.updated_at, now)
    subject = f"person:{person_id}"
    done = queries.actions_done(session, subject=subject, kind=NUDGE)
    if due == 0 or max(done, default=0) >= due:
        return 0
    # Claim every step up to the due one, so a nudge skipped by downtime is never sent late.
    claimed = [
        queries.claim_action(session, subject=subject, kind=NUDGE, seq=seq, now=now)
        for seq in range(1, due + 1)
        if seq not in done
    ]
    if not claimed or not claimed[-1]:
        return 0  # another sweeper got here first
    tr = i18n.translator(person.language)
    text = tr.gettext(NUDGE_FIRST if due == 1 else NUDGE_LAST)
    post(session, person, Reply(text), tr, now)
    post(session, person, engine.ask(FLOW, state_of(conversation), tr), tr, now)
    return 1
