"""/announce and /event: a coordinator writes to a group, sees who it reaches, and confirms.

    /announce -> group -> language -> city (or skip) -> message -> other versions (or skip)
              -> each version -> preview with the count: Send | Change | Discard
    /event    -> title -> day -> time -> place -> places -> the same group questions
              -> a note (or skip) -> preview: Send | Change | Discard
    /event E-3 -> who comes, and the free places

The draft is an Announcement row; its `rev` grows with every change, so a Send button from
before a change is refused. Sending only marks it sent: conversations.announcements delivers
it a chunk at a time and shows the progress in the preview message.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from conversations import announcements as news
from conversations import engine, runner
from conversations.context import Ctx
from conversations.engine import Choice, Flow, Kind, Step
from conversations.events import Button, Press, Reply
from conversations.i18n import LANGUAGES, Translator, __, isolate
from conversations.texts import language_name
from conversations.timeline import local_start
from conversations.validation import parse_time
from storage import announcements as store
from storage.models import Announcement, Event
from storage.queries import ConversationRow

PREFIX = "na"
_EVENT_ID = re.compile(r"^\s*[Ee]-?(\d{1,9})\s*$")

GROUP, LANGUAGE, CITY, TEXT, VERSIONS = "group", "language", "city", "text", "versions"
TITLE, DAY, START, PLACE, CAPACITY = "title", "day", "start", "place", "capacity"
ANNOUNCE, EVENT = "announce", "event"

GROUP_NAMES = {
    store.MENTORS: __("All mentors"),
    store.MENTEES: __("All mentees"),
    store.PAIRS: __("Pairs in their year (both in each pair)"),
    store.NETWORK: __("Network participants"),
}
VERSION_PROMPTS = {
    "en": __("The message in English:"),
    "da": __("The message in Danish:"),
    "ar": __("The message in Arabic:"),
    "fa": __("The message in Persian:"),
    "uk": __("The message in Ukrainian:"),
    "ru": __("The message in Russian:"),
    "tr": __("The message in Turkish:"),
    "so": __("The message in Somali:"),
}


def _version_field(language: str) -> str:
    return f"text_{language}"


def _wants_version(language: str) -> Any:
    return lambda answers: language in (answers.get(VERSIONS) or [])


def _audience_steps() -> tuple[Step, ...]:
    return (
        Step(
            GROUP,
            __("Who should get it?"),
            Kind.CHOICE,
            __("To"),
            tuple(Choice(value, label) for value, label in GROUP_NAMES.items()),
            columns=1,
        ),
        Step(
            LANGUAGE,
            __("Only the people who read the bot in one language?"),
            Kind.CHOICE,
            __("Language"),
            (Choice(store.ALL, __("Every language")), *(Choice(c, n) for c, n in LANGUAGES.items())),
            columns=3,
        ),
        Step(
            CITY,
            __("Only the people in one city? Write the city, or skip to send it everywhere."),
            Kind.TEXT,
            __("City"),
            optional=True,
            min=2,
            max=120,
        ),
    )


def _version_steps(when: Any = None) -> tuple[Step, ...]:
    """Other languages to add (asked only `when` given), then the message in each chosen one."""
    return (
        Step(
            VERSIONS,
            __(
                "Would you like to add the message in other languages? Choose them, or skip: everyone "
                "else gets the message above."
            ),
            Kind.MULTI,
            __("Other versions"),
            tuple(Choice(c, n) for c, n in LANGUAGES.items()),
            optional=True,
            min=1,
            columns=3,
            when=when,
        ),
        *(
            Step(
                _version_field(code),
                VERSION_PROMPTS[code],
                Kind.TEXT,
                LANGUAGES[code],  # in the summary: the language's own name
                min=2,
                max=3500,
                when=_wants_version(code),
            )
            for code in LANGUAGES
        ),
    )


ANNOUNCE_FLOW = Flow(
    name="announce",
    prefix="an",
    confirm=False,  # the preview, with the number of recipients, is the confirmation
    steps=(
        *_audience_steps(),
        Step(TEXT, __("Write the message, as they will read it."), Kind.TEXT, __("Message"), min=2, max=3500),
        *_version_steps(),
    ),
)
EVENT_FLOW = Flow(
    name="event",
    prefix="ee",
    confirm=False,
    steps=(
        Step(TITLE, __("What is the event called?"), Kind.TEXT, __("Title"), min=2, max=200),
        Step(DAY, __("Which day is it? Write the date."), Kind.DATE, __("Day"), min=0, max=365),
        Step(START, __("At what time does it start? For example 17:30."), Kind.TIME, __("Start")),
        Step(
            PLACE, __("Where? The address, as people should find it."), Kind.TEXT, __("Place"), min=2, max=200
        ),
        Step(CAPACITY, __("How many places are there?"), Kind.NUMBER, __("Places"), min=1, max=10000),
        *_audience_steps(),
        Step(
            TEXT,
            __("A few words to go with the invitation, or skip."),
            Kind.TEXT,
            __("Note"),
            optional=True,
            min=2,
            max=2000,
        ),
        # Other versions only when there is a note to translate: the invitation itself is in each language.
        *_version_steps(when=lambda answers: bool(answers.get(TEXT))),
    ),
)


# -- the commands -----------------------------------------------------------------------------------


def announce(ctx: Ctx, args: str) -> None:
    """/announce: the questions, then the preview."""
    runner.begin(ctx, ANNOUNCE_GUIDED)


def event(ctx: Ctx, args: str) -> None:
    """/event alone creates an event; /event E-3 shows who comes."""
    if not args.strip():
        runner.begin(ctx, EVENT_GUIDED)
        return
    tr = ctx.tr
    match = _EVENT_ID.match(args)
    found = ctx.session.get(Event, int(match[1])) if match else None
    if found is None:
        ctx.say(
            Reply(
                tr.gettext(
                    "There is no event {given}. Write it like /event E-3, or /event alone to create one.",
                    given=args.strip()[:20],
                )
            )
        )
        return
    people = store.coming(ctx.session, event_id=found.id or 0)
    lines = [
        f"{found.short_id} {isolate(found.title)}",
        f"{tr.datetime(found.starts_at)}, {isolate(found.place)}",
        "",
        tr.gettext(
            "Coming: {coming} of {capacity}. Free places: {free}.",
            coming=found.coming,
            capacity=found.capacity,
            free=max(found.capacity - found.coming, 0),
        ),
    ]
    lines += [f"• {p.short_id} {isolate(p.name)}" for p in people]
    ctx.say(Reply("\n".join(lines)))


# -- the draft and its preview ----------------------------------------------------------------------------


def _finished(kind: str) -> Any:
    def finish(ctx: Ctx, conversation: ConversationRow, answers: dict[str, Any]) -> None:
        if kind == EVENT and _event_start(ctx, answers) <= ctx.now:
            ctx.say(Reply(ctx.tr.gettext("That time has already passed. Send /event to begin again.")))
            return
        draft = _draft(ctx, conversation.context.get("draft"))
        if draft is None:
            draft = Announcement(created_by=ctx.key.id, kind=kind, created_at=ctx.now)
        draft.answers = _stored(answers)
        draft.rev += 1
        ctx.session.add(draft)
        ctx.session.flush()
        ctx.say(preview(ctx, draft))

    return finish


def _stored(answers: dict[str, Any]) -> dict[str, Any]:
    """The flow's answers, with the texts gathered by language ("" is the default version)."""
    texts = {"": answers.get(TEXT) or ""}
    texts |= {
        code: answers[_version_field(code)]
        for code in answers.get(VERSIONS) or []
        if answers.get(_version_field(code))
    }
    return {
        "flow": answers,
        "group": answers[GROUP],
        "language": answers[LANGUAGE],
        "city": answers.get(CITY),
        "texts": texts,
    }


def _event_start(ctx: Ctx, answers: dict[str, Any]) -> Any:
    return local_start(date.fromisoformat(answers[DAY]), parse_time(answers[START]), ctx.tr.tz.key)


def _draft(ctx: Ctx, draft_id: Any) -> Announcement | None:
    """Her draft with that id, if it is hers and not sent."""
    draft = ctx.session.get(Announcement, draft_id) if isinstance(draft_id, int) else None
    if draft is None or draft.created_by != ctx.key.id or draft.sent_at is not None:
        return None
    return draft


def _event_of(ctx: Ctx, draft: Announcement) -> Event:
    """The event a draft describes (not stored until it is sent)."""
    answers = draft.answers["flow"]
    return Event(
        id=draft.event_id,
        title=answers[TITLE],
        starts_at=_event_start(ctx, answers),
        place=answers[PLACE],
        capacity=int(answers[CAPACITY]),
        created_by=ctx.key.id,
        created_at=ctx.now,
    )


def _count(ctx: Ctx, draft: Announcement) -> tuple[int, int]:
    """(who will get it, who is in the group but stopped news)."""
    receive = stopped = 0
    for person in store.members(ctx.session, audience=news.audience_of(draft)):
        if person.news_stopped_at is not None:
            stopped += 1
        else:
            receive += 1
    return receive, stopped


def _audience_line(tr: Translator, draft: Announcement) -> str:
    answers = draft.answers
    parts = [tr.gettext(GROUP_NAMES[answers["group"]])]
    if answers.get("language") not in (None, store.ALL):
        parts.append(language_name(tr, answers["language"]))
    if answers.get("city"):
        parts.append(isolate(answers["city"]))
    return tr.gettext("To: {group}", group=" · ".join(parts))


def preview(ctx: Ctx, draft: Announcement) -> Reply:
    """What the group will read, who they are and how many, with Send, Change and Discard."""
    tr = ctx.tr
    receive, stopped = _count(ctx, draft)
    lines = [tr.gettext("📣 Preview of {id}", id=draft.short_id), _audience_line(tr, draft)]
    if receive:
        lines.append(tr.ngettext("{count} person will get it.", "{count} people will get it.", receive))
    else:
        lines.append(tr.gettext("Nobody in this group can get it just now."))
    if stopped:
        lines.append(
            tr.ngettext(
                "{count} more has stopped news and events and will not get it.",
                "{count} more have stopped news and events and will not get it.",
                stopped,
            )
        )
    versions = [language_name(tr, c) for c in draft.answers["texts"] if c]
    if versions:
        lines.append(
            tr.gettext("Also written in: {languages}. Everyone else reads:", languages=", ".join(versions))
        )
    body = draft.answers["texts"][""]
    if draft.kind == EVENT:
        body = news.event_text(tr, _event_of(ctx, draft), body)
    lines += ["", "———", body, "———"]
    data = f"{draft.id}:{draft.rev}"
    buttons: list[tuple[Button, ...]] = []
    if receive:
        label = tr.ngettext("📣 Send to {count} person", "📣 Send to {count} people", receive)
        buttons.append((Button(label, f"{PREFIX}:s:{data}"),))
    buttons.append(
        (
            Button(tr.gettext("✏️ Change"), f"{PREFIX}:c:{data}"),
            Button(tr.gettext("🗑 Discard"), f"{PREFIX}:x:{data}"),
        )
    )
    return Reply("\n".join(lines), tuple(buttons))


def press(ctx: Ctx, event_: Press) -> str | None:
    """Send, Change or Discard under a preview; a button from before a change is refused."""
    parts = event_.data.split(":")
    if len(parts) != 4 or not parts[2].isdigit() or not parts[3].isdigit():
        return engine.stale(ctx.tr)
    _, op, draft_id, rev = parts
    draft = _draft(ctx, int(draft_id))
    if draft is None or draft.rev != int(rev):
        return ctx.tr.gettext("This preview is out of date: please use the latest one.")
    if op == "s":
        return _send(ctx, draft, event_.message_id)
    if op == "c":
        draft.rev += 1  # the Send button of this preview no longer works
        ctx.session.add(draft)
        flow = EVENT_GUIDED if draft.kind == EVENT else ANNOUNCE_GUIDED
        runner.begin(ctx, flow, answers=dict(draft.answers["flow"]), context={"draft": draft.id})
        return None
    if op == "x":
        ctx.session.delete(draft)
        ctx.edit(event_.message_id, Reply(ctx.tr.gettext("Discarded: nothing was sent.")))
        return None
    return engine.stale(ctx.tr)


def _send(ctx: Ctx, draft: Announcement, message_id: int | None) -> str | None:
    tr, session = ctx.tr, ctx.session
    receive, _ = _count(ctx, draft)
    if receive == 0:
        return tr.gettext("Nobody in this group can get it just now.")
    if draft.kind == EVENT:
        event_ = _event_of(ctx, draft)
        if event_.starts_at <= ctx.now:
            return tr.gettext("That time has already passed. Send /event to begin again.")
        session.add(event_)
        session.flush()
        draft.event_id = event_.id
    draft.sent_at, draft.total = ctx.now, receive
    draft.message_id = message_id
    draft.rev += 1
    session.add(draft)
    text = tr.gettext("📣 {id}: sending to {total}…", id=draft.short_id, total=news.number(tr, receive))
    if draft.event_id is not None:
        text += "\n" + tr.gettext("/event E-{number} shows who comes.", number=draft.event_id)
    ctx.edit(message_id, Reply(text))
    return None


ANNOUNCE_GUIDED = runner.guided(
    runner.Guided(
        ANNOUNCE_FLOW, finish=_finished(ANNOUNCE), cancelled=__("Nothing was sent."), coordinators_only=True
    )
)
EVENT_GUIDED = runner.guided(
    runner.Guided(
        EVENT_FLOW, finish=_finished(EVENT), cancelled=__("No event was created."), coordinators_only=True
    )
)
