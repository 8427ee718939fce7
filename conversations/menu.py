"""The participants' command menu, set per language (setMyCommands with language_code)."""

from __future__ import annotations

from conversations.i18n import __

PARTICIPANT_COMMANDS: dict[str, str] = {
    "start": __("Register, or see where you are"),
    "help": __("What you can do now"),
    "profile": __("What we keep about you"),
    "language": __("Change language"),
    "privacy": __("How we use your data"),
    "whoami": __("Your role here"),
    "meeting": __("Set or move your first meeting"),
    "met": __("Tell me you met your mentor or mentee"),
    "agreement": __("Your mentor agreement"),
    "endmatch": __("End your mentor relationship with notice"),
    "cancel": __("Stop the registration"),
}
