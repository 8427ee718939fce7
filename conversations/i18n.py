"""Translations and locale formatting (Babel), one Translator per reader.

Conventions, matching the extraction command `pybabel extract -k _:1,2 -k __`:
`__("text")` marks a message where it is declared (flows are data and are translated when
shown); `tr.gettext(msgid, **params)` translates and fills `{placeholders}`; plurals use
`tr.ngettext(singular, plural, count, **params)`. Babel extracts `gettext` and `ngettext`
calls by default, so a literal passed to either needs no other mark.
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
from dataclasses import dataclass
from functools import cached_property
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"

# The languages we ship, each named in itself so a person can find hers.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "da": "Dansk",
    "ar": "العربية",
    "fa": "فارسی",
    "uk": "Українська",
    "ru": "Русский",
    "tr": "Türkçe",
    "so": "Soomaali",
}
RTL_LANGUAGES = frozenset({"ar", "fa"})
# One digit style in every message: 0-9, in every language. Babel writes dates, times and counts so
# (its default numbering), ids and phone numbers are so; a translation's own digits (Persian ۲,
# Arabic ٢) become them here, in Translator, so that no message mixes two styles.
LATIN_DIGITS = {ord(zero) + n: str(n) for zero in ("\u0660", "\u06f0") for n in range(10)}


def __(message: str) -> str:
    """Mark a message for extraction where it is declared; it is translated when shown."""
    return message


_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def isolate(text: str | None) -> str:
    """A right-to-left name or word set apart (FSI…PDI), so that it does not reorder the line around it."""
    text = text or ""
    return f"\u2068{text}\u2069" if _RIGHT_TO_LEFT.search(text) else text


def pick_language(language_code: str | None, default: str = SOURCE_LANGUAGE) -> str:
    """The shipped language closest to what Telegram reports (e.g. 'ar-EG' -> 'ar')."""
    if language_code:
        base = language_code.replace("_", "-").split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return default


def _load_catalog(language: str) -> gettext.NullTranslations:
    """The compiled catalog if it is current, else the .po compiled in memory."""
    folder = LOCALES_DIR / language / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fp:
            return Translations(fp, domain=DOMAIN)
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


class I18n:
    """All shipped catalogs, loaded once."""

    def __init__(self, default_language: str = SOURCE_LANGUAGE, timezone: str = "Europe/Copenhagen") -> None:
        self.default_language = default_language
        self.timezone = timezone
        self._catalogs = {lang: _load_catalog(lang) for lang in LANGUAGES if lang != SOURCE_LANGUAGE}
        self._catalogs[SOURCE_LANGUAGE] = gettext.NullTranslations()
        self._translators: dict[tuple[str, str], Translator] = {}

    def translator(self, language: str | None, timezone: str | None = None) -> Translator:
        """The translator for one reader's language and time zone (made once, then shared)."""
        lang = language if language in LANGUAGES else self.default_language
        key = (lang, timezone or self.timezone)
        if key not in self._translators:
            self._translators[key] = Translator(lang, self._catalogs[lang], ZoneInfo(key[1]))
        return self._translators[key]


@dataclass(frozen=True)
class Translator:
    """Translates and formats for one reader."""

    language: str
    catalog: gettext.NullTranslations
    tz: ZoneInfo

    @property
    def rtl(self) -> bool:
        """Whether her language is written right to left."""
        return self.language in RTL_LANGUAGES

    @cached_property
    def locale(self) -> Locale:
        """Her Babel locale."""
        return Locale.parse(self.language)

    def gettext(self, msgid: str, **params: object) -> str:
        """The message in her language, with its placeholders filled."""
        text = self.catalog.gettext(msgid).translate(LATIN_DIGITS)
        return text.format(**params) if params else text

    def ngettext(self, singular: str, plural: str, count: int, **params: object) -> str:
        """The plural form CLDR gives her language for count; {count} is filled too."""
        text = self.catalog.ngettext(singular, plural, count).translate(LATIN_DIGITS)
        return text.format(count=count, **params)

    def day(self, value: dt.date) -> str:
        """A calendar date as she writes it."""
        return format_date(value, format="medium", locale=self.locale)

    def weekday(self, value: dt.date) -> str:
        """A near date with its weekday, short, as she writes it (e.g. "Tue, Jan 6")."""
        return format_skeleton("MMMEd", value, locale=self.locale)

    def clock(self, hhmm: str) -> str:
        """A time of day given as HH:MM, as she writes it."""
        return format_time(dt.time.fromisoformat(hhmm), format="short", locale=self.locale)

    def date(self, moment: dt.datetime) -> str:
        """A date as she writes it, in her time zone."""
        return format_date(moment.astimezone(self.tz), format="medium", locale=self.locale)

    def datetime(self, moment: dt.datetime) -> str:
        """A date and time as she writes them, in her time zone."""
        local = moment.astimezone(self.tz)
        return f"{format_date(local, format='medium', locale=self.locale)} {self.time(moment)}"

    def time(self, moment: dt.datetime) -> str:
        """A time of day as she writes it, in her time zone."""
        return format_time(moment.astimezone(self.tz), format="short", locale=self.locale)
