"""Kill -9 a sender in the middle of a burst on a slow network and count what is sent twice.

A real sender process drains an outbox of --messages messages to --chats chats through the
sandbox's Telegram emulator, whose sendMessage answers only after --delay seconds (a slow
network). Once a third has arrived the process is killed with SIGKILL, a second sender process
is started at once, and the script waits until everything has arrived. It prints, per crash,
how many messages arrived twice and how long after the kill the second process began sending
what the dead one held (when its lease ran out).

    .venv/bin/python scripts/crash_duplicates.py --crashes 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import aiohttp
from sqlmodel import col, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import create_bot
from bot.sandbox.emulator import Emulator
from bot.sender import Sender
from bot.telegram import TelegramTransport
from conversations.clock import SystemClock
from conversations.context import Coordinators
from conversations.i18n import I18n
from storage import queries
from storage.db import Database
from storage.models import OutboxMessage

FIRST_CHAT = 3001


async def child(api_url: str, token: str, database_url: str, in_flight: int) -> None:
    """One sender process, as `mentorbot run` starts it, until killed."""
    db = Database(database_url)
    bot = create_bot(token, api_url)
    sender = Sender(db, TelegramTransport(bot), SystemClock(), I18n(), Coordinators(), in_flight=in_flight)
    await sender.run(idle_seconds=0.2)


def spawn(api_url: str, token: str, database_url: str, in_flight: int) -> subprocess.Popen[bytes]:
    args = [sys.executable, __file__, "--child", api_url, token, database_url, str(in_flight)]
    return subprocess.Popen(args)


def fill(db: Database, chats: int, messages: int) -> None:
    """An outbox of messages to chats, as a sweep would write it."""
    clock = SystemClock()
    with db.session() as session:
        people = [
            queries.create_person(
                session, platform="telegram", address=str(FIRST_CHAT + c), language="en", now=clock.now()
            )
            for c in range(chats)
        ]
        for number in range(messages):
            person = people[number % chats]
            payload = {"text": f"message {number}", "buttons": []}
            queries.enqueue_to(
                session, person_id=person.id or 0, kind="message", payload=payload, now=clock.now()
            )


async def until(condition: Callable[[], bool]) -> None:
    """Wait for another process's work, looking every 10 ms."""
    while not condition():  # noqa: ASYNC110 (the work is another process's: there is no event to wait on)
        await asyncio.sleep(0.01)


def arrived(emulator: Emulator) -> Counter[str]:
    return Counter(m.text or "" for u in emulator.users.values() for m in u.messages.values())


def held(db: Database) -> set[int]:
    """The messages leased and not sent: what the dead process held."""
    with db.session() as session:
        rows = session.exec(
            select(OutboxMessage.id).where(
                col(OutboxMessage.claimed_until).is_not(None), col(OutboxMessage.sent_at).is_(None)
            )
        )
        return {row for row in rows if row is not None}


def unsent(db: Database, ids: set[int]) -> int:
    with db.session() as session:
        rows = session.exec(
            select(OutboxMessage.id).where(
                col(OutboxMessage.id).in_(ids), col(OutboxMessage.sent_at).is_(None)
            )
        )
        return len(rows.all())


async def crash_once(args: argparse.Namespace) -> tuple[int, float, int]:
    """One burst, one kill -9; (messages that arrived twice, seconds until another sent what it held, held)."""
    emulator = Emulator()
    api_url = await emulator.start()
    for c in range(args.chats):
        emulator.ensure_user(FIRST_CHAT + c, first_name=f"User{c}")
    async with aiohttp.ClientSession() as http:  # a slow network: every sendMessage takes --delay
        fault = {"method": "sendMessage", "count": 10**6, "delay": args.delay}
        async with http.post(f"{api_url}/control/faults", json=fault) as answer:
            answer.raise_for_status()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/crash.sqlite3"
        db = Database(url)
        db.upgrade()
        fill(db, args.chats, args.messages)
        first = spawn(api_url, emulator.token, url, args.in_flight)
        second = None
        try:
            await until(lambda: sum(arrived(emulator).values()) >= args.messages // 3)
            os.kill(first.pid, signal.SIGKILL)
            first.wait()
            killed_at = time.monotonic()
            holding = held(db)
            second = spawn(api_url, emulator.token, url, args.in_flight)
            await until(lambda: unsent(db, holding) < len(holding))
            picked_up = time.monotonic() - killed_at
            await until(lambda: len(arrived(emulator)) >= args.messages)
            await asyncio.sleep(args.delay * 3)  # anything still on its way
        finally:
            for process in (first, second):
                if process is not None and process.poll() is None:
                    process.kill()
                    process.wait()
            db.dispose()
    counts = arrived(emulator)
    await emulator.stop()
    return sum(n - 1 for n in counts.values()), picked_up, len(holding)


async def main(args: argparse.Namespace) -> None:
    print(
        f"{args.messages} messages to {args.chats} chats, {args.delay}s per sendMessage, "
        f"{args.in_flight} request(s) in flight; kill -9 after a third has arrived"
    )
    worst, slowest = 0, 0.0
    for number in range(1, args.crashes + 1):
        twice, picked_up, holding = await crash_once(args)
        worst, slowest = max(worst, twice), max(slowest, picked_up)
        print(
            f"crash {number}: {twice} sent twice; it held {holding}, sent again from {picked_up:.1f}s after"
        )
    print(f"most sent twice in one crash: {worst}; what it held went on after at most {slowest:.1f}s")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        api_url, token, database_url, in_flight = sys.argv[2:6]
        asyncio.run(child(api_url, token, database_url, int(in_flight)))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--crashes", type=int, default=5)
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.1, help="seconds each sendMessage takes")
    parser.add_argument("--in-flight", type=int, default=1)
    asyncio.run(main(parser.parse_args()))
