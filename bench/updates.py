"""Registration answers through the full stack, beside a bare aiogram echo bot fed the same updates.

    python bench/updates.py [--people 2000] [--database-url URL]

Each person has agreed and chosen her role; she then answers three questions by typing (name,
year of birth, city), so every update goes through the dispatcher, the middlewares (one
transaction, the update_id check, the person), the engine, the database and the outbox.
Telegram is replaced by a session that answers at once, so the figures are the bot's own.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.types import CallbackQuery, Chat, Message, Update, User

from bot.app import create_dispatcher
from bot.settings import Settings
from conversations.clock import FakeClock
from conversations.i18n import I18n
from storage.crypto import NotesCipher, new_key
from storage.db import Database

LANGUAGES = ["en", "da", "ar", "fa", "uk", "ru", "tr", "so"]


class InstantSession(BaseSession):
    """Answers every Bot API call at once without a network."""

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:  # noqa: ASYNC109 (aiogram's signature)
        return True

    async def stream_content(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover
        raise NotImplementedError

    async def close(self) -> None:
        """Nothing to close."""


def _user(uid: int) -> User:
    return User(id=uid, is_bot=False, first_name=f"P{uid}", language_code=LANGUAGES[uid % len(LANGUAGES)])


def _text(update_id: int, uid: int, text: str, when: datetime) -> Update:
    message = Message(
        message_id=update_id, date=when, chat=Chat(id=uid, type="private"), from_user=_user(uid), text=text
    )
    return Update(update_id=update_id, message=message)


def _press(update_id: int, uid: int, data: str, when: datetime) -> Update:
    message = Message(message_id=1, date=when, chat=Chat(id=uid, type="private"), text="…")
    query = CallbackQuery(
        id=str(update_id), from_user=_user(uid), chat_instance="1", message=message, data=data
    )
    return Update(update_id=update_id, callback_query=query)


async def _measure(dp: Dispatcher, bot: Bot, updates: list[Update]) -> tuple[float, list[float]]:
    # The prepared updates are fixtures, not work: keep the garbage collector from scanning
    # them again and again, for the echo and for us alike.
    gc.collect()
    gc.freeze()
    latencies = []
    started = time.perf_counter()
    for update in updates:
        t0 = time.perf_counter()
        await dp.feed_update(bot, update)
        latencies.append(time.perf_counter() - t0)
    return time.perf_counter() - started, latencies


def _echo_dispatcher() -> Dispatcher:
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    @dp.callback_query()
    async def ack(query: CallbackQuery) -> None:
        await query.answer()

    return dp


def _report(name: str, elapsed: float, latencies: list[float]) -> float:
    rate = len(latencies) / elapsed
    q = statistics.quantiles(latencies, n=100)
    print(
        f"{name:<12} {len(latencies):>7} updates  {rate:>8.0f} updates/s   p50 {q[49] * 1000:6.2f} ms   "
        f"p99 {q[98] * 1000:6.2f} ms"
    )
    return rate


async def main(people: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{folder}/bench.sqlite3"
        db = Database(url)
        db.drop_all()
        db.upgrade() if database_url is None else db.create_all()
        clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        settings = Settings(_env_file=None, coordinators=frozenset({1}))  # type: ignore[call-arg]
        notes = NotesCipher([new_key()])
        dp = create_dispatcher(
            settings=settings, db=db, i18n=I18n(), clock=clock, wake=lambda: None, notes=notes
        )
        bot = Bot("42:BENCH-token-for-an-instant-session", session=InstantSession())
        now = clock.now()
        ids = iter(range(1, 10**9))
        uids = range(100_000, 100_000 + people)

        # Setting up (not measured): /start, consent, role.
        setup = [
            u
            for uid in uids
            for u in (
                _text(next(ids), uid, "/start", now),
                _press(next(ids), uid, "cs:y", now),
                _press(next(ids), uid, "reg:0:p0", now),
            )
        ]
        await _measure(dp, bot, setup)
        answers = [
            _text(next(ids), uid, text, now) for text in ("Amal Hassan", "1985", "Aarhus") for uid in uids
        ]
        echo_updates = [
            _text(next(ids), uid, text, now) for text in ("Amal Hassan", "1985", "Aarhus") for uid in uids
        ]

        print(
            f"Python {sys.version.split()[0]}, database {db.engine.dialect.name}, {people} people x 3 answers"
        )
        echo_rate = _report("bare echo", *await _measure(_echo_dispatcher(), bot, echo_updates))
        full_rate = _report("mentorbot", *await _measure(dp, bot, answers))
        print(f"ratio mentorbot / bare echo: {full_rate / echo_rate:.2f}")
        with db.session() as session:
            from sqlmodel import func, select

            from storage.models import Conversation, OutboxMessage

            at_city = session.exec(
                select(func.count()).select_from(Conversation).where(Conversation.step == "share_channels")
            ).one()
            outbox = session.exec(select(func.count()).select_from(OutboxMessage)).one()
        assert at_city == people, f"only {at_city} of {people} reached the next question"
        print(f"check: all {at_city} people moved on three questions; {outbox} messages in the outbox")
        await bot.session.close()
        db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    asyncio.run(main(args.people, args.database_url))
