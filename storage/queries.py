"""Queries: small functions that take the session first and everything else by keyword."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, exists, func, insert, literal, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import Session, SQLModel, col, select

from storage.hot import Hot
from storage.models import (
    Account,
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


def first_time_update(session: Executor, *, platform: str, update_id: int, now: datetime) -> bool:
    """Remember a platform's update; False if it was handled before."""
    return _hot(session).first_time(platform, update_id, now)


def last_update_id(session: Session, *, platform: str) -> int:
    """The highest update id of a platform that is stored (received or handled); 0 if none.

    The sandbox's emulator counts its update ids from here on a restart: counting from 1 again,
    a new message would be taken for one handled before and ignored.
    """
    highest = [
        session.exec(
            select(func.max(ProcessedUpdate.update_id)).where(ProcessedUpdate.platform == platform)
        ).one(),
        session.exec(select(func.max(InboxUpdate.update_id)).where(InboxUpdate.platform == platform)).one(),
    ]
    return max((int(h) for h in highest if h is not None), default=0)


def claim_action(session: Executor, *, subject: str, kind: str, seq: int, now: datetime) -> bool:
    """Take the one right to act on (subject, kind, seq); False if someone already did."""
    values = {"subject": subject, "kind": kind, "seq": seq, "done_at": now}
    return session.execute(_CLAIM[_dialect(session)], values).first() is not None


@dataclass(frozen=True)
class PersonKey:
    """The few facts about a person that every update needs."""

    id: int
    platform: str  # the account she is writing from
    address: str
    language: str
    reachable: bool
    last_seen_at: datetime | None = None


def person_key(session: Executor, *, platform: str, address: str) -> PersonKey | None:
    """Who is behind an account, without loading her whole profile."""
    row = _hot(session).person_key(platform, address)
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


def person_by_account(session: Session, *, platform: str, address: str) -> Person | None:
    """The person behind an account."""
    return people_by_accounts(session, platform=platform, addresses=[address]).get(address)


def people_by_accounts(session: Session, *, platform: str, addresses: Iterable[str]) -> dict[str, Person]:
    """People by their address on one platform, for those of the addresses we know."""
    wanted = list(addresses)
    if not wanted:
        return {}
    rows = session.exec(
        select(Account.address, Person)
        .join(Person, col(Person.id) == col(Account.person_id))
        .where(Account.platform == platform, col(Account.address).in_(wanted))
    )
    return {address: person for address, person in rows}


def accounts_of(session: Session, *, person_id: int) -> list[Account]:
    """Her accounts, the one written to first."""
    return list(session.exec(select(Account).where(Account.person_id == person_id).order_by(col(Account.id))))


def people_by_ids(session: Session, *, ids: Iterable[int]) -> dict[int, Person]:
    """People by id, in one query."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {p.id or 0: p for p in session.exec(select(Person).where(col(Person.id).in_(wanted))).all()}


def create_person(session: Session, *, platform: str, address: str, language: str, now: datetime) -> Person:
    """A new person known only by one account and her language."""
    person = Person(language=language, created_at=now, last_seen_at=now)
    session.add(person)
    session.flush()
    assert person.id is not None
    session.add(Account(person_id=person.id, platform=platform, address=address))
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


def enqueue(
    session: Executor, *, platform: str, address: str, kind: str, payload: dict[str, Any], now: datetime
) -> None:
    """Put a message (or a menu) for one account in the outbox, inside the caller's transaction."""
    _hot(session).enqueue(platform, address, kind, payload, now)


def enqueue_to(
    session: Executor, *, person_id: int, kind: str, payload: dict[str, Any], now: datetime
) -> int | None:
    """Put a message for a person in the outbox, to her first account, inside the caller's transaction.

    Returns the outbox message's id (an announcement follows it to report what was delivered).
    """
    return _hot(session).enqueue_to(person_id, kind, payload, now)


def claim_outbox(
    session: Session, *, platform: str, now: datetime, lease: timedelta, limit: int = 200
) -> list[OutboxMessage]:
    """Lease the oldest sendable messages of one platform to this sender; SKIP LOCKED lets several share.

    A message waits while an earlier one to the same account is unsent and waiting or leased, so
    each chat reads her messages in the order they were written.
    """
    earlier = aliased(OutboxMessage)
    blocked = exists().where(
        col(earlier.platform) == col(OutboxMessage.platform),
        col(earlier.address) == col(OutboxMessage.address),
        col(earlier.id) < col(OutboxMessage.id),
        col(earlier.sent_at).is_(None),
        col(earlier.failed_at).is_(None),
        or_(col(earlier.not_before) > now, col(earlier.claimed_until) >= now),
    )
    rows = session.exec(
        select(OutboxMessage)
        .where(
            OutboxMessage.platform == platform,
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


def renew_claims(session: Session, *, ids: Iterable[int], until: datetime) -> None:
    """Keep holding leased messages (the sender that holds them is alive) until then."""
    ids = list(ids)
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(ids), col(OutboxMessage.claimed_until).is_not(None))
            .values(claimed_until=until)
        )


def pieces_of(session: Session, *, platform: str, address: str, message_id: int) -> list[int]:
    """The ids of every piece of a sent message, found by the id of its last piece (the one with buttons)."""
    found = session.exec(
        select(OutboxMessage.message_ids)
        .where(
            OutboxMessage.platform == platform,
            OutboxMessage.address == address,
            OutboxMessage.message_id == message_id,
        )
        .order_by(col(OutboxMessage.id).desc())
    ).first()
    return list(found) if found else [message_id]


def fail_pending(session: Session, *, platform: str, address: str, now: datetime, reason: str) -> None:
    """Give up every unsent message to one account (she blocked the bot)."""
    session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.platform) == platform,
            col(OutboxMessage.address) == address,
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
