"""Start-up check of MENTORBOT_NOTES_KEYS against what the database holds sealed."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from storage.crypto import NotesCipher
from storage.models import Conversation, Handled, InterviewNote, OutboxMessage, Pair

SAMPLE = 500  # the oldest and the newest of each kind: a removed key shows in the oldest


def _sample(session: Session, column: Any, order: Any, *where: Any) -> list[Any]:
    """The oldest and the newest values of a column: start-up reads no more as the network grows."""
    query = select(order, column).where(column.is_not(None), *where)
    oldest = session.exec(query.order_by(order).limit(SAMPLE)).all()
    newest = session.exec(query.order_by(order.desc()).limit(SAMPLE)).all()
    return list(dict(list(oldest) + list(newest)).values())  # by id: each value once


def unreadable(session: Session, cipher: NotesCipher) -> dict[str, int]:
    """How many sealed values of each kind no configured key opens, in the oldest and newest of each."""
    found = {
        "interview notes": _sample(session, col(InterviewNote.sealed), col(InterviewNote.id)),
        "reasons for a no": _sample(session, col(Pair.decision_reasons), col(Pair.id)),
        "coordinators' end notes": _sample(session, col(Pair.end_note), col(Pair.id)),
        "handled notes": _sample(session, col(Handled.note), col(Handled.id)),
    }
    open_flows = _sample(
        session, col(Conversation.answers), col(Conversation.id), col(Conversation.completed_at).is_(None)
    )
    found["conversations in progress"] = [a["_sealed"] for a in open_flows if "_sealed" in a]
    pending = (col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.failed_at).is_(None))
    queued = _sample(session, col(OutboxMessage.payload), col(OutboxMessage.id), *pending)
    found["messages waiting to be sent"] = [p["sealed"] for p in queued if "sealed" in p]
    counts = {kind: sum(not cipher.can_open(token) for token in tokens) for kind, tokens in found.items()}
    return {kind: count for kind, count in counts.items() if count}
