"""The network's cities and regions: stable codes with a name in each language.

A woman picks her city from buttons in her language (or types it, in any spelling the list
knows, or types another place, kept as "other" with her words). What is stored is the code, so
matching compares places, not spellings: "كوبنهاغن" and "København" are both `copenhagen`.

The list is data (conversations/cities.toml, or the file in MENTORBOT_CITIES), read once when
the bot starts. It is module state because the registration flow is module-level data too.
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_FILE = Path(__file__).with_name("cities.toml")
OTHER = "other"  # the code of a place not on the list; her own words are kept beside it
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
# Written after a city's name without making it another place: postal codes, Copenhagen's
# districts (København N, Aarhus C), "kommune".
_NOISE = re.compile(r"\b(\d{3,5}|n|nv|s|sv|o|v|k|c|kommune|municipality|denmark|danmark)\b")


@dataclass(frozen=True)
class City:
    """One place on the list: its stored code, its name per language and other spellings."""

    code: str
    names: Mapping[str, str]
    aliases: tuple[str, ...] = ()

    def name(self, language: str) -> str:
        """Her name for the place, or the English one."""
        return self.names.get(language) or self.names["en"]


class CitiesError(ValueError):
    """The cities file cannot be used; the message says why, for whoever runs the bot."""


def load(path: Path) -> tuple[City, ...]:
    """Read and check a cities file; fails fast with a message a person understands."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise CitiesError(f"cannot read the cities file {path}: {error}") from error
    found: list[City] = []
    for index, entry in enumerate(data.get("city", []), 1):
        code = str(entry.get("code", ""))
        if not _CODE.match(code) or code == OTHER:
            raise CitiesError(
                f"{path}: city {index} needs a code of small letters, like 'aarhus' (not 'other')"
            )
        if code in {c.code for c in found}:
            raise CitiesError(f"{path}: the code {code!r} is there twice")
        names = {k: str(v) for k, v in entry.items() if k not in ("code", "aliases")}
        if not names.get("en"):
            raise CitiesError(f"{path}: city {code!r} needs at least its English name (en = ...)")
        found.append(City(code, names, tuple(str(a) for a in entry.get("aliases", []))))
    if not found:
        raise CitiesError(f"{path}: no [[city]] entries")
    return tuple(found)


_active: tuple[City, ...] | None = None


def use(path: Path | None) -> None:
    """Make this file the network's list (None: the shipped Danish list)."""
    global _active
    _active = load(path or DEFAULT_FILE)
    _index.clear()


def network() -> tuple[City, ...]:
    """The network's list, read on first use when nobody chose one (tests, migrations)."""
    if _active is None:
        configured = os.environ.get("MENTORBOT_CITIES")
        use(Path(configured) if configured else None)
    assert _active is not None
    return _active


def by_code(code: str | None) -> City | None:
    """The city with this code, if it is on the list."""
    return next((c for c in network() if c.code == code), None)


def display(code: str | None, other: str | None, language: str) -> str:
    """A stored place as she reads it: the city's name in her language, or the words typed."""
    city = by_code(code)
    if city is not None:
        return city.name(language)
    return other or code or ""


def all_names(code: str | None) -> tuple[str, ...]:
    """Every name and spelling of a place on the list (for wishes that name it in any language)."""
    city = by_code(code)
    return (*city.names.values(), *city.aliases) if city else ()


def fold(text: str) -> str:
    """Text reduced for comparing spellings: case, accents, Danish letters, Arabic letter forms."""
    text = text.casefold().replace("æ", "ae").replace("ø", "o").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf")
    for variants, plain in (("أإآٱ", "ا"), ("ة", "ه"), ("ىي", "ی"), ("ك", "ک"), ("گ", "غ")):
        for ch in variants:
            text = text.replace(ch, plain)
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


_index: dict[str, str] = {}


def code_for(text: str | None) -> str | None:
    """The code of a typed place, if it is one the list knows in some spelling; None otherwise.

    Only a whole name counts (after postal codes and districts are set aside): "København N" is
    Copenhagen, "Copenhagen, Denmark" too, but "near Aarhus" or "Aarhus or Odense" is not guessed.
    """
    if not _index:
        for city in network():
            for spelling in (*city.names.values(), *city.aliases, city.code):
                _index.setdefault(fold(spelling), city.code)
    folded = fold(text or "")
    if folded in _index:
        return _index[folded]
    first = fold((text or "").split(",")[0])
    return _index.get(" ".join(_NOISE.sub(" ", first).split()))
