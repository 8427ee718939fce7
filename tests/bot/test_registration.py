"""Whole registrations through the real dispatcher, as a person sees them."""

from __future__ import annotations

import itertools
import re

import pytest
from sqlmodel import select

from conversations.i18n import I18n
from storage.models import Conversation, OutboxMessage, StatusChange
from tests.conftest import COORDINATOR, Harness, person_of

ARABIC = re.compile(r"[\u0600-\u06FF]")


async def choose(h: Harness, user: int, *ops: str) -> None:
    """Press buttons on her latest question by operation (p0 = first choice, t1 = tick the second,
    d = done, s = skip, ok = confirm), whatever the language and the row order."""
    for op in ops:
        last = h.last_with_buttons(user)
        matches = [data for row in last.buttons for _, data in row if data.split(":")[-1] == op]
        assert matches, f"no button {op} in {last.buttons}"
        await h.press(user, matches[0], last.message_id)


async def register_mentee(h: Harness, user: int, language: str, name: str) -> None:
    """The whole registration of a mentee who shares Telegram and her phone."""
    await h.send(user, "/start", language=language)
    await h.press(user, "cs:y", h.last_with_buttons(user).message_id)
    await choose(h, user, "p0")  # mentee
    await h.send(user, name)
    await choose(h, user, "s")  # year of birth skipped
    await h.send(user, "Aarhus")
    await choose(h, user, "t0", "t1", "d")  # Telegram and phone
    await h.send(user, "+45 20 30 40 50")
    await choose(h, user, "p4")  # bachelor
    await h.send(user, "Nursing")
    await choose(h, user, "p2", "p0")  # 2-5 years, health
    await choose(h, user, "t2", "t1", "d")  # Arabic, English
    await choose(h, user, "t0", "d")  # find a job
    await choose(h, user, "s")  # goals in her words skipped
    await choose(h, user, "p0")  # once a month
    await h.send(user, "Someone who works in a hospital")


@pytest.mark.parametrize(
    ("language", "name"), [("en", "Amal Hassan"), ("da", "Amal Hassan"), ("ar", "أمل حسن")]
)
async def test_a_mentee_registers(harness: Harness, i18n: I18n, language: str, name: str) -> None:
    h, user = harness, 2001
    await register_mentee(h, user, language, name)
    tr = i18n.translator(language)

    summary = h.messages(user)[-1]
    assert summary.text.startswith(tr.gettext("Please check your answers:"))
    assert tr.directed(f"• {tr.gettext('Phone')}: +4520304050") in summary.text
    assert f"• {tr.gettext('Year of birth')}: {tr.gettext('(skipped)')}" in summary.text
    await choose(h, user, "ok")

    thanks = h.texts(user)[-1]
    assert thanks == tr.gettext(
        "Thank you, {name}! You are registered. 🌱\n\n"
        "What happens next: a coordinator will invite you here to a short interview about your wishes and "
        "goals. /profile shows what we keep about you, /help what you can do.",
        name=name,
    )
    if language != "en":
        assert not thanks.startswith("Thank you"), "the catalog is used"
    if language == "ar":
        assert ARABIC.search(thanks), "an Arabic reader gets Arabic"
    with h.db.session() as session:
        person = person_of(session, user)
        history = session.exec(select(StatusChange.status).where(StatusChange.person_id == person.id)).all()
    assert (person.status, person.role, person.name, person.city) == ("registered", "mentee", name, "aarhus")
    assert (
        person.share_channels == ["telegram", "phone"]
        and person.phone == "+4520304050"
        and person.email is None
    )
    assert person.languages == ["en", "ar"] and person.goals == ["job"] and person.meetings_per_month == 1
    assert person.education == "bachelor" and person.line_of_work == "health" and person.birth_year is None
    assert person.language == language and history == ["registered"]

    notice = h.texts(COORDINATOR)[-1]
    assert notice == i18n.translator("en").gettext(
        "New registration: {name}, {role}, {city}, writes in {language} ({id}). /queue lists everyone waiting.",
        name=name,
        role="mentee",
        city="Aarhus",
        language={"en": "English", "da": "Danish", "ar": "Arabic"}[language],  # in the reader's language
        id=person.short_id,
    )


async def test_a_mentor_from_a_deep_link_is_not_asked_her_role(harness: Harness) -> None:
    h, user = harness, 2002
    await h.send(user, "/start mentor", language="da")
    await h.press(user, "cs:y:mentor", h.last_with_buttons(user).message_id)
    first = h.messages(user)[-1]
    da = h.i18n.translator("da")
    assert first.text.endswith(
        da.gettext("What is your name? Write it as you would like your match to see it.")
    )
    assert da.gettext("Are you looking for a mentor, or would you like to be one?") not in first.text
    with h.db.session() as session:
        conversation = session.exec(select(Conversation)).one()
    assert conversation.answers == {"role": "mentor"} and conversation.step == "name"


async def test_the_coordinator_is_told_in_her_own_language(harness: Harness, i18n: I18n) -> None:
    h = harness
    await h.send(COORDINATOR, "/language", language="en")
    await h.press(COORDINATOR, "lang:da", h.last_with_buttons(COORDINATOR).message_id)
    await register_mentee(h, 2003, "ar", "أمل")
    await choose(h, 2003, "ok")
    notice = h.texts(COORDINATOR)[-1]
    assert notice.startswith(
        i18n.translator("da").gettext(
            "New registration: {name}, {role}, {city}, writes in {language} ({id}). /queue lists everyone waiting.",
            name="أمل",
            role=i18n.translator("da").gettext("mentee"),
            city="Aarhus",
            language="arabisk",  # in Danish, not in Arabic script
            id="P-2",
        )
    )


async def test_she_resumes_where_she_was_after_a_restart(harness: Harness) -> None:
    h, user = harness, 2004
    await h.send(user, "/start", language="en")
    await h.press(user, "cs:y", h.last_with_buttons(user).message_id)
    await choose(h, user, "p1")  # mentor
    await h.send(user, "Karen Jensen")
    question = h.last_with_buttons(user)
    h.clock.advance(days=3)

    # A new process on the same database: nothing in memory survives.
    restarted = Harness(h.db, h.clock, h.i18n, h.settings.coordinators)
    restarted._update_ids = itertools.count(10_000)  # Telegram's update ids go on growing
    welcome_back = await restarted.send(user, "/start", language="en")
    assert welcome_back[-1].text.startswith("Welcome back! Let us go on where you stopped.")
    assert "In which year were you born?" in welcome_back[-1].text
    await restarted.press(
        user, question.data("Skip"), question.message_id
    )  # a button sent before the restart
    with h.db.session() as session:
        conversation = session.exec(select(Conversation)).one()
    assert conversation.answers == {"role": "mentor", "name": "Karen Jensen", "birth_year": None}
    await restarted.bot.session.close()


async def test_language_switch_asks_the_same_question_again(harness: Harness, i18n: I18n) -> None:
    h, user = harness, 2005
    await h.send(user, "/start", language="en")
    await h.press(user, "cs:y", h.last_with_buttons(user).message_id)
    await choose(h, user, "p0")
    got = await h.send(user, "/language")
    assert "العربية" in got[-1].labels and "Dansk" in got[-1].labels
    got = await h.press(user, "lang:fa", got and h.last_with_buttons(user).message_id)
    persian = i18n.translator("fa")
    assert got[0].text == persian.gettext("From now on I will write to you in English.")
    assert (
        persian.gettext("What is your name? Write it as you would like your match to see it.") in got[-1].text
    )
    commands = h.calls("SetMyCommands")
    assert commands and commands[-1].scope.chat_id == user
    assert commands[-1].commands[0].description == persian.gettext("Register, or see where you are")


async def test_declining_consent_stores_nothing(harness: Harness) -> None:
    h, user = harness, 2006
    await h.send(user, "/start", language="en")
    notice = h.last_with_buttons(user)
    got = await h.press(user, "cs:n", notice.message_id)
    assert "We keep nothing about you except your Telegram number and language" in got[-1].text
    with h.db.session() as session:
        person = person_of(session, user)
        conversations = session.exec(select(Conversation)).all()
    assert person.consent_at is None and conversations == []
    assert (person.name, person.role, person.status) == (None, None, None)
    assert h.messages(user)[-2].buttons == [], "the answered notice loses its buttons"
    again = await h.press(user, "cs:y", notice.message_id)  # she finds the old button after all
    assert again[0].text.startswith("Thank you! Here come the questions.")


async def test_full_notice_on_privacy(harness: Harness) -> None:
    got = await harness.send(2007, "/privacy", language="en")
    assert got[0].text.startswith("Privacy notice of the Mentor Network")
    assert "/profile" in got[0].text


async def test_cancel_deletes_the_answers(harness: Harness) -> None:
    h, user = harness, 2008
    await h.send(user, "/start", language="en")
    await h.press(user, "cs:y", h.last_with_buttons(user).message_id)
    await choose(h, user, "p0")
    await h.send(user, "Amal")
    got = await h.send(user, "/cancel")
    assert "answers are deleted" in got[-1].text
    with h.db.session() as session:
        assert session.exec(select(Conversation)).all() == []
        assert person_of(session, user).consent_at is None


async def test_profile_shows_what_is_kept(harness: Harness) -> None:
    h, user = harness, 2009
    await register_mentee(h, user, "en", "Amal Hassan")
    await choose(h, user, "ok")
    got = await h.send(user, "/profile")
    text = got[-1].text
    for line in [
        "• Name: Amal Hassan",
        "• Phone: +4520304050",
        "• Languages: English and Arabic",
        "• Status: registered",
    ]:
        assert line in text
    assert "Year of birth" not in text, "skipped answers are not shown as data"


async def test_whoami_and_queue_for_a_coordinator(harness: Harness) -> None:
    h = harness
    await register_mentee(h, 2010, "en", "Amal Hassan")
    await choose(h, 2010, "ok")
    h.clock.advance(days=2)
    assert "You are a coordinator" in (await h.send(COORDINATOR, "/whoami", language="en"))[-1].text
    queue = (await h.send(COORDINATOR, "/queue"))[-1].text
    assert queue == "Registered, not yet invited:\nP-1 Amal Hassan – mentee, Aarhus, English, 2 days"
    mine = (await h.send(2010, "/whoami"))[-1].text
    assert (
        mine
        == "You are registered as a mentee (P-1); your status: registered, waiting to be invited to an interview."
    )


async def test_everything_went_through_the_outbox(harness: Harness) -> None:
    h = harness
    await h.send(2011, "/start", language="en")
    with h.db.session() as session:
        rows = session.exec(select(OutboxMessage)).all()
    assert len(rows) == 2 and all(r.sent_at is not None for r in rows)
    assert len(h.calls("SendMessage")) == 2


async def test_a_coordinator_is_greeted_as_one_and_can_still_try_the_registration(harness: Harness) -> None:
    h = harness
    got = await h.send(COORDINATOR, "/start", language="en")
    assert len(got) == 1 and got[0].text.startswith("Welcome, coordinator!") and "English" in got[0].labels
    await h.press(COORDINATOR, "cnl:en")  # her language, then her name (tests/admin/test_people.py)
    await h.send(COORDINATOR, "Karen")
    got = await h.send(COORDINATOR, "/start")
    assert len(got) == 1 and got[0].text.startswith("Welcome, coordinator!") and "/queue" in got[0].text
    got = await h.send(COORDINATOR, "/start mentee")
    assert got[-1].labels[0] == "✅ I agree"
