"""What a tired person on a phone sends: each gets a clear, translated answer and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.types import Audio, PhotoSize, Sticker, Voice
from sqlmodel import select

from conversations.i18n import I18n
from storage.models import Conversation, OutboxMessage, ThreadMessage
from tests.conftest import COORDINATOR, Harness, person_of

USER = 3001


def snapshot(h: Harness) -> tuple[Any, ...]:
    """Everything that matters about her state."""
    with h.db.session() as session:
        person = person_of(session, USER)
        conversation = session.exec(select(Conversation).where(Conversation.person_id == person.id)).first()
        return (
            person.model_dump(exclude={"created_at"}),
            conversation.model_dump(exclude={"id"}) if conversation else None,
        )


@pytest.fixture
async def at_name(harness: Harness) -> Harness:
    """She has agreed and chosen her role; the bot asks for her name (in Arabic)."""
    await harness.send(USER, "/start", language="ar")
    await harness.press(USER, "cs:y", harness.last_with_buttons(USER).message_id)
    await harness.press(USER, "reg:0:p0")
    return harness


def asked_name_again(h: Harness, i18n: I18n, got: list[Any]) -> None:
    tr = i18n.translator("ar")
    assert got, "she got an answer"
    assert tr.gettext("What is your name? Write it as you would like your match to see it.") in got[-1].text


MEDIA: dict[str, dict[str, Any]] = {
    "voice": {"voice": Voice(file_id="v", file_unique_id="v", duration=4)},
    "photo": {"photo": [PhotoSize(file_id="p", file_unique_id="p", width=90, height=90)]},
    "sticker": {
        "sticker": Sticker(
            file_id="s",
            file_unique_id="s",
            type="regular",
            width=512,
            height=512,
            is_animated=False,
            is_video=False,
            emoji="👍",
        )
    },
    "audio": {"audio": Audio(file_id="a", file_unique_id="a", duration=3)},
}


@pytest.mark.parametrize("kind", MEDIA)
async def test_media_mid_question(at_name: Harness, i18n: I18n, kind: str) -> None:
    h = at_name
    before = snapshot(h)
    sent_before = len(h.session.calls)
    await h.feed(h.message_update(USER, **MEDIA[kind]))
    got = h._new_for(USER, sent_before)
    tr = i18n.translator("ar")
    assert got[-1].text.startswith(
        "⚠️ "
        + tr.gettext("I can only read text and button presses. Please type your answer or use the buttons.")
    )
    asked_name_again(h, i18n, got)
    assert snapshot(h) == before


async def test_media_outside_a_question(harness: Harness) -> None:
    """Someone who has not registered is told how to begin; her voice note is not passed on or kept."""
    await harness.feed(harness.message_update(USER, **MEDIA["voice"]))
    assert harness.texts(USER) == [
        "I can pass your messages on to a coordinator once you are registered. Send /start to begin. "
        "I have not kept what you sent."
    ]
    with harness.db.session() as session:
        assert session.exec(select(ThreadMessage)).all() == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("x" * 5000, "That is too long: please keep it under {max} characters (yours has {length})."),
        ("🙂🙂🙂", "Please answer in words: I cannot read an answer made only of symbols or emoji."),
        ("A", "That is too short: please write at least {min} characters."),
    ],
)
async def test_bad_text(at_name: Harness, i18n: I18n, text: str, problem: str) -> None:
    h = at_name
    before = snapshot(h)
    got = await h.send(USER, text)
    tr = i18n.translator("ar")
    assert got[-1].text.startswith("⚠️ " + tr.gettext(problem, max=80, length=len(text), min=2))
    asked_name_again(h, i18n, got)
    assert snapshot(h) == before


@pytest.mark.parametrize(
    "data", ["reg:0:p0", "reg:1:p7", "reg:999:ok", "cs:y", "lang:xx", "zz:1", "reg:1:" + "9" * 50]
)
async def test_stale_and_forged_buttons(at_name: Harness, i18n: I18n, data: str) -> None:
    h = at_name
    before = snapshot(h)
    got = await h.press(USER, data)
    assert got == [], "nothing is sent"
    answer = h.calls("AnswerCallbackQuery")[-1]
    assert answer.text == i18n.translator("ar").gettext(
        "This button is from an earlier question. Please use the buttons on the latest message."
    )
    assert snapshot(h) == before


async def test_every_button_press_is_answered(at_name: Harness) -> None:
    presses = len([c for c in at_name.session.calls if type(c).__name__ == "AnswerCallbackQuery"])
    assert presses == 2, "the consent and the role button were each answered"


async def test_a_command_mid_question(at_name: Harness, i18n: I18n) -> None:
    h = at_name
    before = snapshot(h)
    got = await h.send(USER, "/help")
    ar = i18n.translator("ar")
    lines = got[0].text.split("\n")
    assert lines[0] == ar.gettext("You are registering. Answer the question below, or:")
    assert ar.directed(f"/back – {ar.gettext('the previous question')}") in lines
    assert ar.directed(f"/cancel – {ar.gettext('stop and delete your answers')}") in lines
    asked_name_again(h, i18n, got)
    got = await h.send(USER, "/dance")
    assert got[0].text == i18n.translator("ar").gettext(
        "I do not know the command /{command}. /help lists what you can do.", command="dance"
    )
    asked_name_again(h, i18n, got)
    assert snapshot(h) == before


async def test_start_twice(at_name: Harness, i18n: I18n) -> None:
    h = at_name
    before = snapshot(h)
    got = await h.send(USER, "/start")
    assert got[-1].text.startswith(
        i18n.translator("ar").gettext("Welcome back! Let us go on where you stopped.")
    )
    asked_name_again(h, i18n, got)
    assert snapshot(h) == before


async def test_the_same_update_twice(at_name: Harness) -> None:
    h = at_name
    update = h.message_update(USER, "Amal Hassan")
    await h.feed(update)
    after_first = snapshot(h)
    with h.db.session() as session:
        outbox = len(session.exec(select(OutboxMessage)).all())
    await h.feed(update)
    with h.db.session() as session:
        assert len(session.exec(select(OutboxMessage)).all()) == outbox
    assert snapshot(h) == after_first
    assert after_first[1]["answers"]["name"] == "Amal Hassan"


async def test_a_coordinator_command_from_a_participant(
    at_name: Harness, i18n: I18n, caplog: pytest.LogCaptureFixture
) -> None:
    h = at_name
    before = snapshot(h)
    with caplog.at_level("WARNING"):
        got = await h.send(USER, "/queue")
    assert got[0].text == i18n.translator("ar").gettext(
        "Sorry, /{command} is only for the network's coordinators. /help shows what you can do.",
        command="queue",
    )
    asked_name_again(h, i18n, got)
    assert snapshot(h) == before
    assert any("/queue refused" in r.message and str(USER) in r.message for r in caplog.records)
    assert not [c for c in h.session.calls if getattr(c, "chat_id", None) == COORDINATOR]


async def test_text_when_nothing_was_asked(harness: Harness) -> None:
    """A coordinator answering nobody is told so; someone unregistered is told how to begin."""
    got = await harness.send(COORDINATOR, "hello?", language="en")
    assert got[-1].text == "I am not waiting for an answer from you right now. /help shows what you can do."
    got = await harness.send(USER, "hello?", language="en")
    assert got[-1].text.startswith("I can pass your messages on to a coordinator once you are registered.")


async def test_group_messages_are_ignored(harness: Harness) -> None:
    from aiogram.types import Chat, Message, Update

    message = Message(
        message_id=1,
        date=harness.clock.now(),
        chat=Chat(id=-100, type="group"),
        from_user=harness.user(USER),
        text="/start",
    )
    await harness.feed(Update(update_id=99, message=message))
    assert harness.calls("SendMessage") == []
