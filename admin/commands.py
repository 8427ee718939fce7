"""Every command of the bot, declared once: who may use it, its menu and help texts, its handler.

The command menus (per language and role), /help, the refusal of a coordinator command to
someone else and the bot's routers are all built from `COMMANDS`; nothing else lists commands.
Adding a command is one `CommandSpec` line here (and its texts in the catalogs):

    CommandSpec("find", COORDINATOR, find.find, __("Find a person: /find Amina"), takes_argument=True),

It lives in admin/ because its handlers come from both admin/ and conversations/; it knows no
platform: the bot registers each command with the router its `who` says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from admin import announcements, editing, interviews, matching, overdue, pairs, people
from conversations import agreement, coordinators, pairing, participant, runner, threads, year
from conversations.context import Ctx
from conversations.events import Button, Reply
from conversations.i18n import Translator, __
from conversations.participant import Situation


class Who(StrEnum):
    """Who may use a command, and so whose menu and /help show it."""

    ANYONE = "anyone"  # participants and coordinators: both menus
    PARTICIPANT = "participant"  # a mentee's or mentor's; a coordinator may use it, but it is not in her menu
    COORDINATOR = "coordinator"  # the allow-list only; anyone else is refused politely


ANYONE, PARTICIPANT, COORDINATOR = Who.ANYONE, Who.PARTICIPANT, Who.COORDINATOR
REGISTERED = frozenset({Situation.REGISTERED, Situation.PROPOSED, Situation.PAIRED})
ALWAYS = frozenset(Situation)


@dataclass(frozen=True)
class CommandSpec:
    """One command.

    `run` takes the turn's Ctx, then the rest of the line if `takes_argument`, then the
    dependencies named in `needs` (e.g. "match_weights", which the bot's dispatcher holds), in order.
    """

    name: str
    who: Who
    run: Callable[..., None]
    menu: str | None = None  # its line in Telegram's command menu (a msgid); None: not in the menu
    help: str | None = None  # its line in /help (a msgid); None: the menu text
    when: frozenset[Situation] = frozenset()  # when a participant's /help lists it
    takes_argument: bool = False
    resumes_question: bool = False  # answered, then the open question is asked again
    needs: tuple[str, ...] = ()

    def help_text(self, tr: Translator) -> str:
        """Its line in /help, in her language."""
        text = self.help or self.menu
        return f"/{self.name} – {tr.gettext(text)}" if text else f"/{self.name}"


def _help(ctx: Ctx) -> None:
    """/help: a coordinator's commands first; a participant's for where she is now."""
    tr = ctx.tr
    if ctx.is_coordinator:
        lines = [tr.gettext("Your commands as a coordinator:")]
        lines += [c.help_text(tr) for c in COMMANDS if c.who == COORDINATOR]
        others = ", ".join(f"/{c.name}" for c in COMMANDS if c.who != COORDINATOR and c.menu)
        lines += [
            "",
            tr.gettext("Participants have these, and you can use them too: {commands}", commands=others),
        ]
        ctx.say(Reply("\n".join(lines)))
        return
    situation = participant.situation(ctx)
    lines = [participant.help_intro(ctx, situation)]
    lines += [c.help_text(tr) for c in COMMANDS if c.who != COORDINATOR and situation in c.when]
    buttons: tuple[tuple[Button, ...], ...] = ()
    if situation in REGISTERED:
        lines.append(tr.gettext("You can write to the coordinators here at any time."))
        if runner.current(ctx) is not None:  # her words would answer the question: a way to write aside
            buttons = ((Button(tr.gettext(threads.WRITE_BUTTON), f"{threads.PARTICIPANT_PREFIX}:w"),),)
    ctx.say(Reply("\n".join(lines), buttons))


COMMANDS: tuple[CommandSpec, ...] = (
    # Everyone's, in the order of the participants' menu (/back and /skip are in no menu).
    CommandSpec(
        "back",
        ANYONE,
        participant.back,
        help=__("the previous question"),
        when=frozenset({Situation.REGISTERING}),
    ),
    CommandSpec(
        "skip",
        ANYONE,
        participant.skip,
        help=__("skip an optional question"),
        when=frozenset({Situation.REGISTERING}),
    ),
    CommandSpec(
        "start",
        ANYONE,
        participant.start,
        __("Register, or see where you are"),
        __("register as a mentee or mentor"),
        frozenset({Situation.NEW}),
        takes_argument=True,  # the deep links ?start=mentee / ?start=mentor
    ),
    CommandSpec("help", ANYONE, _help, __("What you can do now"), resumes_question=True),
    CommandSpec(
        "profile",
        ANYONE,
        participant.profile,
        __("What we keep about you"),
        __("what we keep about you"),
        REGISTERED,
        resumes_question=True,
    ),
    CommandSpec(
        "language", ANYONE, participant.language_menu, __("Change language"), __("change language"), ALWAYS
    ),
    CommandSpec(
        "privacy",
        ANYONE,
        participant.privacy,
        __("How we use your data"),
        __("how we use your data"),
        ALWAYS,
        resumes_question=True,
    ),
    CommandSpec(
        "whoami",
        ANYONE,
        participant.whoami,
        __("Your role here"),
        __("your role here"),
        frozenset({Situation.NEW}),
        resumes_question=True,
    ),
    CommandSpec(
        "meeting",
        PARTICIPANT,
        pairing.meeting_command,
        __("Set or move your first meeting"),
        __("set or move your first meeting"),
        frozenset({Situation.PROPOSED}),
    ),
    CommandSpec(
        "met",
        PARTICIPANT,
        agreement.met_command,
        __("Tell me you met your mentor or mentee"),
        __("tell me you met"),
        frozenset({Situation.PAIRED}),
    ),
    CommandSpec(
        "agreement",
        PARTICIPANT,
        agreement.agreement_command,
        __("Your mentor agreement"),
        __("your mentor agreement"),
        frozenset({Situation.PAIRED}),
    ),
    CommandSpec(
        "endmatch",
        PARTICIPANT,
        year.endmatch,
        __("End your mentor relationship with notice"),
        __("end your mentor relationship with notice"),
        frozenset({Situation.PAIRED}),
    ),
    CommandSpec(
        "cancel",
        ANYONE,
        participant.cancel,
        __("Stop the registration"),
        __("stop and delete your answers"),
        frozenset({Situation.REGISTERING}),
    ),
    # The coordinators', in the order of their menu and /help.
    CommandSpec(
        "queue",
        COORDINATOR,
        interviews.queue,
        __("People waiting for the coordinators"),
        resumes_question=True,
    ),
    CommandSpec(
        "invite",
        COORDINATOR,
        interviews.invite,
        __("Invite a person to an interview: /invite P-12"),
        takes_argument=True,
    ),
    CommandSpec("addslot", COORDINATOR, interviews.addslot, __("Add interview times"), takes_argument=True),
    CommandSpec(
        "slots", COORDINATOR, interviews.slots, __("Upcoming interview times"), resumes_question=True
    ),
    CommandSpec(
        "delslot",
        COORDINATOR,
        interviews.delslot,
        __("Remove an interview time: /delslot S-3"),
        takes_argument=True,
    ),
    CommandSpec(
        "interviewed",
        COORDINATOR,
        interviews.interviewed,
        __("Write interview notes: /interviewed P-12"),
        takes_argument=True,
    ),
    CommandSpec(
        "noshow",
        COORDINATOR,
        interviews.noshow,
        __("She did not come to her interview: /noshow P-12"),
        takes_argument=True,
    ),
    CommandSpec(
        "person",
        COORDINATOR,
        interviews.person_record,
        __("Everything about one person: /person P-12"),
        takes_argument=True,
    ),
    CommandSpec(
        "suggest",
        COORDINATOR,
        matching.suggest,
        __("Suggest mentors: /suggest P-12, or /suggest for everyone"),
        takes_argument=True,
        needs=("match_weights",),
    ),
    CommandSpec(
        "propose",
        COORDINATOR,
        matching.propose,
        __("Propose a match: /propose P-12 P-40"),
        takes_argument=True,
    ),
    CommandSpec(
        "overdue",
        COORDINATOR,
        overdue.overdue,
        __("What is overdue (/overdue mine: only your pairs)"),
        takes_argument=True,
    ),
    CommandSpec(
        "pair", COORDINATOR, pairs.pair_record, __("One pair's whole history: /pair M-5"), takes_argument=True
    ),
    CommandSpec(
        "caseload",
        COORDINATOR,
        pairs.caseload,
        __("Each coordinator's pairs this year"),
        resumes_question=True,
    ),
    CommandSpec(
        "end", COORDINATOR, pairs.end, __("End a pair at once: /end M-5 reason"), takes_argument=True
    ),
    CommandSpec(
        "edit", COORDINATOR, editing.edit, __("Change a person's answers: /edit P-12"), takes_argument=True
    ),
    CommandSpec(
        "find",
        COORDINATOR,
        people.find,
        __("Find people by name, phone, e-mail or id: /find Amal"),
        takes_argument=True,
    ),
    CommandSpec(
        "handover",
        COORDINATOR,
        people.handover,
        __("Hand pairs over to another coordinator: /handover M-5 or /handover Karen"),
        takes_argument=True,
    ),
    CommandSpec(
        "name",
        COORDINATOR,
        coordinators.rename,
        __("Your name, as participants and coordinators see it: /name Karen"),
        takes_argument=True,
    ),
    CommandSpec(
        "announce",
        COORDINATOR,
        announcements.announce,
        __("Send a message to a group: mentors, mentees, pairs, the network"),
        takes_argument=True,
    ),
    CommandSpec(
        "event",
        COORDINATOR,
        announcements.event,
        __("Create an event and invite a group; /event E-3 shows who comes"),
        takes_argument=True,
    ),
    CommandSpec(
        "inbox",
        COORDINATOR,
        threads.inbox,
        __("Open conversations with participants, the longest waiting first"),
        resumes_question=True,
    ),
)
BY_NAME: dict[str, CommandSpec] = {c.name: c for c in COMMANDS}
assert len(BY_NAME) == len(COMMANDS), "a command is declared twice"


def names(*who: Who) -> list[str]:
    """The commands that these people may use, in the registry's order."""
    return [c.name for c in COMMANDS if c.who in who]


def run(ctx: Ctx, name: str, args: str = "", deps: Mapping[str, Any] | None = None) -> None:
    """Carry out one command for her (the bot has checked that she may use it)."""
    spec = BY_NAME[name]
    given = (args,) if spec.takes_argument else ()
    spec.run(ctx, *given, *[(deps or {})[need] for need in spec.needs])
    if spec.resumes_question:
        participant.resume(ctx)


def menu(tr: Translator, *, coordinator: bool) -> list[tuple[str, str]]:
    """The command menu one person sees, in her language: (command, description).

    A coordinator's starts with her own commands, then everyone's; a participant's has everyone's
    and the participants'.
    """
    if coordinator:
        chosen = [c for c in COMMANDS if c.who == COORDINATOR] + [c for c in COMMANDS if c.who == ANYONE]
    else:
        chosen = [c for c in COMMANDS if c.who != COORDINATOR]
    return [(c.name, tr.gettext(c.menu)) for c in chosen if c.menu]


def refuse(ctx: Ctx, command: str) -> None:
    """A coordinator command from someone who is not one: a polite no; her open question again."""
    ctx.say(
        Reply(
            ctx.tr.gettext(
                "Sorry, /{command} is only for the network's coordinators. /help shows what you can do.",
                command=command,
            )
        )
    )
    participant.resume(ctx)
