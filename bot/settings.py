"""The one Settings object, read from MENTORBOT_* environment variables and .env."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from conversations.cities import load as load_cities
from conversations.context import Coordinators
from conversations.i18n import LANGUAGES
from conversations.matching import MatchWeights
from storage.crypto import NotesCipher, sandbox_key
from storage.models import Platform

TELEGRAM_API = "https://api.telegram.org"
TOKEN_FORMAT = re.compile(r"^\d+:[\w-]{20,}$")


class Settings(BaseSettings):
    """Everything that differs between one network's installation and another's."""

    model_config = SettingsConfigDict(
        env_prefix="MENTORBOT_", env_file=".env", extra="ignore", env_nested_delimiter="__"
    )

    token: SecretStr | None = None
    api_url: str = TELEGRAM_API
    database_url: str = "sqlite:///var/mentorbot.sqlite3"
    coordinators: Annotated[frozenset[int], NoDecode] = frozenset()
    default_language: str = "en"
    timezone: str = "Europe/Copenhagen"
    phone_region: str = "DK"

    # Fernet keys for interview notes, comma-separated; the first encrypts (`mentorbot notes-key`).
    notes_keys: SecretStr | None = None

    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8443

    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = 8081
    # The sandbox's web chat (no token): a page where anyone can try the programme.
    web_host: str = "127.0.0.1"
    web_port: int = 8080

    # How much each reason counts when mentors are suggested for a mentee (docs/matching.md),
    # e.g. MENTORBOT_MATCH_WEIGHTS__WORK=4.
    match_weights: MatchWeights = MatchWeights()
    # The network's cities and regions with their names in each language (a TOML file like
    # conversations/cities.toml); empty: the shipped list of Danish cities.
    cities: Path | None = None

    sweep_seconds: float = Field(default=60, gt=0)
    send_per_second: float = Field(default=30, gt=0)
    send_per_chat_per_second: float = Field(default=1, gt=0)
    send_per_chat_burst: int = Field(default=3, ge=1)
    # Requests under way at once. Each may be delivered twice if the process dies during it:
    # 1 keeps that to one duplicate per crash; more sends faster on a slow network.
    send_in_flight: int = Field(default=1, ge=1)
    # What a participant who writes to the coordinator is promised: an answer within this many
    # working days (Monday to Friday). A thread unanswered by then shows in /overdue.
    answer_within_days: int = Field(default=2, ge=1, le=30)

    @field_validator("cities", mode="before")
    @classmethod
    def _cities(cls, value: object) -> object:
        if value in (None, ""):  # MENTORBOT_CITIES= as in .env.example: the shipped list
            return None
        load_cities(Path(str(value)))  # a file that cannot be used stops the start, saying why
        return value

    @field_validator("coordinators", mode="before")
    @classmethod
    def _ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
            bad = [p for p in parts if not p.lstrip("-").isdigit()]
            if bad:
                raise ValueError(
                    f"MENTORBOT_COORDINATORS takes numeric Telegram user ids separated by commas; "
                    f"{', '.join(bad)} is not one (a username is never an identity)"
                )
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("token")
    @classmethod
    def _token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value():
            return None
        if value is not None and not TOKEN_FORMAT.match(value.get_secret_value()):
            raise ValueError(
                "MENTORBOT_TOKEN does not look like a bot token from @BotFather (digits:letters)"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError:
            backend = ""
        if backend not in ("sqlite", "postgresql", "postgres"):
            raise ValueError(
                "MENTORBOT_DATABASE_URL must be a database address like sqlite:///var/mentorbot.sqlite3 or "
                "postgresql://user:password@host/mentorbot"
            )
        return value

    @field_validator("default_language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"MENTORBOT_DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"MENTORBOT_TIMEZONE {value!r} is not a time zone name like Europe/Copenhagen"
            ) from None
        return value

    @field_validator("notes_keys")
    @classmethod
    def _notes_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        try:
            NotesCipher(value.get_secret_value().split(","))
        except ValueError:
            raise ValueError(
                "MENTORBOT_NOTES_KEYS must be Fernet keys made by `mentorbot notes-key`"
            ) from None
        return value

    @model_validator(mode="after")
    def _real_networks_keep_their_own_key(self) -> Settings:
        if self.token is not None and self.notes_keys is None:
            raise ValueError(
                "with a real bot token, set MENTORBOT_NOTES_KEYS (make one with `mentorbot notes-key` and keep a "
                "copy safe: without it the interview notes cannot be read)"
            )
        return self

    def notes_cipher(self, var: Path) -> NotesCipher:
        """The cipher for interview notes; the sandbox keeps its own key under var/."""
        if self.notes_keys is not None:
            return NotesCipher(self.notes_keys.get_secret_value().split(","))
        return NotesCipher([sandbox_key(var / "notes.key")])

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and not self.webhook_secret:
            raise ValueError(
                "a webhook needs MENTORBOT_WEBHOOK_SECRET, so that only Telegram can post updates"
            )
        return self

    @property
    def sandbox(self) -> bool:
        """No token: run against the built-in Bot API emulator."""
        return self.token is None


def coordinators_of(settings: Settings) -> Coordinators:
    """MENTORBOT_COORDINATORS, Telegram user ids in the configuration, as the accounts they are."""
    return Coordinators(frozenset((Platform.TELEGRAM, str(user_id)) for user_id in settings.coordinators))
