"""Interview notes are sealed with Fernet before they reach the database.

A copy of the database file alone reveals nothing of them. Keys come from settings, the
first one encrypting and all of them decrypting (MultiFernet), so a key can be rotated by
putting a new one first.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

log = logging.getLogger(__name__)
SETTING = "MENTORBOT_NOTES_KEYS"


class UnreadableSeal(ValueError):
    """Sealed with a key that is not among the configured ones (or damaged)."""

    def __init__(self) -> None:
        super().__init__(
            f"sealed with a key that is not in {SETTING}: put the old key back, after the new one, to read it"
        )


class NotesCipher:
    """Seals and opens interview notes."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet([Fernet(key.strip().encode()) for key in keys])

    def seal(self, notes: dict[str, Any]) -> str:
        """The notes, encrypted."""
        return self._fernet.encrypt(json.dumps(notes, ensure_ascii=False).encode()).decode()

    def open(self, token: str) -> dict[str, Any]:
        """The notes, decrypted; UnreadableSeal if no configured key opens them."""
        try:
            return dict(json.loads(self._fernet.decrypt(token.encode())))
        except InvalidToken:
            raise UnreadableSeal() from None

    def open_or_none(self, token: str, what: str) -> dict[str, Any] | None:
        """The notes, or None (logged, naming the setting) when no configured key opens them."""
        try:
            return self.open(token)
        except UnreadableSeal as error:
            log.error("%s %s", what, error)
            return None

    def can_open(self, token: str) -> bool:
        """Whether a configured key opens this token (checked without reading it)."""
        try:
            self._fernet.decrypt(token.encode())
        except InvalidToken:
            return False
        return True


def new_key() -> str:
    """A fresh Fernet key."""
    return Fernet.generate_key().decode()


def sandbox_key(path: Path) -> str:
    """The sandbox's key, made once and kept in a file only its owner can read."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(new_key())
    return path.read_text().strip()
