"""The control API the web page uses: changes, what she said, and the clock, demo and people hooks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlmodel import select

from bot.sandbox.emulator import Emulator
from bot.sandbox.web import SandboxControls, add_page, add_people
from conversations.clock import FakeClock
from conversations.context import Coordinators
from conversations.i18n import I18n
from conversations.registration import FLOW
from storage import queries
from storage.db import Database
from storage.models import OutboxMessage

TOKEN = "123456:sandbox"
MENTEE, COORDINATOR = 1001, 1


class Woken:
    """Counts the sender's wake-ups."""

    def __init__(self) -> None:
        self.times = 0

    def __call__(self) -> None:
        self.times += 1


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[Emulator]:
    emu = Emulator(token=TOKEN)
    add_page(emu.app)
    await emu.start()
    yield emu
    await emu.stop()


@pytest_asyncio.fixture
async def http(emulator: Emulator) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=emulator.base_url) as session:
        yield session


async def _json(response: aiohttp.ClientResponse, status: int = 200) -> Any:
    assert response.status == status, await response.text()
    return await response.json()


async def post(http: aiohttp.ClientSession, path: str, body: dict[str, Any], status: int = 200) -> Any:
    async with http.post(path, json=body) as response:
        return await _json(response, status)


async def get(http: aiohttp.ClientSession, path: str, status: int = 200) -> Any:
    async with http.get(path) as response:
        return await _json(response, status)


async def test_the_page_is_served_on_a_second_address(emulator: Emulator) -> None:
    web_url = await emulator.also_serve("127.0.0.1", 0)
    assert web_url != emulator.base_url
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{web_url}/") as response:
            assert response.status == 200 and "<title>Mentor Network sandbox</title>" in await response.text()
        async with http.get(f"{web_url}/web/app.js") as response:
            assert response.status == 200 and "/control/changes" in await response.text()
        async with http.get(f"{web_url}/control/state") as response:
            assert response.status == 200  # the same control API, so the page needs no other origin


async def test_changes_tell_which_chats_moved_and_the_view_has_what_she_said(
    emulator: Emulator, http: aiohttp.ClientSession
) -> None:
    await post(http, "/control/users", {"id": MENTEE, "first_name": "Amal", "language_code": "ar"})
    quiet = await get(http, "/control/changes?since=0&timeout=0")
    assert (quiet["users"], quiet["people"]) == ([], 1)

    emulator.now = lambda: 1_800_000_000.0  # the sandbox dates chats by its own clock
    await post(http, "/control/send", {"user_id": MENTEE, "text": "/start"})
    changes = await get(http, f"/control/changes?since={quiet['seq']}&timeout=5")
    assert changes["users"] == [MENTEE] and changes["seq"] > quiet["seq"]

    session = AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url))
    async with Bot(TOKEN, session=session) as bot:
        await bot.send_message(MENTEE, "مرحبًا")
    view = await get(http, f"/control/messages?user_id={MENTEE}&after=0")
    assert [(m["message_id"], m["text"]) for m in view["user_messages"]] == [(1, "/start")]
    assert [(m["message_id"], m["text"], m["date"]) for m in view["messages"]] == [
        (2, "مرحبًا", 1_800_000_000)
    ]
    assert view["user_messages"][0]["date"] == 1_800_000_000


async def test_hooks_need_the_bot(http: aiohttp.ClientSession) -> None:
    for path in ("/control/clock", "/control/people"):
        answer = await get(http, path, status=501)
        assert "mentorbot run" in answer["error"]
    await post(http, "/control/demo", {}, status=501)


@pytest.fixture
def controls(emulator: Emulator, db: Database, clock: FakeClock, i18n: I18n) -> SandboxControls:
    controls = SandboxControls(
        emulator, db, clock, i18n, Woken(), Coordinators(frozenset({("telegram", str(COORDINATOR))}))
    )
    controls.attach()
    return controls


async def test_moving_the_clock_sweeps_at_once_and_wakes_the_sender(
    controls: SandboxControls, http: aiohttp.ClientSession, db: Database, clock: FakeClock
) -> None:
    start = clock.now()
    shown = await get(http, "/control/clock")
    assert shown["now"] == start.isoformat() and shown["next_due"] is None
    assert shown["timezone"] == "Europe/Copenhagen"

    nothing = await post(http, "/control/clock", {"advance": "next"})
    assert (nothing["nothing_due"], nothing["moved"], clock.now()) == (True, False, start)

    with db.session() as session:  # a registration left after its first question
        person = queries.create_person(
            session, platform="telegram", address=str(MENTEE), language="ar", now=start
        )
        assert person.id is not None
        queries.start_conversation(
            session,
            person_id=person.id,
            flow=FLOW.name,
            step=FLOW.steps[0].field,
            answers={},
            context={},
            now=start,
        )
    hour = await post(http, "/control/clock", {"advance": "hour"})
    assert clock.now() == start + timedelta(hours=1) and hour["swept"]["nudges"] == 0
    assert hour["next_due"] == (start + timedelta(days=1)).isoformat()

    due = await post(http, "/control/clock", {"advance": "next"})
    assert clock.now() == start + timedelta(days=1) and due["moved"] and not due["nothing_due"]
    assert due["swept"]["nudges"] == 1
    assert isinstance(controls.wake, Woken) and controls.wake.times == 2  # the hour and the day
    with db.session() as session:
        assert [m.address for m in session.exec(select(OutboxMessage))] == [str(MENTEE)] * 2

    await post(http, "/control/clock", {"advance": "month"})
    assert clock.now() == start + timedelta(days=31)
    await post(http, "/control/clock", {"advance": "a year"}, status=400)


async def test_the_demo_network_joins_the_people_list(
    controls: SandboxControls, emulator: Emulator, http: aiohttp.ClientSession, db: Database
) -> None:
    add_people(emulator, db, frozenset({COORDINATOR}), "da")
    assert emulator.users[COORDINATOR].first_name == "Coordinator"
    report = await post(http, "/control/demo", {})
    assert (report["people_added"], report["slots_added"]) == (20, 8)
    again = await post(http, "/control/demo", {})
    assert (again["people_added"], again["slots_added"]) == (0, 0)
    users = (await get(http, "/control/users"))["users"]
    assert (
        len(users) == 21
        and {"id": 2011, "first_name": "Amal Haddad", "language_code": "ar"}.items()
        <= next(u for u in users if u["id"] == 2011).items()
    )

    people = await get(http, "/control/people?lang=da")
    amal = next(p for p in people["people"] if p["telegram_id"] == 2011)
    assert (amal["role_name"], amal["status_name"]) == ("mentee", "klar til at blive matchet")
    assert people["coordinators"] == [COORDINATOR] and people["rtl"] == ["ar", "fa"]
    assert people["languages"]["so"] == "Soomaali"
