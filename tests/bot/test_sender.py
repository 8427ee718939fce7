"""The sender: the platform's limits and errors, one chat's wait is nobody else's, and nothing lost or doubled."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.sender import LEASE, Buttons, Sender, Temporary, split_text
from bot.telegram import TelegramTransport
from conversations.context import post
from conversations.events import Button, Reply
from storage import queries
from storage.models import OutboxMessage
from tests.conftest import COORDINATOR, Harness, add_person, person_of

USER, OTHER, THIRD = 5001, 5002, 5003
LONG = ("word " * 1000 + "\n\n") * 2  # three pieces


def queue(h: Harness, *texts: str, chat: int = USER) -> None:
    with h.db.session() as session:
        person = queries.person_by_account(session, platform="telegram", address=str(chat))
        if person is None:
            person = add_person(session, chat, language="en", created_at=h.clock.now())
        for text in texts:
            post(
                session,
                person,
                h.i18n,
                h.clock.now(),
                lambda tr, text=text: Reply(text, ((Button("OK", "x:1"),),)),
            )


def edit(h: Harness, message_id: int, text: str, chat: int = USER) -> None:
    with h.db.session() as session:
        payload = {"text": text, "buttons": [], "message_id": message_id}
        queries.enqueue(
            session, platform="telegram", address=str(chat), kind="edit", payload=payload, now=h.clock.now()
        )


def outbox(h: Harness) -> list[OutboxMessage]:
    with h.db.session() as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())  # type: ignore[arg-type]


def sender(h: Harness, transport: Any = None, **limits: Any) -> Sender:
    """Another sender on the same database: another process."""
    limits = {"per_second": 10_000, "per_chat_per_second": 10_000} | limits
    return Sender(h.db, transport or TelegramTransport(h.bot), h.clock, h.i18n, h.coordinators, **limits)


def sent_to(h: Harness, chat: int) -> list[str]:
    return [c.text for c in h.calls("SendMessage") if c.chat_id == chat]


async def until(condition: Callable[[], Any], seconds: float = 5) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 (polling what the recording session has seen)
            await asyncio.sleep(0.01)


class Hanging(TelegramTransport):
    """A transport whose sends never return: the process dies during them."""

    def __init__(self, h: Harness) -> None:
        super().__init__(h.bot)
        self.started = asyncio.Event()

    async def send(self, address: str, text: str, buttons: Buttons) -> int:
        self.started.set()
        await asyncio.Event().wait()
        raise AssertionError("never")


async def test_sends_in_order_once(harness: Harness) -> None:
    queue(harness, "one", "two", "three")
    assert await harness.sender.drain() == 3
    assert await harness.sender.drain() == 0
    assert [c.text for c in harness.calls("SendMessage")] == ["one", "two", "three"]
    assert all(m.sent_at and m.message_id and m.platform == "telegram" for m in outbox(harness))


async def test_429_gives_the_message_back_until_the_wait_is_over(harness: Harness) -> None:
    h = harness
    h.session.faults.append(("SendMessage", 429, "Too Many Requests: retry after 7", {"retry_after": 7}))
    queue(h, "one", "two")
    await h.sender.drain()
    first, second = outbox(h)
    assert first.not_before == h.clock.now() + timedelta(seconds=7) and first.claimed_until is None
    assert second.sent_at is None and second.claimed_until is None, "her next one waits behind it"
    h.clock.advance(seconds=6)
    assert await h.sender.drain() == 0, "not before its time"
    h.clock.advance(seconds=1)
    assert await h.sender.drain() == 2
    assert [c.text for c in h.calls("SendMessage")] == ["one", "one", "two"]


async def test_a_429_holds_up_only_that_chat(harness: Harness) -> None:
    """Her wait is hers: another person's answer, written during it, goes out at once."""
    h = harness
    h.session.faults.append(("SendMessage", 429, "Too Many Requests: retry after 5", {"retry_after": 5}))
    queue(h, "to her")
    running = asyncio.create_task(h.sender.run(idle_seconds=0.05))
    try:
        await until(lambda: h.calls("SendMessage"))
        queue(h, "to another", chat=OTHER)
        h.sender.wake()
        await until(lambda: sent_to(h, OTHER), seconds=1)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    assert sent_to(h, USER) == ["to her"], "only the refused try so far"


async def test_a_chat_with_many_messages_holds_up_nobody_else(harness: Harness) -> None:
    """Her five messages go one every half second; someone else's answer does not queue behind them."""
    h = harness
    paced = sender(h, per_chat_per_second=2, per_chat_burst=1)
    queue(h, *[f"m{i}" for i in range(5)])
    running = asyncio.create_task(paced.run(idle_seconds=0.05))
    try:
        await until(lambda: sent_to(h, USER))
        queue(h, "to another", chat=OTHER)
        paced.wake()
        await until(lambda: sent_to(h, OTHER), seconds=0.5)
        assert len(sent_to(h, USER)) < 5, "hers were still going out"
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


async def test_a_429_in_two_chats_pauses_the_whole_bot(harness: Harness) -> None:
    h = harness
    for _ in range(2):
        h.session.faults.append(("SendMessage", 429, "Too Many Requests: retry after 1", {"retry_after": 1}))
    for chat in (USER, OTHER, THIRD):
        queue(h, f"to {chat}", chat=chat)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await h.sender.drain()
    assert sent_to(h, THIRD) == [f"to {THIRD}"]
    assert loop.time() - started >= 0.9, "the third chat waited out the bot-wide limit"


async def test_a_retry_after_longer_than_the_lease_is_sent_once(harness: Harness) -> None:
    """While the first sender waits out a 429, a second sender (another process) keeps trying."""
    h = harness
    second = sender(h)

    async def wait_while_the_other_tries(seconds: float) -> None:  # the old sender slept here, holding it
        for _ in range(int(seconds // 30)):
            h.clock.advance(seconds=30)
            await second.drain()

    h.sender.sleep = wait_while_the_other_tries
    h.session.faults.append(("SendMessage", 429, "Too Many Requests: retry after 300", {"retry_after": 300}))
    queue(h, "one")
    await h.sender.drain()
    for _ in range(12):
        h.clock.advance(seconds=30)
        await second.drain()
        await h.sender.drain()
    assert sent_to(h, USER) == ["one", "one"], "the refused try and one delivery"


async def test_what_a_crashed_sender_held_goes_out_within_the_lease(harness: Harness) -> None:
    h = harness
    hanging = Hanging(h)
    dead = sender(h, hanging)
    queue(h, "one", "two")
    queue(h, "three", chat=OTHER)
    crashed = asyncio.create_task(dead.drain())
    await hanging.started.wait()
    crashed.cancel()  # as kill -9 would: nothing recorded, nothing given back
    with contextlib.suppress(asyncio.CancelledError):
        await crashed
    assert await h.sender.drain() == 0, "still leased"
    h.clock.advance(seconds=LEASE.total_seconds() + 1)
    assert timedelta(seconds=30) >= LEASE
    assert await h.sender.drain() == 3
    assert sent_to(h, USER) == ["one", "two"] and sent_to(h, OTHER) == ["three"]


async def test_a_live_sender_renews_what_it_holds(harness: Harness) -> None:
    h = harness
    hanging = Hanging(h)
    busy = sender(h, hanging)
    queue(h, "one")
    working = asyncio.create_task(busy.drain())
    await hanging.started.wait()
    for _ in range(4):  # a minute of slow sending, renewing as it goes
        h.clock.advance(seconds=LEASE.total_seconds() / 2)
        busy.renew()
    assert await h.sender.drain() == 0, "a second sender leaves it alone"
    working.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await working


async def test_stopping_gives_back_what_it_held(harness: Harness) -> None:
    h = harness
    hanging = Hanging(h)
    stopping = sender(h, hanging)
    queue(h, "one")
    running = asyncio.create_task(stopping.run())
    await hanging.started.wait()
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
    assert await h.sender.drain() == 1, "at once, not after the lease"


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
    await h.send(COORDINATOR, "/start")
    with h.db.session() as session:
        add_person(session, USER, language="en", created_at=h.clock.now(), status="registered", name="Amal")
    h.session.faults.append(("SendMessage", 403, "Forbidden: bot was blocked by the user", {}))
    queue(h, "one", "two")
    await h.sender.drain()
    with h.db.session() as session:
        person = person_of(session, USER)
    assert not person.reachable and person.unreachable_at == h.clock.now()
    mine = [m for m in outbox(h) if m.address == str(USER)]
    assert all(m.failed_at and not m.sent_at for m in mine), "nothing more is tried"
    assert h.texts(COORDINATOR)[-1] == (
        f"Amal ({person.short_id}) has blocked the bot or deleted her account, so she no longer gets our "
        "messages. Please reach her another way."
    )
    # She comes back: she is reachable again.
    await h.send(USER, "/help")
    with h.db.session() as session:
        assert person_of(session, USER).reachable


async def test_long_texts_are_split_and_buttons_go_last(harness: Harness) -> None:
    queue(harness, LONG)
    await harness.sender.drain()
    sent = harness.calls("SendMessage")
    assert len(sent) == 3 and all(len(c.text) <= 4096 for c in sent)
    assert [c.reply_markup is not None for c in sent] == [False, False, True]
    assert " ".join(c.text for c in sent).split() == LONG.split()
    (row,) = outbox(harness)
    assert row.message_ids == [1000, 1001, 1002] and row.message_id == 1002


async def test_an_edit_changes_every_piece_of_a_long_message(harness: Harness) -> None:
    """A confirmed summary longer than one message keeps all its parts (the buttons sat on the last)."""
    h = harness
    queue(h, LONG)
    await h.sender.drain()
    edit(h, 1002, LONG.replace("word", "done"))
    await h.sender.drain()
    edits = h.calls("EditMessageText")
    assert [c.message_id for c in edits] == [1000, 1001, 1002]
    assert " ".join(c.text for c in edits).split() == LONG.replace("word", "done").split()
    assert [c.reply_markup for c in edits] == [None, None, None]


async def test_an_edit_longer_than_the_message_sends_the_rest(harness: Harness) -> None:
    h = harness
    queue(h, "short")
    await h.sender.drain()
    (first,) = outbox(h)
    edit(h, first.message_id or 0, LONG)
    await h.sender.drain()
    assert [c.message_id for c in h.calls("EditMessageText")] == [first.message_id]
    added = h.calls("SendMessage")[1:]
    assert len(added) == 2
    pieces = [h.calls("EditMessageText")[0].text, *(c.text for c in added)]
    assert " ".join(pieces).split() == LONG.split()
    # Edited again, shorter: the pieces it no longer needs are emptied, not left saying the old text.
    edit(h, outbox(h)[-1].message_id or 0, "short again")
    await h.sender.drain()
    assert [c.text for c in h.calls("EditMessageText")[-3:]] == ["short again", "…", "…"]


async def test_a_long_text_cut_off_by_an_error_goes_on_from_the_piece_that_failed(harness: Harness) -> None:
    h = harness

    class FailsOnce(TelegramTransport):
        calls = 0

        async def send(self, address: str, text: str, buttons: Buttons) -> int:
            self.calls += 1
            if self.calls == 2:
                raise Temporary("network down")
            return await super().send(address, text, buttons)

    flaky = sender(h, FailsOnce(h.bot))
    queue(h, LONG)
    await flaky.drain()
    h.clock.advance(minutes=1)
    await flaky.drain()
    sent = h.calls("SendMessage")
    assert len(sent) == 3, "the first piece is not sent twice"
    assert " ".join(c.text for c in sent).split() == LONG.split()


def test_split_text_cuts_at_paragraphs() -> None:
    text = "a" * 3000 + "\n\n" + "b" * 3000
    assert split_text(text, 4096) == ["a" * 3000, "b" * 3000]
    assert split_text("short", 4096) == ["short"]
    assert [len(p) for p in split_text("x" * 9000, 4096)] == [4096, 4096, 808]


async def test_unchanged_edits_are_done(harness: Harness) -> None:
    harness.session.faults.append(("EditMessageText", 400, "Bad Request: message is not modified", {}))
    edit(harness, 5, "x")
    await harness.sender.drain()
    assert outbox(harness)[0].sent_at is not None


async def test_a_refused_message_is_given_up_not_retried(harness: Harness) -> None:
    harness.session.faults.append(("SendMessage", 400, "Bad Request: chat not found", {}))
    queue(harness, "one")
    await harness.sender.drain()
    (row,) = outbox(harness)
    assert row.failed_at and "chat not found" in (row.error or "")


async def test_one_a_second_per_chat_after_a_short_burst(harness: Harness) -> None:
    h = harness
    paced = sender(h, per_second=1000, per_chat_per_second=20, per_chat_burst=3)
    queue(h, *[f"m{i}" for i in range(7)])
    loop = asyncio.get_running_loop()
    started = loop.time()
    await paced.drain()
    elapsed = loop.time() - started
    # Three at once, then one every 1/20 s: four more take at least 0.15 s (a 1/s limit scaled by 20).
    assert len(h.calls("SendMessage")) == 7
    assert elapsed >= 0.15


class Timed(TelegramTransport):
    """Notes when (loop time) each message leaves; with a delay, a slow network."""

    def __init__(self, h: Harness, delay: float = 0) -> None:
        super().__init__(h.bot)
        self.delay = delay
        self.times: list[float] = []
        self.started = asyncio.Event()

    async def send(self, address: str, text: str, buttons: Buttons) -> int:
        self.started.set()
        self.times.append(asyncio.get_running_loop().time())
        await asyncio.sleep(self.delay)
        return await super().send(address, text, buttons)


async def test_many_chats_get_no_more_than_the_rate_in_any_second_not_a_burst_first(harness: Harness) -> None:
    """An announcement to many: 45 chats at 30 a second never put more than 31 into one second.

    A bucket of 30 let 30 out at once and then 30 more within the same second (57-60 measured).
    """
    h = harness
    for chat in range(7000, 7045):
        queue(h, "News", chat=chat)
    transport = Timed(h)
    await sender(h, transport, per_second=30, in_flight=8).drain()
    times = sorted(transport.times)
    assert len(times) == 45
    busiest = max(sum(1 for t in times if start <= t < start + 1) for start in times)
    assert busiest <= 31, f"{busiest} messages within one second"


async def test_a_stop_that_arrives_with_a_wakeup_still_stops_the_sender_and_the_inbox(
    harness: Harness,
) -> None:
    """Stopping while a message is committed (wake and cancel at once) ends both loops.

    With asyncio.wait_for (Python 3.11) the cancellation was swallowed when the wakeup came with
    it: the loop went on and a stop hung (seen in the test suite, and so on shutdown).
    """
    h = harness
    for loop in (h.sender, h.inbox):
        running = asyncio.create_task(loop.run(idle_seconds=60))
        await asyncio.sleep(0.05)  # waiting for a wakeup
        loop.wake()
        running.cancel()
        done, _ = await asyncio.wait({running}, timeout=2)
        assert running in done, f"{type(loop).__name__} did not stop"


async def test_a_stop_during_a_send_lets_it_finish_and_nothing_goes_twice(harness: Harness) -> None:
    """A graceful stop (a restart) waits for the request under way and records it; the next
    process sends only what was left. Cancelled mid-request, the message went again."""
    h = harness
    queue(h, "first", "second")
    slow = sender(h, Timed(h, delay=0.3))
    running = asyncio.create_task(slow.run(idle_seconds=60))
    await slow.transport.started.wait()
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
    assert sent_to(h, USER) == ["first"]
    await sender(h).drain()  # the next process
    assert sent_to(h, USER) == ["first", "second"]


async def test_a_stop_starts_no_new_request_while_it_waits_for_the_one_under_way(harness: Harness) -> None:
    """Other chats queued behind the request under way are given back, not begun during the stop
    (one begun late would be cancelled at the end of the grace and perhaps sent twice)."""
    h = harness
    for chat in (USER, OTHER, THIRD):
        queue(h, f"to {chat}", chat=chat)
    slow = sender(h, Timed(h, delay=0.3), in_flight=1)
    running = asyncio.create_task(slow.run(idle_seconds=60))
    await slow.transport.started.wait()
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
    assert len(h.calls("SendMessage")) == 1, "only the request under way went out"
    assert await sender(h).drain() == 2  # the next process: the two given back, at once
