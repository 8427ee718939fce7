"""What a participant can do in chat: start, consent, register, change language, see her data.

Each function takes the turn's Ctx, writes replies to the outbox and returns a toast (a short
notice shown on a pressed button) or None.
"""

from __future__ import annotations

from typing import Any

from conversations import announcements, engine, runner
from conversations.context import Ctx, tell_coordinators
from conversations.events import Button, Command, Event, Media, Press, Reply, rows
from conversations.i18n import LANGUAGES, Translator, __
from conversations.registration import FLOW, NAME, ROLE
from conversations.texts import (
    COORDINATOR_WELCOME,
    PRIVACY_FULL,
    PRIVACY_SHORT,
    WELCOME,
    role_name,
    status_name,
)
from storage import pairs, queries
from storage.models import Account, PairStatus, Person, Platform, Role, Status
from storage.queries import ConversationRow

CONSENT_PREFIX = "cs"
LANGUAGE_PREFIX = "lang"
DEEP_LINK_ROLES = {r.value for r in Role}
AGREE = __("✅ I agree")


def organisation(tr: Translator) -> str:
    """How the network is named in the notices."""
    return tr.gettext("the Mentor Network")


# -- consent -----------------------------------------------------------------------------------


def _privacy_short(tr: Translator) -> str:
    return tr.gettext(PRIVACY_SHORT, organisation=organisation(tr))


def _consent_reply(ctx: Ctx, role: str | None) -> Reply:
    suffix = f":{role}" if role else ""
    buttons = (
        (Button(ctx.tr.gettext(AGREE), f"{CONSENT_PREFIX}:y{suffix}"),),
        (Button(ctx.tr.gettext("No, thank you"), f"{CONSENT_PREFIX}:n"),),
        (Button(ctx.tr.gettext("Read the full notice"), f"{CONSENT_PREFIX}:full"),),
    )
    return Reply(_privacy_short(ctx.tr), buttons)


def start(ctx: Ctx, deep_link: str = "") -> None:
    """/start, or a deep link ?start=mentee / ?start=mentor."""
    person, tr = ctx.person, ctx.tr
    if person.status is not None:
        ctx.say(
            Reply(
                tr.gettext(
                    "Welcome back, {name}! You are registered as a {role}; your status: {status}.\n"
                    "/profile shows what we keep about you, /help what you can do now.",
                    name=person.name,
                    role=role_name(tr, person.role),
                    status=status_name(tr, person.status),
                )
            )
        )
        return
    conversation = runner.current(ctx)
    if conversation is not None:
        notice = tr.gettext("Welcome back! Let us go on where you stopped.")
        ctx.say(runner.ask_again(ctx, conversation, notice=notice))
        return
    role = deep_link if deep_link in DEEP_LINK_ROLES else None
    if ctx.is_coordinator and role is None:
        ctx.say(Reply(tr.gettext(COORDINATOR_WELCOME)))
        return
    ctx.say(Reply(tr.gettext(WELCOME)))
    ctx.say(_consent_reply(ctx, role))


def press_consent(ctx: Ctx, event: Press) -> str | None:
    """Her answer to the privacy notice."""
    parts = event.data.split(":")
    choice = parts[1] if len(parts) > 1 else ""
    tr = ctx.tr
    if choice == "full":
        privacy(ctx)
        return None
    if ctx.person.consent_at is not None or ctx.person.status is not None or choice not in ("y", "n"):
        return engine.stale(tr)
    if choice == "n":
        ctx.edit(event.message_id, Reply(_privacy_short(tr)))
        ctx.say(
            Reply(
                tr.gettext(
                    "That is fine. We keep nothing about you except your Telegram number and language. "
                    "If you change your mind, send /start."
                )
            )
        )
        return None
    role = parts[2] if len(parts) > 2 and parts[2] in DEEP_LINK_ROLES else None
    ctx.person.consent_at = ctx.now
    ctx.session.add(ctx.person)
    ctx.edit(
        event.message_id,
        Reply(f"{_privacy_short(tr)}\n\n{tr.gettext(AGREE)}"),
    )
    thanks = tr.gettext(
        "Thank you! Here come the questions. You can go back with /back, skip optional "
        "questions with /skip and stop with /cancel."
    )
    # One message, not two: each costs her a second.
    runner.begin(ctx, REGISTRATION, answers={ROLE: role} if role else None, notice=thanks)
    return None


# -- the registration conversation ----------------------------------------------------------------


def registration(ctx: Ctx) -> ConversationRow | None:
    """Her registration in progress, if any (it exists only once she has agreed)."""
    return runner.current(ctx, FLOW)


def converse(ctx: Ctx, event: Event) -> str | None:
    """Pass an event to her open conversation; returns a toast for a refused button, or None."""
    return runner.converse(ctx, event, on_idle=not_now)


def _finish(ctx: Ctx, conversation: ConversationRow, answers: dict[str, Any]) -> None:
    """Store her confirmed answers, make her `registered` and tell the coordinators."""
    person, now = ctx.person, ctx.now
    for field_id, value in answers.items():
        if field_id == "meetings_per_month":
            person.meetings_per_month = int(value) if value else None
        else:
            setattr(person, field_id, value)
    person.telegram_username = ctx.username
    person.registered_at = now
    queries.set_status(ctx.session, person=person, status=Status.REGISTERED, now=now)
    ctx.say(
        Reply(
            ctx.tr.gettext(
                "Thank you, {name}! You are registered. 🌱\n\n"
                "What happens next: a coordinator will invite you here to a short interview about your wishes and "
                "goals. /profile shows what we keep about you, /help what you can do.",
                name=answers[NAME],
            )
        )
    )

    def summary(tr: Translator) -> Reply:
        return Reply(
            tr.gettext(
                "New registration: {name}, {role}, {city}, writes in {language} ({id}). /queue lists everyone waiting.",
                name=person.name,
                role=role_name(tr, person.role),
                city=person.city,
                language=LANGUAGES[person.language],
                id=person.short_id,
            )
        )

    tell_coordinators(ctx.session, i18n=ctx.i18n, coordinators=ctx.coordinators, now=now, compose=summary)


def _withdraw_consent(ctx: Ctx, conversation: ConversationRow) -> None:
    """A cancelled registration takes her consent with it; she can give it again with /start."""
    ctx.person.consent_at = None
    ctx.session.add(ctx.person)


REGISTRATION = runner.guided(
    runner.Guided(
        FLOW,
        finish=_finish,
        on_cancel=_withdraw_consent,
        cancelled=__(
            "Your registration is stopped and your answers are deleted. Send /start whenever you want to begin again."
        ),
    )
)


def cancel(ctx: Ctx) -> None:
    """/cancel: stop the open conversation and delete its answers."""
    if not runner.cancel(ctx):
        ctx.say(Reply(ctx.tr.gettext("There is nothing to cancel right now. /help shows what you can do.")))


def not_now(ctx: Ctx) -> None:
    """A message that fits no question she has open."""
    ctx.say(
        Reply(
            ctx.tr.gettext("I am not waiting for an answer from you right now. /help shows what you can do.")
        )
    )


# -- language, notices, her own data ----------------------------------------------------------------


def language_menu(ctx: Ctx) -> None:
    """/language: the shipped languages, each in itself."""
    picks = [Button(name, f"{LANGUAGE_PREFIX}:{code}") for code, name in LANGUAGES.items()]
    ctx.say(Reply(ctx.tr.gettext("Which language would you like me to write in?"), tuple(rows(picks, 2))))


def press_language(ctx: Ctx, event: Press) -> str | None:
    """She picked a language: switch, confirm, and ask the open question again in it."""
    code = event.data.partition(":")[2]
    if code not in LANGUAGES:
        return engine.stale(ctx.tr)
    ctx.switch_language(code)
    ctx.edit(event.message_id, Reply(f"✓ {LANGUAGES[code]}"))
    ctx.say(Reply(ctx.tr.gettext("From now on I will write to you in English.")))
    ctx.set_menu(coordinator=ctx.is_coordinator)
    resume(ctx, consent_too=True)
    return None


def resume(ctx: Ctx, *, consent_too: bool = False) -> None:
    """Ask again whatever she was asked last, so an interruption loses nothing."""
    conversation = runner.current(ctx)
    if conversation is not None:
        ctx.say(runner.ask_again(ctx, conversation))
    elif consent_too and ctx.person.consent_at is None and ctx.person.status is None:
        ctx.say(_consent_reply(ctx, None))


def privacy(ctx: Ctx) -> None:
    """/privacy: the full notice."""
    ctx.say(Reply(ctx.tr.gettext(PRIVACY_FULL, organisation=organisation(ctx.tr))))
    news = announcements.privacy_line(ctx)
    if news is not None:
        ctx.say(news)


def help_(ctx: Ctx) -> None:
    """/help: what she can do from where she is."""
    tr, person = ctx.tr, ctx.person
    if registration(ctx) is not None:
        text = tr.gettext(
            "You are registering. Answer the question below, or:\n/back – the previous question\n"
            "/skip – skip an optional question\n/cancel – stop and delete your answers\n"
            "/language – change language\n/privacy – how we use your data"
        )
    elif person.status is None:
        text = tr.gettext(
            "This bot connects women new in the country with mentors.\n/start – register as a mentee or mentor\n"
            "/language – change language\n/privacy – how we use your data\n/whoami – your role here"
        )
    else:
        text = tr.gettext(
            "You are registered as a {role}; your status: {status}.\n/profile – what we keep about you\n"
            "/language – change language\n/privacy – how we use your data\n"
            "You can write to the coordinators here at any time.",
            role=role_name(tr, person.role),
            status=status_name(tr, person.status),
        )
        pair = pairs.active_pair_of(ctx.session, person_id=ctx.key.id)
        if pair is not None and pair.status == PairStatus.PROPOSED:
            text += "\n" + tr.gettext("/meeting – set or move your first meeting")
        elif pair is not None:
            text += "\n" + tr.gettext("/met – tell me you met\n/agreement – your mentor agreement")
    ctx.say(Reply(text))


def whoami(ctx: Ctx) -> None:
    """/whoami: her role here."""
    tr, person = ctx.tr, ctx.person
    lines = []
    if ctx.is_coordinator:
        lines.append(tr.gettext("You are a coordinator of this network."))
    if person.status is not None:
        lines.append(
            tr.gettext(
                "You are registered as a {role} ({id}); your status: {status}.",
                role=role_name(tr, person.role),
                id=person.short_id,
                status=status_name(tr, person.status),
            )
        )
    elif not ctx.is_coordinator:
        lines.append(tr.gettext("You are not registered yet. Send /start to register."))
    ctx.say(Reply("\n".join(lines)))


ACCOUNT_LABELS = {Platform.TELEGRAM: __("Telegram number")}


def profile_lines(tr: Translator, person: Person, accounts: list[Account]) -> str:
    """What is kept about a person, one line each, for her /profile and a coordinator's /person."""
    lines = [_line(tr, ACCOUNT_LABELS[Platform(a.platform)], a.address) for a in accounts]
    lines.append(_line(tr, __("Language"), LANGUAGES.get(person.language, person.language)))
    if person.consent_at:
        lines.append(_line(tr, __("Consent given"), tr.date(person.consent_at)))
    if person.status is not None:
        lines.append(_line(tr, __("Status"), status_name(tr, person.status)))
        stored = {"meetings_per_month": str(person.meetings_per_month or "")}
        answers = {
            step.field: stored.get(step.field, getattr(person, step.field, None)) for step in FLOW.steps
        }
        for step in FLOW.applicable(answers):
            value = answers.get(step.field)
            if value not in (None, "", []):
                lines.append(_line(tr, step.label, engine.display(step, value, answers, tr)))
    return "\n".join(lines)


def profile(ctx: Ctx) -> None:
    """/profile: everything we keep about her."""
    tr, person = ctx.tr, ctx.person
    lines = [
        tr.gettext("This is everything we keep about you:"),
        "",
        profile_lines(tr, person, queries.accounts_of(ctx.session, person_id=ctx.key.id)),
    ]
    if person.status is None and registration(ctx) is not None:
        lines.append(
            tr.gettext(
                "Your registration is not finished; your answers so far are kept until you finish or cancel."
            )
        )
    lines += ["", tr.gettext("To correct or delete anything, write to a coordinator here.")]
    ctx.say(Reply("\n".join(lines)))


def media(ctx: Ctx, event: Media) -> None:
    """Something that is not text: explained; an open question (of any flow) is asked again."""
    runner.converse(ctx, event, on_idle=_only_text)


def _only_text(ctx: Ctx) -> None:
    ctx.say(Reply(ctx.tr.gettext("I can only read text and button presses. /help shows what you can do.")))


def _line(tr: Translator, label: str, value: str) -> str:
    """One line of a profile: • label: value."""
    return f"• {tr.gettext(label)}: {value}"


def unknown_command(ctx: Ctx, command: Command) -> None:
    """A command we do not have."""
    ctx.say(
        Reply(
            ctx.tr.gettext(
                "I do not know the command /{command}. /help lists what you can do.",
                command=command.name[:32],
            )
        )
    )
    resume(ctx)
