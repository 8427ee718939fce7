"""The sweep: find what the timeline says is due and act on it exactly once.

Each action is keyed (subject, kind, seq) in storage.SweepAction under a unique constraint,
claimed in the same transaction that writes its messages to the outbox. A second sweep, a
second process, or a catch-up after downtime therefore sends nothing twice; after a long
downtime only the latest due step of each subject is sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from conversations import agreement, booking, engine, overdue, pairing, timeline, year
from conversations.clock import Clock
from conversations.context import post
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


def sweep(db: Database, clock: Clock, i18n: I18n, coordinators: frozenset[int] = frozenset()) -> SweepReport:
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
    if any(
        (report.nudges, report.interview_reminders, report.booking_reminders, report.pair_messages)
    ) or any((report.year_messages, report.digests)):
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
            *(when for pair in pairs.active(session) for when in _pair_due_dates(pair)),
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


def _pair_due_dates(pair: Pair) -> list[datetime]:
    """When each of a pair's steps falls due, as the timeline says."""
    if pair.status == PairStatus.PROPOSED and pair.meeting_agreed_at is None:
        return [pair.proposed_at + timeline.MEETING_DATE_DUE]
    if pair.status == PairStatus.PROPOSED and pair.meeting_at is not None:
        return [pair.meeting_at + timeline.DECISION_ASK, pair.meeting_at + timeline.DECISION_REMINDER]
    if pair.status == PairStatus.CONFIRMED and pair.agreement_done_at is None and pair.confirmed_at:
        return [pair.confirmed_at + timeline.AGREEMENT_CHECK]
    return []


def _pair_wanted(pair: Pair, now: datetime) -> tuple[str, int] | None:
    """The (kind, seq) of the pair's step due now, if one is."""
    if pair.status == PairStatus.PROPOSED and pair.meeting_agreed_at is None:
        return (MEETING_DATE_REMINDER, 1) if now >= pair.proposed_at + timeline.MEETING_DATE_DUE else None
    if pair.status == PairStatus.PROPOSED and pair.meeting_at is not None:
        due = sum(1 for when in _pair_due_dates(pair) if when <= now)
        return (DECISION, pair.meeting_rev * 10 + due) if due else None
    due_dates = _pair_due_dates(pair)
    return (AGREEMENT_CHECK, 1) if due_dates and due_dates[0] <= now else None


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
            if (wanted := _pair_wanted(pair, now)) is not None and _waiting(pair, [wanted], done)
        ]
    sent = 0
    for pair_id in due:
        with db.session() as session:
            sent += _pair_step(session, pairs.get(session, pair_id=pair_id), now, i18n)
    return sent


def _pair_step(session: Session, pair: Pair, now: datetime, i18n: I18n) -> int:
    subject = f"pair:{pair.id}"
    mentee, mentor = session.get(Person, pair.mentee_id), session.get(Person, pair.mentor_id)
    assert mentee is not None and mentor is not None
    if pair.status == PairStatus.PROPOSED and pair.meeting_agreed_at is None:
        if not queries.claim_action(session, subject=subject, kind=MEETING_DATE_REMINDER, seq=1, now=now):
            return 0
        pairing.remind_meeting_date(session, pair=pair, mentee=mentee, mentor=mentor, i18n=i18n, now=now)
        return 1
    if pair.status == PairStatus.PROPOSED and pair.meeting_at is not None:
        # One chain per meeting time: asked the day after, reminded a week after; after downtime only the latest.
        steps = [pair.meeting_at + timeline.DECISION_ASK, pair.meeting_at + timeline.DECISION_REMINDER]
        due = sum(1 for when in steps if when <= now)
        if not _claim_up_to(session, subject, DECISION, base=pair.meeting_rev * 10, due=due, now=now):
            return 0
        for person, role in ((mentee, Role.MENTEE), (mentor, Role.MENTOR)):
            if pair.decision_of(role) is None:
                pairing.ask_decision(session, pair=pair, person=person, i18n=i18n, now=now, reminder=due == 2)
        return 1
    if queries.claim_action(session, subject=subject, kind=AGREEMENT_CHECK, seq=1, now=now):
        for person in (mentee, mentor):
            agreement.check_agreement(session, pair=pair, person=person, i18n=i18n, now=now)
        return 1
    return 0


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
            for kind, steps in year.chains(pair, now):
                step = sum(1 for when in steps if when <= now)
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


def digests(db: Database, now: datetime, i18n: I18n, coordinators: frozenset[int]) -> int:
    """From 09:00 in the network's zone, once a day, each coordinator with anything overdue hears how much.

    Each coordinator's day is claimed first, so what is overdue is worked out once a day, not once a sweep.
    """
    local = now.astimezone(i18n.translator(None).tz)
    if local.hour < timeline.DIGEST_HOUR or not coordinators:
        return 0
    sent = 0
    with db.session() as session:
        today = [
            telegram_id
            for telegram_id in sorted(coordinators)
            if queries.claim_action(
                session,
                subject=f"coordinator:{telegram_id}",
                kind="digest",
                seq=local.date().toordinal(),
                now=now,
            )
        ]
        waiting = overdue.items(session, now=now) if today else []
        for telegram_id in today:
            mine = [item for item in waiting if item.coordinator in (None, telegram_id)]
            if mine:
                overdue.send_digest(session, telegram_id=telegram_id, items=mine, i18n=i18n, now=now)
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
    post(session, person.telegram_id, Reply(text), tr, now)
    post(session, person.telegram_id, engine.ask(FLOW, state_of(conversation), tr), tr, now)
    return 1
