"""The registration nudges, swept with the fake clock: once each, never twice, none after the last."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from conversations.sweep import next_due, sweep
from storage.models import SweepAction
from tests.conftest import Harness

USER = 4001
FIRST = "Hello again! You started registering with the Mentor Network."
LAST = "Your registration is still waiting for you"


async def started(h: Harness) -> None:
    await h.send(USER, "/start", language="en")
    await h.press(USER, "cs:y", h.last_with_buttons(USER).message_id)
    await h.press(USER, "reg:0:p0")


async def sweep_and_send(h: Harness) -> list[str]:
    """Run a sweep and the sender; the texts she received (as Telegram saw them sent)."""
    before = len(h.session.calls)
    sweep(h.db, h.clock, h.i18n)
    await h.sender.drain()
    return [sent.text for sent in h._new_for(USER, before)]


async def test_two_nudges_then_none(harness: Harness) -> None:
    h = harness
    await started(h)
    h.clock.advance(hours=23, minutes=59)
    assert await sweep_and_send(h) == []
    h.clock.advance(minutes=1)
    got = await sweep_and_send(h)
    assert got[0].startswith(FIRST)
    assert got[1].startswith("Question 2 of") and "What is your name?" in got[1], (
        "the open question comes along"
    )
    assert await sweep_and_send(h) == [], "a second sweep sends nothing"
    h.clock.advance(days=6)
    got = await sweep_and_send(h)
    assert got[0].startswith(LAST) and "/cancel" in got[0]
    for _ in range(5):
        h.clock.advance(days=30)
        assert await sweep_and_send(h) == []


async def test_after_downtime_only_the_latest_nudge_is_sent(harness: Harness) -> None:
    h = harness
    await started(h)
    h.clock.advance(days=10)
    got = await sweep_and_send(h)
    assert [t for t in got if t.startswith((FIRST, LAST))] == [got[0]] and got[0].startswith(LAST)
    with h.db.session() as session:
        assert sorted(session.exec(select(SweepAction.seq)).all()) == [1, 2]


async def test_answering_restarts_the_wait(harness: Harness) -> None:
    h = harness
    await started(h)
    h.clock.advance(hours=20)
    await h.send(USER, "Amal")
    h.clock.advance(hours=20)
    assert await sweep_and_send(h) == [], "she answered 20 hours ago"
    h.clock.advance(timedelta(hours=4))
    assert (await sweep_and_send(h))[0].startswith(FIRST)


async def test_finished_and_cancelled_registrations_are_not_nudged(harness: Harness) -> None:
    h = harness
    await started(h)
    await h.send(USER, "/cancel")
    h.clock.advance(days=2)
    assert await sweep_and_send(h) == []


async def test_nudges_are_in_her_language(harness: Harness) -> None:
    h = harness
    await h.send(USER, "/start", language="da")
    await h.press(USER, "cs:y", h.last_with_buttons(USER).message_id)
    h.clock.advance(days=1)
    got = await sweep_and_send(h)
    assert got[0] == h.i18n.translator("da").gettext(
        "Hello again! You started registering with the Mentor Network. Your answers are saved, so you can go on "
        "whenever it suits you. Here is where you stopped:"
    )
    assert not got[0].startswith("Hello")


async def test_old_update_ids_and_sent_messages_are_forgotten(harness: Harness) -> None:
    from storage.models import OutboxMessage, ProcessedUpdate

    h = harness
    await started(h)
    with h.db.session() as session:
        updates, messages = (
            len(session.exec(select(ProcessedUpdate)).all()),
            len(session.exec(select(OutboxMessage)).all()),
        )
    assert updates == 3 and messages > 0
    h.clock.advance(days=2, seconds=1)
    await sweep_and_send(h)  # sends the nudges, which are new and stay
    with h.db.session() as session:
        assert session.exec(select(ProcessedUpdate)).all() == []
        assert len(session.exec(select(OutboxMessage)).all()) == messages + 2
    h.clock.advance(days=8)
    await sweep_and_send(h)  # the last nudge goes out now; everything older than a week goes
    with h.db.session() as session:
        left = session.exec(select(OutboxMessage)).all()
    assert len(left) == 2 and all(m.created_at == h.clock.now() for m in left)


async def test_next_due_is_the_next_nudge(harness: Harness) -> None:
    h = harness
    assert next_due(h.db, h.clock.now()) is None, "nothing is due in an empty network"
    await started(h)
    answered = h.clock.now()
    assert next_due(h.db, h.clock.now()) == answered + timedelta(hours=24)
    h.clock.advance(hours=24)
    await sweep_and_send(h)
    assert next_due(h.db, h.clock.now()) == answered + timedelta(days=7)
    h.clock.advance(days=7)
    await sweep_and_send(h)
    assert next_due(h.db, h.clock.now()) is None
