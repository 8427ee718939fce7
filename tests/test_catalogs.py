"""Every shipped language is complete: no missing, untranslated or fuzzy message, the same
{placeholders} as the English, every CLDR plural form filled."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from conversations.i18n import LANGUAGES, LOCALES_DIR, SOURCE_LANGUAGE

TRANSLATED = sorted(set(LANGUAGES) - {SOURCE_LANGUAGE})
PLACEHOLDER = re.compile(r"\{(\w*)\}")
KEYWORDS = {"_": (1, 2), "__": None, "gettext": None, "ngettext": (1, 2)}


def _code_messages() -> set[str]:
    """The msgids the code uses now, extracted as `make i18n` does (-k _:1,2 -k __)."""
    found: set[str] = set()
    root = LOCALES_DIR.parent
    for package in ("bot", "conversations", "storage", "admin"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            root / package, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalog(language: str):  # type: ignore[no-untyped-def]
    path = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fp:
        return read_po(BytesIO(fp.read()), locale=language)


@pytest.fixture(scope="module")
def code_messages() -> set[str]:
    return _code_messages()


def test_the_code_has_messages(code_messages: set[str]) -> None:
    assert "Which language would you like me to write in?" in code_messages
    assert len(code_messages) > 100


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalog_is_complete(language: str, code_messages: set[str]) -> None:
    catalog = _catalog(language)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    missing = sorted(code_messages - ids)
    assert not missing, f"{language}: {len(missing)} messages missing, run `make i18n`: {missing[:5]}"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(s.strip() for s in strings):
            problems.append(f"untranslated: {message.id!r}")
    assert not problems, f"{language}: " + "; ".join(problems[:10])


def _placeholder_problem(ids: tuple[str, ...], string: str) -> bool:
    """True when a translation breaks the English placeholders.

    A plural form may leave out {count} (Arabic says "two days" without the number), but it
    must keep every other placeholder and add none.
    """
    wanted = set(PLACEHOLDER.findall(ids[-1]))
    found = set(PLACEHOLDER.findall(string))
    if len(ids) == 1:
        return found != wanted
    return not (wanted - {"count"} <= found <= wanted)


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_match(language: str) -> None:
    problems = []
    for message in _catalog(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        problems += [f"{ids[0]!r} -> {s!r}" for s in strings if s and _placeholder_problem(ids, s)]
    assert not problems, f"{language}: " + "; ".join(problems[:10])


@pytest.mark.parametrize(
    ("ids", "string", "broken"),
    [
        (("Hello {name}",), "Hej {name}", False),
        (("Hello {name}",), "Hej {navn}", True),
        (("Hello {name}",), "Hej", True),
        (("{count} day", "{count} days"), "يوم واحد", False),
        (("{count} day in {city}", "{count} days in {city}"), "{count} dage", True),
        (("{count} day", "{count} days"), "{count} {extra}", True),
    ],
)
def test_placeholder_rule(ids: tuple[str, ...], string: str, broken: bool) -> None:
    assert _placeholder_problem(ids, string) is broken


@pytest.mark.parametrize("language", TRANSLATED)
def test_plural_forms_follow_cldr(language: str) -> None:
    catalog = _catalog(language)
    from babel import Locale
    from babel.messages.plurals import get_plural

    expected = get_plural(Locale.parse(language))
    assert catalog.num_plurals == expected.num_plurals
    for message in catalog:
        if isinstance(message.id, tuple):
            assert len(message.string) == expected.num_plurals, message.id


def test_no_message_hides_inside_an_f_string() -> None:
    """Extraction cannot see a call inside an f-string, so such a message would never be translated."""
    hidden = re.compile(r"""f(["']).*\{[^}]*gettext\(\s*["']""")
    offenders = [
        f"{path.relative_to(LOCALES_DIR.parent)}:{number}"
        for package in ("bot", "conversations", "storage", "admin")
        for path in (LOCALES_DIR.parent / package).rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if hidden.search(line)
    ]
    assert not offenders, offenders
