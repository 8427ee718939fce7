"""Coordinators with names (first /start, /language, /name, where names show), /find and /handover,
through the dispatcher, with coordinators writing in English and Danish and participants in
Arabic, Danish and Turkish."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from conversations import coordinators, engine, pairing
from conversations.clock import FakeClock
from conversations.i18n import I18n
from conversations.texts import COORDINATOR_WELCOME
from storage import pairs
from storage.db import Database
from storage.models import Handover, Pair, Person
from tests.conftest import COORDINATOR, Harness, add_person, person_of
from tests.conversations.test_pairing import ready

LISE, NAMELESS = 2, 3  # two more coordinators
AMAL, MONA, SULE, DORTE = 8101, 8102, 8103, 8104


@pytest.fixture
async def team(db: Database, clock: FakeClock, i18n: I18n) -> AsyncIterator[Harness]:
    """The bot with three coordinators: 1 and 2 (Lise) give their names, 3 never does."""
    h = Harness(db, clock, i18n, frozenset({COORDINATOR, LISE, NAMELESS}))
    yield h
    await h.bot.session.close()


async def named(h: Harness, user: int, name: str, language: str) -> None:
    """A coordinator's first /start: her language from the buttons, then her name."""
    await h.send(user, "/start", language="en")
    await h.press(user, f"{coordinators.SETUP_LANGUAGE_PREFIX}:{language}")
    await h.send(user, name)


def toast(h: Harness) -> str | None:
    return h.calls("AnswerCallbackQuery")[-1].text


def stored(h: Harness, user: int) -> Person:
    with h.db.session() as session:
        return person_of(session, user)


# -- a coordinator's name -----------------------------------------------------------------------------


async def test_first_start_asks_language_then_name_and_no_consent(harness: Harness) -> None:
    h = harness
    da = h.i18n.translator("da")
    first = await h.send(COORDINATOR, "/start", language="en")
    assert len(first) == 1 and first[0].text.startswith("Welcome, coordinator! 👋 First: which language")
    assert "Dansk" in first[0].labels and "العربية" in first[0].labels
    assert not any(data.startswith("cs:") for row in first[0].buttons for _, data in row), "no consent"

    asked = await h.press(COORDINATOR, "cnl:da")
    assert da.gettext(coordinators.NAME_FLOW.steps[0].prompt) in asked[-1].text
    assert asked[-1].text.startswith(da.gettext(coordinators.NAME_FLOW.steps[0].prompt)), (
        "no 'question 1 of 1'"
    )
    assert h.messages(COORDINATOR)[0].text == "✓ Dansk", "the language buttons are taken away"

    refused = await h.send(COORDINATOR, "🌷🌷")
    assert da.gettext("Please answer in words: I cannot read an answer made only of symbols or emoji.") in (
        refused[0].text
    )
    assert stored(h, COORDINATOR).name is None

    done = await h.send(COORDINATOR, "Karen Holm")
    assert (
        done[-1].text
        == f"{da.gettext('Thank you, {name}!', name='Karen Holm')}\n\n{da.gettext(COORDINATOR_WELCOME)}"
    )
    person = stored(h, COORDINATOR)
    assert (person.name, person.language, person.consent_at, person.status) == (
        "Karen Holm",
        "da",
        None,
        None,
    )

    again = await h.send(COORDINATOR, "/start")
    assert [m.text for m in again] == [da.gettext(COORDINATOR_WELCOME)]
    await h.press(COORDINATOR, "cnl:ar", h.messages(COORDINATOR)[0].message_id)
    assert toast(h) == engine.stale(da)
    assert stored(h, COORDINATOR).language == "da", "a button from her first day changes nothing"


async def test_language_asks_a_coordinator_no_consent(harness: Harness) -> None:
    h = harness
    await h.send(COORDINATOR, "/language", language="en")  # never named, never registered
    got = await h.press(COORDINATOR, "lang:ar")
    ar = h.i18n.translator("ar")
    assert [m.text for m in got] == [ar.gettext("From now on I will write to you in English.")]
    assert not any(m.buttons for m in got)
    # A participant who has not agreed yet is still asked, as before.
    await h.send(9001, "/language", language="en")
    asked = await h.press(9001, "lang:da")
    assert asked[-1].labels[0] == h.i18n.translator("da").gettext("✅ I agree")


async def test_language_mid_naming_asks_the_name_again_in_the_new_language(harness: Harness) -> None:
    h = harness
    await h.send(COORDINATOR, "/start", language="en")
    await h.press(COORDINATOR, "cnl:en")
    await h.send(COORDINATOR, "/language")
    got = await h.press(COORDINATOR, "lang:tr")
    tr = h.i18n.translator("tr")
    assert tr.gettext(coordinators.NAME_FLOW.steps[0].prompt) in got[-1].text
    assert not any(data.startswith("cs:") for m in got for row in m.buttons for _, data in row)
    await h.send(COORDINATOR, "Ayşe")
    assert stored(h, COORDINATOR).name == "Ayşe"


async def test_name_command(harness: Harness) -> None:
    h = harness
    await named(h, COORDINATOR, "Karen", "en")
    got = await h.send(COORDINATOR, "/name Karen   Jensen")
    assert got[-1].text == "Done: participants and coordinators now see you as Karen Jensen."
    short = await h.send(COORDINATOR, "/name K")
    assert short[-1].text == "That is too short: please write at least 2 characters."
    asked = await h.send(COORDINATOR, "/name")
    assert coordinators.NAME_FLOW.steps[0].prompt in asked[-1].text
    cancelled = await h.send(COORDINATOR, "/cancel")
    assert cancelled[-1].text == "Your name was not changed."
    assert stored(h, COORDINATOR).name == "Karen Jensen"

    await h.send(9002, "/start", language="da")
    refused = await h.send(9002, "/name Mette")
    assert refused[0].text == h.i18n.translator("da").gettext(
        "Sorry, /{command} is only for the network's coordinators. /help shows what you can do.",
        command="name",
    )
    assert stored(h, 9002).name is None


async def test_her_name_in_the_proposal_pair_caseload(team: Harness) -> None:
    h = team
    await named(h, COORDINATOR, "Karen", "en")
    await h.send(NAMELESS, "/start", language="en")
    amal = ready(h, AMAL, "Amal", "ar", "mentee")
    mona = ready(h, MONA, "Mona", "da", "mentor")
    await h.send(COORDINATOR, f"/propose {amal.short_id} {mona.short_id}")
    ar, da = h.i18n.translator("ar"), h.i18n.translator("da")
    assert h.texts(AMAL)[-1].endswith("\n\n" + ar.gettext(pairing.YOUR_COORDINATOR, coordinator="Karen")), (
        "the proposal names her coordinator, in the mentee's language"
    )
    assert h.texts(MONA)[-1].endswith("\n\n" + da.gettext(pairing.YOUR_COORDINATOR, coordinator="Karen"))

    record = (await h.send(COORDINATOR, "/pair M-1"))[-1].text
    assert record.splitlines()[1] == "Coordinator: Karen"
    caseload = (await h.send(COORDINATOR, "/caseload"))[-1].text.splitlines()
    assert "Karen: active pairs 1, matched this year 0 of 80" in caseload
    nameless = h.person_id(NAMELESS)
    assert f"a coordinator (P-{nameless}): active pairs 0, matched this year 0 of 80" in caseload


async def test_an_arabic_name_is_set_apart_in_a_danish_line(team: Harness) -> None:
    h = team
    await named(h, LISE, "أمل", "da")
    amal = ready(h, AMAL, "Amal", "ar", "mentee")
    mona = ready(h, MONA, "Mona", "da", "mentor")
    await h.send(LISE, f"/propose {amal.short_id} {mona.short_id}")
    record = (await h.send(LISE, "/pair M-1"))[-1].text
    da = h.i18n.translator("da")
    assert da.gettext("Coordinator: {name}", name="\u2068أمل\u2069") in record


# -- /find --------------------------------------------------------------------------------------------


def registered(h: Harness, user: int, name: str, language: str, **fields: object) -> Person:
    """Someone registered, as the registration stores her (tests/bot/test_registration.py)."""
    return ready(h, user, name, language, "mentee", **fields)


async def test_find_by_name_without_case_or_accents_phone_email_and_id(harness: Harness) -> None:
    h = harness
    await named(h, COORDINATOR, "Karen", "en")
    ase = registered(h, 8201, "Åse Nielsen", "da", phone="+4520274137", email="Ase.Nielsen@Example.dk")
    sule = registered(h, 8202, "Şule Yılmaz", "tr", phone="+905321234567", city="odense")
    amal = registered(h, 8203, "أَمَل حسن", "ar", phone="+4531313131")
    soren = registered(h, 8204, "Søren Ødegård", "da")
    add_person_unregistered = await h.send(8205, "/start", language="en")  # wrote, never registered
    assert add_person_unregistered

    async def found(text: str) -> list[str]:
        answer = (await h.send(COORDINATOR, f"/find {text}"))[-1]
        return [data for row in answer.buttons for _, data in row]

    assert await found("ase") == [f"pp:{ase.id}"]
    assert await found("ÅSE nielsen") == [f"pp:{ase.id}"]
    assert await found("nielsen åse") == [f"pp:{ase.id}"], "words in any order"
    assert await found("sule") == [f"pp:{sule.id}"]
    assert await found("YILMAZ") == [f"pp:{sule.id}"]
    listed = (await h.send(COORDINATOR, "/find sule"))[-1].text
    assert "Odense" in listed and "odense" not in listed, "the city's name, not its stored code"
    assert await found("soren odegard") == [f"pp:{soren.id}"]
    assert await found("أمل") == [f"pp:{amal.id}"], "typed with a hamza, stored with vowel marks"
    assert await found("امل") == [f"pp:{amal.id}"]
    assert await found("20 27 41 37") == [f"pp:{ase.id}"]
    assert await found("+45 31313131") == [f"pp:{amal.id}"]
    assert await found("example.DK") == [f"pp:{ase.id}"]
    assert await found(f"p-{sule.id}") == [f"pp:{sule.id}"]
    assert await found("100%") == [], "LIKE's wildcards are taken literally"

    answer = (await h.send(COORDINATOR, "/find sule"))[-1]
    assert answer.text == f"1 person found:\nP-{sule.id} Şule Yılmaz – mentee, ready to be matched, Odense"
    profile = await h.press(COORDINATOR, f"pp:{sule.id}", answer.message_id)
    assert profile[-1].text.startswith(f"P-{sule.id} Şule Yılmaz\n")

    nothing = (await h.send(COORDINATOR, "/find Zainab"))[-1]
    assert nothing.text == (
        "I found nobody for “Zainab”. Try part of a name, a phone number, an e-mail or an id like P-12."
    )
    assert nothing.buttons == []
    unregistered = h.person_id(8205)
    assert (await h.send(COORDINATOR, f"/find P-{unregistered}"))[-1].text.startswith("I found nobody")
    usage = (await h.send(COORDINATOR, "/find"))[-1].text
    assert usage.startswith("Write what to look for after /find")


async def test_find_shows_ten_and_asks_for_more_precision(harness: Harness) -> None:
    h = harness
    await named(h, COORDINATOR, "Lise", "da")
    for n in range(12):
        registered(h, 8300 + n, f"Maria {n:02}", "da")
    answer = (await h.send(COORDINATOR, "/find maria"))[-1]
    da = h.i18n.translator("da")
    lines = answer.text.splitlines()
    assert lines[0] == da.ngettext("{count} person found:", "{count} people found:", 12)
    assert len(lines) == 12 and lines[-1] == da.ngettext(
        "… and {count} more. Please be more precise.", "… and {count} more. Please be more precise.", 2
    )
    assert len(answer.labels) == 10 and answer.labels[0].endswith("Maria 00")


async def test_find_names_a_listed_city_in_her_language(harness: Harness) -> None:
    """A city from the network's list is stored as a code: /find names it, not "copenhagen"."""
    h = harness
    await named(h, COORDINATOR, "Lise", "da")
    olena = registered(h, 8501, "Olena", "uk", city="copenhagen")
    answer = (await h.send(COORDINATOR, "/find olena"))[-1]
    assert answer.text.endswith(f"P-{olena.id} Olena – mentee, klar til at blive matchet, København")


async def test_find_is_for_coordinators_only(harness: Harness) -> None:
    h = harness
    registered(h, 8401, "Amal", "ar")
    refused = await h.send(8401, "/find Amal")
    assert refused[0].text == h.i18n.translator("ar").gettext(
        "Sorry, /{command} is only for the network's coordinators. /help shows what you can do.",
        command="find",
    )


def test_the_search_key_follows_every_change(db: Database, clock: FakeClock) -> None:
    with db.session() as session:
        person = add_person(session, 8501, language="da", created_at=clock.now(), name="Åse")
        assert person.search == "ase"
        person.phone, person.email = "+45 20 27 41 37", "ASE@x.dk"
        session.add(person)
        session.flush()
        assert person.search == "ase ase@x.dk 4520274137"
        person.name = None
        session.add(person)
        session.flush()
        assert person.search == "ase@x.dk 4520274137"


# -- /handover ------------------------------------------------------------------------------------------


async def two_pairs(h: Harness) -> tuple[int, int]:
    """Karen (English) coordinates two pairs; Lise (Danish) has none; coordinator 3 has no name."""
    await named(h, COORDINATOR, "Karen", "en")
    await named(h, LISE, "Lise", "da")
    await h.send(NAMELESS, "/start", language="en")
    people = [
        ready(h, AMAL, "Amal", "ar", "mentee"),
        ready(h, MONA, "Mona", "da", "mentor"),
        ready(h, SULE, "Şule", "tr", "mentee"),
        ready(h, DORTE, "Dorte", "da", "mentor"),
    ]
    await h.send(COORDINATOR, f"/propose {people[0].short_id} {people[1].short_id}")
    await h.send(COORDINATOR, f"/propose {people[2].short_id} {people[3].short_id}")
    return h.person_id(COORDINATOR), h.person_id(LISE)


def coordinator_of(h: Harness, pair_id: int) -> int:
    with h.db.session() as session:
        return pairs.get(session, pair_id=pair_id).coordinator


async def test_handover_one_pair_with_a_button(team: Harness) -> None:
    h = team
    karen, lise = await two_pairs(h)
    ar, da = h.i18n.translator("ar"), h.i18n.translator("da")
    asked = (await h.send(COORDINATOR, "/handover M-1"))[-1]
    assert asked.text == "M-1 is followed by Karen. Who should follow it from now on?"
    assert asked.labels == ["Lise"], "only named coordinators, never the pair's own"

    done = await h.tap(COORDINATOR, "Lise")
    assert done[-1].text == (
        "Done: 1 pair handed over from Karen to Lise. Both coordinators and the people in it have been told.\n"
        "M-1 Amal + Mona"
    )
    assert coordinator_of(h, 1) == lise and coordinator_of(h, 2) == karen
    assert h.texts(AMAL)[-1] == ar.gettext(
        "From today {coordinator} is your coordinator: she follows your mentor relationship with {partner} "
        "from now on.",
        coordinator="Lise",
        partner="Mona",
    )
    assert h.texts(MONA)[-1] == da.gettext(
        "From today {coordinator} is your coordinator: she follows your mentor relationship with {partner} "
        "from now on.",
        coordinator="Lise",
        partner="Amal",
    )
    assert (
        h.texts(LISE)[-1]
        == da.ngettext(
            "{by} handed over {count} pair from {old} to {new}:",
            "{by} handed over {count} pairs from {old} to {new}:",
            1,
            by="Karen",
            old="Karen",
            new="Lise",
        )
        + "\nM-1 Amal + Mona"
    )
    record = (await h.send(LISE, "/pair M-1"))[-1].text
    assert da.gettext("Coordinator: {name}", name="Lise") in record
    assert "• " + da.gettext("Handed over") + ": " in record and "Karen" in record

    before = len(h.texts(AMAL))
    await h.press(COORDINATOR, asked.data("Lise"), asked.message_id)
    assert toast(h) == engine.stale(h.i18n.translator("en"))
    assert len(h.texts(AMAL)) == before and coordinator_of(h, 1) == lise, "a second press moves nothing"

    # Typed, straight back; a nameless coordinator cannot receive.
    back = await h.send(LISE, "/handover M-1 karen")
    assert back[-1].text.startswith(
        da.ngettext(
            "Done: {count} pair handed over from {old} to {new}. Both coordinators and the people in it have been told.",
            "x",
            1,
            old="Lise",
            new="Karen",
        )
    )
    assert coordinator_of(h, 1) == karen
    nameless = h.person_id(NAMELESS)
    refused = await h.send(COORDINATOR, f"/handover M-1 P-{nameless}")
    assert refused[-1].text.startswith(f"P-{nameless} has not told the bot her name yet")
    assert coordinator_of(h, 1) == karen
    with h.db.session() as session:
        assert [(x.from_coordinator, x.to_coordinator) for x in session.exec(select(Handover))] == [
            (karen, lise),
            (lise, karen),
        ]


async def test_handover_all_pairs_asks_first_and_a_stale_confirmation_moves_nothing(team: Harness) -> None:
    h = team
    karen, lise = await two_pairs(h)
    confirm = (await h.send(COORDINATOR, "/handover Karen Lise"))[-1]
    assert confirm.text == (
        "Hand over 2 pairs from Karen to Lise? The two of you and both people in each pair will be told."
    )
    assert coordinator_of(h, 1) == karen, "nothing moves before she confirms"

    # Meanwhile one pair is handed over alone: the confirmation no longer says what would happen.
    await h.send(COORDINATOR, "/handover M-2 Lise")
    await h.press(COORDINATOR, confirm.data("Yes"), confirm.message_id)
    assert toast(h) == engine.stale(h.i18n.translator("en"))
    assert coordinator_of(h, 1) == karen

    # With buttons all the way: whose pairs, to whom, yes.
    start = (await h.send(LISE, "/handover"))[-1]
    assert start.labels == ["Karen (1)", "Lise (1)"]
    await h.tap(LISE, "Karen")
    assert h.messages(LISE)[-1].labels == ["Lise"]
    await h.tap(LISE, "Lise")
    da = h.i18n.translator("da")
    await h.tap(LISE, da.ngettext("Yes, hand over {count} pair", "Yes, hand over {count} pairs", 1))
    assert coordinator_of(h, 1) == coordinator_of(h, 2) == lise
    tr = h.i18n.translator("tr")
    assert h.texts(SULE)[-1] == tr.gettext(
        "From today {coordinator} is your coordinator: she follows your mentor relationship with {partner} "
        "from now on.",
        coordinator="Lise",
        partner="Dorte",
    )
    told = h.texts(COORDINATOR)[-1]
    assert told == "Lise handed over 1 pair from Karen to Lise:\nM-1 Amal + Mona", "Karen is told in English"
    assert (await h.send(COORDINATOR, "/handover karen"))[
        -1
    ].text == "Karen has no active pairs to hand over."


async def test_handover_of_all_pairs_moves_every_pair(team: Harness) -> None:
    h = team
    karen, lise = await two_pairs(h)
    confirm = (await h.send(COORDINATOR, f"/handover P-{karen} lise"))[-1]
    got = await h.press(COORDINATOR, confirm.data("Yes"), confirm.message_id)
    assert got[-1].text == (
        "Done: 2 pairs handed over from Karen to Lise. Both coordinators and the people in them have been told.\n"
        "M-1 Amal + Mona\nM-2 Şule + Dorte"
    )
    assert coordinator_of(h, 1) == coordinator_of(h, 2) == lise
    for user in (AMAL, MONA, SULE, DORTE):
        language = h.users[user].language_code
        assert h.texts(user)[-1].startswith(
            h.i18n.translator(language).gettext(
                "From today {coordinator} is your coordinator: she follows your mentor relationship with {partner} "
                "from now on.",
                coordinator="Lise",
                partner="",
            )[:12]
        )
    mine = (await h.send(LISE, "/caseload"))[-1].text
    assert "Lise: " in mine
    await h.press(COORDINATOR, confirm.data("Yes"), confirm.message_id)
    assert toast(h) == engine.stale(h.i18n.translator("en"))


async def test_handover_explains_an_unknown_coordinator(team: Harness) -> None:
    h = team
    await two_pairs(h)
    got = (await h.send(COORDINATOR, "/handover Zainab"))[-1]
    assert got.text.startswith("I do not know which coordinator you mean by “Zainab”.")
    assert got.labels == ["Karen (2)"]
    with h.db.session() as session:
        assert {p.coordinator for p in session.exec(select(Pair))} == {h.person_id(COORDINATOR)}


async def test_handover_refuses_forged_buttons_and_participants(team: Harness) -> None:
    h = team
    await two_pairs(h)
    en = h.i18n.translator("en")
    for forged in ("hov:p:1:99:2", "hov:a:1:2:x:1", "hov:zz", "hov:t:1:1"):
        await h.press(COORDINATOR, forged, h.messages(COORDINATOR)[-1].message_id)
        assert toast(h) == engine.stale(en), forged
    refused = await h.send(AMAL, "/handover M-1 Lise")
    assert refused[0].text == h.i18n.translator("ar").gettext(
        "Sorry, /{command} is only for the network's coordinators. /help shows what you can do.",
        command="handover",
    )
    await h.press(AMAL, "hov:p:1:1:2")
    assert toast(h) == engine.stale(h.i18n.translator("ar"))
    assert coordinator_of(h, 1) == coordinator_of(h, 2) == h.person_id(COORDINATOR), "nothing moved"


async def test_handover_of_everything_takes_her_open_conversations_along(team: Harness) -> None:
    """/handover of all pairs also moves the open threads: what Amal writes next reaches Lise."""
    h = team
    karen, _ = await two_pairs(h)
    await h.send(AMAL, "Hello Karen, a question about my mentor")
    assert "a question about my mentor" in h.texts(COORDINATOR)[-1]
    confirm = (await h.send(COORDINATOR, f"/handover P-{karen} lise"))[-1]
    got = await h.press(COORDINATOR, confirm.data("Yes"), confirm.message_id)
    assert "1 open conversation" in got[-1].text
    await h.send(AMAL, "Are you there?")
    assert "Are you there?" in h.texts(LISE)[-1]
    assert not any("Are you there?" in text for text in h.texts(COORDINATOR))
