"""What a participant can do in chat: start, consent, register, change language, see her data.

Each function takes the turn's Ctx, writes replies to the outbox and returns a toast (a short
notice shown on a pressed button) or None.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from typing import Any

from conversations import announcements, cities, coordinators, editing, engine, runner, threads
from conversations.context import Ctx, tell_coordinators
from conversations.events import Button, Command, Event, Media, Press, Reply, rows
from conversations.i18n import LANGUAGES, Translator, __
from conversations.registration import EDIT_FLOW, FLOW, NAME, ROLE, answers_of, store
from conversations.texts import (
    ABOUT_HER_CHOICES,
    ABOUT_HER_LABELS,
    PRIVACY_FULL,
    PRIVACY_SHORT,
    WELCOME,
    language_name,
    role_name,
    status_name,
)
from storage import pairs, queries
from storage.models import Account, PairStatus, Person, Platform, Role, Status
from storage.queries import ConversationRow

CONSENT_PREFIX = "cs"
CHANGE_PREFIX = "pf"  # "Change an answer" under /profile
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
    person, tr, deep_link = ctx.person, ctx.tr, deep_link.strip().lower()
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
        coordinators.welcome(ctx)  # her language and name the first time; never consent or a role
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
    """Pass an event to her open conversation; returns a toast for a refused button, or None.

    With no question open, what she writes goes to the coordinator (conversations.threads).
    """

    def idle(ctx: Ctx) -> None:
        if not threads.idle(ctx, event):
            not_now(ctx)

    return runner.converse(ctx, event, on_idle=idle, aside=threads.aside)


def _finish(ctx: Ctx, conversation: ConversationRow, answers: dict[str, Any]) -> None:
    """Store her confirmed answers, make her `registered` and tell the coordinators."""
    person, now = ctx.person, ctx.now
    store(person, answers)
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
                city=cities.display(person.city, person.city_other, tr.language),
                language=language_name(tr, person.language),
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
    # A coordinator is not a participant: nothing to consent to, only her open question, if any.
    resume(ctx, consent_too=not ctx.is_coordinator)
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


class Situation(StrEnum):
    """Where a participant is, which decides what /help offers her."""

    NEW = "new"  # not registered, not registering
    REGISTERING = "registering"
    REGISTERED = "registered"  # registered, no pair
    PROPOSED = "proposed"  # a proposed pair: the first meeting is to be set
    PAIRED = "paired"  # a confirmed pair


def situation(ctx: Ctx) -> Situation:
    """Where she is now."""
    if registration(ctx) is not None:
        return Situation.REGISTERING
    if ctx.person.status is None:
        return Situation.NEW
    pair = pairs.active_pair_of(ctx.session, person_id=ctx.key.id)
    if pair is None:
        return Situation.REGISTERED
    return Situation.PROPOSED if pair.status == PairStatus.PROPOSED else Situation.PAIRED


def help_intro(ctx: Ctx, where: Situation) -> str:
    """The first line of her /help; the commands that follow come from the registry (admin.commands)."""
    tr, person = ctx.tr, ctx.person
    if where == Situation.REGISTERING:
        return tr.gettext("You are registering. Answer the question below, or:")
    if where == Situation.NEW:
        return tr.gettext("This bot connects women new in the country with mentors.")
    return tr.gettext(
        "You are registered as a {role}; your status: {status}.",
        role=role_name(tr, person.role),
        status=status_name(tr, person.status),
    )


def back(ctx: Ctx) -> None:
    """/back: the previous question of her open conversation."""
    converse(ctx, Command("back"))


def skip(ctx: Ctx) -> None:
    """/skip: leave an optional question unanswered."""
    converse(ctx, Command("skip"))


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


def profile_lines(tr: Translator, person: Person, accounts: list[Account], *, about_her: bool = False) -> str:
    """What is kept about a person, one line each, for her /profile and (about_her) a coordinator's /person."""
    lines = [_line(tr, ACCOUNT_LABELS[Platform(a.platform)], a.address) for a in accounts]
    lines.append(_line(tr, __("Language"), language_name(tr, person.language)))
    if person.consent_at:
        lines.append(_line(tr, __("Consent given"), tr.date(person.consent_at)))
    if person.status is not None:
        lines.append(_line(tr, __("Status"), status_name(tr, person.status)))
        answers = answers_of(person)
        for step in FLOW.applicable(answers):
            value = answers.get(step.field)
            if value not in (None, "", []):
                shown = _about_her(step, answers) if about_her else step
                lines.append(_line(tr, shown.label, engine.display(shown, value, answers, tr)))
    return "\n".join(lines)


def _about_her(step: engine.Step, answers: dict[str, Any]) -> engine.Step:
    """A registration question's label and choices as a coordinator reads them: in the third person."""
    choices = tuple(
        replace(c, label=ABOUT_HER_CHOICES.get((step.field, c.value), c.label)) for c in step.options(answers)
    )
    label = ABOUT_HER_LABELS.get(step.field, step.label)
    return replace(step, label=label, choices=choices) if step.kind is not engine.Kind.YESNO else step


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
    buttons: tuple[tuple[Button, ...], ...] = ()
    if person.status not in (None, Status.WITHDRAWN):
        lines += [
            "",
            tr.gettext(
                "To change an answer, press the button below. To delete anything, write to a coordinator here."
            ),
        ]
        buttons = ((Button(tr.gettext("✏️ Change an answer"), f"{CHANGE_PREFIX}:e"),),)
    else:
        lines += ["", tr.gettext("To correct or delete anything, write to a coordinator here.")]
    ctx.say(Reply("\n".join(lines), buttons))


# -- changing her own answers -------------------------------------------------------------------------


def press_change(ctx: Ctx, event: Press) -> str | None:
    """ "Change an answer" under /profile: the menu of her answers, then the same questions."""
    if ctx.person.status in (None, Status.WITHDRAWN):
        return engine.stale(ctx.tr)
    if runner.current(ctx) is not None:
        ctx.say(Reply(ctx.tr.gettext(editing.ONE_AT_A_TIME)))
        resume(ctx)
        return None
    runner.begin(ctx, PROFILE_EDIT, answers=answers_of(ctx.person))
    return None


def _own_change_finished(ctx: Ctx, conversation: ConversationRow, answers: dict[str, Any]) -> None:
    """Save what she changed, show it, and give her profile back."""
    changed = editing.save(ctx.session, ctx.person, answers, by=ctx.key.id, now=ctx.now)
    if changed:
        saved = ctx.tr.gettext("Saved. What changed:")
        ctx.say(Reply(f"{saved}\n{editing.change_lines(ctx.tr, ctx.person, changed)}"))
    else:
        ctx.say(Reply(ctx.tr.gettext("Nothing was changed.")))
    profile(ctx)


PROFILE_EDIT = runner.guided(
    runner.Guided(EDIT_FLOW, finish=_own_change_finished, cancelled=__("Nothing was changed."))
)


def media(ctx: Ctx, event: Media) -> None:
    """Something that is not text: mid-question explained and the question asked again; else a
    voice note, photo, document or video goes to the coordinator (conversations.threads)."""

    def idle(ctx: Ctx) -> None:
        if not threads.idle(ctx, event):
            _only_text(ctx)

    runner.converse(ctx, event, on_idle=idle, aside=threads.aside)


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
