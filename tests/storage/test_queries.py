"""The queries that make things happen exactly once."""

from __future__ import annotations

from datetime import timedelta

from conversations.clock import FakeClock
from storage import queries
from storage.db import Database


def test_an_update_is_handled_once(db: Database, clock: FakeClock) -> None:
    with db.session() as session:
        assert queries.first_time_update(session, platform="telegram", update_id=7, now=clock.now())
        assert not queries.first_time_update(session, platform="telegram", update_id=7, now=clock.now())
        assert queries.first_time_update(session, platform="whatsapp", update_id=7, now=clock.now()), (
            "another platform's update 7 is another update"
        )
    with db.session() as session:
        assert not queries.first_time_update(session, platform="telegram", update_id=7, now=clock.now())


def test_an_action_is_claimed_once(db: Database, clock: FakeClock) -> None:
    with db.session() as session:
        assert queries.claim_action(session, subject="person:1", kind="nudge", seq=1, now=clock.now())
    with db.session() as session:
        assert not queries.claim_action(session, subject="person:1", kind="nudge", seq=1, now=clock.now())
        assert queries.claim_action(session, subject="person:1", kind="nudge", seq=2, now=clock.now())
        assert queries.actions_done(session, subject="person:1", kind="nudge") == {1, 2}


def test_a_leased_message_is_not_claimed_twice(db: Database, clock: FakeClock) -> None:
    with db.session() as session:
        for address in ("1", "2"):
            queries.enqueue(
                session,
                platform="telegram",
                address=address,
                kind="message",
                payload={"text": "a"},
                now=clock.now(),
            )
    with db.session() as session:
        first = queries.claim_outbox(
            session, platform="telegram", now=clock.now(), lease=timedelta(minutes=2)
        )
    with db.session() as session:
        second = queries.claim_outbox(
            session, platform="telegram", now=clock.now(), lease=timedelta(minutes=2)
        )
    assert len(first) == 2 and second == []
    clock.advance(minutes=3)
    with db.session() as session:
        assert (
            len(
                queries.claim_outbox(
                    session, platform="telegram", now=clock.now(), lease=timedelta(minutes=2)
                )
            )
            == 2
        ), "a lease runs out"


def test_a_message_to_a_person_goes_to_her_account(db: Database, clock: FakeClock) -> None:
    with db.session() as session:
        person = queries.create_person(
            session, platform="telegram", address="5001", language="ar", now=clock.now()
        )
        queries.enqueue_to(
            session, person_id=person.id or 0, kind="message", payload={"text": "a"}, now=clock.now()
        )
    with db.session() as session:
        (message,) = queries.claim_outbox(
            session, platform="telegram", now=clock.now(), lease=timedelta(seconds=15)
        )
        assert (message.platform, message.address) == ("telegram", "5001")
        assert (
            queries.claim_outbox(session, platform="whatsapp", now=clock.now(), lease=timedelta(seconds=15))
            == []
        )
