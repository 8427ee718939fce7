"""What a conversation needs to answer one person: her record, her language, the clock, the outbox."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session

from conversations.clock import Clock
from conversations.events import Reply
from conversations.i18n import I18n, Translator
from storage import queries
from storage.crypto import NotesCipher
from storage.db import Turn
from storage.models import Person


def payload(reply: Reply, tr: Translator) -> dict[str, Any]:
    """A reply as stored in the outbox, its button rows mirrored for right-to-left readers."""
    rows = [[[b.label, b.data] for b in row] for row in reply.buttons]
    return {"text": reply.text, "buttons": [row[::-1] for row in rows] if tr.rtl else rows}


@dataclass
class Ctx:
    """One person's turn: the open transaction, who she is and how to write to her.

    `key` is read cheaply for every update; the full `person` record is loaded only by the
    turns that need it (most answers to a question do not).
    """

    turn: Turn
    key: queries.PersonKey
    tr: Translator
    i18n: I18n
    clock: Clock
    coordinators: frozenset[int]
    phone_region: str = "DK"
    username: str | None = None
    notes: NotesCipher | None = None  # seals interview notes; coordinators' turns only need it

    @property
    def db(self) -> Connection:
        """This turn's connection, for the Core statements every update runs."""
        return self.turn.connection

    @property
    def session(self) -> Session:
        """An ORM session in this turn's transaction, for the rarer turns that need records."""
        return self.turn.session

    @cached_property
    def person(self) -> Person:
        """Her whole record, loaded on first use and saved with the turn."""
        person = self.session.get(Person, self.key.id)
        assert person is not None
        return person

    @property
    def now(self) -> datetime:
        """The time of this turn."""
        return self.clock.now()

    @property
    def is_coordinator(self) -> bool:
        """Whether she is on the coordinators' allow-list."""
        return self.key.telegram_id in self.coordinators

    def say(self, reply: Reply, *, sealed: bool = False) -> None:
        """Send her a message (through the outbox, in this transaction); sealed: stored encrypted."""
        data = self._sealed(payload(reply, self.tr)) if sealed else payload(reply, self.tr)
        queries.enqueue(self.db, chat_id=self.key.telegram_id, kind="message", payload=data, now=self.now)

    def edit(self, message_id: int | None, reply: Reply, *, sealed: bool = False) -> None:
        """Change a message she already has (e.g. take the buttons off an answered question)."""
        if message_id is not None:
            data = self._sealed(payload(reply, self.tr)) if sealed else payload(reply, self.tr)
            data["message_id"] = message_id
            queries.enqueue(self.db, chat_id=self.key.telegram_id, kind="edit", payload=data, now=self.now)

    def _sealed(self, data: dict[str, Any]) -> dict[str, Any]:
        """A payload whose text and buttons only the sender can read (interview notes pass the outbox)."""
        assert self.notes is not None, "sealed messages need the notes cipher"
        return {"sealed": self.notes.seal(data)}

    def switch_language(self, language: str) -> None:
        """Write to her in another language from now on."""
        self.person.language = language
        self.session.add(self.person)
        self.key = replace(self.key, language=language)
        self.tr = self.i18n.translator(language)


def post(session: queries.Executor, chat_id: int, reply: Reply, tr: Translator, now: datetime) -> None:
    """Put a message for one reader in the outbox."""
    queries.enqueue(session, chat_id=chat_id, kind="message", payload=payload(reply, tr), now=now)


def tell_coordinators(
    session: Session,
    *,
    i18n: I18n,
    coordinators: frozenset[int],
    now: datetime,
    compose: Callable[[Translator], Reply],
) -> None:
    """Send every coordinator a message composed in her own language."""
    known = queries.people_by_telegram_ids(session, telegram_ids=coordinators)
    for telegram_id in sorted(coordinators):
        person = known.get(telegram_id)
        tr = i18n.translator(person.language if person else None)
        post(session, telegram_id, compose(tr), tr, now)
