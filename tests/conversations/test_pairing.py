"""From suggestion to agreement through the dispatcher, with the fake clock: a Danish-speaking
mentor, an Arabic-speaking mentee, and their coordinator writing in English."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from conversations import pairing, timeline
from conversations.sweep import next_due, sweep
from storage import pairs
from storage.db import Database
from storage.models import Meeting, Pair, Person
from tests.conftest import COORDINATOR, Harness, add_person

AMAL, KAREN, LENE = 8001, 8002, 8003


def ready(h: Harness, telegram_id: int, name: str, language: str, role: str, **profile: Any) -> Person:
    """Someone interviewed and ready to be matched (how is tested in tests/admin/test_interviews.py)."""
    fields: dict[str, Any] = {
        "city": "Aarhus",
        "languages": [language, "en"],
        "share_channels": ["phone"],
        "phone": "+45 20 12 34 56",
        "meetings_per_month": 1,
    }
    with h.db.session() as session:
        person = add_person(
            session,
            telegram_id,
            language=language,
            created_at=h.clock.now(),
            status="ready_to_be_matched",
            role=role,
            name=name,
            registered_at=h.clock.now(),
            **{**fields, **profile},
        )
        session.add(person)
    h.user(telegram_id, language)
    return person


def the_pair(h: Harness) -> Pair:
    with h.db.session() as session:
        pair = session.exec(select(Pair).order_by(Pair.id.desc())).first()  # type: ignore[union-attr]
        assert pair is not None
        return pair


async def swept(h: Harness) -> int:
    sent = sweep(h.db, h.clock, h.i18n).pair_messages
    await h.sender.drain()
    return sent


def toast(h: Harness) -> str | None:
    return h.calls("AnswerCallbackQuery")[-1].text


async def proposed(h: Harness) -> tuple[Person, Person]:
    amal = ready(h, AMAL, "Amal", "ar", "mentee", line_of_work="health", goals=["job"])
    karen = ready(
        h, KAREN, "Karen", "da", "mentor", line_of_work="health", offers=["jobsearch"], meetings_per_month=2
    )
    await h.send(COORDINATOR, "/start", language="en")
    await h.send(COORDINATOR, f"/propose {amal.short_id} {karen.short_id}")
    return amal, karen


async def meeting_fixed(h: Harness) -> datetime:
    """Amal tells the bot the day after tomorrow at 18:00; Karen confirms."""
    await h.press(AMAL, "ps:1")
    await h.press(AMAL, h.last_with_buttons(AMAL).buttons[0][-1][1])  # RTL: the first day is on the right
    await h.tap(AMAL, h.i18n.translator("ar").clock("18:00"))
    await h.tap(AMAL, "✅")
    await h.tap(KAREN, "✅")
    return the_pair(h).meeting_at or datetime.min


async def test_suggestion_explains_itself_and_proposes_with_a_button(harness: Harness) -> None:
    h = harness
    amal = ready(h, AMAL, "Amal", "ar", "mentee", line_of_work="health", goals=["job"], wishes="40-50")
    karen = ready(
        h, KAREN, "Karen", "da", "mentor", line_of_work="health", offers=["jobsearch"], birth_year=1980
    )
    lene = ready(h, LENE, "Lene", "da", "mentor", city="Odense", languages=["da"])
    await h.send(COORDINATOR, "/start", language="en")
    listed = (await h.send(COORDINATOR, f"/suggest {amal.short_id}"))[-1]
    lines = listed.text.splitlines()
    assert lines[0] == f"The best mentors for Amal ({amal.short_id}):"
    assert lines[2] == f"1. {karen.short_id} Karen – 10.0 of 14.5 points"
    assert lines[3] == (
        "   the same line of work: Health and care; both live in Aarhus; can help with her goals: "
        "Find a job in her field; the age she wished for (46); languages in common: English; can meet: Once a month"
    )
    assert lines[4] == f"2. {lene.short_id} Lene – 1.0 of 14.5 points"
    assert listed.labels == [f"Propose Karen ({karen.short_id})", f"Propose Lene ({lene.short_id})"]

    await h.tap(COORDINATOR, f"Propose Karen ({karen.short_id})")
    assert h.texts(COORDINATOR)[-1].startswith("Proposed M-1: Amal (P-1) and Karen (P-2).")
    ar, da = h.i18n.translator("ar"), h.i18n.translator("da")
    to_amal = h.messages(AMAL)[-1]
    assert to_amal.text == ar.gettext(
        pairing.PROPOSAL_TO_MENTEE,
        name="Amal",
        partner="Karen",
        contacts="• " + ar.gettext("Phone") + ": \u2066+45 20 12 34 56\u2069",  # kept left to right
        **timeline.in_words(ar.locale),
    )
    assert to_amal.labels == [ar.gettext(pairing.WE_AGREED)]
    assert h.messages(KAREN)[-1].text.startswith(
        da.gettext(
            pairing.PROPOSAL_TO_MENTOR,
            name="Karen",
            partner="Amal",
            contacts="",
            **timeline.in_words(da.locale),
        )[:30]
    )
    again = (await h.send(COORDINATOR, f"/suggest {amal.short_id}"))[-1].text
    assert again == f"Amal ({amal.short_id}) already has a proposed pair."


async def test_the_whole_path_to_the_agreement(harness: Harness) -> None:
    h = harness
    await proposed(h)
    ar, da = h.i18n.translator("ar"), h.i18n.translator("da")

    # The first meeting: Amal picks a day from buttons (laid out right to left) and a time.
    await h.press(AMAL, "ps:1")
    days = h.last_with_buttons(AMAL)
    assert days.buttons[0][-1][0] == ar.weekday(date(2026, 1, 6)), "tomorrow comes first, on the right"
    await h.press(AMAL, days.buttons[0][-1][1])
    await h.tap(AMAL, ar.clock("18:00"))
    summary = h.last_with_buttons(AMAL)
    assert ar.clock("18:00") in summary.text
    await h.tap(AMAL, "✅")
    when = datetime(2026, 1, 6, 17, 0, tzinfo=UTC)  # 18:00 in Copenhagen
    assert h.texts(AMAL)[-1] == ar.gettext(
        "Thank you! I have asked {partner} to confirm {when}.", partner="Karen", when=ar.datetime(when)
    )
    ask = h.messages(KAREN)[-1]
    assert ask.text == da.gettext(
        "{name} says you agreed to meet on {when}. Is that right?", name="Amal", when=da.datetime(when)
    )
    await h.tap(KAREN, "✅")
    fixed = da.gettext(
        "Your first meeting with {partner} is fixed: {when}. Enjoy it! The day after, I will ask you how it went.",
        partner="Amal",
        when=da.datetime(when),
    )
    assert h.texts(KAREN)[-1] == fixed
    assert h.texts(COORDINATOR)[-1] == "M-1: the first meeting is fixed for Jan 6, 2026 6:00\u202fPM."

    # The day after: each is asked alone.
    h.clock.advance(days=1, hours=8)
    assert next_due(h.db, h.clock.now()) == when + timedelta(days=1)
    h.clock.advance(hours=23, minutes=59)
    assert await swept(h) == 0
    h.clock.advance(minutes=1)
    assert await swept(h) == 1
    question = h.messages(AMAL)[-1]
    assert question.text.startswith(
        ar.gettext(
            "How was your first meeting with {partner}? Would you like to continue as mentor and mentee?\n\nYour answer goes only to the coordinator; {partner} will not see it.",
            partner="Karen",
        )[:20]
    )
    karen_had = h.texts(KAREN)
    await h.tap(AMAL, ar.gettext(pairing.CONTINUE))
    assert h.texts(AMAL)[-1] == ar.gettext(
        "Thank you! I will write to you as soon as {partner} has answered too.", partner="Karen"
    )
    assert h.texts(KAREN) == karen_had, "Karen hears nothing of Amal's answer"
    await h.tap(KAREN, da.gettext(pairing.CONTINUE))

    # Both said yes: confirmation, the memo for the mentee, statuses, the end of the year.
    assert h.texts(AMAL)[-2] == ar.gettext(
        pairing.CONFIRMATION, partner="Karen", **timeline.in_words(ar.locale)
    )
    assert h.texts(AMAL)[-1] == ar.gettext(pairing.MEMO, **timeline.in_words(ar.locale))
    assert "12 شهرًا" in h.texts(AMAL)[-1] and "3 أشهر" in h.texts(AMAL)[-2], "durations in her words"
    assert h.texts(KAREN)[-1] == da.gettext(
        pairing.CONFIRMATION, partner="Amal", **timeline.in_words(da.locale)
    )
    assert "12 måneder" in h.texts(KAREN)[-1] and "3 uger" in h.texts(KAREN)[-1]
    assert h.texts(COORDINATOR)[-1].startswith("M-1: Amal and Karen both want to continue.")
    pair = the_pair(h)
    assert pair.status == "confirmed" and pair.ends_at == datetime(2027, 1, 7, 17, 0, tzinfo=UTC)
    with h.db.session() as session:
        assert {
            p.status for p in session.exec(select(Person).where(col(Person.role).is_not(None))).all()
        } == {"in_relationship"}

    # The agreement, filled in by Karen in Danish, confirmed by Amal in Arabic.
    await h.send(KAREN, "/agreement")
    await h.tap(KAREN, da.gettext("Text messages"))
    await h.done(KAREN)
    await h.tap(KAREN, da.gettext("Every week"))
    for purpose in ("Get a job", "Become more confident and believe in her own abilities", "Other"):
        await h.tap(KAREN, da.gettext(purpose))
    await h.done(KAREN)
    for answer in (
        "Network events",
        "A job as a nurse",
        "CV in March, applications in May",
        "Visit my ward",
        "Monthly walks",
    ):
        await h.send(KAREN, answer)
    summary = h.last_with_buttons(KAREN)
    assert "A job as a nurse" in summary.text
    await h.tap(KAREN, "✅")
    to_amal = h.messages(AMAL)[-1]
    assert to_amal.text.startswith(
        ar.gettext("{name} has filled in your mentor agreement. Please read it and confirm it:", name="Karen")
    )
    assert ar.gettext("Every week") in to_amal.text and ar.gettext("Get a job") in to_amal.text
    await h.tap(AMAL, "✅")
    await h.send(AMAL, "أن أجد عملاً وأتحسن في الدنماركية")
    assert h.texts(AMAL)[-1].startswith(
        ar.gettext(
            "Your mentor agreement is complete: you have both confirmed it. 🤝 /agreement shows it at any time."
        )[:15]
    )
    coordinator_copy = h.texts(COORDINATOR)[-1]
    assert coordinator_copy.startswith("M-1: the mentor agreement is complete.")
    assert "Expectations of Karen: Monthly walks" in coordinator_copy
    assert "Expectations of Amal: \u2068أن أجد عملاً" in coordinator_copy  # her Arabic set apart
    shown = (await h.send(AMAL, "/agreement"))[-1].text
    assert "A job as a nurse" in shown and ar.gettext("You have both confirmed it.") in shown

    # "We met": Amal reports, Karen confirms.
    await h.send(AMAL, "/met")
    await h.press(AMAL, h.last_with_buttons(AMAL).buttons[0][-1][1])  # today
    assert h.messages(KAREN)[-1].text == da.gettext(
        "{name} says you met on {day}. Is that right?", name="Amal", day=da.day(date(2026, 1, 7))
    )
    await h.tap(KAREN, "✅")
    with h.db.session() as session:
        meeting = session.exec(select(Meeting)).one()
        assert meeting.confirmed_at is not None and meeting.held_on == h.clock.now().date()


ENDED = (
    "Thank you both for meeting. After the first meeting, you and {partner} will not continue as a pair; "
    "that happens, and it is nobody's fault. 🌱\n\nYou are still ready to be matched, and the coordinator "
    "will look for a new match for you."
)


async def test_a_no_ends_the_pair_kindly_and_it_is_never_suggested_again(harness: Harness) -> None:
    h = harness
    amal, karen = await proposed(h)
    when = await meeting_fixed(h)
    h.clock.advance(when + timedelta(days=1) - h.clock.now())
    await swept(h)
    ar, da = h.i18n.translator("ar"), h.i18n.translator("da")
    await h.tap(KAREN, da.gettext(pairing.CONTINUE))
    await h.tap(AMAL, ar.gettext(pairing.STOP))
    assert h.texts(AMAL)[-2] == ar.gettext(ENDED, partner="Karen")
    assert ar.gettext(pairing.REASON_FLOW.steps[0].prompt) in h.texts(AMAL)[-1]
    assert h.texts(KAREN)[-1] == da.gettext(ENDED, partner="Amal"), "told kindly, never who said no"
    told = h.texts(COORDINATOR)[-1]
    assert told == (
        "M-1: Amal (P-1) and Karen (P-2) will not continue.\nThe mentee said no, the mentor said yes.\n"
        "Both are ready to be matched again: /suggest P-1"
    )
    await h.send(AMAL, "لم أشعر بالراحة")
    assert (
        h.texts(COORDINATOR)[-1] == "M-1: the mentee's reason for not continuing: \u2068لم أشعر بالراحة\u2069"
    )
    assert h.texts(AMAL)[-1] == ar.gettext("Thank you. The coordinator will find you a new match.")
    with h.db.session() as session:
        sealed = session.get(Pair, 1).decision_reasons  # type: ignore[union-attr]
        assert sealed and "لم أشعر" not in sealed and h.notes.open(sealed) == {"mentee": "لم أشعر بالراحة"}
        assert {p.status for p in session.exec(select(Person).where(col(Person.role).is_not(None)))} == {
            "ready_to_be_matched"
        }
    assert (await h.send(COORDINATOR, f"/suggest {amal.short_id}"))[-1].text == (
        "The only mentor ready to be matched, Karen (P-2), met Amal (P-1) before and they did not continue. "
        "No other mentor is ready just now."
    )
    refused = (await h.send(COORDINATOR, f"/propose {amal.short_id} {karen.short_id}"))[-1].text
    assert refused == "Not proposed: Amal and Karen met before and did not continue."


async def test_every_reminder_and_overdue_on_its_day(harness: Harness) -> None:
    h = harness
    await proposed(h)
    ar = h.i18n.translator("ar")
    h.clock.advance(days=13, hours=23)
    assert await swept(h) == 0
    assert (await h.send(COORDINATOR, "/overdue"))[-1].text == "Nothing is overdue."
    h.clock.advance(hours=1)
    before = len(h.session.calls)
    assert await swept(h) == 1
    assert h._new_for(KAREN, before) == [], "the mentor gets no reminder"
    reminder = h.messages(AMAL)[-1]
    assert reminder.text.startswith(
        ar.gettext(
            "Have you and {partner} agreed on your first meeting? It should be within {meeting_within} of the proposal. Please contact her:\n{contacts}\n\nWhen you have a date, tell me with the button below.",
            partner="Karen",
            contacts="",
            **timeline.in_words(ar.locale),
        ).partition("\n")[0]
    )
    assert "شهران" in reminder.text, "two months, in Arabic's dual"
    assert await swept(h) == 0, "a second sweep sends nothing"
    overdue = (await h.send(COORDINATOR, "/overdue"))[-1].text
    assert overdue == (
        "No first meeting date 14 days after the proposal – remind the mentee or call her:\n"
        "M-1 Amal (P-1) + Karen (P-2) – overdue 0 days, last contact –"
    )
    h.clock.advance(days=48)  # two months after the proposal
    overdue = (await h.send(COORDINATOR, "/overdue"))[-1].text
    assert overdue.startswith("No first meeting 2 months after the proposal (expired)")

    # A date is agreed after all: the decision is asked the day after, reminded at 7 days, overdue at 14.
    when = await meeting_fixed(h)
    h.clock.advance(when + timedelta(days=1) - h.clock.now())
    assert await swept(h) == 1
    await h.tap(KAREN, h.i18n.translator("da").gettext(pairing.CONTINUE))
    h.clock.advance(days=6)
    before = len(h.session.calls)
    assert await swept(h) == 1
    assert h.messages(AMAL)[-1].text.startswith(ar.gettext("A reminder: I have not heard from you yet."))
    assert h._new_for(KAREN, before) == [], "who answered is not reminded"
    h.clock.advance(days=7)
    overdue = (await h.send(COORDINATOR, "/overdue"))[-1].text
    assert overdue == (
        "No decision 14 days after the first meeting – call the one who has not answered:\n"
        "M-1 Amal (P-1) + Karen (P-2) – overdue 0 days, last contact Mar 10, 2026 – not answered: Amal"
    )
    await h.tap(AMAL, ar.gettext(pairing.CONTINUE))

    # Confirmed: three weeks on without an agreement, both are asked; a week later it is overdue.
    h.clock.advance(days=21)
    assert await swept(h) == 1
    da = h.i18n.translator("da")
    assert h.messages(KAREN)[-1].labels[0] == da.gettext("📝 Fill in the agreement")
    assert h.messages(AMAL)[-1].labels[0] == ar.gettext("📝 Fill in the agreement")
    await h.tap(AMAL, ar.gettext("💬 I would like to talk to the coordinator"))
    assert h.texts(COORDINATOR)[-1] == "M-1: Amal (P-1) would like you to contact her."
    h.clock.advance(days=7)
    overdue = (await h.send(COORDINATOR, "/overdue"))[-1].text
    assert overdue.startswith("No mentor agreement 4 weeks after the confirmation")
    assert await swept(h) == 0


async def test_after_downtime_only_the_latest_decision_message_goes_out(harness: Harness) -> None:
    h = harness
    await proposed(h)
    when = await meeting_fixed(h)
    h.clock.advance(when + timedelta(days=10) - h.clock.now())
    assert await swept(h) == 1
    ar = h.i18n.translator("ar")
    asked = [t for t in h.texts(AMAL) if ar.gettext("Would you like to continue") in t or "How was" in t]
    assert (
        len(
            [
                t
                for t in h.texts(AMAL)
                if t.startswith(ar.gettext("A reminder: I have not heard from you yet."))
            ]
        )
        == 1
    )
    assert len(asked) <= 1
    assert await swept(h) == 0


async def test_bad_input_changes_nothing(harness: Harness) -> None:
    h = harness
    amal = ready(h, AMAL, "Amal", "en", "mentee")
    karen = ready(h, KAREN, "Karen", "en", "mentor")
    lene = ready(h, LENE, "Lene", "en", "mentor")
    await h.send(COORDINATOR, "/start", language="en")
    # Proposing a mentor as the mentee, wrong ids, a malformed line.
    said = (await h.send(COORDINATOR, f"/propose {karen.short_id} {amal.short_id}"))[-1].text
    assert said.startswith("Not proposed: Karen (P-2) is registered as a mentor, not as a mentee.")
    assert (await h.send(COORDINATOR, "/propose P-1"))[-1].text.startswith("Write it like /propose P-12 P-40")
    assert (await h.send(COORDINATOR, "/propose P-1 P-99"))[-1].text.startswith(
        "I do not know a registered person P-99."
    )
    # A person already in a pair.
    await h.send(COORDINATOR, f"/propose {amal.short_id} {karen.short_id}")
    said = (await h.send(COORDINATOR, f"/propose {amal.short_id} {lene.short_id}"))[-1].text
    assert said == "Not proposed: Amal (P-1) is already in the proposed pair M-1."
    # Not a coordinator.
    assert (await h.send(AMAL, "/propose P-1 P-3"))[-1].text.startswith("Sorry, /propose is only for")

    # A meeting date in the past or years ahead.
    await h.press(AMAL, "ps:1")
    past = (await h.send(AMAL, "2025-12-01"))[-1].text
    assert past.startswith("⚠️") and "Question 1 of 2" in past
    ahead = (await h.send(AMAL, "2029-01-01"))[-1].text
    assert ahead.startswith("⚠️")
    await h.send(AMAL, "2026-01-05")  # today, but the time has passed
    await h.send(AMAL, "08:00")
    await h.tap(AMAL, "✅")
    assert h.texts(AMAL)[-1].startswith("⚠️ That time has already passed.")
    assert the_pair(h).meeting_at is None

    # Confirming a meeting that was moved.
    await h.send(AMAL, "2026-01-09")
    await h.send(AMAL, "17:30")
    await h.tap(AMAL, "✅")
    first_ask = h.last_with_buttons(KAREN)
    await h.send(AMAL, "/meeting")
    await h.send(AMAL, "2026-01-10")
    await h.send(AMAL, "17:30")
    await h.tap(AMAL, "✅")
    await h.press(KAREN, first_ask.data("✅"), first_ask.message_id)
    assert toast(h) == "This time was changed since. Please answer the latest message about your meeting."
    assert the_pair(h).meeting_agreed_at is None
    # The proposer cannot confirm her own time; a third person's press finds nothing.
    await h.press(AMAL, f"pm:1:{the_pair(h).meeting_rev}:y", h.messages(AMAL)[-1].message_id)
    assert toast(h) == "You proposed this time; Karen is asked to confirm it."
    await h.press(LENE, f"pm:1:{the_pair(h).meeting_rev}:y", 1)
    assert toast(h).startswith("This button is from an earlier question")
    await h.tap(KAREN, "✅")

    # A yes/no pressed before the meeting, by a third person, twice, and after the decision.
    await h.press(LENE, "pd:1:y", 1)
    assert toast(h).startswith("This button is from an earlier question")
    h.clock.advance(days=7)
    assert await swept(h) == 1
    question = h.last_with_buttons(AMAL)
    await h.press(AMAL, question.data("Yes"), question.message_id)
    await h.press(AMAL, question.data("No"), question.message_id)
    assert toast(h) == "You have already answered. Thank you!"
    assert the_pair(h).mentee_decision is True
    await h.tap(KAREN, "Yes")
    await h.press(KAREN, "pd:1:n", h.messages(KAREN)[-1].message_id)
    assert toast(h) == "You have already answered. Thank you!"
    assert the_pair(h).status == "confirmed"
    # Pair commands for someone with no pair.
    assert (await h.send(LENE, "/agreement"))[-1].text.startswith(
        "This is for a mentor and mentee who have both"
    )
    assert (await h.send(LENE, "/meeting"))[-1].text.startswith("/meeting is for the first meeting")
    # A voice note in the middle of the agreement is answered with the open question.
    await h.send(AMAL, "/agreement")
    await h.feed(h.message_update(AMAL, voice={"file_id": "v", "file_unique_id": "v", "duration": 2}))
    assert h.texts(AMAL)[-1].startswith("⚠️ I can only read text and button presses.")


def test_two_coordinators_proposing_the_same_mentee_at_once_make_one_pair(db: Database) -> None:
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    with db.session() as session:
        mentee = Person(language="en", created_at=now, role="mentee")
        mentors = [Person(language="en", created_at=now, role="mentor") for i in range(12)]
        session.add_all([mentee, *mentors])
        session.flush()
        mentee_id, mentor_ids = mentee.id or 0, [m.id or 0 for m in mentors]
    results: list[int | None] = []
    barrier = threading.Barrier(len(mentor_ids))

    def attempt(mentor_id: int) -> None:
        barrier.wait()
        with db.session() as session:
            results.append(
                pairs.propose(session, mentee_id=mentee_id, mentor_id=mentor_id, coordinator=1, now=now)
            )

    threads = [threading.Thread(target=attempt, args=(m,)) for m in mentor_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([r for r in results if r is not None]) == 1
    with db.session() as session:
        assert len(session.exec(select(Pair)).all()) == 1


async def test_suggest_everyone_then_propose_all_unless_the_pool_changed(harness: Harness) -> None:
    h = harness
    ready(h, 8101, "Amal", "en", "mentee", line_of_work="health", city="Odense")
    ready(h, 8102, "Hana", "en", "mentee", line_of_work="health")
    ready(h, 8103, "Karen", "en", "mentor", line_of_work="health", city="Vejle")
    ready(h, 8104, "Lene", "en", "mentor", city="Odense")
    await h.send(COORDINATOR, "/start", language="en")
    listed = (await h.send(COORDINATOR, "/suggest"))[-1]
    # The optimum, not the greedy choice: Amal gets Lene (same city), Hana gets Karen (same work).
    assert "P-2 Hana + P-3 Karen" in listed.text and "P-1 Amal + P-4 Lene" in listed.text
    assert listed.labels == [
        "Propose Hana (P-2) + Karen (P-3)",
        "Propose Amal (P-1) + Lene (P-4)",
        "Propose all 2 pairs",
    ]
    # Before she presses, a mentor who fits Amal better is ready: the list is no longer the best.
    ready(h, 8105, "Mette", "en", "mentor", line_of_work="health", city="Odense")
    again = await h.tap(COORDINATOR, "Propose all")
    assert again[0].text == "Who is waiting has changed since that list. Here is the list as it is now:"
    with h.db.session() as session:
        assert session.exec(select(Pair)).all() == []
    asked = await h.tap(COORDINATOR, "Propose all")
    assert asked[-1].text == "Propose all 2 pairs? 4 women get a proposal at once."
    with h.db.session() as session:
        assert session.exec(select(Pair)).all() == [], "nothing before she confirms"
    await h.tap(COORDINATOR, "Yes, propose all 2")
    with h.db.session() as session:
        assert {(p.mentee_id, p.mentor_id) for p in session.exec(select(Pair))} == {
            (2, 3),
            (1, 6),
        }  # Mette is P-6: the coordinator is P-5
    assert (await h.send(COORDINATOR, "/suggest"))[-1].text.startswith("There is no pair to suggest")
