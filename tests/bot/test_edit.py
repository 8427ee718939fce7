"""Changing answers after registration (/edit for coordinators, "Change an answer" under /profile),
cities from the network's list, and how registration counts its questions; through the dispatcher."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from conversations.i18n import Translator
from storage.models import Conversation, Person, ProfileChange
from tests.bot.test_registration import choose
from tests.conftest import COORDINATOR, Harness, add_person, person_of

AMAL, KAREN, HANNE, MONA = 3001, 3002, 3003, 3004


def question_numbers(tr: Translator, texts: list[str]) -> list[tuple[int, int]]:
    """Every "Question N of M" she was shown, in order, as (N, M)."""
    template = re.escape(tr.gettext("Question {number} of {total}", number="\x00", total="\x01"))
    pattern = re.compile(template.replace("\x00", r"(\d+)").replace("\x01", r"(\d+)"))
    return [(int(m[1]), int(m[2])) for text in texts if (m := pattern.search(text))]


async def register(
    h: Harness, user: int, language: str, name: str, city: str, *, other_work: str = ""
) -> None:
    """A mentee registers and confirms: she types her city; "Other" line of work if other_work is given."""
    await h.send(user, "/start", language=language)
    await h.press(user, "cs:y", h.last_with_buttons(user).message_id)
    await choose(h, user, "p0")  # mentee
    await h.send(user, name)
    await choose(h, user, "s")  # year of birth skipped
    await h.send(user, city)
    await choose(h, user, "t0", "t1", "d")  # Telegram and phone
    await h.send(user, "+45 20 30 40 50")
    await choose(h, user, "p4")  # bachelor
    await h.send(user, "Nursing")
    await choose(h, user, "p2")  # 2-5 years
    if other_work:
        await choose(h, user, "p12")  # Other
        await h.send(user, other_work)
    else:
        await choose(h, user, "p0")  # health
    await choose(h, user, "t2", "t1", "d")  # Arabic, English
    await choose(h, user, "t0", "d")  # find a job
    await choose(h, user, "s")  # goals in her words skipped
    await choose(h, user, "p0")  # once a month
    await choose(h, user, "s")  # no wishes
    await choose(h, user, "ok")


def mentor(h: Harness, telegram_id: int, name: str, city: str) -> Person:
    """A mentor ready to be matched, alike in everything but her city."""
    with h.db.session() as session:
        person = add_person(
            session,
            telegram_id,
            language="da",
            created_at=h.clock.now(),
            registered_at=h.clock.now(),
            status="ready_to_be_matched",
            role="mentor",
            name=name,
            city=city,
            languages=["da"],
            share_channels=["telegram"],
            meetings_per_month=1,
        )
    h.user(telegram_id, "da")
    return person


def ready(h: Harness, user: int) -> None:
    with h.db.session() as session:
        person = person_of(session, user)
        person.status = "ready_to_be_matched"
        session.add(person)
        session.commit()


# -- cities --------------------------------------------------------------------------------------------


async def test_copenhagen_in_arabic_and_in_danish_is_one_place_for_suggest(harness: Harness) -> None:
    """Before the list, "كوبنهاغن" and "København" did not match and the Aalborg mentor came first."""
    h = harness
    hanne = mentor(h, HANNE, "Hanne", "aalborg")  # the lower id: first when the scores tie
    karen = mentor(h, KAREN, "Karen", "copenhagen")
    await register(h, AMAL, "ar", "أمل", "كوبنهاغن")
    ready(h, AMAL)
    with h.db.session() as session:
        amal = person_of(session, AMAL)
    assert (amal.city, amal.city_other) == ("copenhagen", None)

    await h.send(COORDINATOR, "/start", language="en")
    lines = (await h.send(COORDINATOR, f"/suggest {amal.short_id}"))[-1].text.splitlines()
    assert lines[2].startswith(f"1. {karen.short_id} Karen")
    assert "both live in Copenhagen" in lines[3]
    assert lines[4].startswith(f"2. {hanne.short_id} Hanne")


@pytest.mark.parametrize(
    ("language", "copenhagen"), [("da", "København"), ("ar", "كوبنهاغن"), ("uk", "Копенгаген")]
)
async def test_the_city_is_a_button_in_her_language(harness: Harness, language: str, copenhagen: str) -> None:
    h, user = harness, 3010
    await h.send(user, "/start", language=language)
    await h.press(user, "cs:y", h.last_with_buttons(user).message_id)
    await choose(h, user, "p0")
    await h.send(user, "Amal")
    await choose(h, user, "s")
    tr = h.i18n.translator(language)
    question = h.last_with_buttons(user)
    assert tr.gettext("In which city or region do you live? Choose it, or write its name.") in question.text
    assert copenhagen in question.labels and tr.gettext("Another place") in question.labels

    await h.tap(user, copenhagen)
    with h.db.session() as session:
        conversation = session.exec(select(Conversation)).one()
    assert (conversation.answers["city"], conversation.step) == ("copenhagen", "share_channels")
    await choose(h, user, "b")  # back: her answer is shown in her language
    assert tr.gettext("Your answer now: {answer}", answer=copenhagen) in h.texts(user)[-1]


@pytest.mark.parametrize("language", ["da", "ar"])
async def test_a_place_not_on_the_list_is_kept_in_her_words(harness: Harness, language: str) -> None:
    h, user = harness, 3011
    tr = h.i18n.translator(language)
    await h.send(user, "/start", language=language)
    await h.press(user, "cs:y", h.last_with_buttons(user).message_id)
    await choose(h, user, "p0")
    await h.send(user, "Amal")
    await choose(h, user, "s")
    await h.tap(user, tr.gettext("Another place"))  # the button asks for the name
    assert h.texts(user)[-1].endswith(tr.gettext("Please write the name of your city or region."))
    await h.send(user, "Helsingør")
    await choose(h, user, "b", "b")  # back to the city question: type another place directly
    await h.send(user, "Nakskov")
    with h.db.session() as session:
        conversation = session.exec(select(Conversation)).one()
    assert (conversation.answers["city"], conversation.answers["city_other"]) == ("other", "Nakskov")
    assert conversation.step == "share_channels", "typed words need no second question"


# -- registration's own items -------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["da", "ar"])
async def test_the_total_of_questions_never_grows(harness: Harness, language: str) -> None:
    """Before: "Question 1 of 12", then "2 of 14", then "6 of 15" as answers opened questions."""
    h, user = harness, 3020
    await register(h, user, language, "Amal", "Vejle", other_work="Cleaning")
    numbers = question_numbers(h.i18n.translator(language), h.texts(user))
    assert [n for n, _ in numbers] == list(range(1, len(numbers) + 1))
    totals = [total for _, total in numbers]
    assert totals == sorted(totals, reverse=True), totals
    assert numbers[-1][0] == numbers[-1][1], "the last question is the last of the total"


@pytest.mark.parametrize("language", ["da", "ar"])
async def test_other_line_of_work_asks_what_it_is(harness: Harness, language: str) -> None:
    h, user = harness, 3021
    tr = h.i18n.translator(language)
    await register(h, user, language, "Amal", "Odense", other_work="Rengøring")
    asked = [t for t in h.texts(user) if tr.gettext('You chose "Other": what is your line of work?') in t]
    assert len(asked) == 1
    with h.db.session() as session:
        person = person_of(session, user)
    assert (person.line_of_work, person.line_of_work_other, person.city) == ("other", "Rengøring", "odense")
    profile = (await h.send(user, "/profile"))[-1].text
    assert f"• {tr.gettext('Line of work, in your words')}: {tr.isolate('Rengøring')}" in profile


@pytest.mark.parametrize("language", ["da", "ar"])
async def test_an_optional_question_says_once_that_it_can_be_skipped(harness: Harness, language: str) -> None:
    from conversations import engine
    from conversations.year import FOLLOWUP_FLOW, UPDATE

    tr = h_tr = harness.i18n.translator(language)
    state = engine.State(UPDATE, answers={"progress": "some", "met_how_often": "monthly"})
    text = engine.ask(FOLLOWUP_FLOW, state, h_tr).text
    assert text.count(tr.gettext("You can skip this question.")) == 1
    assert "(" not in text.replace(tr.gettext("Question {number} of {total}", number=3, total=4), "")

    h, user = harness, 3022  # and registration's optional year of birth, through the dispatcher
    await h.send(user, "/start", language=language)
    await h.press(user, "cs:y", h.last_with_buttons(user).message_id)
    await choose(h, user, "p0")
    await h.send(user, "Amal")
    assert h.texts(user)[-1].count(tr.gettext("You can skip this question.")) == 1


# -- changing answers ----------------------------------------------------------------------------------


async def test_a_coordinator_edits_a_city_and_she_is_told_in_arabic(harness: Harness) -> None:
    h = harness
    await register(h, AMAL, "ar", "أمل", "Aarhus")
    ar = h.i18n.translator("ar")
    with h.db.session() as session:
        amal = person_of(session, AMAL)
    await h.send(COORDINATOR, "/start", language="en")
    opened = (await h.send(COORDINATOR, f"/edit {amal.short_id}"))[-1]
    assert opened.text.startswith("Changing the answers of")
    assert "• City or region: Aarhus" in opened.text
    assert "Role" not in opened.labels, "the role decides the programme: not changed here"
    await h.tap(COORDINATOR, "City or region")
    question = h.last_with_buttons(COORDINATOR)
    assert (
        "In which city or region do you live?" in question.text and "Your answer now: Aarhus" in question.text
    )
    assert "Question" not in question.text, "one answer is not the n-th question of anything"
    await h.tap(COORDINATOR, "Copenhagen")

    assert h.texts(COORDINATOR)[-1] == (
        f"Saved for \u2068أمل\u2069 ({amal.short_id}); she has been told:\n• City or region: Copenhagen"
    )
    told = h.texts(AMAL)[-1]
    assert told == ar.gettext(
        "A coordinator has changed your answers:\n{changes}\n\n/profile shows everything we keep about you.",
        changes=f"• {ar.gettext('City or region')}: كوبنهاغن",
    )
    with h.db.session() as session:
        amal = person_of(session, AMAL)
        changes = session.exec(select(ProfileChange)).all()
    assert amal.city == "copenhagen"
    coordinator_id = h.person_id(COORDINATOR)
    assert [(c.person_id, c.field, c.changed_by) for c in changes] == [(amal.id, "city", coordinator_id)]
    record = (await h.send(COORDINATOR, f"/person {amal.short_id}"))[-1].text
    assert "Changes to the answers:" in record
    assert f"City or region (by a coordinator (P-{coordinator_id}))" in record


async def test_a_coordinator_adds_an_email_through_the_same_questions(harness: Harness) -> None:
    h = harness
    await register(h, AMAL, "da", "Amal", "Aarhus")
    with h.db.session() as session:
        amal = person_of(session, AMAL)
    await h.send(COORDINATOR, "/start", language="en")
    await h.send(COORDINATOR, f"/edit {amal.short_id}")
    await h.tap(COORDINATOR, "Contact to share")
    await choose(h, COORDINATOR, "t2", "d")  # e-mail ticked as well
    assert h.texts(COORDINATOR)[-1].endswith("What is your e-mail address?"), "a question it opens is asked"
    refused = (await h.send(COORDINATOR, "not an address"))[-1].text
    assert refused.startswith("⚠️"), "the registration's own check"
    await h.send(COORDINATOR, "amal@example.org")
    with h.db.session() as session:
        amal = person_of(session, AMAL)
        fields = sorted(c.field for c in session.exec(select(ProfileChange)).all())
    assert amal.share_channels == ["telegram", "phone", "email"] and amal.email == "amal@example.org"
    assert fields == ["email", "share_channels"]
    da = h.i18n.translator("da")
    assert f"• {da.gettext('E-mail')}: amal@example.org" in h.texts(AMAL)[-1]


async def test_she_changes_her_own_name_from_profile_in_danish(harness: Harness) -> None:
    h, user = harness, MONA
    await register(h, user, "da", "Mona", "Odense")
    da = h.i18n.translator("da")
    profile = (await h.send(user, "/profile"))[-1]
    await h.tap(user, da.gettext("✏️ Change an answer"))
    menu = h.last_with_buttons(user)
    assert menu.text == da.gettext("Which answer would you like to change?")
    await h.tap(user, da.gettext("Name"))
    back_to = await h.send(user, "Mona Ali")
    assert back_to[0].text == f"{da.gettext('Saved. What changed:')}\n• {da.gettext('Name')}: Mona Ali"
    assert back_to[1].text.startswith(da.gettext("This is everything we keep about you:"))
    with h.db.session() as session:
        mona = person_of(session, user)
        change = session.exec(select(ProfileChange)).one()
    assert mona.name == "Mona Ali" and (change.field, change.changed_by) == ("name", mona.id)
    assert profile.labels == [da.gettext("✏️ Change an answer")]

    # Her old menu button is refused politely and changes nothing.
    await h.press(user, menu.data(da.gettext("City or region")), menu.message_id)
    toast = h.calls("AnswerCallbackQuery")[-1].text
    assert toast == da.gettext(
        "This button is from an earlier question. Please use the buttons on the latest message."
    )


async def test_a_change_by_the_coordinator_meanwhile_is_not_written_back_over(harness: Harness) -> None:
    h, user = harness, MONA
    await register(h, user, "ar", "Mona", "Odense")
    ar = h.i18n.translator("ar")
    await h.send(user, "/profile")
    await h.tap(user, ar.gettext("✏️ Change an answer"))
    await h.tap(user, ar.gettext("Name"))

    await h.send(COORDINATOR, "/start", language="en")
    await h.send(COORDINATOR, "/edit P-1")
    await h.tap(COORDINATOR, "City or region")
    await h.send(COORDINATOR, "Aarhus")

    await h.send(user, "Mona Ali")
    with h.db.session() as session:
        mona = person_of(session, user)
    assert (mona.name, mona.city) == ("Mona Ali", "aarhus")


async def test_bad_input_while_changing_an_answer_changes_nothing(harness: Harness) -> None:
    h, user = harness, MONA
    await register(h, user, "da", "Mona", "Odense")
    da = h.i18n.translator("da")
    await h.send(user, "/profile")
    await h.tap(user, da.gettext("✏️ Change an answer"))
    await h.tap(user, da.gettext("Year of birth"))
    refused = (await h.send(user, "🙂"))[-1].text
    assert refused.startswith("⚠️")
    await h.feed(h.message_update(user, voice={"file_id": "v", "file_unique_id": "v", "duration": 3}))
    assert h.texts(user)[-1].startswith(
        "⚠️ "
        + da.gettext("I can only read text and button presses. Please type your answer or use the buttons.")
    )
    await h.send(user, "/cancel")
    assert h.texts(user)[-1] == da.gettext("Nothing was changed.")
    with h.db.session() as session:
        assert session.exec(select(ProfileChange)).all() == []

    refused_edit = (await h.send(user, "/edit P-1"))[-1].text
    assert refused_edit.startswith(
        da.gettext(
            "Sorry, /{command} is only for the network's coordinators. /help shows what you can do.",
            command="edit",
        )[:20]
    )


async def test_nothing_to_change_after_all(harness: Harness) -> None:
    h = harness
    await register(h, AMAL, "da", "Amal", "Aarhus")
    await h.send(COORDINATOR, "/start", language="en")
    before = len(h.texts(AMAL))
    await h.send(COORDINATOR, "/edit P-1")
    await h.tap(COORDINATOR, "Change nothing")
    assert h.texts(COORDINATOR)[-1] == "Nothing was changed."
    await h.send(COORDINATOR, "/edit P-1")
    await h.tap(COORDINATOR, "City or region")
    await h.tap(COORDINATOR, "Aarhus")  # the same answer again
    assert h.texts(COORDINATOR)[-1] == "Nothing was changed."
    assert len(h.texts(AMAL)) == before, "she is told nothing"
