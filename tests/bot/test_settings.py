"""Settings fail fast with a message a person understands."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, SecretStr, ValidationError

from bot.settings import Settings
from storage.crypto import new_key


def make(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_coordinators_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MENTORBOT_COORDINATORS", "111, 222 333")
    assert Settings(_env_file=None).coordinators == frozenset({111, 222, 333})  # type: ignore[call-arg]


def test_a_username_is_not_an_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MENTORBOT_COORDINATORS", "111,@karen")
    with pytest.raises(ValidationError, match="a username is never an identity"):
        Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"token": "hello"}, "does not look like a bot token"),
        ({"timezone": "Copenhagen"}, "is not a time zone name"),
        ({"default_language": "xx"}, "MENTORBOT_DEFAULT_LANGUAGE must be one of"),
        ({"webhook_url": "https://bot.example.org"}, "a webhook needs MENTORBOT_WEBHOOK_SECRET"),
    ],
)
def test_bad_settings_are_explained(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        make(**values)


def test_no_token_means_the_sandbox() -> None:
    assert make().sandbox
    assert make(token="").sandbox
    assert not make(token="123456:" + "A" * 35, notes_keys=new_key()).sandbox


def test_a_real_network_needs_its_own_notes_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="set MENTORBOT_NOTES_KEYS"):
        make(token="123456:" + "A" * 35)
    with pytest.raises(ValidationError, match="Fernet keys"):
        make(notes_keys="not-a-key")
    old, new = new_key(), new_key()
    sealed = make(notes_keys=old).notes_cipher(tmp_path).seal({"a": 1})
    assert make(notes_keys=f"{new},{old}").notes_cipher(tmp_path).open(sealed) == {"a": 1}, (
        "keys can be rotated"
    )
    sandbox = make().notes_cipher(tmp_path)
    assert (tmp_path / "notes.key").stat().st_mode & 0o777 == 0o600
    assert make().notes_cipher(tmp_path).open(sandbox.seal({"b": 2})) == {"b": 2}, "the sandbox keeps its key"


EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def _example_keys() -> set[str]:
    return {
        line.split("=", 1)[0]
        for line in EXAMPLE.read_text(encoding="utf-8").splitlines()
        if line.startswith("MENTORBOT_") and "=" in line
    }


def test_every_setting_is_in_the_env_example() -> None:
    wanted = set()
    for name, field in Settings.model_fields.items():
        key = f"MENTORBOT_{name.upper()}"
        model = field.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):  # nested: one line per part
            wanted |= {f"{key}__{part.upper()}" for part in model.model_fields}
        else:
            wanted.add(key)
    assert wanted - _example_keys() == set(), "add these to .env.example, with a comment"
    assert _example_keys() - wanted == set(), "no longer settings: take them out of .env.example"


def test_the_env_example_as_it_is_gives_the_defaults() -> None:
    def plain(settings: Settings) -> dict[str, object]:  # an empty line in the file is an unset setting
        values = {k: getattr(settings, k) for k in Settings.model_fields}
        return {
            k: (v.get_secret_value() if isinstance(v, SecretStr) else v) or None for k, v in values.items()
        }

    assert plain(Settings(_env_file=EXAMPLE)) == plain(make())  # type: ignore[call-arg]
