"""The network's list of cities: spellings to codes, names per language, a broken file explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from conversations import cities
from conversations.cities import CitiesError, code_for, display, load


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("København", "copenhagen"),
        ("kobenhavn", "copenhagen"),
        ("København NV", "copenhagen"),
        ("2200 København N", "copenhagen"),
        ("Copenhagen", "copenhagen"),
        ("كوبنهاغن", "copenhagen"),
        ("كوبنهاجن", "copenhagen"),
        ("کپنهاگ", "copenhagen"),
        ("Копенгаген", "copenhagen"),
        ("Kopenhag", "copenhagen"),
        ("Århus C", "aarhus"),
        ("AARHUS", "aarhus"),
        ("Орхус", "aarhus"),
        ("ألبورغ", "aalborg"),
        ("آلبورگ", "aalborg"),  # Persian letters for the Arabic spelling
        ("Odense kommune", "odense"),
        ("near Aarhus", None),
        ("Aarhus or Odense", None),
        ("Helsingør", None),
        ("", None),
    ],
)
def test_spellings_become_the_place_they_name(typed: str, code: str | None) -> None:
    assert code_for(typed) == code


def test_a_place_is_named_in_her_language_and_her_own_words_stay() -> None:
    assert display("copenhagen", None, "ar") == "كوبنهاغن"
    assert display("copenhagen", None, "da") == "København"
    assert display("copenhagen", None, "xx") == "Copenhagen"
    assert display("other", "Helsingør", "ar") == "Helsingør"


def test_every_city_has_a_name_in_every_language() -> None:
    for city in cities.network():
        assert set(city.names) >= {"en", "da", "ar", "fa", "uk", "ru", "tr", "so"}, city.code


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("", "no [[city]]"),
        ('[[city]]\ncode = "Big Town"\nen = "x"', "small letters"),
        ('[[city]]\ncode = "other"\nen = "x"', "small letters"),
        ('[[city]]\ncode = "a"\nen = "A"\n[[city]]\ncode = "a"\nen = "B"', "twice"),
        ('[[city]]\ncode = "a"\nda = "A"', "English name"),
        ("[[city", "cannot read"),
    ],
)
def test_a_cities_file_that_cannot_be_used_says_why(tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "cities.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CitiesError, match=says.replace("[", r"\[")):
        load(path)


def test_a_network_uses_its_own_list(tmp_path: Path) -> None:
    path = tmp_path / "cities.toml"
    path.write_text('[[city]]\ncode = "malmo"\nen = "Malmö"\nar = "مالمو"\n', encoding="utf-8")
    try:
        cities.use(path)
        assert [c.code for c in cities.network()] == ["malmo"]
        assert code_for("malmo") == "malmo" and code_for("København") is None
        assert display("malmo", None, "ar") == "مالمو"
    finally:
        cities.use(None)
    assert code_for("København") == "copenhagen"
