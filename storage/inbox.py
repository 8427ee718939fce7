"""The inbox of received updates: store before acknowledging, claim in order, retry, set aside."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.models import InboxUpdate

MAX_ATTEMPTS = 6  # tried after 0, 1, 2, 4, 8 and 16 seconds: a locked database has long let go by then
MAX_BACKOFF = timedelta(minutes=1)
_INSERT = {
    name: dialect.insert(InboxUpdate.__table__).on_conflict_do_nothing()  # type: ignore[attr-defined]
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}


@dataclass(frozen=True)
class Received:
    """One update as it came from the platform."""

    update_id: int
    address: str | None
    payload: dict[str, Any]


def store(session: Session, *, platform: str, updates: Sequence[Received], now: datetime) -> None:
    """Keep updates to be handled; one already kept (delivered again) is left as it is."""
    if not updates:
        return
    rows = [
        {
            "platform": platform,
            "update_id": u.update_id,
            "address": u.address,
            "payload": u.payload,
            "received_at": now,
            "not_before": now,
            "attempts": 0,
        }
        for u in updates
    ]
    session.execute(_INSERT[session.get_bind().dialect.name], rows)


@dataclass(frozen=True)
class Claimed:
    """A stored update leased to this process."""

    id: int
    update_id: int
    address: str | None
    payload: dict[str, Any]


_TABLE = InboxUpdate.__table__  # type: ignore[attr-defined]
_WAITING = (
    core_select(
        _TABLE.c.id,
        _TABLE.c.update_id,
        _TABLE.c.address,
        _TABLE.c.payload,
        _TABLE.c.not_before,
        _TABLE.c.claimed_until,
    )
    .where(_TABLE.c.set_aside_at.is_(None))
    .order_by(_TABLE.c.id)
)


def claim(session: Session, *, now: datetime, lease: timedelta, limit: int = 100) -> list[Claimed]:
    """Lease the next updates to handle, each chat's in the order they came.

    A chat whose oldest waiting update is not due yet (it failed and waits to be retried), or
    is leased by another process, waits as a whole: her later messages must not overtake it.
    Rows are read with Core, not the ORM: this runs for every batch of updates.
    """
    waiting = session.execute(_WAITING.limit(limit * 5).with_for_update(skip_locked=True)).all()
    blocked: set[str] = set()
    chosen: list[Claimed] = []
    for row_id, update_id, address, payload, not_before, claimed_until in waiting:
        if address in blocked:
            continue
        if not_before > now or (claimed_until is not None and claimed_until > now):
            if address is not None:
                blocked.add(address)
            continue
        chosen.append(Claimed(row_id, update_id, address, payload))
        if len(chosen) == limit:
            break
    if chosen:
        session.execute(
            update(InboxUpdate)
            .where(col(InboxUpdate.id).in_([row.id for row in chosen]))
            .values(claimed_until=now + lease)
        )
    return chosen


def done(session: Session, *, ids: Iterable[int]) -> None:
    """Forget handled updates (their turn committed; a redelivery is caught by its update id)."""
    ids = list(ids)
    if ids:
        session.execute(delete(InboxUpdate).where(col(InboxUpdate.id).in_(ids)))


def release(session: Session, *, ids: Iterable[int]) -> None:
    """Give claimed updates back, to be handled in a later round."""
    ids = list(ids)
    if ids:
        session.execute(update(InboxUpdate).where(col(InboxUpdate.id).in_(ids)).values(claimed_until=None))


def renew(session: Session, *, ids: Iterable[int], until: datetime) -> None:
    """Keep the lease of updates still being handled."""
    ids = list(ids)
    if ids:
        session.execute(update(InboxUpdate).where(col(InboxUpdate.id).in_(ids)).values(claimed_until=until))


def failed(
    session: Session, *, row_id: int, error: str, now: datetime, at_once: bool = False
) -> InboxUpdate | None:
    """Count a failed try: retry later with backoff, or set it aside after MAX_ATTEMPTS (at once
    for an update that cannot even be read). Returns the row when it has just been set aside.
    """
    row = session.get(InboxUpdate, row_id)
    if row is None:
        return None
    row.attempts += 1
    row.error, row.claimed_until = error[:300], None
    if at_once or row.attempts >= MAX_ATTEMPTS:
        row.set_aside_at = now
    else:
        row.not_before = now + min(timedelta(seconds=2 ** (row.attempts - 1)), MAX_BACKOFF)
    session.add(row)
    return row if row.set_aside_at is not None else None


def set_aside_rows(session: Session, *, since: datetime | None = None) -> Sequence[InboxUpdate]:
    """Updates set aside (since a moment), the oldest first."""
    query = select(InboxUpdate).where(col(InboxUpdate.set_aside_at).is_not(None))
    if since is not None:
        query = query.where(col(InboxUpdate.set_aside_at) >= since)
    return session.exec(query.order_by(col(InboxUpdate.id))).all()


def retry_set_aside(session: Session, *, now: datetime) -> int:
    """Put every set-aside update back in line (the operator fixed what made it fail)."""
    result = session.execute(
        update(InboxUpdate)
        .where(col(InboxUpdate.set_aside_at).is_not(None))
        .values(set_aside_at=None, attempts=0, not_before=now, claimed_until=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def pending_count(session: Session) -> int:
    """Updates waiting to be handled (not set aside)."""
    return int(
        session.exec(
            select(func.count()).select_from(InboxUpdate).where(col(InboxUpdate.set_aside_at).is_(None))
        ).one()
    )
