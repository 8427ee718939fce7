"""Webhook mode: only Telegram (who knows the secret) gets in, and the answer comes once the update is stored."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot.runner import WEBHOOK_PATH, webhook_app
from storage import inbox
from storage.models import InboxUpdate, OutboxMessage, ProcessedUpdate
from tests.conftest import Harness

SECRET = "a-long-random-secret"


async def test_the_secret_is_checked_and_the_update_is_stored_before_the_answer(harness: Harness) -> None:
    update = harness.message_update(6001, "/start").model_dump(mode="json", exclude_none=True, by_alias=True)
    async with TestClient(TestServer(webhook_app(harness.inbox, SECRET))) as client:
        refused = await client.post(
            WEBHOOK_PATH, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}
        )
        assert refused.status == 401
        with harness.db.session() as session:
            assert session.exec(select(InboxUpdate)).all() == []

        accepted = await client.post(
            WEBHOOK_PATH, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        assert accepted.status == 200
        # By the time Telegram has its answer, the update is committed to the inbox.
        with harness.db.session() as session:
            assert [u.update_id for u in session.exec(select(InboxUpdate))] == [update["update_id"]]
        assert await harness.inbox.drain() == 1
        with harness.db.session() as session:
            assert [u.update_id for u in session.exec(select(ProcessedUpdate))] == [update["update_id"]]
            assert len(session.exec(select(OutboxMessage)).all()) == 2

        again = await client.post(
            WEBHOOK_PATH, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        assert again.status == 200
        await harness.inbox.drain()
        with harness.db.session() as session:
            assert len(session.exec(select(OutboxMessage)).all()) == 2, "a repeated update changes nothing"


async def test_an_update_that_cannot_be_stored_is_refused_so_telegram_delivers_it_again(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(*args: object, **kwargs: object) -> None:
        raise OperationalError("INSERT INTO inboxupdate", {}, Exception("database is locked"))

    update = harness.message_update(6002, "/start").model_dump(mode="json", exclude_none=True, by_alias=True)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with TestClient(TestServer(webhook_app(harness.inbox, SECRET))) as client:
        with monkeypatch.context() as patch:
            patch.setattr(inbox, "store", locked)
            assert (await client.post(WEBHOOK_PATH, json=update, headers=headers)).status == 500
        assert (await client.post(WEBHOOK_PATH, data=b"not json", headers=headers)).status == 400
        assert (await client.post(WEBHOOK_PATH, json=update, headers=headers)).status == 200
    assert await harness.inbox.drain() == 1


async def test_concurrent_updates_each_get_their_own_turn(harness: Harness) -> None:
    import asyncio

    h = harness

    async def waits_for_the_network(handler, event, data):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0)  # as a filter asking Telegram's getMe would, inside the turn
        return await handler(event, data)

    h.dp.message.outer_middleware(waits_for_the_network)
    updates = [h.message_update(6100 + i, "/start") for i in range(20)]
    await asyncio.gather(*(h.dp.feed_update(h.bot, u) for u in updates))
    with h.db.session() as session:
        assert len(session.exec(select(ProcessedUpdate)).all()) == 20
        assert len(session.exec(select(OutboxMessage)).all()) == 40
