"""Booking an interview: the invitation, picking a time, confirming, rescheduling, cancelling.

Buttons: `bk:<slot>` books a slot; `bc:<booking>:<y|r|c>` confirms she will come, asks for
another time, or cancels. Every press is checked against what is stored now, so a button
from last week, or for a slot just taken or removed, gets a polite answer and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial

from sqlmodel import Session

from conversations import engine, timeline
from conversations.context import Coordinators, Ctx, post, tell_coordinators
from conversations.events import Button, Press, Reply
from conversations.i18n import I18n, Translator, __
from storage import interviews
from storage.models import Booking, BookingStatus, InterviewSlot, Person, Status

BOOK_PREFIX = "bk"
ANSWER_PREFIX = "bc"
COMING = __("✅ Yes, I will come")

INVITATION = __(
    "You are invited to a short interview with a coordinator of the Mentor Network. 🗓\n\n"
    "We will talk about your work and education, your goals and what you wish for in a match. "
    "What you tell us stays between you and the coordinators. It takes about {minutes} minutes."
)
NO_SLOTS = __("There are no free interview times just now. We will write to you here as soon as there are.")


def slot_label(tr: Translator, slot: InterviewSlot) -> str:
    """A slot as she reads it: her date and time format, her time zone, and the place."""
    return f"{tr.date(slot.starts_at)} {tr.time(slot.starts_at)} · {slot.place[:40]}"


def offer(
    session: Session, tr: Translator, now: datetime, intro: str, slots: Sequence[InterviewSlot] | None = None
) -> tuple[Reply, bool]:
    """The open slots (looked up unless given) as buttons under intro; False when there are none."""
    slots = interviews.open_slots(session, now=now) if slots is None else slots
    if not slots:
        return Reply(f"{intro}\n\n{tr.gettext(NO_SLOTS)}"), False
    buttons = tuple((Button(slot_label(tr, s), f"{BOOK_PREFIX}:{s.id}"),) for s in slots)
    choose = tr.gettext("Please choose a time that suits you:")
    return Reply(f"{intro}\n\n{choose}", buttons), True


def send_invitation(
    session: Session, *, person: Person, i18n: I18n, coordinators: Coordinators, now: datetime
) -> None:
    """Invite her, with the open times; if there are none, the coordinators hear that she waits."""
    slots = interviews.open_slots(session, now=now)
    minutes = slots[0].minutes if slots else 45
    post(
        session,
        person,
        i18n,
        now,
        lambda tr: offer(session, tr, now, tr.gettext(INVITATION, minutes=minutes), slots)[0],
    )
    if not slots:
        _tell(
            session,
            i18n,
            coordinators,
            now,
            __("{name} ({id}) is invited but there are no free interview times. Add some with /addslot."),
            person,
        )


def _offered(
    session: Session, now: datetime, intro: str, slots: Sequence[InterviewSlot], tr: Translator
) -> Reply:
    """The open slots under an intro (a msgid), in tr's language."""
    return offer(session, tr, now, tr.gettext(intro), slots)[0]


def offer_new_slots(session: Session, *, i18n: I18n, now: datetime) -> int:
    """New slots were added: everyone invited and still without a time gets them; returns how many."""
    waiting = interviews.waiting_for_slots(session)
    slots = interviews.open_slots(session, now=now)
    if not slots:
        return 0
    for person in waiting:
        post(
            session,
            person,
            i18n,
            now,
            partial(_offered, session, now, __("New interview times are open."), slots),
        )
    return len(waiting)


def _tell(
    session: Session,
    i18n: I18n,
    coordinators: Coordinators,
    now: datetime,
    msgid: str,
    person: Person,
    slot: InterviewSlot | None = None,
) -> None:
    def compose(tr: Translator) -> Reply:
        when = slot_label(tr, slot) if slot else ""
        return Reply(tr.gettext(msgid, name=person.name, id=person.short_id, slot=when))

    tell_coordinators(session, i18n=i18n, coordinators=coordinators, now=now, compose=compose)


def _answer_buttons(tr: Translator, booking_id: int, *, cancel: bool) -> tuple[tuple[Button, ...], ...]:
    rows = [
        (Button(tr.gettext(COMING), f"{ANSWER_PREFIX}:{booking_id}:y"),),
        (Button(tr.gettext("Choose another time"), f"{ANSWER_PREFIX}:{booking_id}:r"),),
    ]
    if cancel:
        rows.append((Button(tr.gettext("Cancel the interview"), f"{ANSWER_PREFIX}:{booking_id}:c"),))
    return tuple(rows)


def press_book(ctx: Ctx, event: Press) -> str | None:
    """She picked a time."""
    tr, session, now = ctx.tr, ctx.session, ctx.now
    slot_id = _number(event.data.partition(":")[2])
    person = ctx.person
    if slot_id is None or person.status != Status.AWAITING_INTERVIEW:
        return engine.stale(tr)
    if interviews.active_booking(session, person_id=person.id or 0) is not None:
        return tr.gettext(
            "You already have an interview time. To change it, use the buttons on that message."
        )
    slot = session.get(InterviewSlot, slot_id)
    if slot is None or slot.removed_at is not None or slot.starts_at <= now:
        return _taken(ctx, event)
    booking_id = interviews.book(session, slot_id=slot_id, person_id=person.id or 0, now=now)
    if booking_id is None:
        return _taken(ctx, event)
    ctx.edit(event.message_id, Reply(f"✓ {slot_label(tr, slot)}"))
    ctx.say(
        Reply(
            tr.gettext("You chose {slot}. Will you come?", slot=slot_label(tr, slot)),
            _answer_buttons(tr, booking_id, cancel=False),
        )
    )
    _tell(
        session,
        ctx.i18n,
        ctx.coordinators,
        now,
        __("{name} ({id}) booked an interview: {slot}."),
        person,
        slot,
    )
    return None


def _taken(ctx: Ctx, event: Press) -> str:
    """Someone else was faster, or the time is gone: say so at once and show what is left."""
    tr = ctx.tr
    ctx.edit(event.message_id, Reply(tr.gettext("That time is no longer free.")))
    reply, _ = offer(ctx.session, tr, ctx.now, tr.gettext("Sorry, that time was just taken or removed."))
    ctx.say(reply)
    return tr.gettext("That time is no longer free.")


def press_answer(ctx: Ctx, event: Press) -> str | None:
    """Her answer about a booked interview: coming, another time, or cancel."""
    tr, session, now = ctx.tr, ctx.session, ctx.now
    _, _, rest = event.data.partition(":")
    booking_part, _, choice = rest.partition(":")
    booking_id = _number(booking_part)
    booking = session.get(Booking, booking_id) if booking_id is not None else None
    if (
        booking is None
        or booking.person_id != ctx.key.id
        or booking.status != BookingStatus.BOOKED
        or choice not in ("y", "r", "c")
    ):
        return engine.stale(tr)
    slot = session.get(InterviewSlot, booking.slot_id)
    assert slot is not None
    if slot.starts_at <= now:
        return tr.gettext("This interview time has passed. Please write to a coordinator here.")
    person = ctx.person
    if choice == "y":
        booking.confirmed_at = now
        session.add(booking)
        ctx.edit(event.message_id, Reply(tr.gettext(COMING)))  # the label carries its own tick
        if reminder_to_come(slot, now):
            thanks = __("Thank you! See you on {slot}. I will remind you the day before.")
        else:  # the reminder is the message she answered, or it was never due (booked the day before)
            thanks = __("Thank you! See you on {slot}.")
        ctx.say(Reply(tr.gettext(thanks, slot=slot_label(tr, slot))))
        return None
    booking.status, booking.ended_at = BookingStatus.CANCELLED, now
    session.add(booking)
    session.flush()
    ctx.edit(event.message_id, Reply(tr.gettext("Cancelled: {slot}", slot=slot_label(tr, slot))))
    if choice == "r":
        reply, _ = offer(
            session, tr, now, tr.gettext("Your time {slot} is free again.", slot=slot_label(tr, slot))
        )
        ctx.say(reply)
        msgid = __("{name} ({id}) gave up {slot} to choose another time.")
    else:
        reply, _ = offer(
            session,
            tr,
            now,
            tr.gettext("Your interview is cancelled. Whenever you are ready, choose a new time."),
        )
        ctx.say(reply)
        msgid = __("{name} ({id}) cancelled her interview {slot}.")
    _tell(session, ctx.i18n, ctx.coordinators, now, msgid, person, slot)
    return None


def remind(
    session: Session, *, booking: Booking, slot: InterviewSlot, person: Person, i18n: I18n, now: datetime
) -> None:
    """The day-before reminder, with buttons to confirm, move or cancel.

    A sweep that runs late (after downtime) may send it on the interview's own day: then it says today.
    """
    assert booking.id is not None
    booking_id = booking.id

    def reminder(tr: Translator) -> Reply:
        if slot.starts_at.astimezone(tr.tz).date() == now.astimezone(tr.tz).date():
            msgid = __("A reminder: your interview is today, {slot}. Will you come?")
        else:
            msgid = __("A reminder: your interview is tomorrow, {slot}. Will you come?")
        return Reply(
            tr.gettext(msgid, slot=slot_label(tr, slot)), _answer_buttons(tr, booking_id, cancel=True)
        )

    post(session, person, i18n, now, reminder)


def reminder_to_come(slot: InterviewSlot, now: datetime) -> bool:
    """Whether the day-before reminder of this interview is still ahead (so the bot may promise it)."""
    due = timeline.step(timeline.INTERVIEW_REMINDER).due_at(slot)
    return due is not None and due > now


def nudge_to_book(session: Session, *, person: Person, i18n: I18n, now: datetime) -> bool:
    """A week after the invitation, still no time chosen: the free times again; False (nothing sent) if none."""
    slots = interviews.open_slots(session, now=now)
    if slots:
        intro = __("You have not chosen an interview time yet. Here are the free times:")
        post(session, person, i18n, now, partial(_offered, session, now, intro, slots))
    return bool(slots)


def times_passed(session: Session, *, person: Person, i18n: I18n, now: datetime) -> None:
    """A coordinator reminds her and no time is free: the times she was offered before have passed, say so."""
    gone = __(
        "The interview times you were offered before have passed. There are no free times just now; "
        "we will write to you here as soon as there are."
    )
    post(session, person, i18n, now, lambda tr: Reply(tr.gettext(gone)))


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 10 else None
