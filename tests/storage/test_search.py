"""The text /find compares: without case or accents, the same for what is stored and what is typed."""

from __future__ import annotations

import pytest

from storage.search import digits, normalise, search_key


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Åse", "ase"),
        ("ÅSE  Nielsen ", "ase nielsen"),
        ("Şule Yılmaz", "sule yilmaz"),
        ("Søren Ødegård", "soren odegard"),
        ("Zoë", "zoe"),
        ("Straße", "strasse"),
        ("أَمَل", "امل"),  # short vowels are marks
        ("إيمان", "ایمان"),  # a hamza under the alef is a mark; Arabic yeh as Persian yeh
        ("كريمة", "کریمة"),  # Arabic kaf as Persian kaf
        ("Олёна", "олена"),
        ("ﬁona", "fiona"),  # a ligature, as NFKD spells it out
        ("", ""),
    ],
)
def test_normalise(typed: str, stored: str) -> None:
    assert normalise(typed) == stored


def test_phone_digits_in_any_script() -> None:
    assert digits("+45 20-27 (41) 37") == "4520274137"
    assert digits("٠١٢٣") == "0123"


def test_search_key() -> None:
    assert search_key("Åse", "+45 20 27 41 37", "ASE@x.dk") == "ase ase@x.dk 4520274137"
    assert search_key(None, None, None) is None
    assert len(search_key("a" * 500, None, None) or "") == 400
