"""Typed answers: what is accepted, how it is stored, what is refused."""

from __future__ import annotations

from datetime import date

import pytest

from conversations.validation import (
    Invalid,
    clean_text,
    example_day,
    has_words,
    parse_day,
    parse_email,
    parse_number,
    parse_phone,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Amal", True), ("أمل", True), ("Ольга", True), ("42", True), ("🙂", False), ("?!", False), ("", False)],
)
def test_has_words(text: str, expected: bool) -> None:
    assert has_words(text) is expected


def test_clean_text_tidies_spaces() -> None:
    assert clean_text("  Amal   Hassan ", max_len=80) == "Amal Hassan"


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("+45 20 30 40 50", "DK", "+4520304050"),
        ("20 30 40 50", "DK", "+4520304050"),
        ("+995 599 12 34 56", "DK", "+995599123456"),
        ("0599 12 34 56", "GE", "+995599123456"),
    ],
)
def test_phone_numbers_are_stored_internationally(text: str, region: str, expected: str) -> None:
    assert parse_phone(text, region=region) == expected


@pytest.mark.parametrize("text", ["12", "call me", "+45 1", "🙂"])
def test_bad_phone_numbers(text: str) -> None:
    with pytest.raises(Invalid, match="phone number"):
        parse_phone(text, region="DK")


def test_email() -> None:
    assert parse_email(" Amal@Example.COM ") == "Amal@example.com"
    with pytest.raises(Invalid, match="e-mail"):
        parse_email("amal at example")


@pytest.mark.parametrize(
    ("text", "value"), [("1985", 1985), (" 1 985 ", 1985), ("١٩٨٥", 1985), ("۱۹۸۵", 1985)]
)
def test_numbers_in_any_digits(text: str, value: int) -> None:
    assert parse_number(text, low=1920, high=2012) == value


@pytest.mark.parametrize("text", ["nineteen", "1850", "3000", "19.5"])
def test_bad_numbers(text: str) -> None:
    with pytest.raises(Invalid):
        parse_number(text, low=1920, high=2012)


TODAY = date(2026, 1, 5)
DECEMBER_3 = date(2026, 12, 3)


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("2026-12-03", "en"),
        ("2026-12-03", "ar"),
        ("3.12.2026", "da"),
        ("3.12.2026", "en"),  # dots are day first everywhere
        ("03-12-2026", "ru"),
        ("3/12/2026", "da"),
        ("3/12/2026", "ar"),
        ("3/12/2026", "so"),
        ("12/3/2026", "en"),  # the slash in English: the month first
        ("03.12.26", "uk"),
        ("3.12", "da"),  # no year: the next 3 December
        ("٣/١٢/٢٠٢٦", "ar"),
        ("3\u200f/12\u200f/2026", "ar"),  # as Babel writes it in Arabic, marks and all
        ("۲۰۲۶/۱۲/۳", "fa"),
        ("۳/۱۲/۲۰۲۶", "fa"),
        ("3. dec. 2026", "da"),  # as the bot writes a date in Danish
        ("Dec 3, 2026", "en"),
        ("3 december 2026", "da"),
        ("3 декабря 2026", "ru"),
        ("3 Aralık 2026", "tr"),
        ("dec 3", "en"),
    ],
)
def test_dates_are_read_the_same_everywhere(text: str, locale: str) -> None:
    assert parse_day(text, locale=locale, today=TODAY) == DECEMBER_3


@pytest.mark.parametrize(
    "text", ["soon", "31.2.2026", "3.13.2026", "3 12 2026", "2026-12", "🙂", "ma 3 dec 2026"]
)
def test_dates_that_cannot_be_read_get_an_example_ahead(text: str) -> None:
    with pytest.raises(Invalid) as raised:
        parse_day(text, locale="da", today=TODAY)
    assert raised.value.params == {"example": "13.01.2026"}


@pytest.mark.parametrize("locale", ["en", "da", "ar", "fa", "uk", "ru", "tr", "so"])
def test_every_locale_reads_its_own_example(locale: str) -> None:
    example = example_day(TODAY, locale)
    value = parse_day(example, locale=locale, today=TODAY)
    assert value > TODAY and value.day > 12  # ahead, and its day cannot pass for a month


def test_bounds_are_written_as_her_locale_writes_dates() -> None:
    with pytest.raises(Invalid) as raised:
        parse_day("1.1.2026", locale="da", today=TODAY, earliest=TODAY)
    assert raised.value.params == {"date": "05.01.2026"}
