"""The one list of commands: every command in it works through the real dispatcher, and no router has others."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiogram import Router
from aiogram.filters import Command

from admin.commands import BY_NAME, COMMANDS, COORDINATOR, CommandSpec, menu
from conversations.i18n import I18n
from conversations.texts import COORDINATOR_WELCOME, WELCOME
from tests.conftest import COORDINATOR as COORDINATOR_ID
from tests.conftest import Harness

PARTICIPANT_ID = 1001
REFUSAL = "Sorry, /{command} is only for the network's coordinators. /help shows what you can do."


def routers(router: Router) -> Iterator[Router]:
    """A router and all it includes."""
    yield router
    for sub in router.sub_routers:
        yield from routers(sub)


def routed_commands(harness: Harness) -> dict[str, set[str]]:
    """Each command some router's message handler takes, with the routers that take it."""
    found: dict[str, set[str]] = {}
    for router in routers(harness.dp):
        for handler in router.message.handlers:
            for flt in handler.filters or []:
                if isinstance(flt.callback, Command):
                    for name in flt.callback.commands:
                        found.setdefault(str(name), set()).add(router.name)
    return found


def test_no_router_takes_a_command_outside_the_registry(harness: Harness) -> None:
    routed = routed_commands(harness)
    assert set(routed) - set(BY_NAME) == set(), "a router handles a command the registry does not declare"
    assert set(BY_NAME) - set(routed) == set(), "a declared command has no handler"
    for name, spec in BY_NAME.items():
        handlers = routed[name] - {"bot.handlers.fallback"}
        assert len(handlers) == 1, f"/{name} is taken by {handlers}: one router per command"
        if spec.who == COORDINATOR:
            assert handlers == {"bot.handlers.coordinator"}
            assert "bot.handlers.fallback" in routed[name], f"/{name} from others is refused"
        else:
            assert "bot.handlers.fallback" not in routed[name]


def _commands_to_try() -> list[tuple[CommandSpec, str]]:
    tries = [(spec, f"/{spec.name}") for spec in COMMANDS]
    tries += [(spec, f"/{spec.name} P-1") for spec in COMMANDS if spec.takes_argument]
    return tries


@pytest.mark.parametrize(("spec", "text"), _commands_to_try(), ids=lambda v: v if isinstance(v, str) else "")
async def test_every_command_as_a_participant_and_as_a_coordinator(
    harness: Harness, i18n: I18n, spec: CommandSpec, text: str
) -> None:
    h = harness
    await h.send(PARTICIPANT_ID, "/start", language="da")  # she exists and has her language
    await h.send(COORDINATOR_ID, "/start", language="da")
    da = i18n.translator("da")
    refusal = da.gettext(REFUSAL, command=spec.name)

    got = await h.send(PARTICIPANT_ID, text)
    assert got, f"{text} from a participant is answered"
    if spec.who == COORDINATOR:
        assert got[0].text == refusal
    else:
        assert refusal not in [m.text for m in got]

    got = await h.send(COORDINATOR_ID, text)
    assert got, f"{text} from a coordinator is answered"
    assert da.gettext(REFUSAL, command=spec.name) not in [m.text for m in got]


async def test_a_command_gets_what_it_needs(harness: Harness) -> None:
    """/suggest needs the match weights, which the dispatcher holds: the registry asks for them by name."""
    assert BY_NAME["suggest"].needs == ("match_weights",)
    got = await harness.send(COORDINATOR_ID, "/suggest", language="en")
    assert got and "match_weights" not in got[0].text


def test_the_coordinators_menu_starts_with_her_commands(i18n: I18n) -> None:
    mine = [name for name, _ in menu(i18n.translator("da"), coordinator=True)]
    coordinator_commands = [c.name for c in COMMANDS if c.who == COORDINATOR]
    assert mine[: len(coordinator_commands)] == coordinator_commands
    assert {"start", "help", "language", "cancel"} <= set(mine[len(coordinator_commands) :])
    assert "meeting" not in mine, "a pair's commands are the participants'"
    theirs = [name for name, _ in menu(i18n.translator("da"), coordinator=False)]
    assert not set(theirs) & set(coordinator_commands)
    assert "back" not in theirs and "skip" not in theirs, "only mid-question, and /help says so"


async def test_the_coordinators_help_starts_with_her_commands(harness: Harness, i18n: I18n) -> None:
    da = i18n.translator("da")
    got = await harness.send(COORDINATOR_ID, "/help", language="da")
    lines = got[0].text.split("\n")
    assert lines[0] == da.gettext("Your commands as a coordinator:")
    assert lines[1] == f"/queue – {da.gettext('People waiting for the coordinators')}"
    assert da.gettext(WELCOME)[:40] not in got[0].text
    assert da.gettext(COORDINATOR_WELCOME)[:40] not in got[0].text
    assert "/start" in lines[-1] and "/profile" in lines[-1], "then, briefly, what participants see"


@pytest.mark.parametrize("language", ["en", "da", "ar"])
async def test_a_participants_help_lists_what_she_can_do_now(
    harness: Harness, i18n: I18n, language: str
) -> None:
    tr = i18n.translator(language)
    got = await harness.send(PARTICIPANT_ID, "/help", language=language)
    lines = got[0].text.split("\n")
    assert lines[0] == tr.gettext("This bot connects women new in the country with mentors.")
    commands = ["/start", "/language", "/privacy", "/whoami"]
    assert [line.split(" – ")[0] for line in lines[1:]] == [tr.directed(c) for c in commands]
    assert lines[1] == tr.directed(f"/start – {tr.gettext('register as a mentee or mentor')}")
