"""Queries for finding people (/find) and handing pairs from one coordinator to another (/handover)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, and_, func, update
from sqlmodel import Session, col, select

from storage.models import ACTIVE_PAIR, Handover, Pair, Person


def _contains(term: str) -> str:
    """A LIKE pattern for text containing term, its own % and _ taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find(session: Session, *, words: Sequence[str], limit: int) -> tuple[list[Person], int]:
    """Registered people whose search key contains every word (normalised), by name; and how many in all.

    The key is already without case and accents, so a plain LIKE does the same on SQLite and
    PostgreSQL. A word inside the text cannot use the index's order; the scan reads the index
    of short keys rather than the table (docs/performance.md, "/find").
    """
    matching = and_(
        col(Person.status).is_not(None), *(col(Person.search).like(_contains(w), escape="\\") for w in words)
    )
    found = list(
        session.exec(select(Person).where(matching).order_by(col(Person.search), col(Person.id)).limit(limit))
    )
    if len(found) < limit:
        return found, len(found)
    total = session.exec(select(func.count()).select_from(Person).where(matching)).one()
    return found, int(total)


def active_pairs_of_coordinator(session: Session, *, coordinator: int) -> Sequence[Pair]:
    """A coordinator's proposed and confirmed pairs, the oldest first."""
    return session.exec(
        select(Pair)
        .where(col(Pair.coordinator) == coordinator, col(Pair.status).in_(ACTIVE_PAIR))
        .order_by(col(Pair.id))
    ).all()


def coordinators_with_active_pairs(session: Session) -> dict[int, int]:
    """Every coordinator (person id) who has active pairs, and how many."""
    rows = session.exec(
        select(Pair.coordinator, func.count())
        .where(col(Pair.status).in_(ACTIVE_PAIR))
        .group_by(col(Pair.coordinator))
    )
    return {coordinator: count for coordinator, count in rows}


def hand_over(session: Session, *, pair: Pair, from_: int, to: int, by: int, now: datetime) -> bool:
    """Give an active pair of one coordinator to another and keep it in the pair's history.

    False, and nothing changed, when the pair is no longer active or no longer hers: of two
    coordinators moving the same pair at the same moment, only the first moves it.
    """
    moved: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(Pair)
        .where(col(Pair.id) == pair.id, col(Pair.coordinator) == from_, col(Pair.status).in_(ACTIVE_PAIR))
        .values(coordinator=to)
        .execution_options(synchronize_session=False)
    )
    session.expire(pair, ["coordinator"])
    if moved.rowcount != 1:
        return False
    session.add(Handover(pair_id=pair.id or 0, from_coordinator=from_, to_coordinator=to, by=by, at=now))
    return True


def handovers_of(session: Session, *, pair_id: int) -> Sequence[Handover]:
    """A pair's handovers, the earliest first."""
    return session.exec(select(Handover).where(Handover.pair_id == pair_id).order_by(col(Handover.id))).all()
