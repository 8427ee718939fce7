"""Coordinator commands. The bot checks the allow-list once, at router level, before these run."""

from __future__ import annotations

from conversations.context import Ctx
from conversations.events import Reply
from conversations.i18n import __

# Command -> its description in the coordinators' command menu.
COORDINATOR_COMMANDS: dict[str, str] = {
    "queue": __("People waiting for the coordinators"),
    "invite": __("Invite a person to an interview: /invite P-12"),
    "addslot": __("Add interview times"),
    "slots": __("Upcoming interview times"),
    "delslot": __("Remove an interview time: /delslot S-3"),
    "interviewed": __("Write interview notes: /interviewed P-12"),
    "noshow": __("She did not come to her interview: /noshow P-12"),
    "person": __("Everything about one person: /person P-12"),
    "suggest": __("Suggest mentors: /suggest P-12, or /suggest for everyone"),
    "propose": __("Propose a match: /propose P-12 P-40"),
    "overdue": __("What is overdue (/overdue mine: only your pairs)"),
    "pair": __("One pair's whole history: /pair M-5"),
    "caseload": __("Each coordinator's pairs this year"),
    "end": __("End a pair at once: /end M-5 reason"),
    "announce": __("Send a message to a group: mentors, mentees, pairs, the network"),
    "event": __("Create an event and invite a group; /event E-3 shows who comes"),
}


def refuse(ctx: Ctx, command: str) -> None:
    """A coordinator command from someone who is not one: a polite no, nothing else."""
    ctx.say(
        Reply(
            ctx.tr.gettext(
                "Sorry, /{command} is only for the network's coordinators. /help shows what you can do.",
                command=command,
            )
        )
    )


def coordinator_help(ctx: Ctx) -> None:
    """The coordinators' commands, each with what it does, in her language."""
    lines = [ctx.tr.gettext("As a coordinator you also have:")]
    lines += [f"/{name} – {ctx.tr.gettext(text)}" for name, text in COORDINATOR_COMMANDS.items()]
    ctx.say(Reply("\n".join(lines)))
