"""Coordinator commands. The bot checks the allow-list once, at router level, before these run."""

from __future__ import annotations

from conversations.context import Ctx
from conversations.events import Reply
from conversations.i18n import LANGUAGES, __
from conversations.texts import role_name
from storage import queries
from storage.models import Status

# Command -> its description in the coordinators' command menu.
COORDINATOR_COMMANDS: dict[str, str] = {
    "queue": __("People waiting for the coordinators"),
}


def queue(ctx: Ctx) -> None:
    """/queue: registered people not yet invited to an interview, the longest waiting first."""
    tr, now = ctx.tr, ctx.now
    waiting = queries.people_with_status(ctx.session, status=Status.REGISTERED)
    if not waiting:
        ctx.say(Reply(tr.gettext("Nobody is waiting: every registered person has been invited.")))
        return
    lines = [
        tr.ngettext(
            "{count} person registered and not yet invited:",
            "{count} people registered and not yet invited:",
            len(waiting),
        ),
        "",
    ]
    for person in waiting:
        days = (now - person.registered_at).days if person.registered_at else 0
        lines.append(
            tr.ngettext(
                "{id} {name} – {role}, {city}, {language}, waiting {count} day",
                "{id} {name} – {role}, {city}, {language}, waiting {count} days",
                days,
                id=person.short_id,
                name=person.name,
                role=role_name(tr, person.role),
                city=person.city,
                language=LANGUAGES.get(person.language, person.language),
            )
        )
    ctx.say(Reply("\n".join(lines)))


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
