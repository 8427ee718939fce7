"""Checks for typed answers: each returns the clean value or raises Invalid with a message to show."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, time, timedelta

import phonenumbers
from babel import Locale
from babel.dates import format_date
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


# Marks a right-to-left date carries (Babel writes Arabic dates with RLM) or a phone adds around one.
_DIRECTION_MARKS = dict.fromkeys(
    map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)
_NUMERIC_DAY = re.compile(r"^(\d{1,4})\s*([./-])\s*(\d{1,2})(?:\s*\2\s*(\d{1,4}))?\.?$")
_TOKENS = re.compile(r"[^\W\d_]+\.?|\d+")
EXAMPLE_DAYS_AHEAD = 7  # examples of dates are this far in the future, so that they can be used as they are


def ascii_digits(text: str) -> str:
    """Digits of any script (Arabic-Indic, Persian, ...) as 0-9, so that one reading serves every language."""
    return "".join(str(d) if (d := unicodedata.decimal(ch, None)) is not None else ch for ch in text)


def written_day(value: date, locale: str) -> str:
    """A date as her locale writes it in figures, with the whole year (03.12.2026, 12/3/2026, 2026/12/3)."""
    pattern = re.sub("y+", "y", Locale.parse(locale).date_formats["short"].pattern)
    return format_date(value, pattern, locale=locale)


def example_day(today: date, locale: str) -> str:
    """A date to show as an example, written as her locale writes it: at least a week ahead, so never in
    the past, on a day after the 12th, so that nobody can take its day for its month."""
    value = today + timedelta(days=EXAMPLE_DAYS_AHEAD)
    while value.day <= 12:
        value += timedelta(days=1)
    return written_day(value, locale)


def _month_first(locale: str) -> bool:
    """Whether the locale writes the month before the day in a numeric date (12/3/2026 in English)."""
    pattern = Locale.parse(locale).date_formats["short"].pattern
    return not pattern.startswith("y") and pattern.find("M") < pattern.find("d")


def _month_named(word: str, locale: str) -> int | None:
    """The month a word names in her locale or in English, whole or its first letters ("dec", "dec.", "декабря")."""
    word = word.casefold().rstrip(".")
    found = set()
    for names in (Locale.parse(locale).months, Locale.parse("en").months):
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in names[context][width].items():
                    name = name.casefold().rstrip(".")
                    if word == name or (len(word) >= 3 and name.startswith(word)):
                        found.add(number)
    return found.pop() if len(found) == 1 else None


def _in_year(day: int, month: int, year: int | None, today: date) -> date:
    """The date; without a year, the next such day from today on."""
    if year is not None:
        return date(year + 2000 if year < 100 else year, month, day)
    value = date(today.year, month, day)
    return value if value >= today else date(today.year + 1, month, day)


def _read_day(text: str, locale: str, today: date) -> date | None:
    """A date in figures or with a month's name, in her locale's order, or None."""
    raw = ascii_digits(text.translate(_DIRECTION_MARKS)).strip()
    numeric = _NUMERIC_DAY.match(raw)
    if numeric:
        first, separator, second, third = numeric.groups()
        if len(first) == 4 and third:  # 2026-12-03, 2026/12/3 (Persian's order)
            return date(int(first), int(second), int(third))
        day, month = int(first), int(second)
        if separator == "/" and _month_first(locale):  # only the slash is read the locale's way
            day, month = month, day
        return _in_year(day, month, int(third) if third else None, today)
    tokens = _TOKENS.findall(raw)
    words = [t for t in tokens if not t.isdigit()]
    numbers = [int(t) for t in tokens if t.isdigit()]
    if len(words) != 1 or not 1 <= len(numbers) <= 2:
        return None
    named = _month_named(words[0], locale)
    days = [n for n in numbers if n <= 31]
    years = [n for n in numbers if n > 31]
    if named is None or len(days) != 1 or len(years) > 1:
        return None
    return _in_year(days[0], named, years[0] if years else None, today)


def parse_day(
    text: str, *, locale: str, today: date, earliest: date | None = None, latest: date | None = None
) -> date:
    """A date as people write it, read the same everywhere the bot asks for one.

    2026-12-03 always; 3.12.2026 and 3-12-2026 day first (no locale writes those month first);
    3/12/2026 in her locale's order (12/3/2026 in English); a month's name (3 dec 2026, Dec 3);
    without a year, the next such day. Digits of any script, and the direction marks of a
    right-to-left date, are read too.
    """
    try:
        value = _read_day(text[:40], locale, today)
    except ValueError:  # a 31st of February, a 13th month
        value = None
    if value is None:
        raise Invalid(
            __("I could not read that date. Please write it like {example}."),
            example=example_day(today, locale),
        )
    if earliest and value < earliest:
        raise Invalid(
            __("That date is too early: the earliest possible is {date}."), date=written_day(earliest, locale)
        )
    if latest and value > latest:
        raise Invalid(
            __("That date is too far ahead: the latest possible is {date}."), date=written_day(latest, locale)
        )
    return value


def parse_time(text: str) -> time:
    """A time of day written 10:00 or 9:30."""
    try:
        hours, minutes = (int(part) for part in text.strip().replace(".", ":").split(":"))
        return time(hours, minutes)
    except ValueError:
        raise Invalid(__("I could not read the time {time}: write it like 10:00."), time=text[:20]) from None
