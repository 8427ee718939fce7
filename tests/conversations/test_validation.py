"""Typed answers: what is accepted, how it is stored, what is refused."""

from __future__ import annotations

import pytest

from conversations.validation import Invalid, clean_text, has_words, parse_email, parse_number, parse_phone


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
