"""Right to left, everywhere: what a person typed is set apart in a message of the other direction,
and commands and phone numbers read left to right inside Arabic and Persian sentences."""

from __future__ import annotations

import datetime

import pytest

from bot.sandbox.emulator import command_entities
from conversations import agreement
from conversations.i18n import FSI, LRI, PDI, I18n, commands_and_numbers_left_to_right, isolate
from storage.models import Pair, Person, Role
from tests.bot.test_registration import choose, register_mentee
from tests.conftest import COORDINATOR, Harness

NEW_REGISTRATION = (
    "New registration: {name}, {role}, {city}, writes in {language} ({id}). /queue lists everyone waiting."
)


@pytest.mark.parametrize(
    ("text", "rtl", "isolated"),
    [
        ("أمل حسن", False, f"{FSI}أمل حسن{PDI}"),  # Arabic in a Danish message
        ("Karen Jensen", False, "Karen Jensen"),  # same direction: left alone
        ("Vi mødes hver måned.", True, f"{FSI}Vi mødes hver måned.{PDI}"),  # Danish in an Arabic one
        ("أمل", True, "أمل"),
        ("Олена", True, f"{FSI}Олена{PDI}"),
        ("+45 20 30 40 50", True, "+45 20 30 40 50"),  # no letters: left to the numbers' own rule
        ("Linje et\nسطر", False, f"Linje et\n{FSI}سطر{PDI}"),  # a line break ends an isolate: each line alone
        (f"{FSI}أمل{PDI}", False, f"{FSI}أمل{PDI}"),  # already set apart
        ("", False, ""),
    ],
)
def test_isolate(text: str, rtl: bool, isolated: str) -> None:
    assert isolate(text, rtl=rtl) == isolated


def test_a_danish_line_starting_with_an_arabic_name_is_isolated(i18n: I18n) -> None:
    da = i18n.translator("da")
    line = da.gettext(NEW_REGISTRATION, name="أمل", role="mentee", city="آرهوس", language="العربية", id="P-2")
    assert line.startswith(f"Ny tilmelding: {FSI}أمل{PDI}, mentee, ")  # the Danish line stays left to right
    assert f"{FSI}أمل{PDI}" in line and f"{FSI}آرهوس{PDI}" in line
    assert "/queue" in line and LRI not in line, "commands need no mark in a left-to-right message"


def test_a_command_name_is_never_isolated(i18n: I18n) -> None:
    """A mark between the slash and the name would end the command: /{command} is left alone."""
    ar = i18n.translator("ar")
    text = ar.gettext("I do not know the command /{command}. /help lists what you can do.", command="dance")
    assert f"{LRI}/dance{PDI}" in text and f"{LRI}/help{PDI}" in text
    assert [e["length"] for e in command_entities(text)] == [len("/dance"), len("/help")]


@pytest.mark.parametrize(
    ("text", "directed"),
    [
        ("أرسلي /profile لترى بياناتكِ", f"أرسلي {LRI}/profile{PDI} لترى بياناتكِ"),
        ("• الهاتف: +45 20 12 34 56", f"• الهاتف: {LRI}+45 20 12 34 56{PDI}"),
        ("الهاتف: 4520123456.", f"الهاتف: {LRI}4520123456{PDI}."),
        ("\u200f/back – السؤال السابق", f"\u200f{LRI}/back{PDI} – السؤال السابق"),
        ("and/or 12:00", "and/or 12:00"),  # not a command, not a phone number
    ],
)
def test_commands_and_phone_numbers_read_left_to_right(text: str, directed: str) -> None:
    assert commands_and_numbers_left_to_right(text) == directed
    assert commands_and_numbers_left_to_right(directed) == directed, "twice is once"


async def test_an_arabic_message_keeps_its_commands_and_isolates_her_phone(
    harness: Harness, i18n: I18n
) -> None:
    """Through the real dispatcher: what an Arabic mentee is sent still has its commands (as Telegram
    finds them, in the sandbox emulator) and her phone number reads +45…, not …45+."""
    h, user, ar = harness, 2001, i18n.translator("ar")
    await register_mentee(h, user, "ar", "أمل حسن")
    summary = h.messages(user)[-1].text
    assert f"{LRI}+4520304050{PDI}" in summary
    await choose(h, user, "ok")
    thanks = h.messages(user)[-1].text
    assert f"{LRI}/profile{PDI}" in thanks
    units = thanks.encode("utf-16-le")  # entities count UTF-16 units; the 🌱 before them is two
    found = [units[2 * e["offset"] : 2 * (e["offset"] + e["length"])] for e in command_entities(thanks)]
    assert [f.decode("utf-16-le") for f in found] == ["/profile", "/help"]
    assert thanks == ar.gettext(
        "Thank you, {name}! You are registered. 🌱\n\n"
        "What happens next: a coordinator will invite you here to a short interview about your wishes and "
        "goals. /profile shows what we keep about you, /help what you can do.",
        name="أمل حسن",
    )
    # The English coordinator's line starts with her name, set apart, so it stays left to right.
    told = h.texts(COORDINATOR)[-1]
    assert told.startswith(f"New registration: {FSI}أمل حسن{PDI}, mentee, Aarhus, writes in Arabic")


def test_a_danish_mentors_agreement_shown_to_an_arabic_mentee_is_isolated(i18n: I18n) -> None:
    ar = i18n.translator("ar")
    mentee = Person(id=1, name="أمل", role=Role.MENTEE, language="ar")
    mentor = Person(id=2, name="Karen Jensen", role=Role.MENTOR, language="da")
    pair = Pair(
        id=1,
        mentee_id=1,
        mentor_id=2,
        agreement={
            agreement.GOAL: "Finde arbejde som sygeplejerske.",
            agreement.ACTIVITIES: "Gåture og kaffe.\nBesøg på hospitalet.",
            "expectations_mentor": "At vi mødes hver måned.",
        },
    )
    text = ar.directed(agreement.render(ar, pair, mentee, mentor))
    assert f"{FSI}Karen Jensen{PDI}" in text  # her name inside the Arabic title
    assert f"{FSI}Finde arbejde som sygeplejerske.{PDI}" in text
    assert f"{FSI}Gåture og kaffe.{PDI}\n{FSI}Besøg på hospitalet.{PDI}" in text  # each line alone
    assert f"{FSI}At vi mødes hver måned.{PDI}" in text


def test_a_date_written_with_slashes_is_not_taken_for_a_command(i18n: I18n) -> None:
    """Babel writes Arabic dates as 05<RLM>/01<RLM>/2026; after the mark Telegram would find the commands
    "/01" and "/2026" (tdlib takes digits too). Without the marks it finds none, and it reads 05/01/2026."""
    date = "05\u200f/01\u200f/2026"
    assert command_entities(date) != [], "the emulator finds them as Telegram does"
    directed = commands_and_numbers_left_to_right(f"تاريخ الموافقة: {date}")
    assert directed == "تاريخ الموافقة: 05/01/2026" and command_entities(directed) == []
    ar = i18n.translator("ar")
    assert ar.day(datetime.date(2026, 12, 2)) == "02/12/2026"  # Babel's, without the marks
    assert command_entities(ar.gettext("Question {number} of {total}", number=date, total=1)) == []
    assert commands_and_numbers_left_to_right("اكتبي /help") == f"اكتبي {LRI}/help{PDI}"
