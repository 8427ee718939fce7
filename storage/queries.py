"""Queries: small functions that take the session first and everything else by keyword."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Insert, exists, literal, or_, update
from sqlalchemy.orm import aliased
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.models import (
    Conversation,
    OutboxMessage,
    Person,
    ProcessedUpdate,
    StatusChange,
    SweepAction,
)


def _insert_ignoring_duplicates(session: Session, table: Any, values: dict[str, Any]) -> bool:
    """Insert a row unless its unique key exists; True when this call inserted it."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement: Insert = module.insert(table).values(**values).on_conflict_do_nothing().returning(literal(1))
    # RETURNING, not rowcount: psycopg reports -1 rows for an INSERT .. ON CONFLICT DO NOTHING.
    return session.execute(statement).first() is not None


def first_time_update(session: Session, *, update_id: int, now: datetime) -> bool:
    """Remember a Telegram update; False if it was handled before."""
    return _insert_ignoring_duplicates(session, ProcessedUpdate, {"update_id": update_id, "processed_at": now})


def claim_action(session: Session, *, subject: str, kind: str, seq: int, now: datetime) -> bool:
    """Take the one right to act on (subject, kind, seq); False if someone already did."""
    values = {"subject": subject, "kind": kind, "seq": seq, "done_at": now}
    return _insert_ignoring_duplicates(session, SweepAction, values)


def actions_done(session: Session, *, subject: str, kind: str) -> set[int]:
    """The sequence numbers already acted on for one subject and kind."""
    rows = session.exec(
        select(SweepAction.seq).where(SweepAction.subject == subject, SweepAction.kind == kind)
    )
    return set(rows)


def person_by_telegram_id(session: Session, *, telegram_id: int) -> Person | None:
    """The person behind a Telegram user id."""
    return session.exec(select(Person).where(Person.telegram_id == telegram_id)).first()


def people_by_telegram_ids(session: Session, *, telegram_ids: Iterable[int]) -> dict[int, Person]:
    """People by Telegram id, for those of the ids we know."""
    ids = list(telegram_ids)
    if not ids:
        return {}
    return {p.telegram_id: p for p in session.exec(select(Person).where(col(Person.telegram_id).in_(ids)))}


def create_person(session: Session, *, telegram_id: int, language: str, now: datetime) -> Person:
    """A new person known only by her Telegram id and language."""
    person = Person(telegram_id=telegram_id, language=language, created_at=now)
    session.add(person)
    session.flush()
    return person


def set_status(session: Session, *, person: Person, status: str, now: datetime) -> None:
    """Change a person's status and keep the history."""
    person.status = status
    session.add(person)
    session.flush()
    assert person.id is not None
    session.add(StatusChange(person_id=person.id, status=status, at=now))


def people_with_status(session: Session, *, status: str) -> Sequence[Person]:
    """People in one status, the longest waiting first."""
    return session.exec(select(Person).where(Person.status == status).order_by(col(Person.registered_at))).all()


def conversation(session: Session, *, person_id: int, flow: str) -> Conversation | None:
    """Her conversation of this flow, finished or not."""
    return session.exec(
        select(Conversation).where(Conversation.person_id == person_id, Conversation.flow == flow)
    ).first()


def stalled_conversations(session: Session, *, flow: str, idle_since: datetime) -> Sequence[Conversation]:
    """Unfinished conversations of a flow with no answer since idle_since."""
    return session.exec(
        select(Conversation).where(
            Conversation.flow == flow,
            col(Conversation.completed_at).is_(None),
            col(Conversation.updated_at) <= idle_since,
        )
    ).all()


def enqueue(session: Session, *, chat_id: int, kind: str, payload: dict[str, Any], now: datetime) -> OutboxMessage:
    """Put a Bot API call in the outbox, inside the caller's transaction."""
    message = OutboxMessage(chat_id=chat_id, kind=kind, payload=payload, created_at=now, not_before=now)
    session.add(message)
    return message


def claim_outbox(session: Session, *, now: datetime, lease: timedelta, limit: int = 200) -> list[OutboxMessage]:
    """Lease the oldest sendable messages to this sender; SKIP LOCKED lets several senders share.

    A message waits while an earlier one to the same chat is unsent and waiting or leased, so
    each chat reads her messages in the order they were written.
    """
    earlier = aliased(OutboxMessage)
    blocked = exists().where(
        earlier.chat_id == OutboxMessage.chat_id,
        col(earlier.id) < col(OutboxMessage.id),
        col(earlier.sent_at).is_(None),
        col(earlier.failed_at).is_(None),
        or_(col(earlier.not_before) > now, col(earlier.claimed_until) >= now),
    )
    rows = session.exec(
        select(OutboxMessage)
        .where(
            col(OutboxMessage.sent_at).is_(None),
            col(OutboxMessage.failed_at).is_(None),
            col(OutboxMessage.not_before) <= now,
            or_(col(OutboxMessage.claimed_until).is_(None), col(OutboxMessage.claimed_until) < now),
            ~blocked,
        )
        .order_by(col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        row.claimed_until = now + lease
        session.add(row)
    return list(rows)


def release_claims(session: Session, *, ids: Iterable[int]) -> None:
    """Give leased messages back, to be sent in a later round."""
    ids = list(ids)
    if ids:
        session.execute(update(OutboxMessage).where(col(OutboxMessage.id).in_(ids)).values(claimed_until=None))


def pending_outbox(session: Session) -> int:
    """How many messages wait to be sent."""
    rows = session.exec(
        select(OutboxMessage.id).where(col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.failed_at).is_(None))
    )
    return len(rows.all())


def fail_pending(session: Session, *, chat_id: int, now: datetime, reason: str) -> None:
    """Give up every unsent message to one chat (she blocked the bot)."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.failed_at).is_(None))
        .values(failed_at=now, error=reason, claimed_until=None)
    )
