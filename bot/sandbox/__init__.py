"""Local Telegram sandbox: a Bot API emulator and a terminal chat client for it."""

from bot.sandbox.emulator import Emulator

__all__ = ["Emulator"]
