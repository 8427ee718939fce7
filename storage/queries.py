"""Queries: small functions that take the session first and everything else by keyword."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, exists, insert, literal, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import Session, SQLModel, col, select

from storage.hot import Hot
from storage.models import (
    Conversation,
    Handled,
    InboxUpdate,
    OutboxMessage,
    Person,
    ProcessedUpdate,
    StatusChange,
    SweepAction,
)

# The statements every update runs live in storage.hot (on the driver); the rest use
# SQLAlchemy Core or the ORM, whichever reads better.
_TABLES = SQLModel.metadata.tables
PERSON: Table = _TABLES["person"]
CONVERSATION: Table = _TABLES["conversation"]


def _claim_statement(dialect: Any) -> Any:
    """INSERT .. ON CONFLICT DO NOTHING RETURNING 1 (RETURNING: psycopg reports -1 rows here)."""
    columns = ("subject", "kind", "seq", "done_at")
    values: dict[str, Any] = {name: bindparam(name) for name in columns}
    return (
        dialect.insert(_TABLES["sweepaction"]).values(values).on_conflict_do_nothing().returning(literal(1))
    )


_CLAIM = {"sqlite": _claim_statement(sqlite), "postgresql": _claim_statement(postgresql)}


# Queries run on an ORM Session or on a bare Connection (a Turn's hot path).
Executor = Session | Connection


def _dialect(executor: Executor) -> str:
    return executor.dialect.name if isinstance(executor, Connection) else executor.get_bind().dialect.name


def _hot(executor: Executor) -> Hot:
    """The driver-level statements for this executor's connection (kept with the connection)."""
    connection = executor if isinstance(executor, Connection) else executor.connection()
    hot = connection.info.get("hot")
    if hot is None:
        hot = connection.info["hot"] = Hot(connection)
    return hot


def first_time_update(session: Executor, *, update_id: int, now: datetime) -> bool:
    """Remember a Telegram update; False if it was handled before."""
    return _hot(session).first_time(update_id, now)


def claim_action(session: Executor, *, subject: str, kind: str, seq: int, now: datetime) -> bool:
    """Take the one right to act on (subject, kind, seq); False if someone already did."""
    values = {"subject": subject, "kind": kind, "seq": seq, "done_at": now}
    return session.execute(_CLAIM[_dialect(session)], values).first() is not None


@dataclass(frozen=True)
class PersonKey:
    """The few facts about a person that every update needs."""

    id: int
    telegram_id: int
    language: str
    reachable: bool
    last_seen_at: datetime | None = None


def person_key(session: Executor, *, telegram_id: int) -> PersonKey | None:
    """Who a Telegram user is, without loading her whole profile."""
    row = _hot(session).person_key(telegram_id)
    return PersonKey(*row) if row else None


def mark_seen(session: Executor, *, person_id: int, now: datetime) -> None:
    """She wrote now (kept to the hour, so that most updates write nothing for it)."""
    _hot(session).seen(person_id, now)


@dataclass
class ConversationRow:
    """One person's place in one flow, as stored."""

    id: int
    person_id: int
    flow: str
    step: str
    rev: int
    answers: dict[str, Any]
    context: dict[str, Any]
    started_at: datetime
    updated_at: datetime
    completed_at: datetime | None


def open_conversation(session: Executor, *, person_id: int) -> ConversationRow | None:
    """Her unfinished conversation (she has one at a time)."""
    row = _hot(session).open_conversation(person_id)
    return ConversationRow(**row) if row else None


def start_conversation(
    session: Executor,
    *,
    person_id: int,
    flow: str,
    step: str,
    answers: dict[str, Any],
    context: dict[str, Any],
    now: datetime,
) -> None:
    """Begin a conversation: any other she had open, and an old one of this flow, are dropped."""
    c = CONVERSATION.c
    session.execute(
        delete(CONVERSATION).where(c.person_id == person_id, or_(c.flow == flow, c.completed_at.is_(None)))
    )
    session.execute(
        insert(CONVERSATION).values(
            person_id=person_id,
            flow=flow,
            step=step,
            rev=0,
            answers=answers,
            context={"pending": [], **context},
            started_at=now,
            updated_at=now,
        )
    )


def save_conversation(session: Executor, *, conversation: ConversationRow) -> None:
    """Store where she is now."""
    _hot(session).save_conversation(vars(conversation))


def delete_conversation(session: Executor, *, conversation_id: int) -> None:
    """Forget a conversation and its answers."""
    session.execute(delete(CONVERSATION).where(CONVERSATION.c.id == conversation_id))


def actions_done(session: Session, *, subject: str, kind: str) -> set[int]:
    """The sequence numbers already acted on for one subject and kind."""
    rows = session.exec(
        select(SweepAction.seq).where(SweepAction.subject == subject, SweepAction.kind == kind)
    )
    return set(rows)


def actions_on(session: Session, *, prefix: str) -> set[tuple[str, str, int]]:
    """(subject, kind, seq) of every action taken on subjects that start with prefix, e.g. "pair:"."""
    rows = session.exec(
        select(SweepAction.subject, SweepAction.kind, SweepAction.seq).where(
            col(SweepAction.subject).startswith(prefix)
        )
    )
    return {(subject, kind, seq) for subject, kind, seq in rows}


def mark_reachable(session: Executor, *, person_id: int) -> None:
    """She wrote to the bot again, so messages reach her again."""
    session.execute(
        update(PERSON).where(PERSON.c.id == person_id).values(reachable=True, unreachable_at=None)
    )


def person_by_telegram_id(session: Session, *, telegram_id: int) -> Person | None:
    """The person behind a Telegram user id."""
    return session.exec(select(Person).where(Person.telegram_id == telegram_id)).first()


def people_by_telegram_ids(session: Session, *, telegram_ids: Iterable[int]) -> dict[int, Person]:
    """People by Telegram id, for those of the ids we know."""
    ids = list(telegram_ids)
    if not ids:
        return {}
    return {p.telegram_id: p for p in session.exec(select(Person).where(col(Person.telegram_id).in_(ids)))}


def people_by_ids(session: Session, *, ids: Iterable[int]) -> dict[int, Person]:
    """People by id, in one query."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {p.id or 0: p for p in session.exec(select(Person).where(col(Person.id).in_(wanted))).all()}


def create_person(session: Session, *, telegram_id: int, language: str, now: datetime) -> Person:
    """A new person known only by her Telegram id and language."""
    person = Person(telegram_id=telegram_id, language=language, created_at=now, last_seen_at=now)
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
    return session.exec(
        select(Person).where(Person.status == status).order_by(col(Person.registered_at))
    ).all()


def stalled_conversations(session: Session, *, flow: str, idle_since: datetime) -> list[int]:
    """The people whose conversation of a flow has had no answer since idle_since."""
    return list(
        session.exec(
            select(Conversation.person_id).where(
                Conversation.flow == flow,
                col(Conversation.completed_at).is_(None),
                col(Conversation.updated_at) <= idle_since,
            )
        ).all()
    )


def idle_since(session: Session, *, flow: str) -> list[datetime]:
    """When each open conversation of a flow was last answered."""
    return list(
        session.exec(
            select(Conversation.updated_at).where(
                Conversation.flow == flow, col(Conversation.completed_at).is_(None)
            )
        ).all()
    )


def enqueue(session: Executor, *, chat_id: int, kind: str, payload: dict[str, Any], now: datetime) -> None:
    """Put a Bot API call in the outbox, inside the caller's transaction."""
    _hot(session).enqueue(chat_id, kind, payload, now)


def claim_outbox(
    session: Session, *, now: datetime, lease: timedelta, limit: int = 200
) -> list[OutboxMessage]:
    """Lease the oldest sendable messages to this sender; SKIP LOCKED lets several senders share.

    A message waits while an earlier one to the same chat is unsent and waiting or leased, so
    each chat reads her messages in the order they were written.
    """
    earlier = aliased(OutboxMessage)
    blocked = exists().where(
        col(earlier.chat_id) == col(OutboxMessage.chat_id),
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
        session.execute(
            update(OutboxMessage).where(col(OutboxMessage.id).in_(ids)).values(claimed_until=None)
        )


def fail_pending(session: Session, *, chat_id: int, now: datetime, reason: str) -> None:
    """Give up every unsent message to one chat (she blocked the bot)."""
    session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.chat_id) == chat_id,
            col(OutboxMessage.sent_at).is_(None),
            col(OutboxMessage.failed_at).is_(None),
        )
        .values(failed_at=now, error=reason, claimed_until=None)
    )


def forget_old(session: Session, *, updates_before: datetime, messages_before: datetime) -> int:
    """Delete processed-update ids and sent or abandoned outbox messages older than the limits."""
    updates = session.execute(
        delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < updates_before)
    )
    messages = session.execute(
        delete(OutboxMessage).where(
            or_(col(OutboxMessage.sent_at) < messages_before, col(OutboxMessage.failed_at) < messages_before)
        )
    )
    # A set-aside update holds what she wrote: kept as long as sent messages, for the operator.
    aside = session.execute(delete(InboxUpdate).where(col(InboxUpdate.set_aside_at) < messages_before))
    return sum(int(getattr(result, "rowcount", 0) or 0) for result in (updates, messages, aside))


def unreachable(session: Session) -> Sequence[Person]:
    """Registered people the bot cannot reach (they blocked it), the longest unreachable first."""
    return session.exec(
        select(Person)
        .where(
            col(Person.reachable).is_(False), col(Person.status).is_not(None), Person.status != "withdrawn"
        )
        .order_by(col(Person.unreachable_at))
    ).all()


def handled_keys(session: Session) -> set[tuple[str, datetime]]:
    """(item, due date) of every overdue item a coordinator marked handled."""
    return {(h.item, h.due_at) for h in session.exec(select(Handled)).all()}
