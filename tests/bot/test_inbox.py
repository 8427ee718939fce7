"""The inbox: an update whose turn fails is kept, retried in order, answered once, or set aside
with an apology; a malformed update is set aside and stops nobody."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app
from bot.middlewares import TurnMiddleware
from conversations.texts import SET_ASIDE_APOLOGY, WELCOME
from storage import inbox
from storage.db import Database
from storage.inbox import Received
from storage.models import InboxUpdate
from tests.admin.test_interviews import registered
from tests.conftest import COORDINATOR, Harness

AMAL, OLENA = 3001, 3002
SECRET_NAME = "Amal Secretname"


class Broken:
    """Every turn of one person raises, as a locked database would, until fixed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, user_id: int) -> None:
        self.broken = True
        original = TurnMiddleware._ctx

        def ctx(middleware: TurnMiddleware, turn: Any, user: Any) -> Any:
            if self.broken and user.id == user_id:
                raise OperationalError(
                    "UPDATE person SET name=?", {"name": SECRET_NAME}, Exception("database is locked")
                )
            return original(middleware, turn, user)

        monkeypatch.setattr(TurnMiddleware, "_ctx", ctx)


def _rows(h: Harness) -> list[InboxUpdate]:
    with h.db.session() as session:
        return list(session.exec(select(InboxUpdate).order_by(InboxUpdate.id)).all())  # type: ignore[arg-type]


async def _retry(h: Harness, seconds: float) -> None:
    h.clock.advance(timedelta(seconds=seconds))
    await h.inbox.drain()
    await h.sender.drain()


async def test_a_failing_update_is_kept_retried_and_answered_once(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    broken = Broken(monkeypatch, AMAL)
    start = h.message_update(AMAL, "/start")
    await h.receive(start, h.message_update(OLENA, "/start"))
    welcome = h.i18n.translator("en").gettext(WELCOME)
    assert h.texts(OLENA)[0] == welcome, "one person's failure stops nobody else"
    assert h.texts(AMAL) == []
    assert [(r.update_id, r.attempts) for r in _rows(h)] == [(start.update_id, 1)]

    await _retry(h, 0.5)  # not due yet: the first retry waits a second
    assert _rows(h)[0].attempts == 1
    await _retry(h, 1)
    assert _rows(h)[0].attempts == 2

    broken.broken = False
    await _retry(h, 2)
    assert h.texts(AMAL)[0] == welcome
    assert _rows(h) == []
    await h.receive(start)  # Telegram delivers it again
    assert h.texts(AMAL).count(welcome) == 1


async def test_her_later_messages_wait_for_the_one_that_failed(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    broken = Broken(monkeypatch, AMAL)
    await h.receive(h.message_update(AMAL, "/start"))
    await h.receive(h.message_update(AMAL, "/whoami"))
    assert [r.attempts for r in _rows(h)] == [1, 0], "the second was not tried before the first"
    broken.broken = False
    await _retry(h, 1)
    texts = h.texts(AMAL)
    assert texts[0] == h.i18n.translator("en").gettext(WELCOME)
    assert len(texts) >= 2 and texts[-1] != texts[0], "both answered, in the order she wrote"
    assert _rows(h) == []


async def test_an_update_that_keeps_failing_is_set_aside_with_an_apology_and_no_personal_data_logged(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    h.user(AMAL, "ar")
    await h.send(AMAL, "/start")  # she is known, in Arabic
    broken = Broken(monkeypatch, AMAL)
    caplog.set_level(logging.DEBUG)
    await h.receive(h.message_update(AMAL, SECRET_NAME))
    for attempt in range(1, inbox.MAX_ATTEMPTS):
        await _retry(h, 2**attempt)
    [row] = _rows(h)
    assert row.set_aside_at is not None and row.attempts == inbox.MAX_ATTEMPTS
    assert row.error is not None and row.error.startswith("OperationalError at tests/bot/test_inbox.py:")
    assert h.texts(AMAL)[-1] == h.i18n.translator("ar").gettext(SET_ASIDE_APOLOGY)
    assert any("set aside" in r.getMessage() for r in caplog.records)
    logged = "\n".join(r.getMessage() + str(r.exc_info or "") for r in caplog.records)
    assert SECRET_NAME not in logged and "Secretname" not in logged

    broken.broken = False
    answered = await h.receive(h.message_update(AMAL, "/whoami"))
    assert answered == 1, "a set-aside update no longer holds up her next one"


async def test_a_malformed_update_is_set_aside_at_once_and_the_others_go_on(harness: Harness) -> None:
    h = harness
    no_chat = {
        "update_id": 900,
        "message": {
            "message_id": 5,
            "date": 0,
            "from": {"id": AMAL, "is_bot": False, "first_name": "A", "language_code": "uk"},
            "text": "hello",
        },
    }
    handled = await h.receive(no_chat, h.message_update(OLENA, "/start"))
    assert handled == 1
    assert h.texts(OLENA)[0] == h.i18n.translator("en").gettext(WELCOME)
    [row] = _rows(h)
    assert row.update_id == 900 and row.set_aside_at is not None
    assert row.error is not None and row.error.startswith("malformed update")
    # She is not known yet: the apology is in the language her Telegram reports.
    assert h.texts(AMAL) == [h.i18n.translator("uk").gettext(SET_ASIDE_APOLOGY)]


async def test_group_updates_and_nul_characters_leave_nothing_behind(harness: Harness) -> None:
    h = harness
    group = h.message_update(OLENA, "/start").model_dump(mode="json", exclude_none=True, by_alias=True)
    group["message"]["chat"] = {"id": -100, "type": "group", "title": "Mentors"}
    nul = h.message_update(AMAL, "/start").model_dump(mode="json", exclude_none=True, by_alias=True)
    nul["message"]["from"]["first_name"] = "A\x00mal"
    assert await h.receive(group, nul) == 2
    assert _rows(h) == []
    assert h.texts(OLENA) == []
    assert h.texts(AMAL)[0] == h.i18n.translator("en").gettext(WELCOME)


def test_the_operator_lists_and_retries_set_aside_updates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    db = Database(url)
    db.upgrade()
    now = datetime.now(UTC)
    with db.session() as session:
        inbox.store(session, platform="telegram", updates=[Received(77, "3001", {"update_id": 77})], now=now)
    with db.session() as session:
        [row] = session.exec(select(InboxUpdate)).all()
        inbox.failed(
            session, row_id=row.id or 0, error="KeyError at admin/pairs.py:12", now=now, at_once=True
        )
    db.dispose()
    monkeypatch.setenv("MENTORBOT_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")  # the table whole on one line
    listed = CliRunner().invoke(app, ["inbox"])
    assert listed.exit_code == 0, listed.output
    assert "0 updates waiting to be handled, 1 set aside." in listed.output
    assert "KeyError at admin/pairs.py:12" in listed.output
    retried = CliRunner().invoke(app, ["inbox", "--retry"])
    assert "1 set-aside updates will be tried again" in retried.output
    assert "1 updates waiting to be handled, 0 set aside." in CliRunner().invoke(app, ["inbox"]).output


async def test_coordinators_see_whose_message_was_set_aside_in_overdue(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    amal = registered(h, AMAL, "Amal", "ar", "mentee")
    Broken(monkeypatch, AMAL)
    await h.receive(h.message_update(AMAL, "/profile"))
    for attempt in range(1, inbox.MAX_ATTEMPTS):
        await _retry(h, 2**attempt)
    shown = (await h.send(COORDINATOR, "/overdue", language="en"))[-1]
    assert "The bot could not take in a message from her" in shown.text
    assert f"Amal ({amal.short_id})" in shown.text
    assert not [label for label in shown.labels if label.startswith("🔁")], "nothing to remind her of"
    await h.press(COORDINATOR, shown.data("Handled"), shown.message_id)
    await h.send(COORDINATOR, "She sent it again")
    assert "could not take in" not in (await h.send(COORDINATOR, "/overdue"))[-1].text


async def test_an_update_cut_short_by_a_shutdown_is_handled_at_once_after(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    original = TurnMiddleware._ctx
    stopping = [True]

    def ctx(middleware: TurnMiddleware, turn: Any, user: Any) -> Any:
        if stopping and stopping.pop():
            raise asyncio.CancelledError  # the process is being stopped mid-update
        return original(middleware, turn, user)

    monkeypatch.setattr(TurnMiddleware, "_ctx", ctx)
    h.inbox.receive(
        [h.message_update(AMAL, "/start").model_dump(mode="json", exclude_none=True, by_alias=True)]
    )
    with pytest.raises(asyncio.CancelledError):
        await h.inbox.drain()
    [row] = _rows(h)
    assert row.claimed_until is None and row.attempts == 0, "given back, not counted as a failure"
    assert await h.inbox.drain() == 1, "handled straight away, without waiting for a lease to run out"


async def test_a_slow_batch_keeps_the_lease_on_what_it_has_not_handled_yet(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    ticks = iter(range(0, 1000, 4))  # every look at the clock finds four more seconds gone
    monkeypatch.setattr("bot.inbox.time.monotonic", lambda: next(ticks))
    renewed: list[list[int]] = []
    original = inbox.renew

    def spy(session: Any, *, ids: Any, until: datetime) -> None:
        renewed.append(list(ids))
        original(session, ids=ids, until=until)

    monkeypatch.setattr(inbox, "renew", spy)
    updates = [h.message_update(user, "/start") for user in (AMAL, OLENA, 3003)]
    assert await h.receive(*updates) == 3
    assert [len(ids) for ids in renewed] == [3, 2, 1], "before each update, the lease of the rest"
