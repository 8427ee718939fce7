"""What coordinators read about a participant, through the dispatcher: about her in the third person,
languages named in the reader's language, and one digit style per message."""

from __future__ import annotations

import re

from tests.conftest import COORDINATOR, Harness
from tests.conversations.test_pairing import ready

AMAL, OLGA, SHIRIN = 8101, 8102, 8103


def _amal(h: Harness) -> None:
    ready(
        h,
        AMAL,
        "Amal",
        "ar",
        "mentee",
        goals=["job", "confidence"],
        goals_text="أريد أن أعمل ممرضة",
        work_experience="2to5",
        wishes="A mother like me",
    )


async def test_person_shows_her_answers_about_her_not_in_her_own_words(harness: Harness) -> None:
    h = harness
    _amal(h)
    await h.send(COORDINATOR, "/start", language="en")
    record = (await h.send(COORDINATOR, "/person P-1"))[-1].text
    for line in (
        "• Language: Arabic",
        "• Role: Looking for a mentor",
        "• Goals: Find a job in her field and Believe more in herself",
        "• Goals in her words: \u2068أريد أن أعمل ممرضة\u2069",
        "• Contact she shares: Phone",
        "• Her wishes about a match: A mother like me",
    ):
        assert line in record
    assert "I am looking" not in record and "my field" not in record and "your" not in record

    own = (await h.send(AMAL, "/profile"))[-1].text  # her own view keeps her own words
    ar = h.i18n.translator("ar")
    assert f"• {ar.gettext('Role')}: {ar.gettext('I am looking for a mentor')}" in own
    assert f"• {ar.gettext('Language')}: العربية" in own


async def test_a_danish_coordinator_reads_language_names_in_danish(harness: Harness) -> None:
    h = harness
    ready(h, OLGA, "Olga", "ru", "mentee")
    _amal(h)
    await h.send(COORDINATOR, "/start", language="da")
    queue = (await h.send(COORDINATOR, "/queue"))[-1].text
    assert "P-1 Olga – " in queue and ", russisk, " in queue
    assert "Русский" not in queue and "العربية" not in queue and "arabisk" in queue
    da = h.i18n.translator("da")
    record = (await h.send(COORDINATOR, "/person P-2"))[-1].text
    assert f"• {da.gettext('Language')}: arabisk" in record
    assert f"• {da.gettext('Role')}: {da.gettext('Looking for a mentor')}" in record


async def test_a_persian_message_has_one_digit_style(harness: Harness) -> None:
    h = harness
    ready(h, SHIRIN, "Shirin", "fa", "mentee", work_experience="2to5", birth_year=1988)
    await h.send(SHIRIN, "/start", language="fa")
    profile = (await h.send(SHIRIN, "/profile"))[-1].text
    fa = h.i18n.translator("fa")
    assert fa.gettext("2 to 5 years") in profile and "1988" in profile
    assert not re.search("[\u06f0-\u06f9\u0660-\u0669]", profile), "no Persian digits beside Latin ones"
    assert re.search("[0-9]", fa.gettext("2 to 5 years")), "the translation's digits are read as 0-9"


async def test_a_coordinator_reads_the_city_in_her_language(harness: Harness) -> None:
    """A city from the network's list is shown by its name in the reader's language, not in English."""
    h = harness
    ready(h, OLGA, "Olga", "ru", "mentee", city="copenhagen")
    await h.send(COORDINATOR, "/start", language="da")
    da = h.i18n.translator("da")
    record = (await h.send(COORDINATOR, "/person P-1"))[-1].text
    assert f"• {da.gettext('City or region')}: København" in record
    assert "Copenhagen" not in record
