"""The sender: Telegram's limits and errors, and nothing lost."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import select

from bot.sender import split_text
from conversations.context import post
from conversations.events import Button, Reply
from storage.models import OutboxMessage, Person
from tests.conftest import COORDINATOR, Harness, person_of

USER = 5001


def queue(h: Harness, *texts: str, chat: int = USER) -> None:
    with h.db.session() as session:
        for text in texts:
            post(
                session, chat, Reply(text, ((Button("OK", "x:1"),),)), h.i18n.translator("en"), h.clock.now()
            )


def outbox(h: Harness) -> list[OutboxMessage]:
    with h.db.session() as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


async def test_sends_in_order_once(harness: Harness) -> None:
    queue(harness, "one", "two", "three")
    assert await harness.sender.drain() == 3
    assert await harness.sender.drain() == 0
    assert [c.text for c in harness.calls("SendMessage")] == ["one", "two", "three"]
    assert all(m.sent_at and m.message_id for m in outbox(harness))


async def test_429_waits_as_told_and_keeps_the_order(harness: Harness) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    harness.sender.sleep = sleep
    harness.session.faults.append(
        ("SendMessage", 429, "Too Many Requests: retry after 7", {"retry_after": 7})
    )
    queue(harness, "one", "two")
    await harness.sender.drain()
    assert slept == [7]
    assert [c.text for c in harness.calls("SendMessage")] == ["one", "one", "two"]
    assert all(m.sent_at for m in outbox(harness))


async def test_server_errors_retry_with_backoff(harness: Harness) -> None:
    harness.session.faults.append(("SendMessage", 500, "Internal Server Error", {}))
    queue(harness, "one", "two")
    assert await harness.sender.drain() == 0
    first, second = outbox(harness)
    assert (
        first.sent_at is None
        and first.attempts == 1
        and first.not_before == harness.clock.now() + timedelta(seconds=2)
    )
    assert second.sent_at is None and second.claimed_until is None, "the next one waits its turn"
    assert await harness.sender.drain() == 0, "not before its time"
    harness.clock.advance(seconds=2)
    assert await harness.sender.drain() == 2
    assert [c.text for c in harness.calls("SendMessage")] == ["one", "one", "two"]


async def test_a_blocked_bot_marks_her_unreachable_and_tells_the_coordinators(harness: Harness) -> None:
    h = harness
    with h.db.session() as session:
        session.add(
            Person(
                telegram_id=USER, language="en", created_at=h.clock.now(), status="registered", name="Amal"
            )
        )
    h.session.faults.append(("SendMessage", 403, "Forbidden: bot was blocked by the user", {}))
    queue(h, "one", "two")
    await h.sender.drain()
    with h.db.session() as session:
        person = person_of(session, USER)
    assert not person.reachable and person.unreachable_at == h.clock.now()
    mine = [m for m in outbox(h) if m.chat_id == USER]
    assert all(m.failed_at and not m.sent_at for m in mine), "nothing more is tried"
    told = [c.text for c in h.calls("SendMessage") if c.chat_id == COORDINATOR]
    assert told == [
        "Amal (P-1) has blocked the bot or deleted her account, so she no longer gets our messages. "
        "Please reach her another way."
    ]
    # She comes back: she is reachable again.
    await h.send(USER, "/help")
    with h.db.session() as session:
        assert person_of(session, USER).reachable


async def test_long_texts_are_split_and_buttons_go_last(harness: Harness) -> None:
    text = ("word " * 1000 + "\n\n") * 2
    queue(harness, text)
    await harness.sender.drain()
    sent = harness.calls("SendMessage")
    assert len(sent) == 3 and all(len(c.text) <= 4096 for c in sent)
    assert [c.reply_markup is not None for c in sent] == [False, False, True]
    assert " ".join(c.text for c in sent).split() == text.split()


def test_split_text_cuts_at_paragraphs() -> None:
    text = "a" * 3000 + "\n\n" + "b" * 3000
    assert split_text(text) == ["a" * 3000, "b" * 3000]
    assert split_text("short") == ["short"]
    assert [len(p) for p in split_text("x" * 9000)] == [4096, 4096, 808]


async def test_unchanged_edits_are_done(harness: Harness) -> None:
    harness.session.faults.append(("EditMessageText", 400, "Bad Request: message is not modified", {}))
    with harness.db.session() as session:
        from storage.queries import enqueue

        enqueue(
            session,
            chat_id=USER,
            kind="edit",
            payload={"text": "x", "buttons": [], "message_id": 5},
            now=harness.clock.now(),
        )
    await harness.sender.drain()
    assert outbox(harness)[0].sent_at is not None


async def test_a_refused_message_is_given_up_not_retried(harness: Harness) -> None:
    harness.session.faults.append(("SendMessage", 400, "Bad Request: chat not found", {}))
    queue(harness, "one")
    await harness.sender.drain()
    (row,) = outbox(harness)
    assert row.failed_at and "chat not found" in (row.error or "")


async def test_one_a_second_per_chat_after_a_short_burst(harness: Harness) -> None:
    from bot.sender import Sender

    h = harness
    sender = Sender(
        h.db, h.bot, h.clock, h.i18n, frozenset(), per_second=1000, per_chat_per_second=20, per_chat_burst=3
    )
    queue(h, *[f"m{i}" for i in range(7)])
    loop = asyncio.get_running_loop()
    started = loop.time()
    await sender.drain()
    elapsed = loop.time() - started
    # Three at once, then one every 1/20 s: four more take at least 0.15 s (a 1/s limit scaled by 20).
    assert len(h.calls("SendMessage")) == 7
    assert elapsed >= 0.15
