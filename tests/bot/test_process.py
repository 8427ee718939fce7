"""The real `mentorbot run` process, with no token, against its built-in emulator over HTTP."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from conversations.i18n import I18n
from conversations.texts import WELCOME

ROOT = Path(__file__).resolve().parents[2]
MENTEE = 1001
COORDINATOR = 1  # the sandbox's coordinator


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_bot(tmp_path: Path, extra: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`python -m bot run` in the sandbox; yields the emulator's address."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTORBOT_")}
    env |= {
        "MENTORBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        "MENTORBOT_SANDBOX_PORT": str(port),
        "MENTORBOT_WEB_PORT": str(_free_port()),  # never the default 8080: another run may hold it
        "MENTORBOT_SEND_PER_CHAT_PER_SECOND": "50",
        "PYTHONPATH": str(ROOT),
        **extra,
    }
    log = tmp_path / "bot.log"
    with log.open("w") as output:  # a file, not a pipe: a full pipe would stall the bot
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        text = log.read_text()
        assert "Traceback" not in text, text
        assert process.returncode == 0, text


@pytest.fixture
def bot_process(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The sandbox bot, long polling."""
    yield from _run_bot(tmp_path, {})


@pytest.fixture(params=["polling", "webhook"])
def any_mode_process(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The sandbox bot, long polling or behind its webhook (the emulator delivers to it)."""
    extra = {}
    if request.param == "webhook":
        hook = _free_port()
        extra = {
            "MENTORBOT_WEBHOOK_URL": f"http://127.0.0.1:{hook}",
            "MENTORBOT_WEBHOOK_SECRET": "sandbox-webhook-secret",
            "MENTORBOT_WEBHOOK_HOST": "127.0.0.1",
            "MENTORBOT_WEBHOOK_PORT": str(hook),
        }
    yield from _run_bot(tmp_path, extra)


class Chat:
    """A person talking to the bot through the emulator's control API."""

    def __init__(self, http: aiohttp.ClientSession, base: str, user: int, language: str) -> None:
        self.http, self.base, self.user, self.language = http, base, user, language
        self.seen = 0

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with self.http.post(f"{self.base}{path}", json=body) as response:
            assert response.status == 200, await response.text()
            return dict(await response.json())

    async def join(self) -> None:
        await self._post(
            "/control/users", {"id": self.user, "first_name": "Amal", "language_code": self.language}
        )

    async def wait(self, after: int | None = None) -> list[dict[str, Any]]:
        """The messages the bot sent (or changed) after message `after`, by default the last one seen."""
        after = self.seen if after is None else after
        got = await self._post(
            "/control/wait", {"user_id": self.user, "after": after, "timeout": 15, "settle": 0.3}
        )
        messages = [m for m in got["messages"] if m["message_id"] > after]
        assert messages, f"the bot did not answer user {self.user}"
        self.seen = max(self.seen, *(m["message_id"] for m in messages))
        return messages

    async def send(self, text: str) -> list[dict[str, Any]]:
        await self._post("/control/send", {"user_id": self.user, "text": text})
        return await self.wait()

    async def press(self, op: str) -> list[dict[str, Any]]:
        """Press the button whose data ends with op on the latest message with buttons."""
        got = await self._post("/control/wait", {"user_id": self.user, "after": 0, "timeout": 1})
        for message in reversed(got["messages"]):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            for row in rows:
                for button in row:
                    if button["callback_data"].split(":")[-1] == op or button["callback_data"] == op:
                        pressed = message["message_id"]
                        await self._post(
                            "/control/press",
                            {"user_id": self.user, "message_id": pressed, "data": button["callback_data"]},
                        )
                        return await self.wait(after=pressed - 1)  # the pressed message may change too
        raise AssertionError(f"no button {op}")


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def _until_up(http: aiohttp.ClientSession, base: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        assert process.poll() is None, "the bot stopped while starting"
        try:
            async with http.get(f"{base}/control/state") as response:
                if response.status == 200 and (await response.json())["pending_updates"] == 0:
                    async with http.get(
                        f"{base}/control/requests?method=deleteWebhook"
                    ) as polled:  # polling starts next
                        if (await polled.json())["requests"]:
                            return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("the bot did not start")


async def test_a_whole_registration_in_arabic_against_the_real_process(
    bot_process: tuple[str, subprocess.Popen[bytes]], http: aiohttp.ClientSession
) -> None:
    base, process = bot_process
    await _until_up(http, base, process)
    coordinator = Chat(http, base, COORDINATOR, "en")
    await coordinator.join()
    assert (await coordinator.send("/whoami"))[-1]["text"] == "You are a coordinator of this network."
    amal = Chat(http, base, MENTEE, "ar")
    await amal.join()
    welcome = await amal.send("/start")
    assert welcome[0]["text"] == I18n().translator("ar").gettext(WELCOME)
    await amal.press("cs:y")
    await amal.press("p0")
    await amal.send("أمل حسن")
    await amal.press("s")
    await amal.send("آرهوس")
    await amal.press("t0")
    await amal.press("d")
    await amal.press("p4")
    await amal.press("s")
    await amal.press("p2")
    await amal.press("p0")
    await amal.press("t2")
    await amal.press("d")
    await amal.press("t0")
    await amal.press("d")
    await amal.press("s")
    await amal.press("p0")
    summary = await amal.press("s")
    assert "أمل حسن" in summary[-1]["text"]
    thanks = await amal.press("ok")
    assert "أمل حسن" in thanks[-1]["text"] and "/profile" in thanks[-1]["text"]

    told = await coordinator.wait()
    # She typed her city in Arabic; the coordinator reads the place in her own language, and the
    # Arabic name is set apart (FSI…PDI): the English line stays left to right.
    assert told[-1]["text"].startswith(
        "New registration: \u2068أمل حسن\u2069, mentee, Aarhus, writes in Arabic (P-2)."
    )

    async with http.get(f"{base}/control/commands", params={"user_id": MENTEE}) as response:
        menu = await response.json()
    assert menu["language_code"] == "ar" and [c["command"] for c in menu["commands"]][:2] == ["start", "help"]


async def _until_webhook_or_polling(
    http: aiohttp.ClientSession, base: str, process: subprocess.Popen[bytes]
) -> None:
    for _ in range(300):
        assert process.poll() is None, "the bot stopped while starting"
        try:
            async with http.get(f"{base}/control/requests") as response:
                methods = {r["method"] for r in (await response.json())["requests"]}
                if {"setWebhook", "deleteWebhook"} & methods and "setMyCommands" in methods:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("the bot did not start")


async def test_messages_sent_while_the_database_is_locked_are_answered_once_afterwards(
    any_mode_process: tuple[str, subprocess.Popen[bytes]], http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    base, process = any_mode_process
    await _until_webhook_or_polling(http, base, process)
    people = [Chat(http, base, 1001 + n, language) for n, language in enumerate(("ar", "uk", "en"))]
    for person in people:
        await person.join()
        await person.send("/start")
    asked = 0
    lock = sqlite3.connect(tmp_path / "bot.sqlite3", isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # another program holds the write lock for ten seconds
    try:
        for second in range(10):
            if second % 3 == 0:
                for person in people:
                    await person._post("/control/send", {"user_id": person.user, "text": "/whoami"})
                asked += 1
            await asyncio.sleep(1)
    finally:
        lock.execute("COMMIT")
        lock.close()
    for person in people:
        for _ in range(60):
            async with http.get(
                f"{base}/control/messages", params={"user_id": person.user, "after": person.seen}
            ) as response:
                answers = [m for m in (await response.json())["messages"] if m["message_id"] > person.seen]
            if len(answers) >= asked:
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(1)  # a duplicate would come right behind
        async with http.get(
            f"{base}/control/messages", params={"user_id": person.user, "after": person.seen}
        ) as response:
            answers = [m for m in (await response.json())["messages"] if m["message_id"] > person.seen]
        assert len(answers) == asked, (person.user, [a["text"] for a in answers])


async def test_a_restarted_sandbox_answers_on_the_same_database(
    tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    """The emulator starts again with nothing; its update ids go on from the database's, so her
    first messages after the restart are not taken for ones handled before and ignored."""
    for run in range(2):
        for base, process in _run_bot(tmp_path, {}):
            await _until_up(http, base, process)
            coordinator = Chat(http, base, COORDINATOR, "en")
            await coordinator.join()
            for _ in range(3 - run):  # the second run sends fewer updates than the first handled
                answer = await coordinator.send("/whoami")
                assert answer[-1]["text"] == "You are a coordinator of this network.", run
