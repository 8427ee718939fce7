"""Checks for typed answers: each returns the clean value or raises Invalid with a message to show."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, time

import phonenumbers
from babel.dates import parse_date
from email_validator import EmailNotValidError, validate_email

from conversations.i18n import __


class Invalid(ValueError):
    """The answer cannot be used; msgid and params explain why, in her language."""

    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params


# Characters nobody types on purpose; PostgreSQL refuses NUL in text outright.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_words(text: str) -> bool:
    """Whether the text holds at least one letter or digit (not only emoji or punctuation)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


def clean_text(text: str, *, min_len: int = 1, max_len: int = 500) -> str:
    """Free text with length bounds, whitespace tidied, control characters (NUL above all) dropped."""
    value = re.sub(r"[ \t]+", " ", CONTROL.sub("", text).strip())
    if len(value) > max_len:
        raise Invalid(
            __("That is too long: please keep it under {max} characters (yours has {length})."),
            max=max_len,
            length=len(value),
        )
    if not has_words(value):
        raise Invalid(__("Please answer in words: I cannot read an answer made only of symbols or emoji."))
    if len(value) < min_len:
        raise Invalid(__("That is too short: please write at least {min} characters."), min=min_len)
    return value


def parse_number(text: str, *, low: int | None = None, high: int | None = None) -> int:
    """A whole number in any script's digits (int() reads Arabic-Indic digits too)."""
    try:
        value = int(text.strip().replace(" ", ""))
    except ValueError:
        raise Invalid(__("Please write a number, for example {example}."), example=high or 1) from None
    if (low is not None and value < low) or (high is not None and value > high):
        raise Invalid(__("Please write a number between {low} and {high}."), low=low, high=high)
    return value


def parse_phone(text: str, *, region: str) -> str:
    """A phone number in international form (+4512345678); local numbers use the network's region."""
    try:
        number = phonenumbers.parse(text.strip(), region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise Invalid(
            __(
                "That does not look like a phone number. Please write it with the country code, like +45 12 34 56 78."
            )
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_email(text: str) -> str:
    """An e-mail address, normalised; the domain is not looked up."""
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise Invalid(
            __("That does not look like an e-mail address. Please write it like name@example.com.")
        ) from None


def parse_day(text: str, *, locale: str, earliest: date | None = None, latest: date | None = None) -> date:
    """A date written the way her locale writes it, or as 2026-12-03."""
    raw = text.strip()
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        try:
            value = parse_date(raw, locale=locale)
        except (ValueError, IndexError):
            raise Invalid(
                __("I could not read that date. Please write it like {example}."), example="2026-12-03"
            ) from None
    if earliest and value < earliest:
        raise Invalid(
            __("That date is too early: the earliest possible is {date}."), date=earliest.isoformat()
        )
    if latest and value > latest:
        raise Invalid(
            __("That date is too far ahead: the latest possible is {date}."), date=latest.isoformat()
        )
    return value


def parse_time(text: str) -> time:
    """A time of day written 10:00 or 9:30."""
    try:
        hours, minutes = (int(part) for part in text.strip().replace(".", ":").split(":"))
        return time(hours, minutes)
    except ValueError:
        raise Invalid(__("I could not read the time {time}: write it like 10:00."), time=text[:20]) from None
