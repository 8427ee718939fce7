"""The sandbox's demo network: believable profiles, loaded once, with interview times to book."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.sandbox.demo import DEMO_IDS, DEMO_PEOPLE, DemoPerson, everyone, load_demo, telegram_people
from conversations.clock import FakeClock
from conversations.i18n import LANGUAGES, I18n
from conversations.registration import (
    CHANNELS,
    EDUCATIONS,
    EXPERIENCE,
    LINES_OF_WORK,
    MEETINGS,
    MENTEE_GOALS,
    MENTOR_OFFERS,
    SPOKEN,
)
from conversations.sweep import next_due, sweep
from storage import interviews
from storage.db import Database
from storage.models import InterviewSlot, OutboxMessage, StatusChange

COORDINATOR = 1


def _keys(choices: tuple[object, ...]) -> set[str]:
    return {getattr(c, "value") for c in choices}  # noqa: B009 (Choice is a plain dataclass)


@pytest.mark.parametrize("demo", DEMO_PEOPLE, ids=lambda d: d.name)
def test_every_profile_uses_the_registration_choices(demo: DemoPerson) -> None:
    assert demo.telegram_id in DEMO_IDS
    assert demo.education in _keys(EDUCATIONS)
    assert demo.work_experience in _keys(EXPERIENCE)
    assert demo.line_of_work in _keys(LINES_OF_WORK)
    assert set(demo.languages) <= _keys(SPOKEN)
    assert set(demo.wants) <= _keys(MENTEE_GOALS if demo.role == "mentee" else MENTOR_OFFERS)
    assert set(demo.share_channels) <= _keys(CHANNELS)
    assert str(demo.meetings_per_month) in _keys(MEETINGS)
    assert demo.language in LANGUAGES


def test_the_network_is_varied() -> None:
    roles = Counter(d.role for d in DEMO_PEOPLE)
    assert roles == {"mentor": 10, "mentee": 10}
    assert len({d.language for d in DEMO_PEOPLE}) >= 6
    assert len({d.line_of_work for d in DEMO_PEOPLE}) >= 8
    statuses = Counter(d.status for d in DEMO_PEOPLE)
    assert statuses["ready_to_be_matched"] > statuses["awaiting_interview"] > 0


def test_loading_twice_adds_everyone_once(db: Database, clock: FakeClock) -> None:
    first = load_demo(db, now=clock.now(), coordinator=COORDINATOR, timezone="Europe/Copenhagen")
    assert (first.people_added, first.slots_added) == (20, 8)
    again = load_demo(db, now=clock.now(), coordinator=COORDINATOR, timezone="Europe/Copenhagen")
    assert (again.people_added, again.slots_added) == (0, 0)
    assert [telegram_id for telegram_id, _, _ in again.people] == list(DEMO_IDS)

    with db.session() as session:
        ids, people = zip(*telegram_people(session), strict=True)
        assert list(ids) == list(DEMO_IDS)
        amal = people[10]
        assert (amal.name, amal.language, amal.role, amal.status) == (
            "Amal Haddad",
            "ar",
            "mentee",
            "ready_to_be_matched",
        )
        assert amal.goals == ["job", "language"] and amal.meetings_per_month == 2 and amal.phone
        assert amal.registered_at and amal.registered_at < clock.now()
        history = session.exec(
            select(StatusChange.status)
            .where(StatusChange.person_id == amal.id)
            .order_by(col(StatusChange.at))
        ).all()
        assert history == ["registered", "awaiting_interview", "ready_to_be_matched"]
        slots = interviews.open_slots(session, now=clock.now(), limit=100)
        assert len(slots) == 8 and len(session.exec(select(InterviewSlot)).all()) == 8
        assert all(timedelta(0) < s.starts_at - clock.now() < timedelta(days=15) for s in slots)
        # Monday 5 January 2026: Tuesdays and Thursdays at 10:00 and 13:30 in Copenhagen (UTC+1).
        assert [s.starts_at.strftime("%a %d %H:%M") for s in slots[:2]] == ["Tue 06 09:00", "Tue 06 12:30"]


def test_a_week_after_their_invitation_the_invited_are_reminded_to_book(
    db: Database, clock: FakeClock, i18n: I18n
) -> None:
    load_demo(db, now=clock.now(), coordinator=COORDINATOR, timezone="Europe/Copenhagen")
    assert sweep(db, clock, i18n).booking_reminders == 0  # nothing is due the moment they arrive
    due = next_due(db, clock.now())
    assert due == clock.now() + timedelta(days=3)  # Amina Yusuf was invited four days ago
    clock.advance(due - clock.now())
    assert sweep(db, clock, i18n).booking_reminders == 1
    clock.advance(days=7)
    assert sweep(db, clock, i18n).booking_reminders == 3
    with db.session() as session:
        reminded = {m.address for m in session.exec(select(OutboxMessage)).all()}
    assert reminded == {str(d.telegram_id) for d in DEMO_PEOPLE if d.status == "awaiting_interview"}


def test_everyone_lists_the_database_for_the_people_list(db: Database, clock: FakeClock) -> None:
    assert everyone(db) == []
    load_demo(db, now=clock.now(), coordinator=COORDINATOR, timezone="Europe/Copenhagen")
    listed = everyone(db)
    assert listed[0] == (2001, "Karen Holm", "da") and len(listed) == 20
