"""Telegram's command menu: per language for everyone, with the coordinator commands for coordinators."""

from __future__ import annotations

from bot.commands import set_command_menus
from tests.conftest import COORDINATOR, Harness


async def test_menus_per_language_and_role(harness: Harness) -> None:
    h = harness
    await h.send(COORDINATOR, "/language", language="en")
    await h.press(COORDINATOR, "lang:uk", h.last_with_buttons(COORDINATOR).message_id)
    before = len(h.calls("SetMyCommands"))
    await set_command_menus(h.bot, h.db, h.i18n, frozenset({COORDINATOR, 77}))
    calls = h.calls("SetMyCommands")[before:]

    by_language = {c.language_code: c for c in calls if c.scope.type == "default"}
    assert set(by_language) == {None, "en", "da", "ar", "fa", "uk", "ru", "tr", "so"}
    arabic = by_language["ar"].commands
    assert [c.command for c in arabic] == [
        "start",
        "help",
        "profile",
        "language",
        "privacy",
        "whoami",
        "meeting",
        "met",
        "agreement",
        "endmatch",
        "cancel",
    ]
    assert arabic[0].description == h.i18n.translator("ar").gettext("Register, or see where you are")
    assert all(1 <= len(c.description) <= 256 for call in calls for c in call.commands)

    chats = {c.scope.chat_id: c for c in calls if c.scope.type == "chat"}
    assert set(chats) == {COORDINATOR, 77}
    assert [c.command for c in chats[COORDINATOR].commands][:2] == ["queue", "invite"], (
        "her own commands first"
    )
    mine = {c.command: c.description for c in chats[COORDINATOR].commands}
    assert {"queue", "invite", "addslot", "slots", "delslot", "suggest", "propose", "overdue"} <= set(mine)
    assert mine["queue"] == h.i18n.translator("uk").gettext("People waiting for the coordinators")
    assert "queue" not in [c.command for c in by_language["uk"].commands]
