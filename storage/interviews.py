"""Queries for interview slots and bookings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.models import Booking, BookingStatus, InterviewNote, InterviewSlot, Person, StatusChange


def overlapping(session: Session, *, place: str, starts_at: datetime, minutes: int) -> InterviewSlot | None:
    """An active slot at the same place that overlaps the given time, if any."""
    ends_at = starts_at + timedelta(minutes=minutes)
    nearby = session.exec(
        select(InterviewSlot).where(
            col(InterviewSlot.removed_at).is_(None),
            InterviewSlot.place == place,
            col(InterviewSlot.starts_at) < ends_at,
            col(InterviewSlot.starts_at) > starts_at - timedelta(days=1),
        )
    ).all()
    return next((s for s in nearby if s.ends_at > starts_at), None)


def add_slot(
    session: Session, *, starts_at: datetime, minutes: int, place: str, by: int, now: datetime
) -> InterviewSlot:
    """Store a new slot."""
    slot = InterviewSlot(starts_at=starts_at, minutes=minutes, place=place, created_by=by, created_at=now)
    session.add(slot)
    session.flush()
    return slot


def _active_booking_of_slot() -> Any:
    """The slots someone holds now."""
    return select(Booking.slot_id).where(Booking.status == BookingStatus.BOOKED)


def open_slots(session: Session, *, now: datetime, limit: int = 8) -> Sequence[InterviewSlot]:
    """The soonest future slots nobody has booked."""
    return session.exec(
        select(InterviewSlot)
        .where(
            col(InterviewSlot.removed_at).is_(None),
            col(InterviewSlot.starts_at) > now,
            col(InterviewSlot.id).not_in(_active_booking_of_slot()),
        )
        .order_by(col(InterviewSlot.starts_at))
        .limit(limit)
    ).all()


def upcoming(session: Session, *, now: datetime) -> list[tuple[InterviewSlot, Person | None]]:
    """Future slots with the person who booked each, soonest first."""
    rows = session.exec(
        select(InterviewSlot, Person)
        .join(
            Booking,
            (col(Booking.slot_id) == col(InterviewSlot.id)) & (Booking.status == BookingStatus.BOOKED),
            isouter=True,
        )
        .join(Person, col(Person.id) == col(Booking.person_id), isouter=True)
        .where(col(InterviewSlot.removed_at).is_(None), col(InterviewSlot.starts_at) > now)
        .order_by(col(InterviewSlot.starts_at))
    ).all()
    return [(slot, person) for slot, person in rows]


def book(session: Session, *, slot_id: int, person_id: int, now: datetime) -> int | None:
    """Book a slot for her; None when someone else holds it (the unique index decides races)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(Booking)
        .values(slot_id=slot_id, person_id=person_id, status=BookingStatus.BOOKED, created_at=now)
        .on_conflict_do_nothing()
        .returning(literal(1), Booking.id)
    )
    row = session.execute(statement).first()
    return int(row[1]) if row else None


def active_booking(session: Session, *, person_id: int) -> tuple[Booking, InterviewSlot] | None:
    """Her current booking and its slot."""
    row = session.exec(
        select(Booking, InterviewSlot)
        .join(InterviewSlot, col(InterviewSlot.id) == col(Booking.slot_id))
        .where(Booking.person_id == person_id, Booking.status == BookingStatus.BOOKED)
    ).first()
    return (row[0], row[1]) if row else None


def booked_slots(session: Session, *, person_ids: Sequence[int]) -> dict[int, InterviewSlot]:
    """The slot each of these people has booked, by person id, in one query."""
    if not person_ids:
        return {}
    rows = session.exec(
        select(Booking.person_id, InterviewSlot)
        .join(InterviewSlot, col(InterviewSlot.id) == col(Booking.slot_id))
        .where(Booking.status == BookingStatus.BOOKED, col(Booking.person_id).in_(person_ids))
    ).all()
    return {person_id: slot for person_id, slot in rows}


def booking_of_slot(session: Session, *, slot_id: int) -> Booking | None:
    """The active booking of a slot."""
    return session.exec(
        select(Booking).where(Booking.slot_id == slot_id, Booking.status == BookingStatus.BOOKED)
    ).first()


def waiting_for_slots(session: Session) -> Sequence[Person]:
    """Invited people without a booking, the longest waiting first."""
    booked = select(Booking.person_id).where(Booking.status == BookingStatus.BOOKED)
    return session.exec(
        select(Person)
        .where(Person.status == "awaiting_interview", col(Person.id).not_in(booked))
        .order_by(col(Person.invited_at))
    ).all()


def due_interview_reminders(
    session: Session, *, now: datetime, ahead: timedelta
) -> Sequence[tuple[Booking, InterviewSlot]]:
    """Active bookings whose interview is within `ahead` from now."""
    rows = session.exec(
        select(Booking, InterviewSlot)
        .join(InterviewSlot, col(InterviewSlot.id) == col(Booking.slot_id))
        .where(
            Booking.status == BookingStatus.BOOKED,
            col(InterviewSlot.starts_at) > now,
            col(InterviewSlot.starts_at) <= now + ahead,
        )
    ).all()
    return [(b, s) for b, s in rows]


def active_bookings(session: Session, *, after: datetime) -> list[tuple[Booking, InterviewSlot]]:
    """Active bookings of interviews still to come."""
    rows = session.exec(
        select(Booking, InterviewSlot)
        .join(InterviewSlot, col(InterviewSlot.id) == col(Booking.slot_id))
        .where(Booking.status == BookingStatus.BOOKED, col(InterviewSlot.starts_at) > after)
    ).all()
    return [(b, s) for b, s in rows]


def status_history(session: Session, *, person_id: int) -> Sequence[StatusChange]:
    """Her statuses, oldest first."""
    return session.exec(
        select(StatusChange).where(StatusChange.person_id == person_id).order_by(col(StatusChange.id))
    ).all()


def bookings_of(session: Session, *, person_id: int) -> list[tuple[Booking, InterviewSlot]]:
    """Every booking she made, with its slot, oldest first."""
    rows = session.exec(
        select(Booking, InterviewSlot)
        .join(InterviewSlot, col(InterviewSlot.id) == col(Booking.slot_id))
        .where(Booking.person_id == person_id)
        .order_by(col(Booking.id))
    ).all()
    return [(b, s) for b, s in rows]


def notes_of(session: Session, *, person_id: int) -> Sequence[InterviewNote]:
    """Her interview notes, sealed, oldest first."""
    return session.exec(
        select(InterviewNote).where(InterviewNote.person_id == person_id).order_by(col(InterviewNote.id))
    ).all()
