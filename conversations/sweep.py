"""The sweep: find what the programme (conversations.timeline) says is due and act on it exactly once.

Each action is keyed (subject, kind, seq) in storage.SweepAction under a unique constraint,
claimed in the same transaction that writes its messages to the outbox. A second sweep, a
second process, or a catch-up after downtime therefore sends nothing twice; after a long
downtime only the latest due step of each subject is sent.

Each subject (a person, a booking, a pair, a coordinator's digest) is handled in its own
transaction: one that raises is rolled back, logged with its kind and id only, counted in the
report, and tried again on the next sweep, while every other subject and every later phase
still goes out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TypeVar

from sqlmodel import Session

from conversations import agreement, announcements, booking, engine, overdue, pairing, timeline, year
from conversations.clock import Clock
from conversations.context import Coordinators, post
from conversations.errors import where
from conversations.events import Reply
from conversations.i18n import I18n
from conversations.registration import FLOW
from conversations.runner import state_of
from conversations.texts import NUDGE_FIRST, NUDGE_LAST
from conversations.timeline import (
    AGREEMENT,
    BOOKING,
    DECISION,
    INTERVIEW_REMINDER,
    MEETING_DATE,
    REGISTRATION_NUDGE,
    registration_nudge_due,
    step,
)
from storage import interviews, pairs, queries
from storage.db import Database
from storage.models import Booking, Event, InterviewSlot, Pair, PairStatus, Person, Role

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class SweepReport:
    """What one sweep did."""

    nudges: int = 0
    interview_reminders: int = 0
    booking_reminders: int = 0
    pair_messages: int = 0  # first-meeting reminders, decision questions, agreement checks
    year_messages: int = 0  # follow-ups, evaluations, their reminders, the end of a pair
    digests: int = 0
    event_reminders: int = 0  # people reminded of an event tomorrow
    failures: int = 0  # subjects that raised: rolled back, logged, tried again next sweep
    forgotten: int = 0  # old processed-update ids and sent messages deleted


class _Isolated:
    """Runs each subject of a sweep in its own transaction; a failure is logged, counted and left for the next sweep."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.failures = 0

    def each(self, kind: str, act: Callable[[Session, T], int], subjects: Iterable[tuple[str, T]]) -> int:
        """Act on each subject in its own transaction; how many acted. A subject is (its kind and id, act's argument)."""
        done = 0
        for subject, arg in subjects:
            try:
                with self.db.session() as session:
                    done += act(session, arg)
            except Exception as exc:
                self.failures += 1
                log.error(
                    "sweep: %s for %s failed (%s); it is tried again on the next sweep",
                    kind,
                    subject,
                    where(exc),
                )
        return done

    def phase(self, kind: str, run: Callable[[], int]) -> int:
        """A whole phase (its selection of what is due included): a failure there does not stop later phases."""
        try:
            return run()
        except Exception as exc:
            self.failures += 1
            log.error(
                "sweep: the %s phase failed (%s); it is tried again on the next sweep", kind, where(exc)
            )
            return 0


def sweep(db: Database, clock: Clock, i18n: I18n, coordinators: Coordinators = Coordinators()) -> SweepReport:
    """Run every due action once; each subject in its own transaction, so that one failure stops nothing else."""
    now = clock.now()
    run = _Isolated(db)
    report = SweepReport(
        nudges=run.phase(REGISTRATION_NUDGE, lambda: _registration_nudges(run, now, i18n)),
        interview_reminders=run.phase(INTERVIEW_REMINDER, lambda: _interview_reminders(run, now, i18n)),
        booking_reminders=run.phase(BOOKING, lambda: _booking_reminders(run, now, i18n)),
        pair_messages=run.phase("pair", lambda: _pair_steps(run, now, i18n)),
        year_messages=run.phase("year", lambda: _year_steps(run, now, i18n)),
        digests=run.phase("digest", lambda: _digests(run, now, i18n, coordinators)),
        event_reminders=run.phase(announcements.EVENT_REMINDER, lambda: _event_reminders(run, now, i18n)),
    )
    report.forgotten = run.phase("forget", lambda: _forget(db, now))
    report.failures = run.failures
    if report.failures:
        log.warning("sweep: %d subject(s) failed and wait for the next sweep: %s", report.failures, report)
    elif any(count for name, count in asdict(report).items() if name != "forgotten"):
        log.info("sweep: %s", report)
    return report


def _forget(db: Database, now: datetime) -> int:
    with db.session() as session:
        return queries.forget_old(
            session,
            updates_before=now - timeline.KEEP_UPDATE_IDS,
            messages_before=now - timeline.KEEP_SENT_MESSAGES,
        )


def next_due(db: Database, now: datetime) -> datetime | None:
    """When the sweep will next have something to do (the sandbox's "to the next thing due")."""
    nudges, booking_reminder = step(REGISTRATION_NUDGE), step(BOOKING)
    with db.session() as session:
        candidates = [
            *(
                span.after(idle)
                for idle in queries.idle_since(session, flow=FLOW.name)
                for span in nudges.messages
            ),
            *(
                when
                for _, slot in interviews.active_bookings(session, after=now)
                for when in step(INTERVIEW_REMINDER).sends_at(slot)
            ),
            *(
                when
                for person in interviews.waiting_for_slots(session)
                for when in booking_reminder.sends_at(person)
            ),
            *(when for pair in pairs.active(session) if (chain := _pair_chain(pair)) for when in chain[2]),
            *(
                when
                for pair in pairs.in_year(session, ended_since=_year_window(now))
                for _, steps in year.chains(pair, now)
                for when in steps
            ),
            *announcements.event_reminder_times(session, now),
        ]
    later = [when for when in candidates if when > now]
    return min(later, default=None)


def _year_window(now: datetime) -> datetime:
    """Pairs that ended since then may still have an evaluation reminder due."""
    evaluation = step(timeline.EVALUATION)
    assert evaluation.overdue is not None
    return evaluation.overdue.before(now)


def _registration_nudges(run: _Isolated, now: datetime, i18n: I18n) -> int:
    """Registrations left unanswered for a day, then a week."""
    with run.db.session() as session:
        stalled = queries.stalled_conversations(
            session, flow=FLOW.name, idle_since=step(REGISTRATION_NUDGE).messages[0].before(now)
        )
    return run.each(
        REGISTRATION_NUDGE,
        lambda session, person_id: _nudge(session, person_id, now, i18n),
        ((f"person:{person_id}", person_id) for person_id in stalled),
    )


def _interview_reminders(run: _Isolated, now: datetime, i18n: I18n) -> int:
    """Interviews tomorrow; not for a time booked within the last day (she has just been told)."""
    reminder = step(INTERVIEW_REMINDER)
    with run.db.session() as session:
        due = [
            (b.id or 0, b.person_id)
            for b, slot in interviews.due_interview_reminders(
                session, now=now, ahead=now - reminder.due.after(now)
            )
            if b.created_at < (reminder.due_at(slot) or now)  # booked after the reminder's time: just told
        ]

    def remind(session: Session, booking_id: int, person_id: int) -> int:
        subject = f"booking:{booking_id}"
        if not queries.claim_action(session, subject=subject, kind=INTERVIEW_REMINDER, seq=1, now=now):
            return 0
        booking_row, person = session.get(Booking, booking_id), session.get(Person, person_id)
        assert booking_row is not None and person is not None
        slot = session.get(InterviewSlot, booking_row.slot_id)
        assert slot is not None
        booking.remind(session, booking=booking_row, slot=slot, person=person, i18n=i18n, now=now)
        return 1

    return run.each(
        INTERVIEW_REMINDER,
        lambda session, ids: remind(session, *ids),
        ((f"booking:{b}", (b, p)) for b, p in due),
    )


def _booking_reminders(run: _Isolated, now: datetime, i18n: I18n) -> int:
    """Invited a week ago and no time chosen: one reminder per invitation."""
    reminder = step(BOOKING)
    with run.db.session() as session:
        late = [
            (p.id or 0, p.invited_at)
            for p in interviews.waiting_for_slots(session)
            if p.invited_at and _due(reminder.sends_at(p), now)
        ]

    def remind(session: Session, person_id: int, invited_at: datetime) -> int:
        # A new invitation is a new sequence number, so each invitation gets its reminder.
        seq = invited_at.toordinal()
        if not queries.claim_action(session, subject=f"person:{person_id}", kind=BOOKING, seq=seq, now=now):
            return 0
        person = session.get(Person, person_id)
        assert person is not None
        booking.nudge_to_book(session, person=person, i18n=i18n, now=now)
        return 1

    return run.each(
        BOOKING,
        lambda session, late_one: remind(session, *late_one),
        ((f"person:{p}", (p, at)) for p, at in late if at),
    )


def _pair_chain(pair: Pair) -> tuple[str, int, list[datetime]] | None:
    """The step of a pair's first weeks now running: its name, its first sequence number, when its messages go."""
    if pair.status == PairStatus.PROPOSED and pair.meeting_agreed_at is None:
        return MEETING_DATE, 0, step(MEETING_DATE).sends_at(pair)
    if pair.status == PairStatus.PROPOSED and pair.meeting_at is not None:
        # One chain per meeting time: asked the day after, reminded a week after.
        return DECISION, pair.meeting_rev * 10, step(DECISION).sends_at(pair)
    if pair.status == PairStatus.CONFIRMED and pair.agreement_done_at is None and pair.confirmed_at:
        return AGREEMENT, 0, step(AGREEMENT).sends_at(pair)
    return None


def _due(steps: list[datetime], now: datetime) -> int:
    """How many of a chain's steps have fallen due."""
    return sum(1 for when in steps if when <= now)


def _waiting(pair: Pair, wanted: list[tuple[str, int]], done: set[tuple[str, str, int]]) -> bool:
    """Whether any of a pair's due steps has not been taken yet (spares a transaction per pair)."""
    return any((f"pair:{pair.id}", kind, seq) not in done for kind, seq in wanted)


def _pair_steps(run: _Isolated, now: datetime, i18n: I18n) -> int:
    """Each active pair's due step, once: the first-meeting reminder, the decision, the agreement check."""
    with run.db.session() as session:
        done = queries.actions_on(session, prefix="pair:")
        due = [
            pair.id or 0
            for pair in pairs.active(session)
            if (chain := _pair_chain(pair)) is not None
            and (n := _due(chain[2], now))
            and _waiting(pair, [(chain[0], chain[1] + n)], done)
        ]
    return run.each(
        "pair step",
        lambda session, pair_id: _pair_step(session, pairs.get(session, pair_id=pair_id), now, i18n),
        ((f"pair:{pair_id}", pair_id) for pair_id in due),
    )


def _pair_step(session: Session, pair: Pair, now: datetime, i18n: I18n) -> int:
    chain = _pair_chain(pair)
    if chain is None:
        return 0
    kind, base, steps = chain
    n = _due(steps, now)
    if not _claim_up_to(session, f"pair:{pair.id}", kind, base=base, due=n, now=now):
        return 0  # another sweeper got here first; after downtime only the latest step is sent
    mentee, mentor = pairs.people_of(session, pair)
    if kind == MEETING_DATE:
        pairing.remind_meeting_date(session, pair=pair, mentee=mentee, mentor=mentor, i18n=i18n, now=now)
    elif kind == DECISION:
        for person, role in ((mentee, Role.MENTEE), (mentor, Role.MENTOR)):
            if pair.decision_of(role) is None:
                pairing.ask_decision(session, pair=pair, person=person, i18n=i18n, now=now, reminder=n > 1)
    else:
        for person in (mentee, mentor):
            agreement.check_agreement(session, pair=pair, person=person, i18n=i18n, now=now)
    return 1


def _year_steps(run: _Isolated, now: datetime, i18n: I18n) -> int:
    """Each confirmed pair's due step of its year, once: follow-ups, the evaluation, the end."""
    with run.db.session() as session:
        done = queries.actions_on(session, prefix="pair:")
        due = [
            pair.id or 0
            for pair in pairs.in_year(session, ended_since=_year_window(now))
            if _waiting(pair, year.due_steps(pair, now), done)
        ]

    def act(session: Session, pair_id: int) -> int:
        sent = 0
        pair = pairs.get(session, pair_id=pair_id)
        for kind, n in year.due_steps(pair, now):
            claimed, first = _claim_chain(session, f"pair:{pair_id}", kind, due=n, now=now)
            if claimed:
                sent += year.act(session, pair=pair, kind=kind, step=1 if first else n, i18n=i18n, now=now)
        return sent

    return run.each("year step", act, ((f"pair:{pair_id}", pair_id) for pair_id in due))


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
    """From 09:00 in the network's zone, once a day, each coordinator with anything overdue hears how much."""
    run = _Isolated(db)
    return _digests(run, now, i18n, coordinators)


def _digests(run: _Isolated, now: datetime, i18n: I18n, coordinators: Coordinators) -> int:
    """The morning digests, each coordinator's claimed and sent in its own transaction.

    What is overdue is worked out once, and only while some coordinator has not had today's digest.
    """
    local = now.astimezone(i18n.translator(None).tz)
    if local.hour < timeline.DIGEST_HOUR or not coordinators:
        return 0
    today = local.date().toordinal()
    with run.db.session() as session:
        waiting = [
            person_id
            for person_id in sorted(coordinators.ids(session))
            if today not in queries.actions_done(session, subject=f"coordinator:{person_id}", kind="digest")
        ]
        found = overdue.items(session, now=now) if waiting else []

    def send(session: Session, person_id: int) -> int:
        if not queries.claim_action(
            session, subject=f"coordinator:{person_id}", kind="digest", seq=today, now=now
        ):
            return 0
        mine = [item for item in found if item.coordinator in (None, person_id)]
        if not mine:
            return 0
        overdue.send_digest(session, person_id=person_id, items=mine, i18n=i18n, now=now)
        return 1

    return run.each("digest", send, ((f"coordinator:{c}", c) for c in waiting))


def _event_reminders(run: _Isolated, now: datetime, i18n: I18n) -> int:
    """Events within a day: everyone coming is reminded, once per event."""
    with run.db.session() as session:
        done = queries.actions_on(session, prefix="event:")
        due = [
            event_id
            for event_id in announcements.due_event_reminders(session, now)
            if (f"event:{event_id}", announcements.EVENT_REMINDER, 1) not in done
        ]

    def remind(session: Session, event_id: int) -> int:
        subject = f"event:{event_id}"
        if not queries.claim_action(
            session, subject=subject, kind=announcements.EVENT_REMINDER, seq=1, now=now
        ):
            return 0
        event = session.get(Event, event_id)
        assert event is not None
        return announcements.remind_events(session, event, i18n, now)

    return run.each(announcements.EVENT_REMINDER, remind, ((f"event:{e}", e) for e in due))


def _nudge(session: Session, person_id: int, now: datetime, i18n: I18n) -> int:
    """Send the registration nudge now due to one person, if nobody has."""
    conversation = queries.open_conversation(session, person_id=person_id)
    person = session.get(Person, person_id)
    if conversation is None or conversation.flow != FLOW.name or person is None:
        return 0
    due = registration_nudge_due(conversation.updated_at, now)
    subject = f"person:{person_id}"
    done = queries.actions_done(session, subject=subject, kind=REGISTRATION_NUDGE)
    if due == 0 or max(done, default=0) >= due:
        return 0
    # Claim every step up to the due one, so a nudge skipped by downtime is never sent late.
    claimed = [
        queries.claim_action(session, subject=subject, kind=REGISTRATION_NUDGE, seq=seq, now=now)
        for seq in range(1, due + 1)
        if seq not in done
    ]
    if not claimed or not claimed[-1]:
        return 0  # another sweeper got here first
    nudge = NUDGE_FIRST if due == 1 else NUDGE_LAST
    post(session, person, i18n, now, lambda tr: Reply(tr.gettext(nudge)))
    post(session, person, i18n, now, lambda tr: engine.ask(FLOW, state_of(conversation), tr))
    return 1
