"""Registration answers through the full stack, beside a bare aiogram echo bot fed the same updates.

    python bench/updates.py [--people 2000] [--database-url URL]

Each person has agreed and chosen her role; she then answers three questions by typing (name,
year of birth, city), so every update goes through the inbox (stored in batches of 100, as
getUpdates delivers them, then claimed and parsed), the dispatcher, the middlewares (one
transaction, the update_id check, the person), the engine, the database and the outbox.
The echo bot parses the same JSON and answers each update, as aiogram's own polling would;
the figures before the inbox (docs/performance.md) fed both bots Update objects built without
a bot, which aiogram re-builds (dump and validate) on the way in: that echo is measured too,
so the ratio can be compared with the older ones.
Telegram is replaced by a session that answers at once, so the figures are the bot's own.
Both run interleaved, a slice of each in turn, so that a busy machine slows both alike.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
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
from bot.inbox import Inbox
from bot.settings import Settings
from conversations.clock import FakeClock
from conversations.i18n import I18n
from storage.crypto import NotesCipher, new_key
from storage.db import Database

LANGUAGES = ["en", "da", "ar", "fa", "uk", "ru", "tr", "so"]
BATCH = 100  # updates per getUpdates answer
SLICE = 600  # updates of each bot in turn


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


async def _echo(dp: Dispatcher, bot: Bot, raws: list[dict[str, Any]]) -> None:
    for raw in raws:
        await dp.feed_update(bot, Update.model_validate(raw, context={"bot": bot}))


async def _echo_rebuilt(dp: Dispatcher, bot: Bot, updates: list[Update]) -> None:
    for update in updates:
        await dp.feed_update(bot, update)


async def _through_inbox(inbox: Inbox, raws: list[dict[str, Any]]) -> None:
    for start in range(0, len(raws), BATCH):
        inbox.receive(raws[start : start + BATCH])
        await inbox.drain()


async def _timed(work: Any) -> float:
    started = time.perf_counter()
    await work
    return time.perf_counter() - started


def _echo_dispatcher() -> Dispatcher:
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    @dp.callback_query()
    async def ack(query: CallbackQuery) -> None:
        await query.answer()

    return dp


def _report(name: str, count: int, elapsed: float) -> float:
    rate = count / elapsed
    print(f"{name:<14} {count:>7} updates  {rate:>8.0f} updates/s   {elapsed / count * 1e6:7.0f} µs each")
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

        inbox = Inbox(db, dp, bot, clock, I18n())

        def raw(update: Update) -> dict[str, Any]:
            return update.model_dump(mode="json", exclude_none=True, by_alias=True)

        # Setting up (not measured): /start, consent, role.
        setup = [
            raw(u)
            for uid in uids
            for u in (
                _text(next(ids), uid, "/start", now),
                _press(next(ids), uid, "cs:y", now),
                _press(next(ids), uid, "reg:0:p0", now),
            )
        ]
        await _through_inbox(inbox, setup)
        answers = [
            raw(_text(next(ids), uid, text, now))
            for text in ("Amal Hassan", "1985", "Aarhus")
            for uid in uids
        ]
        echo_updates = [
            raw(_text(next(ids), uid, text, now))
            for text in ("Amal Hassan", "1985", "Aarhus")
            for uid in uids
        ]

        print(
            f"Python {sys.version.split()[0]}, database {db.engine.dialect.name}, {people} people x 3 answers, "
            f"interleaved in slices of {SLICE}"
        )
        echo_dp = _echo_dispatcher()
        gc.collect()
        gc.freeze()  # the prepared updates are fixtures, not work, for the echo and for us alike
        rebuilt = [Update.model_validate(u) for u in echo_updates]  # no bot: aiogram re-builds them
        echo_time = rebuilt_time = full_time = 0.0
        for start in range(0, len(answers), SLICE):
            echo_time += await _timed(_echo(echo_dp, bot, echo_updates[start : start + SLICE]))
            rebuilt_time += await _timed(_echo_rebuilt(echo_dp, bot, rebuilt[start : start + SLICE]))
            full_time += await _timed(_through_inbox(inbox, answers[start : start + SLICE]))
        echo_rate = _report("bare echo", len(echo_updates), echo_time)
        rebuilt_rate = _report("echo, rebuilt", len(rebuilt), rebuilt_time)
        full_rate = _report("mentorbot", len(answers), full_time)
        print(f"ratio mentorbot / bare echo: {full_rate / echo_rate:.2f}")
        print(
            f"ratio mentorbot / echo with rebuilt updates (as measured before the inbox): {full_rate / rebuilt_rate:.2f}"
        )
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
