"""Terminal chat with the sandbox bot, as one user, through the emulator's control API."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Protocol

import aiohttp
from rich.console import Console
from rich.markup import escape

MEDIA_KINDS = ("voice", "photo", "sticker", "document", "location", "contact")
HELP = (
    "Type text to send it.  #N presses button N of the latest message with buttons.  "
    ":voice :photo :sticker :document :location :contact send media.  :help  :quit"
)


class Screen(Protocol):
    """Where the chat client prints."""

    def say(self, text: str, style: str = "") -> None:
        """Print one block of text in a style."""


class _Terminal:
    """Print to the terminal with rich styles."""

    def __init__(self) -> None:
        """Open the console."""
        self._console = Console(highlight=False)

    def say(self, text: str, style: str = "") -> None:
        """Print one block of text in a style (the text itself is never read as markup)."""
        self._console.print(f"[{style}]{escape(text)}[/]" if style else escape(text))


class ChatClient:
    """One sandbox user's view of her private chat with the bot."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str, user_id: int, screen: Screen) -> None:
        """Start with nothing seen."""
        self.http, self.base, self.user_id, self.screen = http, base_url.rstrip("/"), user_id, screen
        self.after, self.since = 0, 0
        self.shown: dict[int, int] = {}  # message_id -> rev already printed
        self.buttons: list[dict[str, Any]] = []  # inline buttons of the latest message that has them
        self.buttons_message_id = 0

    async def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST JSON to the control API and return the answer."""
        async with self.http.post(f"{self.base}{path}", json=body) as resp:
            answer: dict[str, Any] = await resp.json()
            if resp.status != 200:
                raise RuntimeError(answer.get("error", f"HTTP {resp.status}"))
            return answer

    async def follow(self) -> None:
        """Long-poll the chat and print whatever the bot sends, edits or pops up."""
        while True:
            try:
                view = await self.call(
                    "/control/wait",
                    {"user_id": self.user_id, "after": self.after, "since": self.since, "timeout": 20},
                )
            except (aiohttp.ClientError, RuntimeError) as error:
                self.screen.say(f"(sandbox unreachable: {error})", "red")
                await asyncio.sleep(2)
                continue
            self.render(view)

    def render(self, view: dict[str, Any]) -> None:
        """Print new or changed messages, their buttons and callback answers."""
        for message in view["messages"]:
            message_id, rev = message["message_id"], message["rev"]
            self.after = max(self.after, message_id)
            if self.shown.get(message_id) == rev or (message["deleted"] and message_id not in self.shown):
                continue
            edited = message_id in self.shown
            self.shown[message_id] = rev
            if message["deleted"]:
                self.screen.say(f"(bot deleted message {message_id})", "dim")
                continue
            self.print_message(message, edited)
        for answer in view["callback_answers"]:
            if answer.get("text"):
                self.screen.say(f"(popup) {answer['text']}", "yellow")
        self.since = max(self.since, int(view["seq"]))

    def print_message(self, message: dict[str, Any], edited: bool) -> None:
        """Print one bot message with numbered inline buttons, row by row."""
        label = "bot (edited)" if edited else "bot"
        if message["kind"] != "text":
            self.screen.say(
                f"{label}: [{message['kind']}: {message['file_name']}] {message['file_url']}", "magenta"
            )
        if message["text"]:
            self.screen.say(
                f"{label}: {message['text']}" if message["kind"] == "text" else message["text"], "bold"
            )
        markup = message.get("reply_markup") or {}
        rows = markup.get("inline_keyboard") or []
        if rows and message["message_id"] >= self.buttons_message_id:
            self.buttons, self.buttons_message_id = [b for row in rows for b in row], message["message_id"]
        number = 0
        for row in rows:
            cells = []
            for button in row:
                number += 1
                cells.append(
                    f"[{number}] {button['text']}" + (f" ({button['url']})" if button.get("url") else "")
                )
            self.screen.say("  ".join(cells), "cyan")
        for row in markup.get("keyboard") or []:
            self.screen.say("  ".join(f"<{b['text'] if isinstance(b, dict) else b}>" for b in row), "cyan")

    async def handle(self, line: str) -> bool:
        """Act on one typed line; return False to quit."""
        line = line.strip()
        if not line:
            return True
        if line == ":quit":
            return False
        if line == ":help":
            self.screen.say(HELP, "dim")
        elif line.startswith("#") and line[1:].isdigit():
            await self.press(int(line[1:]))
        elif line.startswith(":") and line[1:] in MEDIA_KINDS:
            await self.call("/control/send_media", {"user_id": self.user_id, "kind": line[1:]})
        else:
            await self.call("/control/send", {"user_id": self.user_id, "text": line})
        return True

    async def press(self, number: int) -> None:
        """Press button `number` (1-based) of the latest message that has buttons."""
        if not 1 <= number <= len(self.buttons):
            self.screen.say(f"(no button {number})", "red")
            return
        button = self.buttons[number - 1]
        if "callback_data" not in button:
            self.screen.say(f"(this button opens {button.get('url') or 'something outside the chat'})", "dim")
            return
        await self.call(
            "/control/press",
            {"user_id": self.user_id, "message_id": self.buttons_message_id, "data": button["callback_data"]},
        )


async def run_chat(base_url: str, user_id: int, lang: str, first_name: str | None = None) -> None:
    """Register the user, then print the bot's messages and send what is typed until :quit."""
    screen = _Terminal()
    async with aiohttp.ClientSession() as http:
        client = ChatClient(http, base_url, user_id, screen)
        user = {"id": user_id, "language_code": lang, "first_name": first_name or f"User {user_id}"}
        try:
            await client.call("/control/users", user)
        except aiohttp.ClientError as error:
            screen.say(f"Cannot reach the sandbox at {base_url}: {error}", "red")
            return
        screen.say(f"Chatting as {user['first_name']} ({user_id}, {lang}). {HELP}", "dim")
        follower = asyncio.create_task(client.follow())
        try:
            while True:
                try:
                    line = await asyncio.to_thread(input, "")
                except EOFError:
                    break
                try:
                    if not await client.handle(line):
                        break
                except (aiohttp.ClientError, RuntimeError) as error:
                    screen.say(f"(not sent: {error})", "red")
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower
