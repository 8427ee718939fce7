"""Announcements and events as the participants get them, and their delivery a chunk at a time.

A confirmed announcement is not written to the outbox at once: `deliver` (a job of the
scheduler, every second or so) enqueues a chunk of recipients at a time, each with a delivery
row under a unique (announcement, person) key, in the same transaction as her outbox message.
So a restart in the middle sends nobody a second copy, the bot's replies never wait behind a
hundred thousand announcements, and no transaction holds the database for long. The
coordinator's message shows the progress, edited at most every PROGRESS_EVERY, then the report.

Buttons:
    nw:stop / nw:go      stop news and events, or get them again
    ev:y:<event> / ev:n:<event>   I will come / I cannot come
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from babel.numbers import format_decimal
from sqlmodel import Session

from conversations import engine
from conversations.clock import Clock
from conversations.context import Ctx, payload, post
from conversations.errors import where
from conversations.events import Button, Press, Reply
from conversations.i18n import I18n, Translator, __, isolate
from storage import announcements as store
from storage import queries
from storage.db import Database
from storage.models import Announcement, DeliveryState, Event, OutboxMessage, Person

log = logging.getLogger(__name__)

NEWS_PREFIX = "nw"
EVENT_PREFIX = "ev"
WINDOW = 60  # an announcement's messages waiting in the outbox at most: about two seconds of sending
MAX_SCAN = 2000  # people looked at in one step at most (a city filter may pass few of them)
PROGRESS_EVERY = timedelta(seconds=5)  # the coordinator's message is edited at most this often
REMINDER_AHEAD = timedelta(days=1)  # those coming are reminded a day before the event
EVENT_REMINDER = "event_reminder"  # the sweep's action kind

STOP_NEWS = __("🔕 Stop news and events")
NEWS_STOPPED = __(
    "You will get no more news or invitations to events from us. Your mentoring goes on as before. "
    "/privacy lets you have them again."
)


# -- what a recipient sees ---------------------------------------------------------------------------


def text_for(announcement: Announcement, language: str) -> str:
    """The version of the coordinator's text in her language, else the default one."""
    texts = announcement.answers.get("texts", {})
    return str(texts.get(language) or texts.get("") or "")


def event_text(tr: Translator, event: Event, note: str = "") -> str:
    """An event as an invitation, in her language and time zone."""
    text = tr.gettext(
        "📅 {title}\n{when}\n📍 {place}\n\nThere are {capacity} places. Will you come?",
        title=isolate(event.title),
        when=tr.datetime(event.starts_at),
        place=isolate(event.place),
        capacity=event.capacity,
    )
    return f"{note}\n\n{text}" if note else text


def composed(session: Session, announcement: Announcement, tr: Translator) -> Reply:
    """The announcement as one recipient reads it, with its buttons."""
    stop = (Button(tr.gettext(STOP_NEWS), f"{NEWS_PREFIX}:stop"),)
    if announcement.event_id is None:
        return Reply(text_for(announcement, tr.language), (stop,))
    event = session.get(Event, announcement.event_id)
    assert event is not None
    note = text_for(announcement, tr.language)
    answers = (
        Button(tr.gettext("✅ I will come"), f"{EVENT_PREFIX}:y:{event.id}"),
        Button(tr.gettext("❌ I cannot come"), f"{EVENT_PREFIX}:n:{event.id}"),
    )
    return Reply(event_text(tr, event, note), (answers, stop))


# -- delivery ------------------------------------------------------------------------------------------


def deliver(db: Database, clock: Clock, i18n: I18n) -> int:
    """Move every announcement under way one step on: enqueue a chunk, show progress, or report. Returns messages enqueued."""
    with db.session() as session:
        under_way = store.sending(session)
    enqueued = 0
    for announcement_id in under_way:
        try:
            enqueued += _step(db, announcement_id, clock, i18n)
        except Exception as exc:  # one broken announcement must not stop the others
            log.error(
                "announcement %s could not go on (%s); tried again next time", announcement_id, where(exc)
            )
    return enqueued


def _step(db: Database, announcement_id: int, clock: Clock, i18n: I18n) -> int:
    """Fill the outbox up to WINDOW with this announcement (a chunk per transaction), then show progress."""
    enqueued = scanned = 0
    while scanned < MAX_SCAN:
        with db.session() as session:
            announcement = session.get(Announcement, announcement_id)
            assert announcement is not None
            if announcement.filled_at is not None:
                break
            room = WINDOW - store.waiting(session, announcement_id=announcement_id)
            if room <= 0:
                break
            added, considered = _fill(session, announcement, room, clock.now(), i18n)
        enqueued, scanned = enqueued + added, scanned + considered
    with db.session() as session:
        announcement = session.get(Announcement, announcement_id)
        assert announcement is not None
        _show_progress(session, announcement, clock.now(), i18n)
    return enqueued


def _fill(
    session: Session, announcement: Announcement, room: int, now: datetime, i18n: I18n
) -> tuple[int, int]:
    """Enqueue up to `room` more recipients (in this one transaction); returns (enqueued, people considered).

    Each recipient's delivery row and outbox message are written together; a recipient who
    already has a row (a restart after a crash, a second process) is skipped.
    """
    audience = audience_of(announcement)
    found = store.candidates(session, audience=audience, after=announcement.cursor, limit=room)
    enqueued = 0
    for person in found:
        if not audience.wants(person):
            continue
        state = (
            DeliveryState.OPTED_OUT
            if person.news_stopped_at is not None
            else DeliveryState.QUEUED
            if person.reachable
            else DeliveryState.UNREACHABLE
        )
        delivery_id = store.add_delivery(
            session, announcement_id=announcement.id or 0, person_id=person.id or 0, state=state, now=now
        )
        if delivery_id is None or state != DeliveryState.QUEUED:
            continue
        outbox_id = post(session, person, i18n, now, lambda tr: composed(session, announcement, tr))
        store.set_outbox(session, delivery_id=delivery_id, outbox_id=outbox_id)
        enqueued += 1
    if found:
        announcement.cursor = found[-1].id or announcement.cursor
    if len(found) < room:
        announcement.filled_at = now
    session.add(announcement)
    return enqueued, len(found)


def audience_of(announcement: Announcement) -> store.Audience:
    """The group and filters stored with an announcement."""
    answers = announcement.answers
    language = answers.get("language")
    return store.Audience(
        group=answers["group"],
        language=None if language in (None, store.ALL) else language,
        city=answers.get("city") or None,
    )


def _show_progress(session: Session, announcement: Announcement, now: datetime, i18n: I18n) -> None:
    """Edit the coordinator's message: the count so far, or at the end the report.

    A new count is written only once the last one has been sent, PROGRESS_EVERY after it went
    out: so the edits reach her that far apart, also when a process died holding one (it goes
    out when its lease ends, and the next count waits for it). The report does not wait.
    """
    counts = store.progress(session, announcement_id=announcement.id or 0)
    finished = announcement.filled_at is not None and counts.waiting == 0
    previous = (
        session.get(OutboxMessage, announcement.progress_outbox) if announcement.progress_outbox else None
    )
    if not finished:
        if counts.handled == announcement.progress_shown:
            return
        if previous is not None and previous.sent_at is None and previous.failed_at is None:
            return  # the last count is still on its way
        last = previous.sent_at if previous is not None and previous.sent_at else announcement.progress_at
        if last is not None and now - last < PROGRESS_EVERY:
            return
    person = session.get(Person, announcement.created_by)
    tr = i18n.translator(person.language if person else None)
    total = max(announcement.total, counts.handled + counts.waiting)
    if finished:
        text = report_text(tr, announcement, counts)
        announcement.done_at = now
    else:
        text = tr.gettext(
            "📣 {id}: sent {sent} of {total}…",
            id=announcement.short_id,
            sent=number(tr, counts.handled),
            total=number(tr, total),
        )
    announcement.progress_at, announcement.progress_shown = now, counts.handled
    session.add(announcement)
    if announcement.message_id is None:
        return
    if previous is not None:
        # A count still waiting is not worth sending once the report is written.
        store.supersede(session, outbox_id=previous.id or 0, now=now)
    data = payload(Reply(text), tr) | {"message_id": announcement.message_id}
    announcement.progress_outbox = queries.enqueue_to(
        session, person_id=announcement.created_by, kind="edit", payload=data, now=now
    )


def report_text(tr: Translator, announcement: Announcement, counts: store.Progress) -> str:
    """The report at the end: delivered, unreachable, opted out."""
    return tr.gettext(
        "📣 {id} is sent.\nDelivered: {delivered}\nNot reachable (blocked the bot): {unreachable}\n"
        "Stopped news and events: {opted_out}",
        id=announcement.short_id,
        delivered=number(tr, counts.delivered),
        unreachable=number(tr, counts.unreachable),
        opted_out=number(tr, counts.opted_out),
    )


def number(tr: Translator, value: int) -> str:
    """A count as she writes numbers (1,000 or 1.000)."""
    return format_decimal(value, locale=tr.locale)


# -- stopping news -------------------------------------------------------------------------------------


def press_news(ctx: Ctx, event: Press) -> str | None:
    """ "Stop news and events" under an announcement, or "Get them again" under /privacy."""
    op = event.data.partition(":")[2]
    person = ctx.person
    if op == "stop":
        if person.news_stopped_at is None:
            person.news_stopped_at = ctx.now
            ctx.session.add(person)
            store.withdraw_waiting(ctx.session, person_id=ctx.key.id, now=ctx.now)
        ctx.say(Reply(ctx.tr.gettext(NEWS_STOPPED)))
        return None
    if op == "go":
        person.news_stopped_at = None
        ctx.session.add(person)
        ctx.say(Reply(ctx.tr.gettext("You will get our news and invitations to events again. Welcome back!")))
        return None
    return engine.stale(ctx.tr)


def privacy_line(ctx: Ctx) -> Reply | None:
    """The /privacy line about news and events, with the button to stop them or have them again."""
    person = ctx.person
    if person.status is None:
        return None
    tr = ctx.tr
    if person.news_stopped_at is None:
        return Reply(
            tr.gettext("📣 You get our news and invitations to events. You can stop them at any time."),
            ((Button(tr.gettext(STOP_NEWS), f"{NEWS_PREFIX}:stop"),),),
        )
    return Reply(
        tr.gettext(
            "🔕 You stopped our news and invitations to events on {day}.", day=tr.date(person.news_stopped_at)
        ),
        ((Button(tr.gettext("📣 Get news and events again"), f"{NEWS_PREFIX}:go"),),),
    )


# -- events --------------------------------------------------------------------------------------------


def press_event(ctx: Ctx, event: Press) -> str | None:
    """I will come / I cannot come under an event's invitation."""
    _, op, event_id = ([*event.data.split(":"), "", ""])[:3]
    found = ctx.session.get(Event, int(event_id)) if event_id.isdigit() else None
    tr = ctx.tr
    if found is None or op not in ("y", "n"):
        return engine.stale(tr)
    if found.starts_at <= ctx.now:
        return tr.gettext("This event has already taken place.")
    if op == "y":
        outcome = store.take_seat(ctx.session, event_id=found.id or 0, person_id=ctx.key.id, now=ctx.now)
        if outcome == "full":
            return tr.gettext("Sorry, the event is full.")
        if outcome == "already":
            return tr.gettext("You already have a place. See you there!")
        ctx.say(
            Reply(
                tr.gettext(
                    "Your place at {title} is kept for you. I will remind you the day before. "
                    "If you cannot come after all, press “I cannot come”.",
                    title=isolate(found.title),
                )
            )
        )
        return None
    if store.give_seat(ctx.session, event_id=found.id or 0, person_id=ctx.key.id, now=ctx.now):
        ctx.say(Reply(tr.gettext("Thank you for telling us. Your place is free for someone else.")))
        return None
    return tr.gettext("Thank you for telling us.")


def remind_events(session: Session, event: Event, i18n: I18n, now: datetime) -> int:
    """The day-before reminder to everyone coming; the caller has claimed it. Returns how many."""
    people = store.coming(session, event_id=event.id or 0)
    for person in people:
        post(
            session,
            person,
            i18n,
            now,
            lambda tr: Reply(
                tr.gettext(
                    TODAY if _same_day(tr, event.starts_at, now) else TOMORROW,
                    title=isolate(event.title),
                    when=tr.time(event.starts_at),
                    place=isolate(event.place),
                ),
                ((Button(tr.gettext("❌ I cannot come"), f"{EVENT_PREFIX}:n:{event.id}"),),),
            ),
        )
    return len(people)


TOMORROW = __("A reminder: {title} is tomorrow at {when}, at {place}. We look forward to seeing you!")
TODAY = __("A reminder: {title} is today at {when}, at {place}. We look forward to seeing you!")


def _same_day(tr: Translator, a: datetime, b: datetime) -> bool:
    """Whether two moments fall on the same day where she lives (a late reminder says "today")."""
    return a.astimezone(tr.tz).date() == b.astimezone(tr.tz).date()


def due_event_reminders(session: Session, now: datetime) -> list[int]:
    """Events starting within a day from now, whose reminder may be due."""
    return [e.id or 0 for e in store.events_between(session, start=now, end=now + REMINDER_AHEAD)]


def event_reminder_times(session: Session, now: datetime) -> list[datetime]:
    """When the reminders of the coming year's events fall due (the sandbox's "next thing due")."""
    upcoming = store.events_between(session, start=now, end=now + timedelta(days=366))
    return [event.starts_at - REMINDER_AHEAD for event in upcoming]
