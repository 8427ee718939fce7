"""Queries for announcements and events: who is in a group, the deliveries, the seats of an event."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.models import (
    ACTIVE_PAIR,
    Announcement,
    AnnouncementDelivery,
    DeliveryState,
    Event,
    EventReply,
    OutboxMessage,
    Pair,
    Person,
    Role,
    Status,
)

# The groups a coordinator can write to.
MENTORS, MENTEES, PAIRS, NETWORK = "mentors", "mentees", "pairs", "network"
GROUPS = (MENTORS, MENTEES, PAIRS, NETWORK)
ALL = "all"  # no filter on language
OPTED_OUT_ERROR = "opted out"  # an outbox message given up because she stopped news meanwhile


@dataclass(frozen=True)
class Audience:
    """A group and its filters, as a coordinator chose them."""

    group: str
    language: str | None = None  # a language code, or None for all
    city: str | None = None  # as typed; compared without case or accents

    def wants(self, person: Person) -> bool:
        """Whether the filters that SQL cannot apply well (the city) let her in."""
        return self.city is None or same_place(person.city, self.city)


def same_place(a: str | None, b: str | None) -> bool:
    """Two spellings of a city are the same place when they differ only in case, accents or spaces."""
    return a is not None and b is not None and _fold(a) == _fold(b)


# Letters that Unicode does not split into a base letter and an accent.
_PLAIN = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ı": "i"})


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold().translate(_PLAIN))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def candidates(session: Session, *, audience: Audience, after: int, limit: int) -> Sequence[Person]:
    """The next people of a group by person id (after the given id), before the city filter."""
    query = select(Person).where(col(Person.id) > after)
    registered = and_(col(Person.status).is_not(None), col(Person.status) != Status.WITHDRAWN)
    if audience.group == MENTORS:
        query = query.where(registered, Person.role == Role.MENTOR)
    elif audience.group == MENTEES:
        query = query.where(registered, Person.role == Role.MENTEE)
    elif audience.group == PAIRS:
        active = col(Pair.status).in_(ACTIVE_PAIR)
        in_pair = or_(
            col(Person.id).in_(select(Pair.mentee_id).where(active)),
            col(Person.id).in_(select(Pair.mentor_id).where(active)),
        )
        query = query.where(in_pair)
    elif audience.group == NETWORK:
        query = query.where(Person.status == Status.NETWORK_PARTICIPANT)
    else:
        raise ValueError(f"unknown group {audience.group}")
    if audience.language is not None:
        query = query.where(Person.language == audience.language)
    return session.exec(query.order_by(col(Person.id)).limit(limit)).all()


def members(session: Session, *, audience: Audience, chunk: int = 2000) -> Iterator[Person]:
    """Everyone in a group, its filters applied, a chunk of rows at a time."""
    after = 0
    while True:
        found = candidates(session, audience=audience, after=after, limit=chunk)
        yield from (p for p in found if audience.wants(p))
        if len(found) < chunk:
            return
        after = found[-1].id or 0


def _insert_delivery(dialect: str) -> Any:
    module = sqlite if dialect == "sqlite" else postgresql
    table = AnnouncementDelivery.__table__  # type: ignore[attr-defined]
    return module.insert(table).on_conflict_do_nothing().returning(table.c.id)


def add_delivery(
    session: Session, *, announcement_id: int, person_id: int, state: str, now: datetime
) -> int | None:
    """Record her as a recipient; None if she already was (a restart, or a second process)."""
    statement = _insert_delivery(session.get_bind().dialect.name)
    values = {"announcement_id": announcement_id, "person_id": person_id, "state": state, "at": now}
    row = session.execute(statement, values).first()
    return int(row[0]) if row else None


def set_outbox(session: Session, *, delivery_id: int, outbox_id: int | None) -> None:
    """Which outbox message carries her copy (None: she has no account left, so nothing went)."""
    state = DeliveryState.QUEUED if outbox_id is not None else DeliveryState.UNREACHABLE
    session.execute(
        update(AnnouncementDelivery)
        .where(col(AnnouncementDelivery.id) == delivery_id)
        .values(outbox_id=outbox_id, state=state)
    )


def _outbox_of(announcement_id: int) -> Any:
    return select(AnnouncementDelivery.outbox_id).where(
        AnnouncementDelivery.announcement_id == announcement_id,
        col(AnnouncementDelivery.outbox_id).is_not(None),
    )


def waiting(session: Session, *, announcement_id: int) -> int:
    """Its messages still in the outbox, unsent (only unsent rows are indexed, so this stays cheap)."""
    found = session.exec(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            col(OutboxMessage.sent_at).is_(None),
            col(OutboxMessage.failed_at).is_(None),
            col(OutboxMessage.id).in_(_outbox_of(announcement_id)),
        )
    ).one()
    return int(found)


@dataclass(frozen=True)
class Progress:
    """How an announcement went so far."""

    delivered: int = 0
    unreachable: int = 0
    opted_out: int = 0
    waiting: int = 0

    @property
    def handled(self) -> int:
        """Recipients whose copy has gone one way or the other."""
        return self.delivered + self.unreachable + self.opted_out


def progress(session: Session, *, announcement_id: int) -> Progress:
    """Delivered, unreachable, opted out and waiting, counted from the deliveries and their outbox rows."""
    delivery, outbox = AnnouncementDelivery, OutboxMessage
    rows = session.exec(
        select(delivery.state, outbox.sent_at, outbox.failed_at, outbox.error)
        .select_from(delivery)
        .outerjoin(outbox, col(outbox.id) == col(delivery.outbox_id))
        .where(delivery.announcement_id == announcement_id)
    ).all()
    counts = {"delivered": 0, "unreachable": 0, "opted_out": 0, "waiting": 0}
    for state, sent_at, failed_at, error in rows:
        if state == DeliveryState.OPTED_OUT or error == OPTED_OUT_ERROR:
            counts["opted_out"] += 1
        elif state == DeliveryState.UNREACHABLE or failed_at is not None:
            counts["unreachable"] += 1
        elif sent_at is not None:
            counts["delivered"] += 1
        else:
            counts["waiting"] += 1
    return Progress(**counts)


def sending(session: Session) -> list[int]:
    """The announcements confirmed and not yet finished."""
    rows = session.exec(
        select(Announcement.id).where(
            col(Announcement.sent_at).is_not(None), col(Announcement.done_at).is_(None)
        )
    ).all()
    return [row for row in rows if row is not None]


def withdraw_waiting(session: Session, *, person_id: int, now: datetime) -> int:
    """She stopped news: her announcement messages not yet sent (nor being sent) are given up."""
    mine = select(AnnouncementDelivery.outbox_id).where(
        AnnouncementDelivery.person_id == person_id, col(AnnouncementDelivery.outbox_id).is_not(None)
    )
    result = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id).in_(mine),
            col(OutboxMessage.sent_at).is_(None),
            col(OutboxMessage.failed_at).is_(None),
            or_(col(OutboxMessage.claimed_until).is_(None), col(OutboxMessage.claimed_until) < now),
        )
        .values(failed_at=now, error=OPTED_OUT_ERROR)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def supersede(session: Session, *, outbox_id: int, now: datetime) -> None:
    """Give up an edit not yet sent (nor being sent): a newer one replaces it."""
    session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == outbox_id,
            col(OutboxMessage.sent_at).is_(None),
            col(OutboxMessage.failed_at).is_(None),
            or_(col(OutboxMessage.claimed_until).is_(None), col(OutboxMessage.claimed_until) < now),
        )
        .values(failed_at=now, error="superseded")
    )


# -- events ----------------------------------------------------------------------------------------


def reply_of(session: Session, *, event_id: int, person_id: int) -> EventReply | None:
    """Her answer to an event, if she gave one."""
    return session.exec(
        select(EventReply).where(EventReply.event_id == event_id, EventReply.person_id == person_id)
    ).first()


def _insert_reply(dialect: str) -> Any:
    module = sqlite if dialect == "sqlite" else postgresql
    return module.insert(EventReply.__table__).on_conflict_do_nothing()  # type: ignore[attr-defined]


def _flip(session: Session, *, event_id: int, person_id: int, coming: bool, now: datetime) -> bool:
    """Turn her answer to `coming`; True only for the one transaction that changed it."""
    result = session.execute(
        update(EventReply)
        .where(
            col(EventReply.event_id) == event_id,
            col(EventReply.person_id) == person_id,
            col(EventReply.coming).is_(not coming),
        )
        .values(coming=coming, at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def take_seat(session: Session, *, event_id: int, person_id: int, now: datetime) -> str:
    """She will come: "taken", "already" (she had a seat) or "full". Never more than the capacity.

    Her reply flips from not coming to coming and the event's count grows only if it is below
    the capacity, both conditional UPDATEs in this transaction: of two presses for the last seat,
    in any number of processes, exactly one finds the condition true.
    """
    values = {"event_id": event_id, "person_id": person_id, "coming": False, "at": now}
    session.execute(_insert_reply(session.get_bind().dialect.name), values)
    if not _flip(session, event_id=event_id, person_id=person_id, coming=True, now=now):
        return "already"
    seated = session.execute(
        update(Event)
        .where(col(Event.id) == event_id, col(Event.coming) < col(Event.capacity))
        .values(coming=col(Event.coming) + 1)
    )
    if int(getattr(seated, "rowcount", 0) or 0) != 1:
        _flip(session, event_id=event_id, person_id=person_id, coming=False, now=now)
        return "full"
    return "taken"


def give_seat(session: Session, *, event_id: int, person_id: int, now: datetime) -> bool:
    """She cannot come: her seat, if she had one, is free again; True if she had one."""
    values = {"event_id": event_id, "person_id": person_id, "coming": False, "at": now}
    session.execute(_insert_reply(session.get_bind().dialect.name), values)
    if not _flip(session, event_id=event_id, person_id=person_id, coming=False, now=now):
        return False
    session.execute(
        update(Event)
        .where(col(Event.id) == event_id, col(Event.coming) > 0)
        .values(coming=col(Event.coming) - 1)
    )
    return True


def coming(session: Session, *, event_id: int) -> list[Person]:
    """Who said she will come, in the order they said it."""
    return list(
        session.exec(
            select(Person)
            .join(EventReply, col(EventReply.person_id) == col(Person.id))
            .where(EventReply.event_id == event_id, col(EventReply.coming).is_(True))
            .order_by(col(EventReply.at), col(EventReply.id))
        ).all()
    )


def events_between(session: Session, *, start: datetime, end: datetime) -> list[Event]:
    """Events that begin in [start, end)."""
    return list(
        session.exec(select(Event).where(col(Event.starts_at) >= start, col(Event.starts_at) < end)).all()
    )
