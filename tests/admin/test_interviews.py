"""Interviews through the dispatcher: slots, invitations, booking, reminders, and what goes wrong."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from conversations.sweep import sweep
from storage import interviews
from storage.db import Database
from storage.models import Booking, Conversation, InterviewNote, InterviewSlot, Person
from tests.conftest import COORDINATOR, Harness, add_person

MARYAM, KAREN = 7001, 7002


def registered(h: Harness, telegram_id: int, name: str, language: str, role: str) -> Person:
    """Someone who finished the registration (how is tested in tests/bot/test_registration.py)."""
    with h.db.session() as session:
        person = add_person(
            session,
            telegram_id,
            language=language,
            created_at=h.clock.now(),
            status="registered",
            role=role,
            name=name,
            city="Aarhus",
            registered_at=h.clock.now(),
        )
        session.add(person)
    h.user(telegram_id, language)
    return person


async def test_invitation_booking_confirmation_and_reminder(harness: Harness) -> None:
    h = harness
    maryam = registered(h, MARYAM, "Maryam", "fa", "mentee")
    await h.send(COORDINATOR, "/start", language="en")
    added = await h.send(COORDINATOR, "/addslot 2026-01-08 10:00 45 Nørregade 1")
    assert added[-1].text == "1 slot added:\nS-1 Jan 8, 2026 10:00\u202fAM · Nørregade 1"  # Copenhagen time

    invited = await h.send(COORDINATOR, f"/invite {maryam.short_id}")
    assert invited[-1].text == f"Maryam ({maryam.short_id}) is invited to an interview."
    fa = h.i18n.translator("fa")
    invitation = h.messages(MARYAM)[-1]
    assert invitation.text.startswith(
        fa.gettext(
            "You are invited to a short interview with a coordinator of the Mentor Network. 🗓\n\n"
            "We will talk about your work and education, your goals and what you wish for in a match. "
            "What you tell us stays between you and the coordinators. It takes about {minutes} minutes.",
            minutes=45,
        )
    )
    assert [data for row in invitation.buttons for _, data in row] == ["bk:1"]

    chose = await h.press(MARYAM, "bk:1")
    assert "bc:1:y" in [data for row in chose[-1].buttons for _, data in row]
    assert h.texts(COORDINATOR)[-1].startswith(f"Maryam ({maryam.short_id}) booked an interview:")
    confirmed = await h.tap(MARYAM, fa.gettext("✅ Yes, I will come"))
    assert confirmed[-1].text.startswith(
        fa.gettext("Thank you! See you on {slot}. I will remind you the day before.", slot="")[:10]
    )

    h.clock.advance(days=2, hours=1)  # 24 hours before 10:00 Copenhagen on 8 January
    report = sweep(h.db, h.clock, h.i18n)
    await h.sender.drain()
    assert report.interview_reminders == 1
    reminder = h.messages(MARYAM)[-1]
    assert sorted(data for row in reminder.buttons for _, data in row) == ["bc:1:c", "bc:1:r", "bc:1:y"]
    assert sweep(h.db, h.clock, h.i18n).interview_reminders == 0, "a second sweep sends nothing"


async def test_no_free_times_then_new_ones_are_offered(harness: Harness) -> None:
    h = harness
    karen = registered(h, KAREN, "Karen", "da", "mentor")
    await h.send(COORDINATOR, "/start", language="en")
    await h.send(COORDINATOR, f"/invite {karen.short_id}")
    da = h.i18n.translator("da")
    assert h.texts(KAREN)[-1].endswith(
        da.gettext(
            "There are no free interview times just now. We will write to you here as soon as there are."
        )
    )
    assert any("there are no free interview times" in t for t in h.texts(COORDINATOR))
    await h.send(COORDINATOR, "/addslot 2026-01-13 10:00-11:00 30 x2 Vesterbrogade 2")
    offer = h.messages(KAREN)[-1]
    assert offer.text.startswith(da.gettext("New interview times are open."))
    assert len(offer.buttons) == 4
    assert "Offered to 1 person waiting for a time." in h.texts(COORDINATOR)[-1]


async def test_two_at_the_last_slot(harness: Harness) -> None:
    h = harness
    first, second = registered(h, 7003, "A", "en", "mentee"), registered(h, 7004, "B", "en", "mentee")
    await h.send(COORDINATOR, "/addslot 2026-01-08 10:00 45 Here", language="en")
    await h.send(COORDINATOR, f"/invite {first.short_id}")
    await h.send(COORDINATOR, f"/invite {second.short_id}")
    await h.press(7003, "bk:1")
    late = await h.press(7004, "bk:1")
    assert h.calls("AnswerCallbackQuery")[-1].text == "That time is no longer free."
    assert late[-1].text.startswith("Sorry, that time was just taken or removed.")
    with h.db.session() as session:
        assert len(session.exec(select(Booking)).all()) == 1


def test_many_simultaneous_bookings_make_one(db: Database) -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    with db.session() as session:
        slot = interviews.add_slot(
            session, starts_at=now + timedelta(days=3), minutes=30, place="X", by=1, now=now
        )
        people = [Person(language="en", created_at=now) for i in range(12)]
        session.add_all(people)
        session.flush()
        slot_id, person_ids = slot.id, [p.id for p in people]
    results: list[int | None] = []
    barrier = threading.Barrier(len(person_ids))

    def attempt(person_id: int) -> None:
        barrier.wait()
        with db.session() as session:
            results.append(interviews.book(session, slot_id=slot_id or 0, person_id=person_id, now=now))

    threads = [threading.Thread(target=attempt, args=(pid,)) for pid in person_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([r for r in results if r is not None]) == 1
    with db.session() as session:
        assert len(session.exec(select(Booking)).all()) == 1


async def test_bad_input(harness: Harness) -> None:
    h = harness
    maryam = registered(h, MARYAM, "Maryam", "en", "mentee")
    await h.send(COORDINATOR, "/start", language="en")
    assert (await h.send(COORDINATOR, "/invite P-999"))[-1].text.startswith(
        "I do not know a registered person P-999."
    )
    assert (await h.send(COORDINATOR, "/invite Maryam"))[-1].text.startswith(
        "I do not know a registered person"
    )
    assert "already passed" in (await h.send(COORDINATOR, "/addslot 2026-01-01 10:00 45 Here"))[-1].text
    assert (await h.send(COORDINATOR, "/addslot soon"))[-1].text.startswith("Write it like this:")
    await h.send(COORDINATOR, "/addslot 2026-01-08 10:00 45 Here")
    clash = (await h.send(COORDINATOR, "/addslot 2026-01-08 10:30 45 Here"))[-1].text
    assert clash.startswith("Nothing was added:") and "overlaps S-1" in clash
    refused = await h.send(MARYAM, "/invite P-1")
    assert refused[0].text.startswith("Sorry, /invite is only for the network's coordinators.")
    await h.send(COORDINATOR, f"/invite {maryam.short_id}")
    invitation = h.last_with_buttons(MARYAM)
    assert (await h.send(COORDINATOR, "/delslot S-1"))[-1].text == "S-1 is removed."
    gone = await h.press(MARYAM, "bk:1", invitation.message_id)  # a slot deleted a moment ago
    assert gone[-1].text.startswith("Sorry, that time was just taken or removed.")
    with h.db.session() as session:
        assert session.exec(select(Booking)).all() == []
        assert session.get(InterviewSlot, 1).removed_at is not None  # type: ignore[union-attr]


async def test_a_reminder_button_after_the_interview_time(harness: Harness) -> None:
    h = harness
    maryam = registered(h, MARYAM, "Maryam", "en", "mentee")
    await h.send(COORDINATOR, "/addslot 2026-01-06 10:00 45 Here", language="en")
    await h.send(COORDINATOR, f"/invite {maryam.short_id}")
    await h.press(MARYAM, "bk:1")
    h.clock.advance(days=2)
    await h.press(MARYAM, "bc:1:y")
    assert (
        h.calls("AnswerCallbackQuery")[-1].text
        == "This interview time has passed. Please write to a coordinator here."
    )
    with h.db.session() as session:
        assert session.exec(select(Booking)).one().confirmed_at is None


async def test_a_week_without_booking_brings_one_reminder(harness: Harness) -> None:
    h = harness
    maryam = registered(h, MARYAM, "Maryam", "en", "mentee")
    await h.send(COORDINATOR, "/addslot 2026-01-20 10:00 45 Here", language="en")
    await h.send(COORDINATOR, f"/invite {maryam.short_id}")
    h.clock.advance(days=6, hours=23)
    assert sweep(h.db, h.clock, h.i18n).booking_reminders == 0
    h.clock.advance(hours=1)
    assert sweep(h.db, h.clock, h.i18n).booking_reminders == 1
    assert sweep(h.db, h.clock, h.i18n).booking_reminders == 0
    await h.sender.drain()
    assert h.texts(MARYAM)[-1].startswith("You have not chosen an interview time yet.")
    h.clock.advance(days=7)
    overdue = (await h.send(COORDINATOR, "/overdue"))[-1].text
    assert overdue == (
        "Invited 14 days ago or more, no interview booked – call her or /invite again:\n"
        f"Maryam ({maryam.short_id}) – overdue 0 days, last contact –"
    )


async def test_interview_notes_make_her_ready_and_stay_sealed(harness: Harness, database_url: str) -> None:
    h = harness
    maryam = registered(h, MARYAM, "Maryam", "fa", "mentee")
    await h.send(COORDINATOR, "/addslot 2026-01-06 10:00 45 Here", language="en")
    await h.send(COORDINATOR, "/name Karen Holm")
    await h.send(COORDINATOR, f"/invite {maryam.short_id}")
    await h.press(MARYAM, "bk:1")
    h.clock.advance(days=1, hours=2)
    started = await h.send(COORDINATOR, f"/interviewed {maryam.short_id}")
    assert started[-1].text.startswith(
        f"Interview notes for Maryam ({maryam.short_id}). Every question can be skipped."
    )
    await h.send(COORDINATOR, "/skip")  # date: today
    await h.send(COORDINATOR, "/skip")  # interviewer: herself
    await h.send(COORDINATOR, "A friend told her about the network")
    await h.send(COORDINATOR, "Calm, determined; two children")
    await h.send(COORDINATOR, "Nurse, 8 years in Kabul, secret-phrase-nursing")
    for _ in range(4):
        await h.send(COORDINATOR, "/skip")
    summary = h.messages(COORDINATOR)[-1]
    assert summary.text.startswith("Interview notes (only coordinators will see them):")
    await h.press(COORDINATOR, summary.data("Confirm"), summary.message_id)
    assert h.texts(COORDINATOR)[-1] == f"Saved. Maryam ({maryam.short_id}) is ready to be matched."
    fa = h.i18n.translator("fa")
    assert h.texts(MARYAM)[-1] == fa.gettext(
        "Thank you for the interview! You are now ready to be matched with a {partner}. 🌱\n\n"
        "A good match depends on who is in the network just now, so it can take some time. We will write to you "
        "here as soon as we have a proposal.",
        partner=fa.gettext("mentor"),
    )
    with h.db.session() as session:
        person = session.get(Person, maryam.id)
        assert person is not None and person.status == "ready_to_be_matched"
        assert session.exec(select(Booking)).one().status == "attended"

    record = (await h.send(COORDINATOR, f"/person {maryam.short_id}"))[-1].text
    assert "• Professional profile: education, work, skills, languages: Nurse, 8 years in Kabul" in record
    assert "Interview notes:" in record
    assert "• Interviewer: Karen Holm" in record, "skipped: the coordinator herself, by her name"
    assert "ready to be matched" in record and "interviewed" in record
    if database_url.startswith("sqlite"):  # the file and its write-ahead log, as a thief would copy them
        files = Path(database_url.removeprefix("sqlite:///")).parent.glob("test.sqlite3*")
        raw = b"".join(path.read_bytes() for path in files)
        assert b"secret-phrase-nursing" not in raw and b"Kabul" not in raw
        assert b"Maryam" in raw, "the check reads the real files"


async def test_a_missed_interview(harness: Harness) -> None:
    h = harness
    maryam = registered(h, MARYAM, "Maryam", "en", "mentee")
    await h.send(COORDINATOR, "/addslot 2026-01-06 10:00 45 Here", language="en")
    await h.send(COORDINATOR, "/addslot 2026-01-09 10:00 45 Here")
    await h.send(COORDINATOR, f"/invite {maryam.short_id}")
    await h.press(MARYAM, "bk:1")
    h.clock.advance(days=1, hours=3)
    done = await h.send(COORDINATOR, f"/noshow {maryam.short_id}")
    assert done[-1].text == f"Recorded: Maryam ({maryam.short_id}) did not come. She is asked to book again."
    again = h.messages(MARYAM)[-1]
    assert again.text.startswith("We missed you at your interview.")
    assert [data for row in again.buttons for _, data in row] == ["bk:2"]
    nothing = await h.send(COORDINATOR, f"/noshow {maryam.short_id}")
    assert nothing[-1].text == f"Maryam ({maryam.short_id}) has no booked interview."


async def test_queue_buttons_invite_and_open_the_profile(harness: Harness) -> None:
    h = harness
    maryam = registered(h, MARYAM, "Maryam", "en", "mentee")
    queue = (await h.send(COORDINATOR, "/queue", language="en"))[-1]
    assert queue.labels == [f"Invite {maryam.short_id}", f"Profile {maryam.short_id}"]
    record = await h.tap(COORDINATOR, "Profile")
    assert record[-1].text.startswith(f"{maryam.short_id} Maryam")
    await h.press(COORDINATOR, queue.data("Invite"), queue.message_id)
    assert h.texts(COORDINATOR)[-1] == f"Maryam ({maryam.short_id}) is invited to an interview."
    again = await h.press(COORDINATOR, queue.data("Invite"), queue.message_id)
    assert again == [] and h.calls("AnswerCallbackQuery")[-1].text.startswith(
        "This button is from an earlier"
    )
    with h.db.session() as session:
        assert session.get(Person, maryam.id).status == "awaiting_interview"  # type: ignore[union-attr]


async def test_a_booked_slot_removed_after_asking(harness: Harness) -> None:
    h = harness
    maryam = registered(h, MARYAM, "Maryam", "en", "mentee")
    await h.send(COORDINATOR, "/addslot 2026-01-08 10:00 45 Here", language="en")
    await h.send(COORDINATOR, "/addslot 2026-01-09 10:00 45 Here")
    await h.send(COORDINATOR, f"/invite {maryam.short_id}")
    await h.press(MARYAM, "bk:1")
    asked = (await h.send(COORDINATOR, "/delslot S-1"))[-1]
    assert asked.text.startswith(f"S-1 is booked by Maryam ({maryam.short_id}). Remove it anyway?")
    await h.tap(COORDINATOR, "Remove it")
    told = h.messages(MARYAM)[-1]
    assert told.text.startswith("We are sorry: your interview time")
    assert [data for row in told.buttons for _, data in row] == ["bk:2"]
    slots = (await h.send(COORDINATOR, "/slots"))[-1].text
    assert "S-1" not in slots and "S-2" in slots and "free" in slots


async def test_slots_step_by_step(harness: Harness) -> None:
    h = harness
    await h.send(COORDINATOR, "/addslot", language="en")
    await h.send(COORDINATOR, "2026-01-08")
    await h.send(COORDINATOR, "9:30")
    await h.send(COORDINATOR, "45")
    await h.send(COORDINATOR, "Nørregade 1")
    summary = h.messages(COORDINATOR)[-1]
    assert summary.text.startswith("A new interview slot:")
    done = await h.press(COORDINATOR, summary.data("Confirm"), summary.message_id)
    assert done[-1].text.startswith("1 slot added:\nS-1 Jan 8, 2026 9:30")


async def test_a_danish_mentor_from_invitation_to_ready(harness: Harness) -> None:
    h = harness
    karen = registered(h, KAREN, "Karen", "da", "mentor")
    da = h.i18n.translator("da")
    await h.send(COORDINATOR, "/addslot 2026-01-07 14:00 30 Vesterbrogade 2", language="en")
    await h.send(COORDINATOR, f"/invite {karen.short_id}")
    invitation = h.last_with_buttons(KAREN)
    assert invitation.text.startswith(
        da.gettext(
            "You are invited to a short interview with a coordinator of the Mentor Network. 🗓\n\n"
            "We will talk about your work and education, your goals and what you wish for in a match. "
            "What you tell us stays between you and the coordinators. It takes about {minutes} minutes.",
            minutes=30,
        )
    )
    assert invitation.labels == ["7. jan. 2026 14.00 · Vesterbrogade 2"], (
        "Danish date and time, Copenhagen time"
    )
    await h.press(KAREN, "bk:1", invitation.message_id)
    await h.tap(KAREN, da.gettext("✅ Yes, I will come"))
    h.clock.advance(days=1, hours=5)
    sweep(h.db, h.clock, h.i18n)
    await h.sender.drain()
    assert h.texts(KAREN)[-1].startswith(
        da.gettext("A reminder: your interview is tomorrow, {slot}. Will you come?", slot="")[:12]
    )
    h.clock.advance(days=1)
    await h.send(COORDINATOR, f"/interviewed {karen.short_id}")
    for _ in range(9):
        await h.send(COORDINATOR, "/skip")
    await h.tap(COORDINATOR, "Confirm")
    assert h.texts(KAREN)[-1] == da.gettext(
        "Thank you for the interview! You are now ready to be matched with a {partner}. 🌱\n\n"
        "A good match depends on who is in the network just now, so it can take some time. We will write to you "
        "here as soon as we have a proposal.",
        partner=da.gettext("mentee"),
    )
    with h.db.session() as session:
        assert session.get(Person, karen.id).status == "ready_to_be_matched"  # type: ignore[union-attr]


async def test_no_reminder_for_a_time_booked_the_day_before(harness: Harness) -> None:
    h = harness
    maryam = registered(h, MARYAM, "Maryam", "en", "mentee")
    await h.send(COORDINATOR, "/addslot 2026-01-06 08:00 45 Here", language="en")
    await h.send(COORDINATOR, f"/invite {maryam.short_id}")
    await h.press(MARYAM, "bk:1")
    assert sweep(h.db, h.clock, h.i18n).interview_reminders == 0


async def test_a_photo_in_the_middle_of_adding_a_slot(harness: Harness) -> None:
    from aiogram.types import PhotoSize

    h = harness
    await h.send(COORDINATOR, "/addslot", language="en")
    before = len(h.session.calls)
    await h.feed(
        h.message_update(COORDINATOR, photo=[PhotoSize(file_id="p", file_unique_id="p", width=9, height=9)])
    )
    got = h._new_for(COORDINATOR, before)
    assert got[-1].text.startswith("⚠️ I can only read text and button presses.")
    assert "Which day? Choose one or write the date." in got[-1].text, "the open question comes again"


async def test_a_coordinator_removed_from_the_list_mid_notes_cannot_finish_them(harness: Harness) -> None:
    h = harness
    maryam = registered(h, MARYAM, "Maryam", "fa", "mentee")
    await h.send(COORDINATOR, f"/invite {maryam.short_id}", language="en")
    await h.send(COORDINATOR, f"/interviewed {maryam.short_id}")
    await h.send(COORDINATOR, "/skip")  # date: today
    # A restart with MENTORBOT_COORDINATORS no longer naming her, the same database.
    after = Harness(h.db, h.clock, h.i18n, frozenset({99}))
    after.users, after._update_ids, after._message_ids = h.users, h._update_ids, h._message_ids
    try:
        refused = await after.send(COORDINATOR, "/skip")
        assert refused[-1].text == (
            "You are no longer on the list of this network's coordinators, so what you had begun was not saved."
        )
        for _ in range(8):
            await after.send(COORDINATOR, "/skip")
    finally:
        await after.bot.session.close()
    with h.db.session() as session:
        assert session.get(Person, maryam.id).status == "awaiting_interview"  # type: ignore[union-attr]
        assert session.exec(select(InterviewNote)).all() == []
        assert session.exec(select(Conversation).where(Conversation.person_id != maryam.id)).all() == []
