"""Reading /addslot lines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from admin.slots import parse_slots
from conversations.validation import Invalid

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ZONE = "Europe/Copenhagen"


def test_one_slot_in_local_time_is_stored_in_utc() -> None:
    (slot,) = parse_slots("2026-12-03 10:00 45 Nørregade 1", zone=ZONE, now=NOW)
    assert slot.starts_at == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # Copenhagen is UTC+1 in winter
    assert (slot.minutes, slot.place) == (45, "Nørregade 1")


def test_a_weekly_series() -> None:
    slots = parse_slots("2026-12-01 10:00-12:00 30 x4 Nørregade 1, 2. sal", zone=ZONE, now=NOW)
    assert len(slots) == 16
    assert slots[0].starts_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert slots[3].starts_at == datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
    assert slots[4].starts_at == datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    assert {s.place for s in slots} == {"Nørregade 1, 2. sal"}


def test_summer_time_is_respected() -> None:
    (slot,) = parse_slots("2027-06-01 10:00 30 Here", zone=ZONE, now=NOW)
    assert slot.starts_at == datetime(2027, 6, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("tomorrow at ten", "Write it like this"),
        ("2026-13-03 10:00 45 Here", "I could not read that date"),
        ("soon 10:00 45 Here", "I could not read that date"),
        ("2026-12-03 25:00 45 Here", "I could not read the time"),
        ("2026-12-03 10:00 5 Here", "between 10 and 240 minutes"),
        ("2026-11-20 10:00 45 Here", "already passed"),
        ("2026-12-01 12:00-10:00 30 x2 Here", "end of the series must be after"),
        ("2026-12-01 10:00-10:20 30 Here", "No slot of that length fits"),
        ("2026-12-01 10:00 30 x13 Here", "1 to 12 weeks"),
    ],
)
def test_bad_lines_are_explained(line: str, problem: str) -> None:
    with pytest.raises(Invalid) as raised:
        parse_slots(line, zone=ZONE, now=NOW)
    assert problem in raised.value.msgid


@pytest.mark.parametrize(
    ("line", "locale"),
    [
        ("2026-12-03 10:00 45 Here", "da"),
        ("3.12.2026 10.00 45 Here", "da"),  # as a Danish coordinator writes a date and a time
        ("3/12/2026 10:00 45 Here", "da"),  # the slash in a day-first locale
        ("12/3/2026 10:00 45 Here", "en"),  # the slash in English: the month first
        ("3.12.2026 10:00 45 Here", "en"),  # dots are day first in every locale
        ("3. dec. 2026 10:00 45 Here", "da"),  # as the bot itself writes the date in Danish
        ("Dec 3, 2026 10:00 45 Here", "en"),
        ("٣/١٢/٢٠٢٦ ١٠:٠٠ ٤٥ Here", "ar"),  # Arabic digits
        ("۲۰۲۶/۱۲/۳ ۱۰:۰۰ ۴۵ Here", "fa"),  # Persian digits, in Persian's order
    ],
)
def test_a_date_is_read_in_the_coordinators_locale(line: str, locale: str) -> None:
    (slot,) = parse_slots(line, zone=ZONE, now=NOW, locale=locale)
    assert slot.starts_at == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert (slot.minutes, slot.place) == (45, "Here")


@pytest.mark.parametrize(
    ("locale", "example"), [("en", "12/13/2026"), ("da", "13.12.2026"), ("fa", "2026/12/13")]
)
def test_the_usage_shows_a_date_ahead_as_her_locale_writes_it(locale: str, example: str) -> None:
    with pytest.raises(Invalid) as raised:
        parse_slots("tomorrow at ten", zone=ZONE, now=NOW, locale=locale)
    assert raised.value.params == {"date": example}
    (slot,) = parse_slots(f"{example} 10:00 45 Here", zone=ZONE, now=NOW, locale=locale)
    assert slot.starts_at > NOW
