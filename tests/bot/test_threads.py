"""Write to the coordinator, through the real dispatcher: a mentee's message (a voice note above all)
reaches her coordinator with who wrote, and the coordinator's answer comes back signed."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiogram.types import Sticker, Voice
from sqlmodel import select

from bot.sandbox.emulator import command_entities
from conversations.clock import FakeClock
from conversations.i18n import I18n
from conversations.sweep import digests
from storage import threads as stored
from storage.db import Database
from storage.models import OutboxMessage, Pair, Person, Thread, ThreadMessage
from tests.conftest import FILE_METHODS, Harness, add_person

KAREN, LISE = 1, 2  # coordinators
AMAL, NORA, MENTOR = 501, 502, 503


@pytest.fixture
async def h(db: Database, clock: FakeClock, i18n: I18n) -> AsyncIterator[Harness]:
    """Two coordinators, Karen (named) and Lise (no name yet), who have both met the bot."""
    harness = Harness(db, clock, i18n, frozenset({KAREN, LISE}))
    with db.session() as session:
        add_person(session, KAREN, language="en", created_at=clock.now(), name="Karen")
        add_person(session, LISE, language="da", created_at=clock.now())
        session.commit()
    harness.user(KAREN, "en")
    harness.user(LISE, "da")
    yield harness
    await harness.bot.session.close()


def participant(h: Harness, telegram_id: int, name: str, language: str, **fields: Any) -> Person:
    """A registered woman."""
    values: dict[str, Any] = {"status": "ready_to_be_matched", "role": "mentee", "consent_at": h.clock.now()}
    with h.db.session() as session:
        person = add_person(
            session, telegram_id, language=language, created_at=h.clock.now(), name=name, **(values | fields)
        )
        session.commit()
        session.refresh(person)
    h.user(telegram_id, language)
    return person


def in_pair(h: Harness, mentee: Person, status: str = "confirmed") -> Pair:
    """Amal in a pair that Karen coordinates."""
    mentor = participant(h, MENTOR, "Lene", "da", role="mentor", status="in_relationship")
    with h.db.session() as session:
        pair = Pair(
            mentee_id=mentee.id or 0,
            mentor_id=mentor.id or 0,
            coordinator=h.person_id(KAREN),
            status=status,
            proposed_at=h.clock.now(),
        )
        session.add(pair)
        session.commit()
        session.refresh(pair)
    return pair


def voice(file_id: str = "VOICE-1") -> dict[str, Any]:
    return {"voice": Voice(file_id=file_id, file_unique_id=file_id, duration=12)}


async def send_media(h: Harness, user_id: int, **content: Any) -> None:
    await h.feed(h.message_update(user_id, **content))


def files_to(h: Harness, user_id: int) -> list[Any]:
    """The files passed on to someone, as Bot API calls."""
    return [c for c in h.session.calls if type(c).__name__ in FILE_METHODS and c.chat_id == user_id]


def buttons_of(call: Any) -> list[tuple[str, str]]:
    markup = call.reply_markup
    return [(b.text, b.callback_data) for row in markup.inline_keyboard for b in row] if markup else []


def data_of(call: Any, label_part: str) -> str:
    return next(data for label, data in buttons_of(call) if label_part in label)


def toast(h: Harness) -> str | None:
    return h.calls("AnswerCallbackQuery")[-1].text


async def test_a_voice_note_reaches_her_coordinator_and_the_answer_comes_back_signed(
    h: Harness, i18n: I18n
) -> None:
    amal = participant(h, AMAL, "Amal", "ar")
    pair = in_pair(h, amal)
    await send_media(h, AMAL, **voice())

    # Karen, her pair's coordinator, gets who wrote, then the voice note itself with the buttons.
    card = h.texts(KAREN)[-2]
    assert "Amal" in card and amal.short_id in card and pair.short_id in card
    assert "She writes in Arabic;" in card, "the language named in the reader's language, not its own"
    assert "ready to be matched" in card
    assert "a voice note" in card
    [voice_note] = files_to(h, KAREN)
    assert type(voice_note).__name__ == "SendVoice" and voice_note.voice == "VOICE-1"
    assert amal.short_id in voice_note.caption
    assert [label for label, _ in buttons_of(voice_note)] == ["↩️ Reply", "👤 Profile", "✔ Mark handled"]
    assert not h.texts(LISE), "the other coordinator is not disturbed"

    # Amal is told, in Arabic, that it reached Karen and by when to expect an answer.
    tr = i18n.translator("ar")
    ack = h.texts(AMAL)[-1]
    assert tr.gettext("Thank you! Your message has reached your coordinator, {name}.", name="Karen") in ack
    due = h.clock.now() + timedelta(days=2)  # Monday: two working days is Wednesday
    assert tr.date(due) in ack

    # Karen replies; Amal gets it signed with Karen's name, with a way to close.
    await h.press(KAREN, data_of(voice_note, "Reply"))
    assert "Write your answer to Amal" in h.texts(KAREN)[-1]
    got = await h.send(KAREN, "Dear Amal, I will call you tomorrow at ten.")
    assert got[-1].text.startswith(f"Sent to Amal ({amal.short_id}).")
    answer = h.messages(AMAL)[-1]
    assert answer.text.startswith(
        tr.gettext("✉️ From {signature}:", signature=tr.gettext("{name}, your coordinator", name="Karen"))
    )
    assert "Dear Amal, I will call you tomorrow at ten." in answer.text
    assert answer.labels == [tr.gettext("Close the conversation")]

    # The thread goes on: Amal answers by writing; it reaches Karen again, with the full acknowledgement.
    await h.send(AMAL, "شكرا")
    assert "شكرا" in h.texts(KAREN)[-1]
    assert (
        tr.gettext("Thank you! Your message has reached your coordinator, {name}.", name="Karen")
        in h.texts(AMAL)[-1]
    )

    # Amal closes it; Karen is told, and an old Reply is refused politely.
    await h.tap(AMAL, tr.gettext("Close the conversation"))
    assert "closed her conversation" in h.texts(KAREN)[-1]
    await h.press(KAREN, data_of(voice_note, "Reply"))
    assert toast(h) == "This conversation is already closed."


async def test_a_burst_is_acknowledged_once_in_full(h: Harness) -> None:
    """The first message she waits on gets the whole acknowledgement, the rest a short line."""
    participant(h, AMAL, "Amal", "en")
    await h.send(AMAL, "Hello, I have a question about my interview.")
    await h.send(AMAL, "It is about the time.")
    await send_media(h, AMAL, **voice())
    acks = h.texts(AMAL)
    assert acks[0].startswith("Thank you! Your message has reached the coordinators.")
    assert "within 2 working days" in acks[0]
    assert acks[1:] == ["✓ Passed on to the coordinator.", "✓ Passed on to the coordinator."]


async def test_the_first_coordinator_to_answer_takes_the_thread(h: Harness) -> None:
    amal = participant(h, AMAL, "Amal", "en")
    await h.send(AMAL, "Can someone help me with my CV?")
    # Nobody holds it: both coordinators get it.
    assert "Can someone help me with my CV?" in h.texts(KAREN)[-1]
    assert "Can someone help me with my CV?" in h.texts(LISE)[-1]
    karen_card, lise_card = h.last_with_buttons(KAREN), h.last_with_buttons(LISE)

    await h.press(KAREN, karen_card.data("Reply"))
    await h.send(KAREN, "Yes: send it to me here.")
    with h.db.session() as session:
        thread = stored.open_thread_of(session, person_id=amal.id or 0)
        assert thread is not None and thread.coordinator == h.person_id(KAREN)

    got = await h.press(LISE, lise_card.data(h.i18n.translator("da").gettext("↩️ Reply")))
    assert got[-1].text == h.i18n.translator("da").gettext(
        "{holder} has taken the conversation with {name} ({id}) and answers her.",
        holder="Karen",
        name="Amal",
        id=amal.short_id,
    )
    # Her next message goes to Karen only.
    before = len(h.texts(LISE))
    await h.send(AMAL, "Here it is.")
    assert "Here it is." in h.texts(KAREN)[-1]
    assert len(h.texts(LISE)) == before


async def test_a_coordinator_without_a_name_signs_neutrally(h: Harness, i18n: I18n) -> None:
    participant(h, AMAL, "Amal", "da")
    await h.send(AMAL, "Hej!")
    await h.press(LISE, h.last_with_buttons(LISE).data(i18n.translator("da").gettext("↩️ Reply")))
    await h.send(LISE, "Hej Amal")
    tr = i18n.translator("da")
    assert h.texts(AMAL)[-1].startswith(
        tr.gettext("✉️ From {signature}:", signature=tr.gettext("your coordinator"))
    )


async def test_mark_handled_closes_and_a_stale_reply_is_refused(h: Harness) -> None:
    amal = participant(h, AMAL, "Amal", "en")
    in_pair(h, amal)
    await h.send(AMAL, "Is the meeting on Friday?")
    card = h.last_with_buttons(KAREN)
    got = await h.press(KAREN, card.data("Mark handled"))
    assert got[-1].text == f"Marked handled: Amal ({amal.short_id})."
    assert h.texts(AMAL)[-1].startswith("Your coordinator has marked your conversation as done.")

    before = len(h.texts(AMAL))
    assert await h.press(KAREN, card.data("Reply"), card.message_id) == []
    assert toast(h) == "This conversation is already closed."
    await h.press(KAREN, card.data("Mark handled"), card.message_id)
    assert toast(h) == "This conversation is already closed."
    assert len(h.texts(AMAL)) == before, "nothing more reaches her"
    # A forged thread number is refused too.
    await h.press(KAREN, "tc:r:999")
    assert (
        toast(h) == "This button is from an earlier question. Please use the buttons on the latest message."
    )

    # She writes again: a new thread, acknowledged in full.
    await h.send(AMAL, "One more thing.")
    assert h.texts(AMAL)[-1].startswith("Thank you! Your message has reached your coordinator, Karen.")


async def test_a_command_cancels_the_reply(h: Harness) -> None:
    participant(h, AMAL, "Amal", "en")
    await h.send(AMAL, "Hello?")
    await h.press(KAREN, h.last_with_buttons(KAREN).data("Reply"))
    got = await h.send(KAREN, "/cancel")
    assert got[-1].text == "Nothing was sent."
    got = await h.send(KAREN, "Hello Amal")
    assert got[-1].text == "I am not waiting for an answer from you right now. /help shows what you can do."
    # Another command drops it too, and does its own work.
    await h.press(KAREN, h.last_with_buttons(KAREN).data("Reply"))
    got = await h.send(KAREN, "/inbox")
    assert got[-1].text.startswith("Open conversations, the longest waiting first:")
    before = len(h.texts(AMAL))
    await h.send(KAREN, "Hello Amal")
    assert len(h.texts(AMAL)) == before


async def test_media_fallbacks(h: Harness) -> None:
    amal = participant(h, AMAL, "Amal", "en")
    in_pair(h, amal)
    # A sticker is not passed on, nor kept.
    sticker = Sticker(
        file_id="S",
        file_unique_id="S",
        type="regular",
        width=512,
        height=512,
        is_animated=False,
        is_video=False,
    )
    await send_media(h, AMAL, sticker=sticker)
    assert h.texts(AMAL)[-1].startswith("I can pass text, voice notes, photos, documents and videos on")
    with h.db.session() as session:
        assert session.exec(select(ThreadMessage)).all() == []

    # A voice note Telegram refuses to pass on: Karen gets a word instead, with the buttons.
    h.session.faults.append(("SendVoice", 400, "Bad Request: wrong file identifier", {}))
    await send_media(h, AMAL, **voice("BROKEN"))
    fallback = [sent for chat, sent in h._sent(h.session.calls) if chat == KAREN][-1]
    assert fallback.text.startswith("(She sent a voice note, but it could not be shown here.")
    assert f"Amal ({amal.short_id})" in fallback.text
    assert "Reply" in fallback.labels[0]

    # Karen answers with a photo: answers go as text; she stays in her answer and writes it.
    await h.press(KAREN, fallback.data("Reply"))
    from aiogram.types import PhotoSize

    await send_media(h, KAREN, photo=[PhotoSize(file_id="P", file_unique_id="P", width=9, height=9)])
    assert h.texts(KAREN)[-1].startswith("Answers are sent as text: please write your answer.")
    await h.send(KAREN, "Please send it again.")
    assert "Please send it again." in h.texts(AMAL)[-1]


async def test_inbox_lists_the_longest_waiting_first(h: Harness) -> None:
    participant(h, NORA, "Nora", "en")
    participant(h, AMAL, "Amal", "en")
    await h.send(NORA, "First, from Nora.")
    h.clock.advance(timedelta(hours=3))
    await h.send(AMAL, "Second, from Amal.")
    got = await h.send(KAREN, "/inbox")
    text = got[-1].text
    assert text.index("Nora") < text.index("Amal")
    assert "«First, from Nora.»" in text
    assert "nobody has taken it yet" in text
    assert got[-1].labels[0].startswith("Reply to P-")
    # Answered threads come after those still waiting.
    nora_card = next(m for m in h.messages(KAREN) if "Nora" in m.text and m.buttons)
    await h.press(KAREN, nora_card.data("Reply"), nora_card.message_id)
    await h.send(KAREN, "Hi Nora")
    text = (await h.send(KAREN, "/inbox"))[-1].text
    assert text.index("Amal") < text.index("Nora")
    assert "answered – Karen" in text


async def test_an_unanswered_thread_is_overdue_after_the_promised_time(h: Harness) -> None:
    participant(h, AMAL, "Amal", "en")
    await h.send(AMAL, "Hello, anyone?")  # Monday 09:00: the answer is due Wednesday 09:00
    h.clock.advance(timedelta(days=1, hours=23))
    assert (await h.send(KAREN, "/overdue"))[-1].text == "Nothing is overdue."
    h.clock.advance(timedelta(hours=1))
    text = (await h.send(KAREN, "/overdue"))[-1].text
    assert "waited longer than promised" in text and "Amal" in text
    # And so in the morning digest, to every coordinator while nobody holds it.
    h.clock.advance(timedelta(hours=1))
    assert digests(h.db, h.clock.now(), h.i18n, h.coordinators) == 2
    await h.sender.drain()
    assert "messages waiting too long for an answer: 1" in h.texts(KAREN)[-1]


def test_answer_due_skips_the_weekend() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from conversations.threads import answer_due

    friday = datetime(2026, 1, 9, 15, 0, tzinfo=UTC)
    assert answer_due(friday, 2, ZoneInfo("Europe/Copenhagen")).date().isoformat() == "2026-01-13"


async def test_sealed_at_rest(h: Harness) -> None:
    amal = participant(h, AMAL, "Amal", "en")
    await h.send(AMAL, "My secret worry about my mentor")
    await h.press(KAREN, h.last_with_buttons(KAREN).data("Reply"))
    await h.send(KAREN, "A confidential answer")
    with h.db.session() as session:
        rows = session.exec(select(ThreadMessage)).all()
        assert len(rows) == 2
        assert all("secret" not in r.sealed and "confidential" not in r.sealed for r in rows)
        assert h.notes.open(rows[0].sealed)["text"] == "My secret worry about my mentor"
        outbox = session.exec(select(OutboxMessage)).all()
        assert not [m for m in outbox if "secret" in str(m.payload) or "confidential" in str(m.payload)]
        thread = session.exec(select(Thread)).one()
        assert thread.person_id == amal.id


async def test_help_mid_question_offers_to_write_aside(h: Harness) -> None:
    """With a question open, text answers it; the /help button sends one message aside, then asks again."""
    amal = participant(h, AMAL, "Amal", "en", status="ready_to_be_matched")
    in_pair(h, amal, status="proposed")
    asked = (await h.send(AMAL, "/meeting"))[-1].text
    got = await h.send(AMAL, "/help")
    assert got[-1].text == asked, "the question is asked again after /help"
    help_message = next(m for m in reversed(h.messages(AMAL)) if "Write to the coordinator" in str(m.labels))
    await h.press(AMAL, help_message.data("Write to the coordinator"), help_message.message_id)
    assert h.texts(AMAL)[-1].startswith("Write your message to the coordinator now")
    await send_media(h, AMAL, **voice("ASIDE"))
    assert [c.voice for c in files_to(h, KAREN)] == ["ASIDE"]
    texts = h.texts(AMAL)
    assert texts[-2].startswith("Thank you! Your message has reached your coordinator, Karen.")
    assert texts[-1].startswith("Here is my question again:")
    # The next text answers the question again, not the coordinator.
    before = len(h.texts(KAREN))
    await h.send(AMAL, "tomorrow")
    assert len(h.texts(KAREN)) == before


async def test_a_coordinator_mid_question_answers_and_gets_her_question_back(h: Harness) -> None:
    participant(h, AMAL, "Amal", "en")
    await h.send(AMAL, "Hello?")
    card = h.last_with_buttons(KAREN)
    await h.send(KAREN, "/addslot")  # a question of her own is open
    await h.press(KAREN, card.data("Reply"), card.message_id)
    got = await h.send(KAREN, "Hello Amal, all is well.")
    assert "Hello Amal, all is well." in h.texts(AMAL)[-1]
    assert got[-1].text.startswith("Here is my question again:")


async def test_hand_over_threads(h: Harness) -> None:
    amal = participant(h, AMAL, "Amal", "en")
    nora = participant(h, NORA, "Nora", "en")
    in_pair(h, amal)
    await h.send(AMAL, "Hello Karen")
    await h.send(NORA, "Hello anyone")
    karen, lise = h.person_id(KAREN), h.person_id(LISE)
    with h.db.session() as session:
        assert stored.hand_over_threads(session, from_person_id=karen, to_person_id=lise) == 1
        session.commit()
    with h.db.session() as session:
        assert stored.open_thread_of(session, person_id=amal.id or 0).coordinator == lise  # type: ignore[union-attr]
        assert stored.open_thread_of(session, person_id=nora.id or 0).coordinator is None  # type: ignore[union-attr]
        assert stored.hand_over_threads(session, from_person_id=karen, to_person_id=lise) == 0
    await h.send(AMAL, "Are you there?")
    assert "Are you there?" in h.texts(LISE)[-1]


async def test_someone_who_has_not_consented_is_not_stored(h: Harness) -> None:
    got = await h.send(NORA, "Hello, I want a mentor")
    assert got[-1].text.startswith("I can pass your messages on to a coordinator once you are registered.")
    await send_media(h, NORA, **voice())
    with h.db.session() as session:
        assert session.exec(select(ThreadMessage)).all() == []
        assert session.exec(select(Thread)).all() == []
        outbox = session.exec(select(OutboxMessage)).all()
        assert not [m for m in outbox if "I want a mentor" in str(m.payload)]
    assert not h.texts(KAREN)


async def test_a_thread_held_by_a_former_coordinator_is_free_again(h: Harness) -> None:
    """Someone removed from the coordinators' list cannot answer: her thread goes to everyone again."""
    amal = participant(h, AMAL, "Amal", "en")
    former = participant(h, 3, "Birgit", "da", status=None, role=None)  # was a coordinator once
    with h.db.session() as session:
        stored.open_thread(session, person_id=amal.id or 0, coordinator=former.id, now=h.clock.now())
        session.commit()
    await h.send(AMAL, "Hello?")
    assert not h.texts(3), "nothing goes to someone no longer a coordinator"
    await h.press(KAREN, h.last_with_buttons(KAREN).data("Reply"))
    await h.send(KAREN, "Here I am.")
    assert "Here I am." in h.texts(AMAL)[-1]


async def test_a_long_caption_is_cut_to_what_telegram_takes(h: Harness) -> None:
    """Her caption may fill Telegram's 1,024 characters; with who wrote added, the sender cuts it."""
    participant(h, AMAL, "Amal", "en")
    await send_media(h, AMAL, caption="x" * 1024, **voice())
    [sent] = files_to(h, KAREN)
    assert len(sent.caption) == 1024 and sent.caption.endswith("…")
    assert sent.caption.startswith("Amal (P-")


async def test_a_danish_coordinator_reads_her_language_named_in_danish(h: Harness, i18n: I18n) -> None:
    """Who wrote is read in the coordinator's language: "arabisk" to a Dane, not "العربية"."""
    participant(h, AMAL, "Amal", "ar")
    await h.send(AMAL, "مرحبا")
    card = h.texts(LISE)[-1]
    assert "arabisk" in card and "العربية" not in card
    assert "Arabic" in h.texts(KAREN)[-1]


async def test_the_date_in_an_arabic_acknowledgement_has_no_commands(h: Harness) -> None:
    """Babel's Arabic date (02<RLM>/12<RLM>/2026) would give Telegram the commands "/12" and "/2026"."""
    participant(h, AMAL, "Amal", "ar")
    await h.send(AMAL, "مرحبا")
    ack = h.texts(AMAL)[-1]
    assert re.search(r"\d\d/\d\d/\d{4}", ack), ack
    assert command_entities(ack) == []
