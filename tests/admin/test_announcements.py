"""Announcements and events through the dispatcher: groups, preview, confirm once, delivery, opt-out, seats."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from conversations import announcements as news
from conversations.sweep import sweep
from storage import announcements as store
from storage.db import Database
from storage.models import Announcement, AnnouncementDelivery, Event, OutboxMessage, Pair, Person
from tests.conftest import COORDINATOR, Harness, Sent, add_person

MENTOR_DA, MENTOR_AR, MENTOR_EN, MENTEE_A, MENTEE_B = 8001, 8002, 8003, 8004, 8005


def person(h: Harness, telegram_id: int, role: str, language: str = "en", **fields: Any) -> Person:
    """A registered person (how she registers is tested in tests/bot/test_registration.py)."""
    values: dict[str, Any] = {
        "language": language,
        "created_at": h.clock.now(),
        "status": "ready_to_be_matched",
        "role": role,
        "name": f"Name{telegram_id}",
        "city": "København",
        "registered_at": h.clock.now(),
    }
    with h.db.session() as session:
        found = add_person(session, telegram_id, **(values | fields))
    h.user(telegram_id, language)
    return found


def network(h: Harness) -> None:
    """Three mentors in three languages, two mentees, and people no group should reach."""
    person(h, MENTOR_DA, "mentor", "da")
    person(h, MENTOR_AR, "mentor", "ar", city="Aarhus")
    person(h, MENTOR_EN, "mentor", "en")
    person(h, MENTEE_A, "mentee", "ar")
    person(h, MENTEE_B, "mentee", "fa", city="aarhus ")
    person(h, 8090, "mentor", status="withdrawn")
    person(h, 8091, "mentor", status=None)  # began registering, never finished


def copies(h: Harness, user_id: int, text_part: str) -> int:
    """How many messages containing text_part Telegram was asked to send her."""
    return sum(
        1 for call in h.calls("SendMessage") if call.chat_id == user_id and text_part in (call.text or "")
    )


async def compose(
    h: Harness,
    group: str,
    text: str = "The network meets on Thursday!",
    *,
    language: str = "Every language",
    city: str | None = None,
    versions: dict[str, str] | None = None,
) -> Sent:
    """/announce answered step by step; returns the preview."""
    await h.send(COORDINATOR, "/announce", language="en")
    await h.tap(COORDINATOR, group)
    await h.tap(COORDINATOR, language)
    if city is None:
        await h.tap(COORDINATOR, "Skip")
    else:
        await h.send(COORDINATOR, city)
    await h.send(COORDINATOR, text)
    if not versions:
        return (await h.tap(COORDINATOR, "Skip"))[-1]
    for name in versions:
        await h.tap(COORDINATOR, name)
    await h.done(COORDINATOR)
    answer: list[Sent] = []
    for version in versions.values():
        answer = await h.send(COORDINATOR, version)
    return answer[-1]


async def deliver_all(h: Harness, rounds: int = 200) -> None:
    """The scheduler's job, a second apart, with the sender after each, until every announcement is done."""
    for _ in range(rounds):
        news.deliver(h.db, h.clock, h.i18n)
        await h.sender.drain()
        with h.db.session() as session:
            if not store.sending(session):
                return
        h.clock.advance(seconds=1)
    raise AssertionError("the announcement did not finish")


def report(h: Harness) -> str:
    """The coordinator's message that was the preview, as it reads now."""
    with h.db.session() as session:
        announcement = session.exec(select(Announcement).order_by(Announcement.id.desc())).first()  # type: ignore[union-attr]
    assert announcement is not None
    return next(m.text for m in h.messages(COORDINATOR) if m.message_id == announcement.message_id)


async def test_mentors_get_it_in_their_language_once_with_a_report(harness: Harness) -> None:
    h = harness
    network(h)
    person(h, 8006, "mentor", news_stopped_at=h.clock.now())
    person(h, 8007, "mentor", reachable=False)
    preview = await compose(
        h, "All mentors", "Network meeting on Thursday!", versions={"Dansk": "Netværksmøde torsdag!"}
    )
    assert "To: All mentors" in preview.text
    assert "4 people will get it." in preview.text  # three mentors and one who blocked the bot
    assert "1 more has stopped news and events and will not get it." in preview.text
    assert "Also written in: Danish. Everyone else reads:" in preview.text  # named in her language
    assert "Network meeting on Thursday!" in preview.text
    assert preview.labels[0] == "📣 Send to 4 people"

    await h.tap(COORDINATOR, "Send to")
    assert h.messages(COORDINATOR)[-1].text.startswith("📣 A-1: sending to 4…")
    await deliver_all(h)

    da, ar = h.messages(MENTOR_DA)[-1], h.messages(MENTOR_AR)[-1]
    assert da.text == "Netværksmøde torsdag!"
    assert ar.text == "Network meeting on Thursday!"  # no Arabic version: the default
    assert ar.labels == [h.i18n.translator("ar").gettext(news.STOP_NEWS)]
    for user in (MENTOR_DA, MENTOR_AR, MENTOR_EN):
        assert copies(h, user, "Thursday") + copies(h, user, "torsdag") == 1
    for user in (MENTEE_A, MENTEE_B, 8006, 8007, 8090, 8091):
        assert copies(h, user, "Thursday") == 0
    assert report(h) == (
        "📣 A-1 is sent.\nDelivered: 3\nNot reachable (blocked the bot): 1\nStopped news and events: 1"
    )


@pytest.mark.parametrize(
    ("group", "language", "city", "expected"),
    [
        ("All mentees", "Every language", None, 5),  # two, and three in pairs
        ("All mentees", "العربية", None, 1),
        ("All mentees", "Every language", "AARHUS", 1),  # "aarhus " is the same place
        ("All mentors", "Every language", "Kobenhavn", 2),  # without the accent too
        ("Pairs in their year", "Every language", None, 4),  # both in each active pair, not the ended one
        ("Network participants", "Every language", None, 1),
    ],
)
async def test_groups_and_filters_count_who_gets_it(
    harness: Harness, group: str, language: str, city: str | None, expected: int
) -> None:
    h = harness
    network(h)
    in_pairs = [
        person(h, 8100 + n, "mentee" if n % 2 else "mentor", status="in_relationship", city="Odense")
        for n in range(6)
    ]
    person(h, 8200, "mentor", status="network_participant", city="Odense")
    with h.db.session() as session:
        for (mentor, mentee), status in zip(
            [(in_pairs[0], in_pairs[1]), (in_pairs[2], in_pairs[3]), (in_pairs[4], in_pairs[5])],
            ("confirmed", "proposed", "ended"),
            strict=True,
        ):
            session.add(
                Pair(
                    mentee_id=mentee.id or 0,
                    mentor_id=mentor.id or 0,
                    coordinator=1,
                    status=status,
                    proposed_at=h.clock.now(),
                )
            )
    preview = await compose(h, group, language=language, city=city)
    assert (
        f"{expected} people will get it." in preview.text
        if expected > 1
        else "1 person will get it." in preview.text
    )
    await h.tap(COORDINATOR, "Send to")
    await deliver_all(h)
    with h.db.session() as session:
        assert len(session.exec(select(AnnouncementDelivery)).all()) == expected


async def test_the_preview_names_languages_in_the_coordinators_language(harness: Harness) -> None:
    """ "Only Arabic" and "also written in Arabic" read "arabisk" to a Dane, not "العربية"."""
    h = harness
    network(h)
    await h.send(COORDINATOR, "/start", language="da")
    da = h.i18n.translator("da")
    await h.send(COORDINATOR, "/announce")
    await h.tap(COORDINATOR, da.gettext("All mentees"))
    await h.tap(COORDINATOR, "العربية")
    await h.tap(COORDINATOR, da.gettext("Skip ▶"))
    await h.send(COORDINATOR, "Netværksmøde torsdag!")
    await h.tap(COORDINATOR, "العربية")
    await h.done(COORDINATOR)
    preview = (await h.send(COORDINATOR, "لقاء الشبكة يوم الخميس!"))[-1].text
    assert da.gettext("To: {group}", group=f"{da.gettext('All mentees')} · arabisk") in preview
    assert da.gettext("Also written in: {languages}. Everyone else reads:", languages="arabisk") in preview


async def test_a_preview_from_before_a_change_does_not_send_and_send_works_once(harness: Harness) -> None:
    h = harness
    network(h)
    old = await compose(h, "All mentees", "First text")
    await h.tap(COORDINATOR, "Change")  # the summary of her answers, to change one
    refused = await h.press(COORDINATOR, old.data("Send to"), old.message_id)
    assert refused == []
    assert (
        h.calls("AnswerCallbackQuery")[-1].text == "This preview is out of date: please use the latest one."
    )
    await h.tap(COORDINATOR, "Change an answer")
    await h.tap(COORDINATOR, "Message")
    new = (await h.send(COORDINATOR, "Second text"))[-1]
    assert "Second text" in new.text and "2 people will get it." in new.text
    await h.press(COORDINATOR, old.data("Send to"), old.message_id)
    assert (
        h.calls("AnswerCallbackQuery")[-1].text == "This preview is out of date: please use the latest one."
    )
    await h.press(COORDINATOR, new.data("Send to"), new.message_id)
    await h.press(COORDINATOR, new.data("Send to"), new.message_id)  # twice: the second is refused
    assert (
        h.calls("AnswerCallbackQuery")[-1].text == "This preview is out of date: please use the latest one."
    )
    await deliver_all(h)
    assert copies(h, MENTEE_A, "First text") == 0
    assert copies(h, MENTEE_A, "Second text") == copies(h, MENTEE_B, "Second text") == 1
    with h.db.session() as session:
        assert len(session.exec(select(Announcement)).all()) == 1


async def test_discard_and_only_coordinators(harness: Harness) -> None:
    h = harness
    network(h)
    await compose(h, "All mentees")
    assert (await h.tap(COORDINATOR, "Discard")) == []
    assert h.messages(COORDINATOR)[-1].text == "Discarded: nothing was sent."
    refused = await h.send(MENTEE_A, "/announce")
    ar = h.i18n.translator("ar")
    assert refused[-1].text == ar.gettext(
        "Sorry, /{command} is only for the network's coordinators. /help shows what you can do.",
        command="announce",
    )
    with h.db.session() as session:
        assert session.exec(select(Announcement)).all() == []


async def test_stopping_news_is_respected_and_can_be_undone(harness: Harness) -> None:
    h = harness
    network(h)
    amal = 8010
    person(h, amal, "mentee", "en")
    await compose(h, "All mentees", "First news")
    await h.tap(COORDINATOR, "Send to")
    await deliver_all(h)
    h.user(amal, "en")
    stopped = await h.tap(amal, "Stop news")
    assert stopped[-1].text.startswith("You will get no more news or invitations to events from us.")
    privacy = await h.send(amal, "/privacy")
    assert privacy[-1].text.startswith("🔕 You stopped our news and invitations to events on Jan 5, 2026.")

    await compose(h, "All mentees", "Second news")
    await h.tap(COORDINATOR, "Send to")
    await deliver_all(h)
    assert copies(h, amal, "Second news") == 0 and copies(h, MENTEE_B, "Second news") == 1
    assert report(h).endswith("Delivered: 2\nNot reachable (blocked the bot): 0\nStopped news and events: 1")

    await h.tap(amal, "Get news and events again")
    assert (await h.send(amal, "/privacy"))[-1].labels == ["🔕 Stop news and events"]
    await compose(h, "All mentees", "Third news")
    await h.tap(COORDINATOR, "Send to")
    await deliver_all(h)
    assert copies(h, amal, "Third news") == 1


async def test_stopping_while_her_copy_waits_in_the_outbox(harness: Harness) -> None:
    h = harness
    network(h)
    await compose(h, "All mentees", "Waiting news")
    await h.tap(COORDINATOR, "Send to")
    news.deliver(h.db, h.clock, h.i18n)  # enqueued, not yet sent
    await h.press(MENTEE_A, f"{news.NEWS_PREFIX}:stop", 1)
    await deliver_all(h)
    assert copies(h, MENTEE_A, "Waiting news") == 0
    assert report(h).endswith("Delivered: 1\nNot reachable (blocked the bot): 0\nStopped news and events: 1")


async def test_progress_is_edited_in_place_at_most_every_few_seconds(
    harness: Harness, monkeypatch: Any
) -> None:
    h = harness
    monkeypatch.setattr(news, "WINDOW", 10)
    for n in range(45):
        person(h, 9000 + n, "mentee")
    await compose(h, "All mentees", "Many")
    await h.tap(COORDINATOR, "Send to")
    edits_before = len(h.calls("EditMessageText"))
    await deliver_all(h)
    edits = [c for c in h.calls("EditMessageText")[edits_before:] if c.chat_id == COORDINATOR]
    texts = [c.text for c in edits]
    assert texts[0] == "📣 A-1: sent 10 of 45…"
    assert all(t.startswith("📣 A-1: sent ") for t in texts[:-1])
    assert texts[-1].startswith("📣 A-1 is sent.\nDelivered: 45")
    # Five rounds a second apart: at most one edit in five seconds, the report excepted.
    assert len(texts) - 1 <= 45 // 10 // 5 + 1
    assert sum(copies(h, 9000 + n, "Many") for n in range(45)) == 45


async def test_one_copy_each_across_a_restart_in_the_middle(harness: Harness, monkeypatch: Any) -> None:
    """A crash in the middle of a chunk, then the cursor's progress lost too: still one copy each."""
    h = harness
    monkeypatch.setattr(news, "WINDOW", 7)
    people = [9000 + n for n in range(30)]
    for user in people:
        person(h, user, "mentee")
    await compose(h, "All mentees", "Once only")
    await h.tap(COORDINATOR, "Send to")
    news.deliver(h.db, h.clock, h.i18n)
    await h.sender.drain()

    # The process dies while writing the next chunk: its transaction is rolled back.
    real_post, calls = news.post, []

    def dying(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) > 3:
            raise RuntimeError("killed")
        return real_post(*args, **kwargs)

    monkeypatch.setattr(news, "post", dying)
    h.clock.advance(seconds=1)
    news.deliver(h.db, h.clock, h.i18n)
    monkeypatch.setattr(news, "post", real_post)
    # And as if the cursor had been written before its deliveries: back to the start.
    with h.db.session() as session:
        announcement = session.exec(select(Announcement)).one()
        announcement.cursor = 0
        session.add(announcement)

    # A new process: a fresh dispatcher and sender on the same database.
    restarted = Harness(h.db, h.clock, h.i18n, frozenset({COORDINATOR}))
    restarted.session.calls = h.session.calls  # one record of what Telegram was asked
    for _ in range(100):
        h.clock.advance(seconds=1)
        news.deliver(h.db, h.clock, h.i18n)
        await restarted.sender.drain()
        with h.db.session() as session:
            if not store.sending(session):
                break
    await restarted.bot.session.close()
    assert {user: copies(h, user, "Once only") for user in people} == dict.fromkeys(people, 1)
    with h.db.session() as session:
        outbox = [
            m.address
            for m in session.exec(select(OutboxMessage)).all()
            if m.payload.get("text") == "Once only"
        ]
    assert Counter(outbox) == Counter(str(user) for user in people)


# -- events ---------------------------------------------------------------------------------------------


async def create_event(h: Harness, capacity: int = 2) -> Sent:
    """/event answered step by step, sent to all mentees; returns the preview."""
    await h.send(COORDINATOR, "/event", language="en")
    await h.send(COORDINATOR, "Job fair")
    await h.send(COORDINATOR, "2026-01-20")
    await h.send(COORDINATOR, "17:30")
    await h.send(COORDINATOR, "Nørregade 1")
    await h.send(COORDINATOR, str(capacity))
    await h.tap(COORDINATOR, "All mentees")
    await h.tap(COORDINATOR, "Every language")
    await h.tap(COORDINATOR, "Skip")
    return (await h.tap(COORDINATOR, "Skip"))[-1]


async def test_an_event_fills_up_frees_a_place_and_reminds_the_day_before(harness: Harness) -> None:
    h = harness
    for user in (MENTEE_A, MENTEE_B, 8006):
        person(h, user, "mentee")
    person(h, 8007, "mentee", "da")
    person(h, 8008, "mentee", "ar")
    preview = await create_event(h)
    assert "5 people will get it." in preview.text
    assert "📅 Job fair\nJan 20, 2026 5:30\u202fPM\n📍 Nørregade 1\n\nThere are 2 places." in preview.text
    await h.tap(COORDINATOR, "Send to")
    await deliver_all(h)
    invitation = h.messages(MENTEE_A)[-1]
    assert invitation.labels == ["✅ I will come", "❌ I cannot come", "🔕 Stop news and events"]
    danish, arabic = h.messages(8007)[-1], h.messages(8008)[-1]
    assert danish.text.endswith("Der er 2 pladser. Kommer du?")
    assert danish.labels == ["✅ Jeg kommer", "❌ Jeg kan ikke komme", "🔕 Slå nyheder og arrangementer fra"]
    assert arabic.text.endswith("عدد الأماكن: 2. هل ستحضرين؟")
    assert arabic.labels == [
        "❌ لا أستطيع الحضور",
        "✅ سأحضر",
        "🔕 إيقاف الأخبار والفعاليات",
    ]  # right to left

    came = await h.tap(MENTEE_A, "I will come")
    assert came[-1].text.startswith("Your place at Job fair is kept for you.")
    await h.tap(MENTEE_A, "I will come")  # twice: still one place
    assert h.calls("AnswerCallbackQuery")[-1].text == "You already have a place. See you there!"
    await h.tap(MENTEE_B, "I will come")
    full = await h.tap(8006, "I will come")
    assert full == [] and h.calls("AnswerCallbackQuery")[-1].text == "Sorry, the event is full."

    shown = (await h.send(COORDINATOR, "/event E-1"))[-1].text
    assert "Coming: 2 of 2. Free places: 0." in shown
    assert f"• P-{h.person_id(MENTEE_A)} Name{MENTEE_A}" in shown

    freed = await h.tap(MENTEE_A, "I cannot come")
    assert freed[-1].text == "Thank you for telling us. Your place is free for someone else."
    assert (await h.tap(8006, "I will come"))[-1].text.startswith("Your place at Job fair")
    assert "Coming: 2 of 2. Free places: 0." in (await h.send(COORDINATOR, "/event E-1"))[-1].text

    # The day before (Jan 19, 17:30 Copenhagen = 16:30 UTC), once, to those coming.
    h.clock.advance(h.clock.now().replace(day=19, hour=16, minute=31) - h.clock.now())
    sweep(h.db, h.clock, h.i18n)
    sweep(h.db, h.clock, h.i18n)
    await h.sender.drain()
    for user, expected in ((MENTEE_B, 1), (8006, 1), (MENTEE_A, 0)):
        assert copies(h, user, "A reminder: Job fair is tomorrow at 5:30") == expected
    assert (await h.send(COORDINATOR, "/event E-9"))[-1].text.startswith("There is no event E-9.")


async def test_a_past_event_is_refused(harness: Harness) -> None:
    h = harness
    person(h, MENTEE_A, "mentee")
    await create_event(h)
    await h.tap(COORDINATOR, "Send to")
    await deliver_all(h)
    h.clock.advance(days=20)
    assert await h.tap(MENTEE_A, "I will come") == []
    assert h.calls("AnswerCallbackQuery")[-1].text == "This event has already taken place."


def test_two_at_once_for_the_last_place_one_gets_it(db: Database) -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    with db.session() as session:
        event = Event(
            title="X", starts_at=now + timedelta(days=3), place="Y", capacity=1, created_by=1, created_at=now
        )
        people = [Person(language="en", created_at=now) for _ in range(8)]
        session.add(event)
        session.add_all(people)
        session.flush()
        event_id, person_ids = event.id or 0, [p.id or 0 for p in people]
    results: list[str] = []
    barrier = threading.Barrier(len(person_ids))

    def attempt(person_id: int) -> None:
        barrier.wait()
        with db.session() as session:
            results.append(store.take_seat(session, event_id=event_id, person_id=person_id, now=now))

    threads = [threading.Thread(target=attempt, args=(pid,)) for pid in person_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["full"] * 7 + ["taken"]
    with db.session() as session:
        assert session.get(Event, event_id).coming == 1  # type: ignore[union-attr]
        assert len(store.coming(session, event_id=event_id)) == 1


async def test_a_city_filter_that_passes_few_does_not_slow_the_rest(
    harness: Harness, monkeypatch: Any
) -> None:
    h = harness
    monkeypatch.setattr(news, "WINDOW", 5)
    for n in range(40):
        person(h, 9000 + n, "mentee", city="Odense")
    for user in (9100, 9101):
        person(h, user, "mentee", city="Aarhus")
    preview = await compose(h, "All mentees", "Aarhus only", city="Aarhus")
    assert "2 people will get it." in preview.text
    await h.tap(COORDINATOR, "Send to")
    news.deliver(h.db, h.clock, h.i18n)  # one step looks past the forty in Odense
    await h.sender.drain()
    assert copies(h, 9100, "Aarhus only") == copies(h, 9101, "Aarhus only") == 1


async def test_after_a_dead_process_the_edits_still_reach_her_seconds_apart(
    harness: Harness, monkeypatch: Any
) -> None:
    h = harness
    monkeypatch.setattr(news, "WINDOW", 10)
    for n in range(300):
        person(h, 9000 + n, "mentee")
    await compose(h, "All mentees", "Many")
    await h.tap(COORDINATOR, "Send to")
    news.deliver(h.db, h.clock, h.i18n)
    await h.sender.drain()
    h.clock.advance(seconds=1)
    news.deliver(h.db, h.clock, h.i18n)  # "sent 10 of 100" written; the process dies holding it
    with h.db.session() as session:
        announcement = session.exec(select(Announcement)).one()
        held = session.get(OutboxMessage, announcement.progress_outbox)
        assert held is not None and held.payload["text"] == "📣 A-1: sent 10 of 300…"
        held.claimed_until = h.clock.now() + timedelta(seconds=15)
        session.add(held)
    await deliver_all(h)
    h.clock.advance(seconds=16)
    await h.sender.drain()  # whatever still waited behind the held one
    with h.db.session() as session:
        edits = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "edit", OutboxMessage.address == str(COORDINATOR))
            .order_by(OutboxMessage.id)
        ).all()
    sent = [
        (m.sent_at, m.payload["text"])
        for m in edits
        if m.sent_at is not None and m.payload["text"].startswith("📣 A-1")
    ]
    assert sent[1][1] == "📣 A-1: sent 10 of 300…"  # after "sending to 300…": late, but in its turn
    assert sent[-1][1].startswith("📣 A-1 is sent.\nDelivered: 300")
    counts = [when for when, text in sent[1:-1]]
    assert len(counts) >= 3
    assert all(b - a >= news.PROGRESS_EVERY for a, b in itertools.pairwise(counts))
    assert sum(copies(h, 9000 + n, "Many") for n in range(300)) == 300
