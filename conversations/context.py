"""What a conversation needs to answer one person: her record, her language, the clock, the outbox.

Every message to someone goes through `post` (or, answering the person who wrote, `Ctx.say`):
conversations name people, never a platform's address; the outbox row gets her account.
"""

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
    """A reply as stored in the outbox, in her direction: button rows mirrored and commands and phone
    numbers kept left to right for right-to-left readers (also where a caller composed the text)."""
    rows = [[[b.label, b.data] for b in row] for row in reply.buttons]
    text = tr.directed(reply.text) if tr.rtl else reply.text
    data: dict[str, Any] = {"text": text, "buttons": [row[::-1] for row in rows] if tr.rtl else rows}
    if reply.attachment is not None:
        file = reply.attachment
        data |= {"media": file.kind, "file_id": file.file_id, "fallback": file.fallback}
    return data


def kind_of(reply: Reply) -> str:
    """The outbox kind that delivers this reply: a message, or a file passed on with its caption."""
    return "media" if reply.attachment is not None else "message"


@dataclass(frozen=True)
class Coordinators:
    """The coordinators' allow-list: accounts, as configured; their person ids are looked up where needed."""

    accounts: frozenset[tuple[str, str]] = frozenset()  # (platform, address)

    def __bool__(self) -> bool:
        return bool(self.accounts)

    def has(self, key: queries.PersonKey) -> bool:
        """Whether the account she writes from is a coordinator's."""
        return (key.platform, key.address) in self.accounts

    def people(self, session: Session) -> dict[tuple[str, str], Person]:
        """The coordinators who have written to the bot, by account."""
        found: dict[tuple[str, str], Person] = {}
        for platform in {platform for platform, _ in self.accounts}:
            addresses = [address for p, address in self.accounts if p == platform]
            people = queries.people_by_accounts(session, platform=platform, addresses=addresses)
            found |= {(platform, address): person for address, person in people.items()}
        return found

    def ids(self, session: Session) -> set[int]:
        """The person ids of the coordinators who have written to the bot."""
        return {person.id or 0 for person in self.people(session).values()}


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
    coordinators: Coordinators
    phone_region: str = "DK"
    username: str | None = None
    notes: NotesCipher | None = None  # seals interview notes; coordinators' turns only need it
    answer_within_days: int = 2  # the answer promised to a participant who writes to the coordinator

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
        return self.coordinators.has(self.key)

    def say(self, reply: Reply, *, sealed: bool = False) -> None:
        """Send her a message (through the outbox, in this transaction); sealed: stored encrypted."""
        data = self._sealed(payload(reply, self.tr)) if sealed else payload(reply, self.tr)
        self._enqueue(kind_of(reply), data)

    def edit(self, message_id: int | None, reply: Reply, *, sealed: bool = False) -> None:
        """Change a message she already has (e.g. take the buttons off an answered question)."""
        if message_id is not None:
            data = self._sealed(payload(reply, self.tr)) if sealed else payload(reply, self.tr)
            data["message_id"] = message_id
            self._enqueue("edit", data)

    def set_menu(self, *, coordinator: bool) -> None:
        """Give her the command menu of her language and role."""
        self._enqueue("commands", {"language": self.key.language, "coordinator": coordinator})

    def _enqueue(self, kind: str, data: dict[str, Any]) -> None:
        # To the account she wrote from: that is where she reads the answer.
        key = self.key
        queries.enqueue(
            self.db, platform=key.platform, address=key.address, kind=kind, payload=data, now=self.now
        )

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


def post(
    session: Session,
    to: Person | int,
    i18n: I18n,
    now: datetime,
    compose: Callable[[Translator], Reply],
    *,
    sealed: NotesCipher | None = None,
) -> int | None:
    """Put a message for one person (or person id) in the outbox: to her account, composed in her language.

    Every message to someone goes through here, so none is ever written in another's language.
    With `sealed`, the payload is stored encrypted (what someone wrote in confidence passes the outbox).
    Returns the outbox message's id.
    """
    person = to if isinstance(to, Person) else session.get(Person, to)
    assert person is not None and person.id is not None, f"nobody with id {to}"
    tr = i18n.translator(person.language)
    reply = compose(tr)
    data = payload(reply, tr)
    if sealed is not None:
        data = {"sealed": sealed.seal(data)}
    return queries.enqueue_to(session, person_id=person.id, kind=kind_of(reply), payload=data, now=now)


def tell_coordinators(
    session: Session,
    *,
    i18n: I18n,
    coordinators: Coordinators,
    now: datetime,
    compose: Callable[[Translator], Reply],
) -> None:
    """Send every coordinator a message composed in her own language.

    One the bot has not met yet is written to at her configured account, in the default language.
    """
    known = coordinators.people(session)
    for platform, address in sorted(coordinators.accounts):
        person = known.get((platform, address))
        if person is not None:
            post(session, person, i18n, now, compose)
        else:
            tr = i18n.translator(None)
            data = payload(compose(tr), tr)
            queries.enqueue(
                session, platform=platform, address=address, kind="message", payload=data, now=now
            )
