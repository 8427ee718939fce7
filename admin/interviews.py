"""Coordinator commands for interviews: slots, invitations, the queue and what is overdue."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from admin.slots import NewSlot, parse_slots
from conversations import booking, cities, editing, engine, runner
from conversations.context import Ctx, post
from conversations.coordinators import coordinator_name
from conversations.engine import Flow, Kind, Step
from conversations.events import Button, Press, Reply
from conversations.i18n import Translator, __
from conversations.pairing import TODAY, days_from_today
from conversations.participant import profile_lines
from conversations.texts import language_name, role_name, status_name
from conversations.timeline import local_start
from conversations.validation import Invalid, parse_time
from storage import interviews, pairs, queries
from storage.models import BookingStatus, InterviewNote, InterviewSlot, Person, Status
from storage.queries import ConversationRow

INVITE_PREFIX = "iv"
DELETE_PREFIX = "ds"
PROFILE_PREFIX = "pp"
_PERSON_ID = re.compile(r"^\s*[Pp]-?(\d{1,9})\s*$")
_SLOT_ID = re.compile(r"^\s*[Ss]-?(\d{1,9})\s*$")


def person_by_id(ctx: Ctx, text: str, command: str) -> Person | None:
    """The person a coordinator named as P-12; explains and returns None when there is none."""
    match = _PERSON_ID.match(text or "")
    person = ctx.session.get(Person, int(match[1])) if match else None
    if person is None or person.status is None:
        ctx.say(
            Reply(
                ctx.tr.gettext(
                    "I do not know a registered person {given}. Write it like /{command} P-12; /queue shows the ids.",
                    given=(text or "").strip()[:20] or "–",
                    command=command,
                )
            )
        )
        return None
    return person


# -- slots --------------------------------------------------------------------------------------

DAY, START, MINUTES, PLACE = "day", "start", "minutes", "place"
ADD_SLOT_FLOW = Flow(
    name="add_slot",
    prefix="sl",
    summary_title=__("A new interview slot:"),
    steps=(
        Step(
            DAY,
            __("Which day? Choose one or write the date."),
            Kind.DATE,
            __("Day"),
            days_from_today(range(1, 7)),
            min=0,
            max=365,
            columns=3,
        ),
        Step(START, __("At what time does it start? For example 10:00."), Kind.TIME, __("Start")),
        Step(MINUTES, __("How many minutes does it last?"), Kind.NUMBER, __("Minutes"), min=10, max=240),
        Step(
            PLACE,
            __("Where? The address, as the person should find it."),
            Kind.TEXT,
            __("Place"),
            min=2,
            max=200,
        ),
    ),
)


def _add_slot_finished(ctx: Ctx, conversation: ConversationRow, answers: dict[str, Any]) -> None:
    start = local_start(date.fromisoformat(answers[DAY]), parse_time(answers[START]), ctx.tr.tz.key)
    if start <= ctx.now:
        ctx.say(Reply(ctx.tr.gettext("That time has already passed.")))
        return
    _store(ctx, [NewSlot(start, int(answers[MINUTES]), answers[PLACE])])


ADD_SLOT = runner.guided(
    runner.Guided(
        ADD_SLOT_FLOW, finish=_add_slot_finished, cancelled=__("No slot was added."), coordinators_only=True
    )
)


def addslot(ctx: Ctx, args: str) -> None:
    """/addslot with a line, or alone for the step-by-step questions."""
    if not args.strip():
        runner.begin(ctx, ADD_SLOT, answers={TODAY: ctx.now.astimezone(ctx.tr.tz).date().isoformat()})
        return
    try:
        slots = parse_slots(args, zone=ctx.tr.tz.key, now=ctx.now, locale=ctx.tr.language)
    except Invalid as problem:
        ctx.say(Reply(ctx.tr.gettext(problem.msgid, **problem.params)))
        return
    _store(ctx, slots)


def _store(ctx: Ctx, slots: list[NewSlot]) -> None:
    """Add slots unless one overlaps another at the same place; then offer them to who waits."""
    tr, session = ctx.tr, ctx.session
    for new in slots:
        clash = interviews.overlapping(session, place=new.place, starts_at=new.starts_at, minutes=new.minutes)
        if clash is not None:
            ctx.say(
                Reply(
                    tr.gettext(
                        "Nothing was added: {when} overlaps {id} at the same place ({slot}).",
                        when=f"{tr.date(new.starts_at)} {tr.time(new.starts_at)}",
                        id=clash.short_id,
                        slot=booking.slot_label(tr, clash),
                    )
                )
            )
            return
    added = [
        interviews.add_slot(
            session,
            starts_at=s.starts_at,
            minutes=s.minutes,
            place=s.place,
            by=ctx.key.id,
            now=ctx.now,
        )
        for s in slots
    ]
    offered = booking.offer_new_slots(session, i18n=ctx.i18n, now=ctx.now)
    lines = [tr.ngettext("{count} slot added:", "{count} slots added:", len(added))]
    lines += [f"{s.short_id} {booking.slot_label(tr, s)}" for s in added[:20]]
    if offered:
        lines.append(
            tr.ngettext(
                "Offered to {count} person waiting for a time.",
                "Offered to {count} people waiting for a time.",
                offered,
            )
        )
    ctx.say(Reply("\n".join(lines)))


def slots(ctx: Ctx) -> None:
    """/slots: upcoming slots and who booked them."""
    tr = ctx.tr
    rows = interviews.upcoming(ctx.session, now=ctx.now)
    if not rows:
        ctx.say(Reply(tr.gettext("There are no upcoming interview slots. Add some with /addslot.")))
        return
    lines = [tr.gettext("Upcoming interview slots:"), ""]
    for slot, person in rows[:60]:
        who = f"{person.short_id} {tr.isolate(person.name)}" if person else tr.gettext("free")
        lines.append(f"{slot.short_id} {booking.slot_label(tr, slot)} – {who}")
    ctx.say(Reply("\n".join(lines)))


def delslot(ctx: Ctx, args: str) -> None:
    """/delslot S-3: a free slot goes at once; a booked one after she confirms."""
    tr, session = ctx.tr, ctx.session
    match = _SLOT_ID.match(args or "")
    slot = session.get(InterviewSlot, int(match[1])) if match else None
    if slot is None or slot.removed_at is not None:
        ctx.say(
            Reply(
                tr.gettext(
                    "There is no slot {given}. /slots shows the ids, like S-3.", given=(args or "–")[:20]
                )
            )
        )
        return
    booked = interviews.booking_of_slot(session, slot_id=slot.id or 0)
    if booked is None:
        _remove(ctx, slot)
        return
    person = session.get(Person, booked.person_id)
    assert person is not None
    ctx.say(
        Reply(
            tr.gettext(
                "{id} is booked by {name} ({person}). Remove it anyway? She will be told and offered other times.",
                id=slot.short_id,
                name=person.name,
                person=person.short_id,
            ),
            ((Button(tr.gettext("Remove it"), f"{DELETE_PREFIX}:{slot.id}"),),),
        )
    )


def press_delete(ctx: Ctx, event: Press) -> str | None:
    """The coordinator confirmed removing a booked slot."""
    slot_id = event.data.partition(":")[2]
    slot = ctx.session.get(InterviewSlot, int(slot_id)) if slot_id.isdigit() else None
    if slot is None or slot.removed_at is not None:
        return engine.stale(ctx.tr)
    ctx.edit(event.message_id, Reply(ctx.tr.gettext("Removed: {id}", id=slot.short_id)))
    _remove(ctx, slot)
    return None


def _remove(ctx: Ctx, slot: InterviewSlot) -> None:
    session, now = ctx.session, ctx.now
    slot.removed_at = now
    session.add(slot)
    booked = interviews.booking_of_slot(session, slot_id=slot.id or 0)
    if booked is not None:
        booked.status, booked.ended_at = BookingStatus.CANCELLED, now
        session.add(booked)
        session.flush()
        person = session.get(Person, booked.person_id)
        assert person is not None

        def cancelled(tr: Translator) -> Reply:
            intro = tr.gettext(
                "We are sorry: your interview time {slot} had to be cancelled.",
                slot=booking.slot_label(tr, slot),
            )
            return booking.offer(session, tr, now, intro)[0]

        post(session, person, ctx.i18n, now, cancelled)
    ctx.say(Reply(ctx.tr.gettext("{id} is removed.", id=slot.short_id)))


# -- invitations and the queue ------------------------------------------------------------------------


def invite(ctx: Ctx, args: str) -> None:
    """/invite P-12: she is invited to book an interview."""
    person = person_by_id(ctx, args, "invite")
    if person is not None:
        _invite(ctx, person)


def press_invite(ctx: Ctx, event: Press) -> str | None:
    """The Invite button under /queue."""
    person_id = event.data.partition(":")[2]
    person = ctx.session.get(Person, int(person_id)) if person_id.isdigit() else None
    if person is None or person.status != Status.REGISTERED:
        return engine.stale(ctx.tr)
    _invite(ctx, person)
    return None


def press_profile(ctx: Ctx, event: Press) -> str | None:
    """The Profile button under /queue."""
    person_id = event.data.partition(":")[2]
    if not person_id.isdigit() or ctx.session.get(Person, int(person_id)) is None:
        return engine.stale(ctx.tr)
    person_record(ctx, f"P-{person_id}")
    return None


def _invite(ctx: Ctx, person: Person) -> None:
    tr = ctx.tr
    if person.status not in (Status.REGISTERED, Status.AWAITING_INTERVIEW):
        ctx.say(
            Reply(
                tr.gettext(
                    "{name} ({id}) cannot be invited: her status is {status}.",
                    name=person.name,
                    id=person.short_id,
                    status=status_name(tr, person.status),
                )
            )
        )
        return
    if interviews.active_booking(ctx.session, person_id=person.id or 0) is not None:
        ctx.say(
            Reply(
                tr.gettext(
                    "{name} ({id}) has already booked an interview.", name=person.name, id=person.short_id
                )
            )
        )
        return
    again = person.status == Status.AWAITING_INTERVIEW
    if not again:
        queries.set_status(ctx.session, person=person, status=Status.AWAITING_INTERVIEW, now=ctx.now)
    person.invited_at = ctx.now
    ctx.session.add(person)
    booking.send_invitation(
        ctx.session, person=person, i18n=ctx.i18n, coordinators=ctx.coordinators, now=ctx.now
    )
    msgid = (
        __("{name} ({id}) is invited again.") if again else __("{name} ({id}) is invited to an interview.")
    )
    ctx.say(Reply(tr.gettext(msgid, name=person.name, id=person.short_id)))


def queue(ctx: Ctx) -> None:
    """/queue: who waits for the coordinators, by step, the longest waiting first."""
    tr, session, now = ctx.tr, ctx.session, ctx.now
    registered = queries.people_with_status(session, status=Status.REGISTERED)
    invited = queries.people_with_status(session, status=Status.AWAITING_INTERVIEW)
    ready = queries.people_with_status(session, status=Status.READY_TO_BE_MATCHED)
    if not (registered or invited or ready):
        ctx.say(Reply(tr.gettext("Nobody is waiting for the coordinators just now.")))
        return
    lines: list[str] = []
    buttons: list[tuple[Button, ...]] = []

    def line(person: Person, extra: str = "") -> str:
        since = person.invited_at if person.status == Status.AWAITING_INTERVIEW else person.registered_at
        days = (now - since).days if since else 0
        waited = tr.ngettext("{count} day", "{count} days", days)
        language = language_name(tr, person.language)
        role = role_name(tr, person.role)
        name, city = (
            tr.isolate(person.name),
            tr.isolate(cities.display(person.city, person.city_other, tr.language)),
        )
        return f"{person.short_id} {name} – {role}, {city}, {language}, {waited}{extra}"

    if registered:
        lines += ["", tr.gettext("Registered, not yet invited:")]
        lines += [line(p) for p in registered]
        buttons += [
            (
                Button(tr.gettext("Invite {id}", id=p.short_id), f"{INVITE_PREFIX}:{p.id}"),
                Button(tr.gettext("Profile {id}", id=p.short_id), f"{PROFILE_PREFIX}:{p.id}"),
            )
            for p in registered[:8]
        ]
    booked_lines, waiting_lines = [], []
    slots_of = interviews.booked_slots(session, person_ids=[p.id or 0 for p in invited])
    for person in invited:
        slot = slots_of.get(person.id or 0)
        if slot is not None:
            booked_lines.append(line(person, f" – {booking.slot_label(tr, slot)}"))
        else:
            waiting_lines.append(line(person))
    if waiting_lines:
        lines += ["", tr.gettext("Invited, no time booked yet:"), *waiting_lines]
    if booked_lines:
        lines += ["", tr.gettext("Interview booked:"), *booked_lines]
    # Still "ready to be matched" while a proposal waits for its first meeting: say so, apart.
    proposed = {i: pair for pair in pairs.active(session) for i in (pair.mentee_id, pair.mentor_id)}
    free = [p for p in ready if p.id not in proposed]
    pending = [p for p in ready if p.id in proposed]
    if free:
        lines += ["", tr.gettext("Interviewed, ready to be matched:"), *[line(p) for p in free]]
    if pending:
        lines += ["", tr.gettext("Ready to be matched, with a proposal pending:")]
        lines += [line(p, f" – {proposed[p.id or 0].short_id}") for p in pending]
    ctx.say(Reply("\n".join(lines).strip(), tuple(buttons)))


# -- the interview itself: notes, no-shows, and one person's whole record --------------------------

NOTE_FIELDS = (
    ("date", __("Date of the interview (skip for today)"), Kind.DATE),
    ("interviewer", __("Interviewer (skip for yourself)"), Kind.TEXT),
    ("knowledge", __("How does she know the network?"), Kind.TEXT),
    ("personal", __("Personal profile"), Kind.TEXT),
    ("professional", __("Professional profile: education, work, skills, languages"), Kind.TEXT),
    ("network", __("Her network"), Kind.TEXT),
    ("visions", __("Visions and goals"), Kind.TEXT),
    ("match_wishes", __("Wishes for a match"), Kind.TEXT),
    ("others", __("Anything else"), Kind.TEXT),
)
NOTES_FLOW = Flow(
    name="interview_notes",
    prefix="nt",
    summary_title=__("Interview notes (only coordinators will see them):"),
    sensitive=True,
    steps=tuple(
        Step(
            field,
            label,
            kind,
            label,
            optional=True,
            min=-3650 if kind is Kind.DATE else 1,
            max=0 if kind is Kind.DATE else 2000,
        )
        for field, label, kind in NOTE_FIELDS
    ),
)
READY = __(
    "Thank you for the interview! You are now ready to be matched with a {partner}. 🌱\n\n"
    "A good match depends on who is in the network just now, so it can take some time. We will write to you "
    "here as soon as we have a proposal."
)


def interviewed(ctx: Ctx, args: str) -> None:
    """/interviewed P-12: the notes, step by step; at the end she is ready to be matched."""
    person = person_by_id(ctx, args, "interviewed")
    if person is None:
        return
    if person.status not in (Status.REGISTERED, Status.AWAITING_INTERVIEW):
        ctx.say(
            Reply(
                ctx.tr.gettext(
                    "{name} ({id}) cannot be interviewed now: her status is {status}.",
                    name=person.name,
                    id=person.short_id,
                    status=status_name(ctx.tr, person.status),
                )
            )
        )
        return
    notice = ctx.tr.gettext(
        "Interview notes for {name} ({id}). Every question can be skipped.",
        name=person.name,
        id=person.short_id,
    )
    runner.begin(ctx, NOTES, context={"subject": person.id}, notice=notice)


def _notes_finished(ctx: Ctx, conversation: ConversationRow, answers: dict[str, Any]) -> None:
    session, now = ctx.session, ctx.now
    person = session.get(Person, conversation.context.get("subject", 0))
    if person is None or person.status not in (Status.REGISTERED, Status.AWAITING_INTERVIEW):
        ctx.say(Reply(ctx.tr.gettext("Nothing was saved: her status changed while you wrote the notes.")))
        return
    assert ctx.notes is not None, "the dispatcher is built with a notes cipher"
    notes = {**answers, "date": answers.get("date") or now.astimezone(ctx.tr.tz).date().isoformat()}
    notes["interviewer"] = answers.get("interviewer")  # skipped: she herself, named when shown (_interviewer)
    session.add(
        InterviewNote(
            person_id=person.id or 0,
            interviewer=ctx.key.id,
            sealed=ctx.notes.seal(notes),
            created_at=now,
        )
    )
    found = interviews.active_booking(session, person_id=person.id or 0)
    if found is not None:
        found[0].status, found[0].ended_at = BookingStatus.ATTENDED, now
        session.add(found[0])
    queries.set_status(session, person=person, status=Status.READY_TO_BE_MATCHED, now=now)
    partner = __("mentor") if person.role == "mentee" else __("mentee")
    post(session, person, ctx.i18n, now, lambda tr: Reply(tr.gettext(READY, partner=tr.gettext(partner))))
    ctx.say(
        Reply(
            ctx.tr.gettext(
                "Saved. {name} ({id}) is ready to be matched.", name=person.name, id=person.short_id
            )
        )
    )


NOTES = runner.guided(
    runner.Guided(
        NOTES_FLOW, finish=_notes_finished, cancelled=__("The notes were not saved."), coordinators_only=True
    )
)


def noshow(ctx: Ctx, args: str) -> None:
    """/noshow P-12: she missed her interview; she is asked to choose a new time."""
    person = person_by_id(ctx, args, "noshow")
    if person is None:
        return
    session, now = ctx.session, ctx.now
    found = interviews.active_booking(session, person_id=person.id or 0)
    if found is None:
        ctx.say(
            Reply(
                ctx.tr.gettext("{name} ({id}) has no booked interview.", name=person.name, id=person.short_id)
            )
        )
        return
    found[0].status, found[0].ended_at = BookingStatus.NO_SHOW, now
    session.add(found[0])
    session.flush()
    missed = __("We missed you at your interview. It happens! Please choose a new time.")
    post(session, person, ctx.i18n, now, lambda tr: booking.offer(session, tr, now, tr.gettext(missed))[0])
    ctx.say(
        Reply(
            ctx.tr.gettext(
                "Recorded: {name} ({id}) did not come. She is asked to book again.",
                name=person.name,
                id=person.short_id,
            )
        )
    )


def person_record(ctx: Ctx, args: str) -> None:
    """/person P-12: her profile, her status history, her bookings and the interview notes."""
    person = person_by_id(ctx, args, "person")
    if person is None:
        return
    tr, session = ctx.tr, ctx.session
    lines = [
        f"{person.short_id} {tr.isolate(person.name)}",
        profile_lines(tr, person, queries.accounts_of(session, person_id=person.id or 0), about_her=True),
    ]
    lines += ["", tr.gettext("Status history:")]
    lines += [
        f"• {tr.date(change.at)}: {status_name(tr, change.status)}"
        for change in interviews.status_history(session, person_id=person.id or 0)
    ]
    lines += editing.history_lines(session, tr, person)
    bookings = interviews.bookings_of(session, person_id=person.id or 0)
    if bookings:
        lines += ["", tr.gettext("Interview bookings:")]
        lines += [
            f"• {booking.slot_label(tr, slot)}: {tr.gettext(BOOKING_STATES[b.status])}"
            for b, slot in bookings
        ]
    notes = interviews.notes_of(session, person_id=person.id or 0)
    for note in notes:
        assert ctx.notes is not None
        lines += ["", tr.gettext("Interview notes:")]
        opened = ctx.notes.open_or_none(note.sealed, f"interview note {note.id}")
        if opened is None:
            lines.append(tr.gettext(UNREADABLE_NOTES))
            continue
        shown = {**opened, "interviewer": _interviewer(ctx, note, opened.get("interviewer"))}
        lines += [
            f"• {tr.gettext(NOTE_LABELS.get(field, label))}: {shown[field]}"
            for field, label, _ in NOTE_FIELDS
            if shown.get(field)
        ]
    ctx.say(Reply("\n".join(lines)), sealed=bool(notes))  # the notes stay sealed in the outbox too


NOTE_LABELS = {"interviewer": __("Interviewer")}  # as /person shows it; the question says more


def _interviewer(ctx: Ctx, note: InterviewNote, typed: str | None) -> str:
    """Who interviewed her: the name typed in the notes, else the coordinator who wrote them.

    Notes written before coordinators had names hold her Telegram id there: she is named instead.
    """
    addresses = {a.address for a in queries.accounts_of(ctx.session, person_id=note.interviewer)}
    if typed and typed not in addresses:
        return typed
    return coordinator_name(ctx.session, ctx.tr, note.interviewer, with_id=True)


UNREADABLE_NOTES = __(
    "These notes cannot be read: they were sealed with a key that is no longer in the bot's settings. "
    "Whoever runs the bot can put the old key back."
)
BOOKING_STATES: dict[str, str] = {
    BookingStatus.BOOKED: __("booked"),
    BookingStatus.CANCELLED: __("cancelled"),
    BookingStatus.ATTENDED: __("interviewed"),
    BookingStatus.NO_SHOW: __("did not come"),
}
