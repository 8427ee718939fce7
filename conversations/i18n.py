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


# Unicode's directional isolates: first-strong (FSI), left-to-right (LRI), and their end (PDI).
FSI, LRI, PDI = "\u2068", "\u2066", "\u2069"
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# Letters written left to right: Latin, Greek, Cyrillic, Armenian, Georgian, Ethiopic... (not digits,
# which take the direction of the line around them).
_LEFT_TO_RIGHT = re.compile(
    "[A-Za-z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02b8\u0370-\u0482\u048a-\u058f\u10a0-\u1fff]"
)
_ISOLATED = re.compile("[\u2066-\u2069]")
# A command as Telegram finds one (tdlib's match_bot_commands): a slash not glued to a letter,
# digit, "/", "<" or ">", then 1-64 of [A-Za-z0-9_] (ours start with a letter, so a date's "/01" is
# not one), optionally @bot. A formatting mark such as
# LRI or PDI is no letter, so a command wrapped in them is still a command, still tappable.
_COMMAND = r"(?<![\w/<>])/[A-Za-z][A-Za-z0-9_]{0,63}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])"
# A phone number: digits with spaces or hyphens, at least seven characters, perhaps a leading +.
_PHONE = r"(?<![\w+])\+?[0-9][0-9 \-]{5,}[0-9](?!\w)"
# What is already kept left to right (LRI…PDI) is left as it is, so that applying it twice is harmless.
_KEEP_LEFT_TO_RIGHT = re.compile(f"\u2066[^\u2069\n]*\u2069|{_COMMAND}|{_PHONE}")
# Babel writes Arabic dates 02<RLM>/12<RLM>/2026. Telegram takes a slash after such a mark, followed by
# digits, for a command (tdlib's match_bot_commands allows digits), so "/12" and "/2026" would be
# tappable and send "/12". Without the marks the date is one run of digits and slashes, which reads
# 02/12/2026 in an Arabic line too.
_MARK_IN_A_DATE = re.compile("(?<=[0-9\u0660-\u0669\u06f0-\u06f9])[\u200e\u200f\u061c](?=/)")


def isolate(text: str | None, *, rtl: bool = False) -> str:
    """Text a person typed (a name, a city, an answer) set apart from the message around it.

    A line that holds letters of the other direction than the reader's (Arabic in a Danish
    message, Danish in an Arabic one) is wrapped in FSI…PDI: it keeps its own direction and
    does not turn the line around it (a Danish line starting with an Arabic name would be laid
    out right to left; a Danish sentence inside an Arabic message would have its full stop
    moved to its front). A line break ends an isolate, so each line is isolated alone.
    """
    other = _LEFT_TO_RIGHT if rtl else _RIGHT_TO_LEFT
    lines = (text or "").split("\n")
    return "\n".join(
        f"{FSI}{line}{PDI}" if other.search(line) and not _ISOLATED.search(line) else line for line in lines
    )


def _left_to_right(match: re.Match[str]) -> str:
    found = match.group()
    return found if found.startswith(LRI) else f"{LRI}{found}{PDI}"


def commands_and_numbers_left_to_right(text: str) -> str:
    """Commands and phone numbers kept left to right inside a right-to-left message.

    Without it an Arabic or Persian line shows "profile/" and "4520123456+": the slash and the
    plus are neutral and take the line's direction. Each is wrapped in LRI…PDI, which Telegram
    still recognises as a command (the marks are not letters); applying it twice changes nothing.
    The marks Babel puts before a date's slashes are taken out: Telegram would make "/12" a command.
    """
    return _KEEP_LEFT_TO_RIGHT.sub(_left_to_right, _MARK_IN_A_DATE.sub("", text))


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
        """The message in her language, with its placeholders filled (what a person typed isolated)."""
        text = self.catalog.gettext(msgid).translate(LATIN_DIGITS)
        return self.directed(text.format(**self._isolated(msgid, params)) if params else text)

    def ngettext(self, singular: str, plural: str, count: int, **params: object) -> str:
        """The plural form CLDR gives her language for count; {count} is filled too."""
        text = self.catalog.ngettext(singular, plural, count).translate(LATIN_DIGITS)
        return self.directed(text.format(count=count, **self._isolated(singular, params)))

    def isolate(self, text: str | None) -> str:
        """Text a person typed, set apart if it is written the other way than her language."""
        return isolate(text, rtl=self.rtl)

    def directed(self, text: str) -> str:
        """A whole message made to read in her direction: for right-to-left readers, commands and
        phone numbers are kept left to right. Every message passes here (gettext and the outbox)."""
        return commands_and_numbers_left_to_right(text) if self.rtl else text

    def _isolated(self, msgid: str, params: dict[str, object]) -> dict[str, object]:
        """The placeholders' values, each one-line text isolated (see `isolate`).

        Not a command's name (``/{command}``: a mark after the slash would end the command) and
        not a block of lines composed by the caller, which isolates what it puts in.
        """
        return {
            key: self.isolate(value)
            if isinstance(value, str) and "\n" not in value and f"/{{{key}}}" not in msgid
            else value
            for key, value in params.items()
        }

    def day(self, value: dt.date) -> str:
        """A calendar date as she writes it."""
        return _MARK_IN_A_DATE.sub("", format_date(value, format="medium", locale=self.locale))

    def weekday(self, value: dt.date) -> str:
        """A near date with its weekday, short, as she writes it (e.g. "Tue, Jan 6")."""
        return format_skeleton("MMMEd", value, locale=self.locale)

    def clock(self, hhmm: str) -> str:
        """A time of day given as HH:MM, as she writes it."""
        return format_time(dt.time.fromisoformat(hhmm), format="short", locale=self.locale)

    def date(self, moment: dt.datetime) -> str:
        """A date as she writes it, in her time zone."""
        return _MARK_IN_A_DATE.sub(
            "", format_date(moment.astimezone(self.tz), format="medium", locale=self.locale)
        )

    def datetime(self, moment: dt.datetime) -> str:
        """A date and time as she writes them, in her time zone."""
        local = moment.astimezone(self.tz)
        return f"{self.date(local)} {self.time(moment)}"

    def time(self, moment: dt.datetime) -> str:
        """A time of day as she writes it, in her time zone."""
        return format_time(moment.astimezone(self.tz), format="short", locale=self.locale)
