"""Write to the coordinator: what a participant sends outside a question reaches a coordinator, and back.

Who gets her message: the coordinator of her pair, else whoever interviewed her, else every
coordinator, where the first to answer takes the thread (storage.threads.take). The thread stays
open both ways until she closes it or a coordinator marks it handled. Every message of a thread is
sealed at rest and in the outbox, as interview notes are.

A coordinator's Reply, and a participant's "Write to the coordinator" while a question is open,
make her next message go aside (storage.Writing); a command drops that, /cancel says so.

    th:w            (participant) write to the coordinator while a question is open
    th:c:<thread>   (participant) close her conversation
    tc:r:<thread>   (coordinator) reply          tc:h:<thread>   (coordinator) mark handled
    pp:<person>     (coordinator) her profile (admin.interviews)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from conversations import engine, runner
from conversations.context import Ctx, post, tell_coordinators
from conversations.events import Attachment, Button, Event, Media, Press, Reply, Text
from conversations.i18n import Translator, __, isolate
from conversations.texts import language_name, status_name
from storage import pairs
from storage import threads as stored
from storage.models import Person, Thread

PARTICIPANT_PREFIX = "th"
COORDINATOR_PREFIX = "tc"
PROFILE_PREFIX = "pp"  # admin.interviews.PROFILE_PREFIX: its button opens /person
MAX_TEXT = 4096  # Telegram's own limit: nothing she can send is cut (a long card goes in pieces)
SNIPPET = 70  # characters of the last message shown in /inbox
WITH_BUTTONS = 8  # threads in /inbox that get their own row of buttons

# What is passed on as it came; anything else (a sticker, a location) is explained instead.
KINDS = {
    "voice": __("a voice note"),
    "audio": __("an audio file"),
    "photo": __("a photo"),
    "document": __("a document"),
    "video": __("a video"),
    "video_note": __("a video message"),
}

NOT_REGISTERED = __(
    "I can pass your messages on to a coordinator once you are registered. Send /start to begin. "
    "I have not kept what you sent."
)
CANNOT_PASS_ON = __(
    "I can pass text, voice notes, photos, documents and videos on to the coordinator, but not this. "
    "Please write it, or send it as one of those."
)
REACHED_YOURS = __("Thank you! Your message has reached your coordinator, {name}.")
REACHED_ALL = __("Thank you! Your message has reached the coordinators.")
PASSED_ON = __("✓ Passed on to the coordinator.")
WRITE_BUTTON = __("✉️ Write to the coordinator")
CLOSE_BUTTON = __("Close the conversation")
REPLY_BUTTON = __("↩️ Reply")
PROFILE_BUTTON = __("👤 Profile")
HANDLED_BUTTON = __("✔ Mark handled")
ALREADY_CLOSED = __("This conversation is already closed.")
ASK_AFTER = __("Here is my question again:")


def answer_due(now: datetime, days: int, zone: ZoneInfo) -> datetime:
    """The moment `days` working days (Monday to Friday, in the network's zone) after now."""
    local = now.astimezone(zone)
    counted = 0
    while counted < days:
        local += timedelta(days=1)
        if local.weekday() < 5:
            counted += 1
    return local


def coordinator_for(ctx: Ctx, person_id: int) -> int | None:
    """Who answers her: her pair's coordinator, else her interviewer (if still a coordinator); None: all."""
    current = ctx.coordinators.ids(ctx.session)
    pair = pairs.active_pair_of(ctx.session, person_id=person_id)
    if pair is not None and pair.coordinator in current:
        return pair.coordinator
    interviewer = stored.interviewer_of(ctx.session, person_id=person_id)
    return interviewer if interviewer in current else None


def _name_of(ctx: Ctx, person_id: int | None) -> str | None:
    person = ctx.session.get(Person, person_id) if person_id is not None else None
    return person.name if person is not None and person.name else None


def _signature(tr: Translator, name: str | None) -> str:
    """How a coordinator signs: her name, or a neutral "your coordinator" until she has one."""
    if name:
        return tr.gettext("{name}, your coordinator", name=isolate(name))
    return tr.gettext("your coordinator")


def _content(event: Text | Media) -> dict[str, Any]:
    """A message as a thread keeps it (sealed)."""
    if isinstance(event, Text):
        return {"text": event.text[:MAX_TEXT]}
    return {"media": event.kind, "file_id": event.file_id, "text": event.caption[:MAX_TEXT]}


def _seal(ctx: Ctx, content: dict[str, Any]) -> str:
    assert ctx.notes is not None, "the dispatcher is built with the notes cipher"
    return ctx.notes.seal(content)


# -- she writes -----------------------------------------------------------------------------------


def idle(ctx: Ctx, event: Event) -> bool:
    """Something she sent with no question open: a coordinator's answer or a message to the coordinator.

    False: not for a thread (a coordinator who is not answering anyone); the caller says so.
    """
    if not isinstance(event, Text | Media):
        return False
    if ctx.is_coordinator:
        return _answer(ctx, event)
    stored.stop_writing(ctx.session, person_id=ctx.key.id)  # the question she wrote beside is gone
    from_participant(ctx, event)
    return True


def aside(ctx: Ctx, event: Event) -> bool:
    """Her message while a question is open and she chose to write aside; False: she was not."""
    writing = stored.writing_of(ctx.session, person_id=ctx.key.id)
    if writing is None or not isinstance(event, Text | Media):
        runner.set_aside(ctx, False)
        return False
    if writing.thread_id is not None:
        if _answer(ctx, event) and stored.writing_of(ctx.session, person_id=ctx.key.id) is None:
            _ask_again(ctx)
        return True
    if isinstance(event, Media) and event.kind not in KINDS:
        ctx.say(Reply(ctx.tr.gettext(CANNOT_PASS_ON)))  # she may still send it otherwise: keep waiting
        return True
    _stop(ctx)
    from_participant(ctx, event)
    _ask_again(ctx)
    return True


def _ask_again(ctx: Ctx) -> None:
    row = runner.current(ctx)
    if row is not None:
        ctx.say(runner.ask_again(ctx, row, notice=ctx.tr.gettext(ASK_AFTER)))


def _stop(ctx: Ctx) -> None:
    stored.stop_writing(ctx.session, person_id=ctx.key.id)
    runner.set_aside(ctx, False)


def from_participant(ctx: Ctx, event: Text | Media) -> None:
    """Pass her message on to whoever answers her, and tell her it arrived and when to expect an answer.

    Someone who has not registered (nor consented) is told how to begin; nothing of hers is kept.
    """
    tr, session, now, person = ctx.tr, ctx.session, ctx.now, ctx.person
    if person.status is None:
        ctx.say(Reply(tr.gettext(NOT_REGISTERED)))
        return
    if isinstance(event, Media) and (event.kind not in KINDS or not event.file_id):
        ctx.say(Reply(tr.gettext(CANNOT_PASS_ON)))
        return
    thread = stored.open_thread(
        session, person_id=ctx.key.id, coordinator=coordinator_for(ctx, ctx.key.id), now=now
    )
    _release_if_gone(ctx, thread)
    content = _content(event)
    stored.add_message(
        session, thread=thread, author=ctx.key.id, sealed=_seal(ctx, content), from_coordinator=False, now=now
    )
    # The first message she is waiting on gets the whole acknowledgement; the rest of a burst a
    # short line: she sees each one arrived, without the same long text five times.
    first = thread.waiting_since is None
    if first:
        thread.waiting_since = now
        thread.answer_due = answer_due(now, ctx.answer_within_days, tr.tz)
        session.add(thread)
    session.flush()
    _to_coordinators(ctx, thread, person, content)
    if not first:
        ctx.say(Reply(tr.gettext(PASSED_ON)))
        return
    name = _name_of(ctx, thread.coordinator)
    reached = tr.gettext(REACHED_YOURS, name=isolate(name)) if name else tr.gettext(REACHED_ALL)
    assert thread.answer_due is not None
    expect = tr.ngettext(
        "You can expect an answer within {count} working day, by {date}.",
        "You can expect an answer within {count} working days, by {date}.",
        ctx.answer_within_days,
        date=tr.date(thread.answer_due),
    )
    ctx.say(Reply(f"{reached}\n{expect}"))


def _to_coordinators(ctx: Ctx, thread: Thread, person: Person, content: dict[str, Any]) -> None:
    """Her message to the thread's coordinator, or to every coordinator while nobody holds it."""
    session, now = ctx.session, ctx.now
    recipients = (
        [thread.coordinator] if thread.coordinator is not None else sorted(ctx.coordinators.ids(session))
    )
    if not recipients:  # no coordinator has met the bot yet: a word without her message, at the accounts
        tell_coordinators(
            session,
            i18n=ctx.i18n,
            coordinators=ctx.coordinators,
            now=now,
            compose=lambda tr: Reply(
                tr.gettext(
                    "{name} ({id}) wrote to the coordinators. /inbox shows it.",
                    name=isolate(person.name),
                    id=person.short_id,
                )
            ),
        )
        return
    pair = pairs.active_pair_of(session, person_id=person.id or 0)
    for coordinator in recipients:
        for reply in _card(ctx, thread, person, content, pair.short_id if pair else None):
            post(session, coordinator, ctx.i18n, now, reply, sealed=ctx.notes)


def _card(
    ctx: Ctx, thread: Thread, person: Person, content: dict[str, Any], pair: str | None
) -> list[Callable[[Translator], Reply]]:
    """What a coordinator gets: who wrote, her message (a file as itself), and the buttons."""

    def buttons(tr: Translator) -> tuple[tuple[Button, ...], ...]:
        return (
            (
                Button(tr.gettext(REPLY_BUTTON), f"{COORDINATOR_PREFIX}:r:{thread.id}"),
                Button(tr.gettext(PROFILE_BUTTON), f"{PROFILE_PREFIX}:{person.id}"),
            ),
            (Button(tr.gettext(HANDLED_BUTTON), f"{COORDINATOR_PREFIX}:h:{thread.id}"),),
        )

    def who(tr: Translator) -> str:
        lines = [
            tr.gettext(
                "✉️ A message from {name} ({id}). She writes in {language}; status: {status}.",
                name=isolate(person.name),
                id=person.short_id,
                language=language_name(tr, person.language),
                status=status_name(tr, person.status),
            )
        ]
        if pair is not None:
            lines.append(tr.gettext("Her pair: {pair}", pair=pair))
        if thread.coordinator is None:
            lines.append(
                tr.gettext("Nobody holds this conversation yet: the first coordinator to answer takes it.")
            )
        return "\n".join(lines)

    media = content.get("media")
    if media is None:
        return [lambda tr: Reply(f"{who(tr)}\n\n{isolate(content['text'])}", buttons(tr))]

    def header(tr: Translator) -> Reply:
        sent = tr.gettext("She sent {what}:", what=tr.gettext(KINDS[media]))
        return Reply(f"{who(tr)}\n\n{sent}")

    def file(tr: Translator) -> Reply:
        caption = f"{isolate(person.name)} ({person.short_id})"
        if content.get("text"):
            caption += f"\n{isolate(content['text'])}"
        fallback = tr.gettext(
            "(She sent {what}, but it could not be shown here. Ask her to send it again.)",
            what=tr.gettext(KINDS[media]),
        )
        return Reply(caption, buttons(tr), Attachment(media, content["file_id"], fallback))

    return [header, file]


# -- buttons --------------------------------------------------------------------------------------


def press_write(ctx: Ctx, event: Press) -> str | None:
    """She pressed "Write to the coordinator" (under /help while a question is open)."""
    tr = ctx.tr
    if ctx.person.status is None:
        ctx.say(Reply(tr.gettext(NOT_REGISTERED)))
        return None
    if runner.current(ctx) is None:
        ctx.say(
            Reply(tr.gettext("Just write your message here – text, a voice note, a photo or a document."))
        )
        return None
    stored.start_writing(ctx.session, person_id=ctx.key.id, thread_id=None, now=ctx.now)
    runner.set_aside(ctx, True)
    ctx.say(
        Reply(
            tr.gettext(
                "Write your message to the coordinator now – text, a voice note, a photo or a document. "
                "Then I will ask my question again. (/cancel: write nothing.)"
            )
        )
    )
    return None


def press_participant(ctx: Ctx, event: Press) -> str | None:
    """Her buttons: write (th:w) or close (th:c:<thread>)."""
    action, _, thread_id = event.data.partition(":")[2].partition(":")
    if action == "w":
        return press_write(ctx, event)
    thread = ctx.session.get(Thread, int(thread_id)) if thread_id.isdigit() else None
    if action != "c" or thread is None or thread.person_id != ctx.key.id:
        return engine.stale(ctx.tr)
    if thread.closed_at is not None:
        return ctx.tr.gettext(ALREADY_CLOSED)
    stored.close(ctx.session, thread=thread, by=ctx.key.id, now=ctx.now)
    ctx.say(Reply(ctx.tr.gettext("Closed. You can write to the coordinator here again at any time.")))
    if thread.coordinator is not None:
        person = ctx.person
        post(
            ctx.session,
            thread.coordinator,
            ctx.i18n,
            ctx.now,
            lambda tr: Reply(
                tr.gettext(
                    "{name} ({id}) closed her conversation with you.",
                    name=isolate(person.name),
                    id=person.short_id,
                )
            ),
        )
    return None


def press_coordinator(ctx: Ctx, event: Press) -> str | None:
    """A coordinator's buttons: reply (tc:r:<thread>) or mark handled (tc:h:<thread>)."""
    action, _, thread_id = event.data.partition(":")[2].partition(":")
    tr, session = ctx.tr, ctx.session
    thread = session.get(Thread, int(thread_id)) if thread_id.isdigit() else None
    if thread is None or action not in ("r", "h"):
        return engine.stale(tr)
    if thread.closed_at is not None:
        return tr.gettext(ALREADY_CLOSED)
    person = session.get(Person, thread.person_id)
    assert person is not None
    if action == "h":
        _handled(ctx, thread, person)
        return None
    _release_if_gone(ctx, thread)
    if thread.coordinator not in (None, ctx.key.id):
        ctx.say(Reply(_taken(ctx, thread, person)))
        return None
    stored.start_writing(session, person_id=ctx.key.id, thread_id=thread.id, now=ctx.now)
    runner.set_aside(ctx, True)
    ctx.say(
        Reply(
            tr.gettext(
                "Write your answer to {name} ({id}) now: your next message goes to her, signed with your name. "
                "(/cancel: do not answer.)",
                name=isolate(person.name),
                id=person.short_id,
            )
        )
    )
    return None


def _release_if_gone(ctx: Ctx, thread: Thread) -> None:
    """A thread held by someone no longer on the coordinators' list is free again: nobody else could answer it."""
    if thread.coordinator is not None and thread.coordinator not in ctx.coordinators.ids(ctx.session):
        thread.coordinator = None
        ctx.session.add(thread)
        ctx.session.flush()


def _taken(ctx: Ctx, thread: Thread, person: Person) -> str:
    holder = _name_of(ctx, thread.coordinator) or ctx.tr.gettext("Another coordinator")
    return ctx.tr.gettext(
        "{holder} has taken the conversation with {name} ({id}) and answers her.",
        holder=isolate(holder),
        name=isolate(person.name),
        id=person.short_id,
    )


def _handled(ctx: Ctx, thread: Thread, person: Person) -> None:
    """A coordinator closes the thread; she is told, and may write again whenever she wants."""
    stored.close(ctx.session, thread=thread, by=ctx.key.id, now=ctx.now)
    runner.set_aside(ctx, stored.writing_of(ctx.session, person_id=ctx.key.id) is not None)
    post(
        ctx.session,
        person,
        ctx.i18n,
        ctx.now,
        lambda tr: Reply(
            tr.gettext(
                "Your coordinator has marked your conversation as done. You can write here again at any time."
            )
        ),
    )
    ctx.say(
        Reply(ctx.tr.gettext("Marked handled: {name} ({id}).", name=isolate(person.name), id=person.short_id))
    )


# -- a coordinator answers ----------------------------------------------------------------------------


def _answer(ctx: Ctx, event: Text | Media) -> bool:
    """Her next message after Reply goes to the participant, signed; True when it was taken for that."""
    tr, session, now = ctx.tr, ctx.session, ctx.now
    writing = stored.writing_of(session, person_id=ctx.key.id)
    if writing is None or writing.thread_id is None:
        return False
    if isinstance(event, Media):  # answers go as text for now; she keeps her place
        ctx.say(
            Reply(tr.gettext("Answers are sent as text: please write your answer. (/cancel: do not answer.)"))
        )
        return True
    _stop(ctx)
    thread = session.get(Thread, writing.thread_id)
    person = session.get(Person, thread.person_id) if thread is not None else None
    if thread is None or person is None or thread.closed_at is not None:
        ctx.say(Reply(tr.gettext("This conversation was closed meanwhile, so your answer was not sent.")))
        return True
    if not stored.take(session, thread_id=thread.id or 0, coordinator=ctx.key.id):
        ctx.say(Reply(_taken(ctx, thread, person) + "\n" + tr.gettext("Your answer was not sent.")))
        return True
    thread = session.get(Thread, writing.thread_id)
    assert thread is not None
    text = event.text[:MAX_TEXT]
    stored.add_message(
        session,
        thread=thread,
        author=ctx.key.id,
        sealed=_seal(ctx, {"text": text}),
        from_coordinator=True,
        now=now,
    )
    thread.waiting_since = thread.answer_due = None
    session.add(thread)
    name = ctx.person.name

    def to_her(tr: Translator) -> Reply:
        heading = tr.gettext("✉️ From {signature}:", signature=_signature(tr, name))
        hint = tr.gettext("You can answer here by writing.")
        close = Button(tr.gettext(CLOSE_BUTTON), f"{PARTICIPANT_PREFIX}:c:{thread.id}")
        return Reply(f"{heading}\n\n{isolate(text)}\n\n{hint}", ((close,),))

    post(session, person, ctx.i18n, now, to_her, sealed=ctx.notes)
    ctx.say(
        Reply(
            tr.gettext("Sent to {name} ({id}).", name=isolate(person.name), id=person.short_id),
            (
                (
                    Button(tr.gettext(REPLY_BUTTON), f"{COORDINATOR_PREFIX}:r:{thread.id}"),
                    Button(tr.gettext(HANDLED_BUTTON), f"{COORDINATOR_PREFIX}:h:{thread.id}"),
                ),
            ),
        )
    )
    return True


def on_command(ctx: Ctx, command: str) -> bool:
    """A command while she was writing aside drops that; /cancel says so. True: the command is answered."""
    if not stored.is_writing(ctx.db, person_id=ctx.key.id):
        return False
    _stop(ctx)
    if command != "cancel":
        return False
    ctx.say(Reply(ctx.tr.gettext("Nothing was sent.")))
    _ask_again(ctx)
    return True


# -- /inbox ----------------------------------------------------------------------------------------


def inbox(ctx: Ctx) -> None:
    """/inbox: every open conversation, the longest waiting for an answer first, with buttons."""
    tr, session = ctx.tr, ctx.session
    rows = stored.open_threads(session)
    if not rows:
        ctx.say(Reply(tr.gettext("No open conversations: nobody is waiting for an answer.")))
        return
    assert ctx.notes is not None
    last = stored.last_messages(session, thread_ids=[thread.id or 0 for thread, _ in rows])
    lines = [tr.gettext("Open conversations, the longest waiting first:")]
    for thread, person in rows:
        if thread.waiting_since is not None and thread.answer_due is not None:
            state = tr.gettext(
                "waiting since {since}, answer due {due}",
                since=tr.date(thread.waiting_since),
                due=tr.date(thread.answer_due),
            )
        else:
            state = tr.gettext("answered")
        holder = _name_of(ctx, thread.coordinator) if thread.coordinator is not None else None
        if thread.coordinator is None:
            held = tr.gettext("nobody has taken it yet")
        else:
            held = isolate(holder) if holder else tr.gettext("a coordinator without a name")
        lines += ["", f"{person.short_id} {isolate(person.name)} – {state} – {held}"]
        message = last.get(thread.id or 0)
        opened = ctx.notes.open_or_none(message.sealed, f"thread message {message.id}") if message else None
        if opened is not None:
            said = opened.get("text") or ""
            if opened.get("media") in KINDS:
                said = f"[{tr.gettext(KINDS[opened['media']])}] {said}".strip()
            if len(said) > SNIPPET:
                said = said[: SNIPPET - 1] + "…"
            lines.append(f"   «{isolate(said)}»")
    buttons = tuple(
        (
            Button(tr.gettext("Reply to {id}", id=person.short_id), f"{COORDINATOR_PREFIX}:r:{thread.id}"),
            Button(tr.gettext("Profile {id}", id=person.short_id), f"{PROFILE_PREFIX}:{person.id}"),
            Button(tr.gettext("✔ Handled {id}", id=person.short_id), f"{COORDINATOR_PREFIX}:h:{thread.id}"),
        )
        for thread, person in rows[:WITH_BUTTONS]
    )
    ctx.say(Reply("\n".join(lines), buttons), sealed=True)
