"""Queries about pairs: proposing (race-safe), finding her pair, and what falls due for pairs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, literal, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.models import ACTIVE_PAIR, Meeting, Pair, PairStatus, Person


def propose(
    session: Session, *, mentee_id: int, mentor_id: int, coordinator: int, now: datetime
) -> int | None:
    """A new proposed pair; None when either is already in an active pair (the unique indexes decide)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(Pair)
        .values(
            mentee_id=mentee_id,
            mentor_id=mentor_id,
            coordinator=coordinator,
            status=PairStatus.PROPOSED,
            proposed_at=now,
            meeting_rev=0,
            agreement={},
            agreement_confirmed=[],
            end_reasons=[],
        )
        .on_conflict_do_nothing()
        .returning(literal(1), Pair.id)
    )
    row = session.execute(statement).first()
    return int(row[1]) if row else None


def active_pair_of(session: Session, *, person_id: int) -> Pair | None:
    """Her proposed or confirmed pair, if she has one."""
    return session.exec(
        select(Pair).where(
            or_(col(Pair.mentee_id) == person_id, col(Pair.mentor_id) == person_id),
            col(Pair.status).in_(ACTIVE_PAIR),
        )
    ).first()


def get(session: Session, *, pair_id: int) -> Pair:
    """A pair known to exist."""
    pair = session.get(Pair, pair_id)
    assert pair is not None
    return pair


def people_of(session: Session, pair: Pair) -> tuple[Person, Person]:
    """The pair's mentee and mentor."""
    mentee, mentor = session.get(Person, pair.mentee_id), session.get(Person, pair.mentor_id)
    assert mentee is not None and mentor is not None
    return mentee, mentor


def by_ids(session: Session, *, ids: set[int]) -> dict[int, Pair]:
    """Pairs by id, in one query."""
    if not ids:
        return {}
    return {p.id or 0: p for p in session.exec(select(Pair).where(col(Pair.id).in_(ids))).all()}


def active(session: Session) -> Sequence[Pair]:
    """Every proposed or confirmed pair."""
    return session.exec(select(Pair).where(col(Pair.status).in_(ACTIVE_PAIR))).all()


def in_active_pairs(session: Session) -> set[int]:
    """Everyone in a proposed or confirmed pair."""
    rows = session.exec(select(Pair.mentee_id, Pair.mentor_id).where(col(Pair.status).in_(ACTIVE_PAIR)))
    return {i for mentee, mentor in rows for i in (mentee, mentor)}


def last_pair_of(session: Session, *, person_id: int) -> Pair | None:
    """Her most recent pair, whatever its status."""
    return session.exec(
        select(Pair)
        .where(or_(col(Pair.mentee_id) == person_id, col(Pair.mentor_id) == person_id))
        .order_by(col(Pair.id).desc())
    ).first()


def in_year(session: Session, *, ended_since: datetime) -> Sequence[Pair]:
    """Confirmed pairs, and pairs that ended since a date (their evaluation may still be due)."""
    return session.exec(
        select(Pair).where(
            or_(
                col(Pair.status) == PairStatus.CONFIRMED,
                and_(col(Pair.status) == PairStatus.ENDED, col(Pair.ended_at) >= ended_since),
            )
        )
    ).all()


def declined_pairs(session: Session) -> set[tuple[int, int]]:
    """(mentee, mentor) of every pair that said no after meeting: never suggested again."""
    rows = session.exec(select(Pair.mentee_id, Pair.mentor_id).where(Pair.status == PairStatus.DECLINED))
    return {(mentee, mentor) for mentee, mentor in rows}


def pairs_since(session: Session, *, mentor_ids: Sequence[int], since: datetime) -> dict[int, int]:
    """How many confirmed pairs each mentor began since a date."""
    if not mentor_ids:
        return {}
    rows = session.exec(
        select(Pair.mentor_id, func.count())
        .where(col(Pair.mentor_id).in_(mentor_ids), col(Pair.confirmed_at) >= since)
        .group_by(col(Pair.mentor_id))
    )
    return {mentor: count for mentor, count in rows}


def with_statuses(session: Session, *, statuses: Sequence[str]) -> Sequence[Pair]:
    """Pairs in these statuses, the longest proposed first."""
    return session.exec(
        select(Pair).where(col(Pair.status).in_(statuses)).order_by(col(Pair.proposed_at))
    ).all()


def with_people(session: Session, *, statuses: Sequence[str]) -> list[tuple[Pair, Person, Person]]:
    """Pairs in these statuses with their mentee and mentor, the longest proposed first."""
    pairs = with_statuses(session, statuses=statuses)
    ids = {p.mentee_id for p in pairs} | {p.mentor_id for p in pairs}
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(ids))).all()}
    return [(pair, people[pair.mentee_id], people[pair.mentor_id]) for pair in pairs]


def meetings_of(session: Session, *, pair_id: int) -> Sequence[Meeting]:
    """A pair's reported meetings, the earliest first."""
    return session.exec(
        select(Meeting).where(Meeting.pair_id == pair_id).order_by(col(Meeting.held_on))
    ).all()
