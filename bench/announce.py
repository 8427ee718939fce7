"""An announcement to N people through the sandbox's Telegram emulator, with a crash in the middle.

    .venv/bin/python bench/announce.py --people 1000

N mentees are seeded with Telegram accounts and an announcement to all mentees is confirmed
(as the coordinator's Send button leaves it). A real runner process (the bot's sender and
scheduler, as `mentorbot run` builds them, with the default limits: 30 messages a second, one
a second per chat) delivers it through the emulator over HTTP. When --kill-at of the people
have their copy, the process is killed (SIGKILL, or --signal term for a graceful stop) and a
second one is started at once. The script prints the time to reach everyone, the most
messages the emulator received in any one second (overall and in one chat), the coordinator's
progress edits, and how many copies each person got.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import select

from bot.app import create_bot
from bot.sandbox.emulator import Emulator
from bot.scheduler import create_scheduler
from bot.sender import Sender
from bot.telegram import TelegramTransport
from conversations.clock import SystemClock
from conversations.context import Coordinators
from conversations.i18n import I18n
from storage.db import Database
from storage.models import Account, Announcement, Person

COORDINATOR = 1
FIRST_CHAT = 100_000
TEXT = "The network meets on Thursday at 17:30 in Nørregade 1. Everyone is welcome!"


class TimedEmulator(Emulator):
    """The emulator, remembering when each message was sent or edited, and to whom."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[float, str, int, str]] = []  # (when, method, chat, text)

    async def call(self, method: str, raw: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        status, body = await super().call(method, raw)
        if method.lower() in ("sendmessage", "editmessagetext") and body.get("ok"):
            self.log.append((time.monotonic(), method.lower(), int(raw["chat_id"]), str(raw.get("text"))))
        return status, body


async def child(api_url: str, token: str, database_url: str) -> None:
    """One bot process's sending side, as `mentorbot run` builds it, until killed."""
    db, clock, i18n = Database(database_url), SystemClock(), I18n()
    coordinators = Coordinators(frozenset({("telegram", str(COORDINATOR))}))
    bot = create_bot(token, api_url)
    sender = Sender(db, TelegramTransport(bot), clock, i18n, coordinators)
    scheduler = create_scheduler(
        db, clock, i18n, every_seconds=60, wake=sender.wake, coordinators=coordinators
    )
    scheduler.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    running = asyncio.create_task(sender.run())
    await stop.wait()
    scheduler.shutdown(wait=False)
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    await bot.session.close()
    db.dispose()


def spawn(api_url: str, token: str, database_url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, __file__, "--child", api_url, token, database_url])


def seed(db: Database, people: int) -> None:
    """N mentees and the coordinator, each with a Telegram account."""
    now = SystemClock().now()
    with db.session() as session:
        coordinator = Person(language="en", created_at=now, name="Karen")
        session.add(coordinator)
        session.flush()
        session.add(Account(person_id=coordinator.id or 0, platform="telegram", address=str(COORDINATOR)))
        mentees = [
            Person(language="en", created_at=now, status="ready_to_be_matched", role="mentee", name=f"M{n}")
            for n in range(people)
        ]
        session.add_all(mentees)
        session.flush()
        session.add_all(
            Account(person_id=p.id or 0, platform="telegram", address=str(FIRST_CHAT + n))
            for n, p in enumerate(mentees)
        )


def confirm(db: Database, people: int, preview_id: int) -> None:
    """The announcement as the coordinator's Send button leaves it (admin.announcements._send)."""
    now = SystemClock().now()
    with db.session() as session:
        coordinator = session.exec(select(Person).where(Person.name == "Karen")).one()
        session.add(
            Announcement(
                created_by=coordinator.id or 0,
                kind="announce",
                answers={"group": "mentees", "language": "all", "city": None, "texts": {"": TEXT}},
                message_id=preview_id,
                total=people,
                created_at=now,
                sent_at=now,
            )
        )


def done(db: Database) -> bool:
    with db.session() as session:
        announcement = session.exec(select(Announcement)).one()
        return announcement.done_at is not None


def busiest_second(times: list[float]) -> int:
    """The most events in any window of one second."""
    times, most, start = sorted(times), 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def until(condition: Any, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # the work is another process's: there is no event to wait on
        if time.monotonic() > deadline:
            raise TimeoutError("the announcement did not finish in time")
        await asyncio.sleep(0.05)


@dataclass
class Result:
    """What one run measured."""

    people: int
    signal: str
    at_kill: int  # copies arrived when the first process was stopped
    seconds: float  # from the first process's start to the report, the restart included
    after_restart: float  # from the kill to the report
    steady_rate: float  # messages a second before the kill
    busiest_second: int  # most messages (sent or edited) in any one second, all chats
    busiest_chat_second: int  # most in any one second to one chat
    edits: list[tuple[float, str]]  # the coordinator's progress edits: (when, text)
    copies: Counter[int]  # copies -> how many people got that many


async def run(people: int, kill_at: float = 0.4, how: str = "kill") -> Result:
    """Announce to `people`, stop the process when kill_at of them have it, start another; measure."""
    emulator = TimedEmulator()
    api_url = await emulator.start()
    emulator.ensure_user(COORDINATOR, first_name="Karen")
    for n in range(people):
        emulator.ensure_user(FIRST_CHAT + n, first_name=f"M{n}")
    _, preview = await emulator.call("sendMessage", {"chat_id": COORDINATOR, "text": "📣 Preview of A-1"})

    def copies() -> int:
        return sum(1 for _, _, chat, text in emulator.log if chat != COORDINATOR and text == TEXT)

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/announce.sqlite3"
        db = Database(url)
        db.upgrade()
        seed(db, people)
        confirm(db, people, preview["result"]["message_id"])
        started = time.monotonic()
        first = spawn(api_url, emulator.token, url)
        second = None
        try:
            await until(lambda: copies() >= people * kill_at, 600)
            os.kill(first.pid, signal.SIGKILL if how == "kill" else signal.SIGTERM)
            first.wait()
            killed_at, at_kill = time.monotonic(), copies()
            second = spawn(api_url, emulator.token, url)
            await until(lambda: done(db) and copies() >= people, 600)
            await until(lambda: emulator.log[-1][2] == COORDINATOR and "Delivered" in emulator.log[-1][3], 30)
            finished = time.monotonic()
            await asyncio.sleep(1.0)  # anything still on its way
        finally:
            for process in (first, second):
                if process is not None and process.poll() is None:
                    process.send_signal(signal.SIGTERM)
                    process.wait()
            db.dispose()
    await emulator.stop()

    per_chat: dict[int, list[float]] = {}
    for moment, _, chat, _ in emulator.log:
        per_chat.setdefault(chat, []).append(moment)
    got = Counter(chat for _, _, chat, text in emulator.log if chat != COORDINATOR and text == TEXT)
    before_kill = [
        t for t, _, chat, text in emulator.log if chat != COORDINATOR and text == TEXT and t <= killed_at
    ]
    return Result(
        people=people,
        signal=how,
        at_kill=at_kill,
        seconds=finished - started,
        after_restart=finished - killed_at,
        steady_rate=len(before_kill) / max(before_kill[-1] - before_kill[0], 1e-9) if before_kill else 0.0,
        busiest_second=busiest_second([t for t, _, _, _ in emulator.log]),
        busiest_chat_second=max(busiest_second(v) for v in per_chat.values()),
        edits=[
            (t, text)
            for t, method, chat, text in emulator.log
            if chat == COORDINATOR and method == "editmessagetext"
        ],
        copies=Counter(got.get(FIRST_CHAT + n, 0) for n in range(people)),
    )


async def main(args: argparse.Namespace) -> None:
    result = await run(args.people, args.kill_at, args.signal)
    progress = [t for t, text in result.edits if "Delivered" not in text]
    gaps = [b - a for a, b in itertools.pairwise(progress)]
    print(
        f"{result.people} people, one announcement; {result.signal} after {result.at_kill} had it, a second "
        f"process at once; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"time to reach everyone and report: {result.seconds:.1f} s (the restart included)")
    print(f"from the stop to the report: {result.after_restart:.1f} s for {result.people - result.at_kill}")
    print(f"sending rate before the stop: {result.steady_rate:.1f} messages a second")
    print(f"most messages in any one second: {result.busiest_second} overall (the limit is 30)")
    print(f"most messages in any one second to one chat: {result.busiest_chat_second}")
    print(
        f"progress edits: {len(progress)}, at least {min(gaps, default=0):.1f} s apart, then the report: "
        f"{result.edits[-1][1]!r}"
    )
    print(f"copies per person: {dict(sorted(result.copies.items()))} (copies: people)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        api_url, token, database_url = sys.argv[2:5]
        asyncio.run(child(api_url, token, database_url))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument(
        "--kill-at", type=float, default=0.4, help="the share of people who have it at the kill"
    )
    parser.add_argument("--signal", choices=("kill", "term"), default="kill")
    asyncio.run(main(parser.parse_args()))
