"""The normalised text that /find searches: names, e-mail and phone digits without case or accents.

"Åse", "ÅSE" and "ase" become the same "ase", "Şule" becomes "sule", "أمل" becomes "امل":
NFKD splits a letter from its accents and casefold drops case, then the accents (combining
marks, Arabic short vowels among them) are dropped. A few letters that are not built from an
accent are folded by hand, so that a coordinator typing on a Danish or English keyboard finds
"Søren" as "soren" (and a Turkish dotless i as i), and one typing on a Persian keyboard finds
an Arabic "علي" as "علی". The same function reads the stored key and what is typed, so they
always agree.
"""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD leaves whole, folded to what people type instead. Arabic yeh and kaf to their
# Persian forms (same letters, different keyboards); tatweel, a stretching stroke, goes.
_FOLD = str.maketrans(
    {
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
        "đ": "d",
        "ł": "l",
        "þ": "th",
        "ð": "d",
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        "ـ": "",
    }
)
_SPACES = re.compile(r"\s+")
SEARCH_KEY_LENGTH = 400


def normalise(text: str | None) -> str:
    """Text without case, accents or repeated spaces, as /find compares it."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", bare.translate(_FOLD)).strip()


def digits(text: str | None) -> str:
    """Only the digits of a phone number (in any script: int() and isdigit() agree on them)."""
    return "".join(str(int(ch)) for ch in text or "" if ch.isdecimal())


def search_key(name: str | None, phone: str | None, email: str | None) -> str | None:
    """What is stored for /find: her name, e-mail and phone digits, one space between; None when none."""
    parts = [normalise(name), normalise(email), digits(phone)]
    key = " ".join(part for part in parts if part)
    return key[:SEARCH_KEY_LENGTH] or None
