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
    "overdue": __("What is overdue"),
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
