"""Queries about threads: a participant's open conversation with the coordinators, who holds it,
its sealed messages, and the one-message "writing aside" state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, exists, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import InterviewNote, Person, Thread, ThreadMessage, Writing


def open_thread_of(session: Session, *, person_id: int) -> Thread | None:
    """Her open thread, if she has one."""
    return session.exec(
        select(Thread).where(Thread.person_id == person_id, col(Thread.closed_at).is_(None))
    ).first()


def open_thread(session: Session, *, person_id: int, coordinator: int | None, now: datetime) -> Thread:
    """Her open thread, made now if she has none (the unique index settles two at once)."""
    found = open_thread_of(session, person_id=person_id)
    if found is not None:
        return found
    thread = Thread(person_id=person_id, coordinator=coordinator, opened_at=now)
    try:
        with session.begin_nested():
            session.add(thread)
            session.flush()
    except IntegrityError:  # another turn opened it a moment ago
        found = open_thread_of(session, person_id=person_id)
        assert found is not None
        return found
    return thread


def add_message(
    session: Session, *, thread: Thread, author: int, sealed: str, from_coordinator: bool, now: datetime
) -> ThreadMessage:
    """Keep one message of the thread (already sealed)."""
    message = ThreadMessage(
        thread_id=thread.id or 0, author=author, from_coordinator=from_coordinator, sealed=sealed, at=now
    )
    session.add(message)
    session.flush()
    return message


def last_messages(session: Session, *, thread_ids: Sequence[int]) -> dict[int, ThreadMessage]:
    """Each thread's latest message."""
    rows = session.exec(
        select(ThreadMessage)
        .where(col(ThreadMessage.thread_id).in_(thread_ids))
        .order_by(col(ThreadMessage.thread_id), col(ThreadMessage.id))
    ).all()
    return {row.thread_id: row for row in rows}


def take(session: Session, *, thread_id: int, coordinator: int) -> bool:
    """Make the thread hers unless another coordinator holds it; True when it is hers now."""
    result = session.execute(
        update(Thread)
        .where(
            col(Thread.id) == thread_id,
            col(Thread.closed_at).is_(None),
            or_(col(Thread.coordinator).is_(None), col(Thread.coordinator) == coordinator),
        )
        .values(coordinator=coordinator)
    )
    session.expire_all()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def close(session: Session, *, thread: Thread, by: int, now: datetime) -> None:
    """Close the thread; whoever was writing to it stops."""
    thread.closed_at, thread.closed_by = now, by
    thread.waiting_since = thread.answer_due = None
    session.add(thread)
    session.execute(delete(Writing).where(col(Writing.thread_id) == thread.id))


def open_threads(session: Session) -> list[tuple[Thread, Person]]:
    """Every open thread with the woman who wrote, the longest waiting for an answer first."""
    rows = session.exec(
        select(Thread, Person)
        .join(Person, col(Person.id) == Thread.person_id)
        .where(col(Thread.closed_at).is_(None))
    ).all()
    return sorted(
        ((thread, person) for thread, person in rows),
        key=lambda row: (
            row[0].waiting_since is None,
            row[0].waiting_since or row[0].opened_at,
            row[0].id or 0,
        ),
    )


def unanswered_since(session: Session, *, due_before: datetime) -> list[tuple[Thread, Person]]:
    """Open threads whose promised answer is late."""
    return [
        (thread, person)
        for thread, person in open_threads(session)
        if thread.answer_due is not None and thread.answer_due <= due_before
    ]


def hand_over_threads(session: Session, *, from_person_id: int, to_person_id: int) -> int:
    """Move every open thread one coordinator holds to another; returns how many moved.

    An answer she had begun to one of them is dropped: the thread is the other's now.
    """
    moved = session.execute(
        update(Thread)
        .where(col(Thread.coordinator) == from_person_id, col(Thread.closed_at).is_(None))
        .values(coordinator=to_person_id)
    )
    session.execute(
        delete(Writing).where(col(Writing.person_id) == from_person_id, col(Writing.thread_id).is_not(None))
    )
    session.expire_all()
    return int(moved.rowcount)  # type: ignore[attr-defined]


def interviewer_of(session: Session, *, person_id: int) -> int | None:
    """The coordinator who interviewed her last, if anyone did."""
    note = session.exec(
        select(InterviewNote)
        .where(InterviewNote.person_id == person_id)
        .order_by(col(InterviewNote.id).desc())
    ).first()
    return note.interviewer if note is not None else None


# -- writing aside --------------------------------------------------------------------------------


def writing_of(session: Session, *, person_id: int) -> Writing | None:
    """What she is about to write aside, if anything."""
    return session.get(Writing, person_id)


def start_writing(session: Session, *, person_id: int, thread_id: int | None, now: datetime) -> None:
    """Her next message goes aside (to the coordinator, or as a coordinator's answer to thread_id)."""
    found = session.get(Writing, person_id)
    if found is None:
        found = Writing(person_id=person_id, thread_id=thread_id, since=now)
    found.thread_id, found.since = thread_id, now
    session.add(found)
    session.flush()


def stop_writing(session: Session, *, person_id: int) -> bool:
    """She no longer writes aside; False when she was not."""
    result = session.execute(delete(Writing).where(col(Writing.person_id) == person_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def is_writing(connection: Connection, *, person_id: int) -> bool:
    """Whether her next message goes aside: one Core query, asked for every command."""
    statement = select(exists().where(col(Writing.person_id) == person_id))
    return bool(connection.execute(statement).scalar())
