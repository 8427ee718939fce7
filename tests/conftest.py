"""Shared fixtures: a database (SQLite, or PostgreSQL when asked), a fake clock, and a harness that
drives the real dispatcher with a recording session in place of Telegram."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.types import CallbackQuery, Chat, Message, MessageEntity, Update, User
from sqlalchemy import text
from sqlmodel import Session, col, select

from bot.app import create_dispatcher
from bot.inbox import Inbox
from bot.sender import Sender
from bot.settings import Settings, coordinators_of
from bot.telegram import TelegramTransport
from conversations.clock import FakeClock
from conversations.i18n import I18n
from storage import queries
from storage.crypto import NotesCipher, new_key
from storage.db import Database
from storage.models import Account, OutboxMessage, Person

COORDINATOR = 1
FILE_METHODS = ("SendVoice", "SendAudio", "SendPhoto", "SendDocument", "SendVideo", "SendVideoNote")
BOT_USER = {"id": 42, "is_bot": True, "first_name": "Mentor Network", "username": "mentor_test_bot"}


@pytest.fixture
def clock() -> FakeClock:
    """Monday 5 January 2026, 09:00 UTC, until moved."""
    return FakeClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))


@pytest.fixture
def i18n() -> I18n:
    """All catalogs."""
    return I18n("en", "Europe/Copenhagen")


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh SQLite file, or a fresh schema on MENTORBOT_TEST_DATABASE_URL (PostgreSQL)."""
    url = os.environ.get("MENTORBOT_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    db = Database(url)
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    db.dispose()
    yield url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """The database with every table."""
    database = Database(database_url)
    database.create_all()
    yield database
    database.dispose()


def add_person(session: Session, telegram_id: int, **fields: Any) -> Person:
    """A person with a Telegram account, stored in this session."""
    person = Person(**fields)
    session.add(person)
    session.flush()
    session.add(Account(person_id=person.id or 0, platform="telegram", address=str(telegram_id)))
    session.flush()
    return person


def person_of(session: Session, telegram_id: int) -> Person:
    """The person behind a Telegram user."""
    person = queries.person_by_account(session, platform="telegram", address=str(telegram_id))
    assert person is not None, f"nobody with Telegram id {telegram_id}"
    return person


class RecordingSession(BaseSession):
    """Stands in for Telegram: records every call and answers as Telegram would.

    `faults` holds (method name, status, description, parameters) answered instead of success.
    """

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[TelegramMethod[Any]] = []
        self.faults: list[tuple[str, int, str, dict[str, Any]]] = []
        self._ids = itertools.count(1000)

    async def close(self) -> None:
        """Nothing to close."""

    async def stream_content(self, *args: Any, **kwargs: Any) -> AsyncIterator[bytes]:  # pragma: no cover
        raise NotImplementedError
        yield b""

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:  # noqa: ASYNC109 (aiogram's signature)
        self.calls.append(method)
        name = type(method).__name__
        for index, (fault_method, status, description, parameters) in enumerate(self.faults):
            if fault_method == name:
                del self.faults[index]
                body = {
                    "ok": False,
                    "error_code": status,
                    "description": description,
                    "parameters": parameters,
                }
                self.check_response(bot, method, status, json.dumps(body))
        result: Any = True
        if name in FILE_METHODS:  # a file passed on by its id: a message with a caption
            result = {
                "message_id": next(self._ids),
                "date": 0,
                "chat": {"id": method.chat_id, "type": "private"},
                "from": BOT_USER,
                "caption": getattr(method, "caption", None),
            }
        if name in ("SendMessage", "EditMessageText"):
            message_id = getattr(method, "message_id", None) or next(self._ids)
            result = {
                "message_id": message_id,
                "date": 0,
                "chat": {"id": method.chat_id, "type": "private"},
                "from": BOT_USER,
                "text": method.text,
            }
            if method.reply_markup is not None:
                result["reply_markup"] = method.reply_markup.model_dump(exclude_none=True)
        return self.check_response(bot, method, 200, json.dumps({"ok": True, "result": result})).result


@dataclass
class Sent:
    """A message as the person sees it."""

    message_id: int
    text: str
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)

    def data(self, label_part: str) -> str:
        """The callback data of the first button whose label contains label_part."""
        for row in self.buttons:
            for label, data in row:
                if label_part in label:
                    return data
        raise AssertionError(f"no button with {label_part!r} in {self.buttons}")

    @property
    def labels(self) -> list[str]:
        """Every button label, row by row."""
        return [label for row in self.buttons for label, _ in row]


class Harness:
    """The real dispatcher, middlewares, engine, database, outbox and sender; Telegram recorded."""

    def __init__(self, db: Database, clock: FakeClock, i18n: I18n, coordinators: frozenset[int]) -> None:
        self.db, self.clock, self.i18n = db, clock, i18n
        self.settings = Settings(_env_file=None, coordinators=coordinators, token=None)  # type: ignore[call-arg]
        self.session = RecordingSession()
        self.bot = Bot("42:TEST-token-for-the-recording-session", session=self.session)
        self.notes_keys = [new_key()]
        self.notes = NotesCipher(self.notes_keys)
        self.coordinators = coordinators_of(self.settings)
        self.sender = Sender(
            db,
            TelegramTransport(self.bot),
            clock,
            i18n,
            self.coordinators,
            per_second=10_000,
            per_chat_per_second=10_000,
            notes=self.notes,
        )
        self.dp = create_dispatcher(
            settings=self.settings,
            db=db,
            i18n=i18n,
            clock=clock,
            wake=self.sender.wake,
            notes=self.notes,
        )
        self.inbox = Inbox(db, self.dp, self.bot, clock, i18n, wake_sender=self.sender.wake)
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self.users: dict[int, User] = {}

    def user(self, user_id: int, language: str = "en", username: str | None = None) -> User:
        """A Telegram user, remembered by id."""
        if user_id not in self.users or language != self.users[user_id].language_code:
            self.users[user_id] = User(
                id=user_id,
                is_bot=False,
                first_name=f"User{user_id}",
                language_code=language,
                username=username,
            )
        return self.users[user_id]

    def message_update(self, user_id: int, text: str | None = None, **content: Any) -> Update:
        """An update carrying a message from the user (text, or content such as voice=...)."""
        user = self.users.get(user_id) or self.user(user_id)
        entities = None
        if text and text.startswith("/"):
            entities = [MessageEntity(type="bot_command", offset=0, length=len(text.split()[0]))]
        message = Message(
            message_id=next(self._message_ids),
            date=self.clock.now(),
            chat=Chat(id=user_id, type="private"),
            from_user=user,
            text=text,
            entities=entities,
            **content,
        )
        return Update(update_id=next(self._update_ids), message=message)

    async def feed(self, update: Update) -> None:
        """Hand one update to the dispatcher, then let the sender deliver what it wrote."""
        await self.dp.feed_update(self.bot, update)
        await self.sender.drain()

    async def receive(self, *updates: Update | dict[str, Any]) -> int:
        """Updates arrive as from getUpdates: stored in the inbox, handled, their answers sent."""
        self.inbox.receive(
            [
                u if isinstance(u, dict) else u.model_dump(mode="json", exclude_none=True, by_alias=True)
                for u in updates
            ]
        )
        handled = await self.inbox.drain()
        await self.sender.drain()
        return handled

    async def send(self, user_id: int, text: str, language: str | None = None) -> list[Sent]:
        """She types text (or a /command); returns what she got back."""
        if language:
            self.user(user_id, language)
        before = len(self.session.calls)
        await self.feed(self.message_update(user_id, text))
        return self._new_for(user_id, before)

    async def press(self, user_id: int, data: str, message_id: int | None = None) -> list[Sent]:
        """She presses a button with this data on message_id (default: her last message with buttons)."""
        if message_id is None:
            message_id = self.last_with_buttons(user_id).message_id
        user = self.users.get(user_id) or self.user(user_id)
        message = Message(
            message_id=message_id,
            date=self.clock.now(),
            chat=Chat(id=user_id, type="private"),
            from_user=User(**BOT_USER),
            text="…",
        )
        query = CallbackQuery(
            id=str(next(self._update_ids)), from_user=user, chat_instance="1", message=message, data=data
        )
        before = len(self.session.calls)
        await self.feed(Update(update_id=next(self._update_ids), callback_query=query))
        return self._new_for(user_id, before)

    async def tap(self, user_id: int, label_part: str) -> list[Sent]:
        """She presses the button whose label contains label_part on her latest message with buttons."""
        last = self.last_with_buttons(user_id)
        return await self.press(user_id, last.data(label_part), last.message_id)

    async def done(self, user_id: int) -> list[Sent]:
        """She presses Done under a multiple choice (found by its data: a label can hide in another)."""
        last = self.last_with_buttons(user_id)
        data = next(d for row in last.buttons for _, d in row if d.endswith(":d"))
        return await self.press(user_id, data, last.message_id)

    def _new_for(self, user_id: int, since: int) -> list[Sent]:
        return [s for chat, s in self._sent(self.session.calls[since:]) if chat == user_id]

    @staticmethod
    def _sent(calls: list[TelegramMethod[Any]]) -> list[tuple[int, Sent]]:
        out = []
        for call in calls:
            if type(call).__name__ == "SendMessage":
                markup = call.reply_markup
                buttons = (
                    [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]
                    if markup
                    else []
                )
                out.append((call.chat_id, Sent(0, call.text, buttons)))
        return out

    def messages(self, user_id: int) -> list[Sent]:
        """Her chat as she sees it now: every message sent to her, with later edits applied."""
        with self.db.session() as session:
            rows = session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.address == str(user_id), col(OutboxMessage.sent_at).is_not(None))
                .order_by(col(OutboxMessage.id))
            ).all()
        chat: dict[int, Sent] = {}
        for row in rows:
            if row.kind not in ("message", "edit", "media"):  # a file shows as its caption
                continue
            data = self.notes.open(row.payload["sealed"]) if "sealed" in row.payload else row.payload
            buttons = [[(label, data) for label, data in r] for r in data.get("buttons", [])]
            message_id = row.message_id or 0
            chat[message_id] = Sent(message_id, data["text"], buttons)
        return list(chat.values())

    def texts(self, user_id: int) -> list[str]:
        """The texts of every message she was sent."""
        return [m.text for m in self.messages(user_id)]

    def last_with_buttons(self, user_id: int) -> Sent:
        """Her latest message that has buttons."""
        for sent in reversed(self.messages(user_id)):
            if sent.buttons:
                return sent
        raise AssertionError(f"user {user_id} has no message with buttons")

    def person_id(self, user_id: int) -> int:
        """The person id of a Telegram user who has written to the bot."""
        with self.db.session() as session:
            return person_of(session, user_id).id or 0

    def calls(self, name: str) -> list[Any]:
        """The recorded Bot API calls of one method, e.g. 'AnswerCallbackQuery'."""
        return [c for c in self.session.calls if type(c).__name__ == name]


@pytest.fixture
async def harness(db: Database, clock: FakeClock, i18n: I18n) -> AsyncIterator[Harness]:
    """The whole bot with Telegram recorded; user 1 is a coordinator."""
    h = Harness(db, clock, i18n, frozenset({COORDINATOR}))
    yield h
    await h.bot.session.close()
