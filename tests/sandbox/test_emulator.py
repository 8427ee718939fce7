"""Drive the sandbox Bot API emulator with a real aiogram Bot and its control API."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters import CommandStart
from aiogram.methods import SendMessage
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from aiohttp.typedefs import Handler

from bot.sandbox.chat import ChatClient, run_chat
from bot.sandbox.emulator import Emulator

pytestmark = pytest.mark.asyncio

TOKEN = "123456:sandbox"
MENTEE, MENTOR = 1001, 1002


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """Build an inline keyboard from (label, callback_data) rows."""
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d) for t, d in row] for row in rows]
    )


class Control:
    """A tiny client for the emulator's control API."""

    def __init__(self, http: aiohttp.ClientSession) -> None:
        """Wrap a session whose base_url is the emulator."""
        self.http = http

    async def post(self, path: str, body: dict[str, Any], status: int = 200) -> Any:
        """POST JSON and return the JSON answer, checking the status."""
        async with self.http.post(path, json=body) as resp:
            assert resp.status == status, await resp.text()
            return await resp.json()

    async def get(self, path: str, **query: Any) -> Any:
        """GET with a query string and return the JSON answer."""
        async with self.http.get(path, params={k: str(v) for k, v in query.items()}) as resp:
            assert resp.status == 200, await resp.text()
            return await resp.json()


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """Run an emulator on a free port."""
    emu = Emulator(token=TOKEN)
    await emu.start()
    yield emu
    await emu.stop()


@pytest_asyncio.fixture
async def bot(emulator: Emulator) -> AsyncIterator[Bot]:
    """An aiogram Bot pointed at the emulator."""
    assert emulator.base_url
    session = AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url))
    bot = Bot(TOKEN, session=session)
    yield bot
    await bot.session.close()


@pytest_asyncio.fixture
async def control(emulator: Emulator) -> AsyncIterator[Control]:
    """The control API client, with two registered users."""
    async with aiohttp.ClientSession(base_url=emulator.base_url) as http:
        ctl = Control(http)
        await ctl.post("/control/users", {"id": MENTEE, "first_name": "Amal", "language_code": "ar"})
        await ctl.post("/control/users", {"id": MENTOR, "first_name": "Karen", "language_code": "da"})
        yield ctl


async def test_send_message_round_trip(bot: Bot, control: Control) -> None:
    """A message the bot sends shows up in the control API with its keyboard and plain text."""
    me = await bot.get_me()
    assert (me.username, me.is_bot, me.id) == ("mentor_sandbox_bot", True, 123456)

    sent = await bot.send_message(
        MENTEE,
        "<b>Welcome</b>, Amal",
        parse_mode="HTML",
        reply_markup=keyboard([("Yes", "reg:yes"), ("No", "reg:no")]),
    )
    assert sent.chat.id == MENTEE and sent.chat.type == "private" and sent.from_user and sent.from_user.is_bot
    assert sent.text == "Welcome, Amal"

    view = await control.get("/control/messages", user_id=MENTEE, after=0)
    [msg] = view["messages"]
    assert msg["message_id"] == sent.message_id and msg["kind"] == "text" and not msg["edited"]
    assert (msg["text"], msg["raw_text"]) == ("Welcome, Amal", "<b>Welcome</b>, Amal")
    assert [b["callback_data"] for b in msg["reply_markup"]["inline_keyboard"][0]] == ["reg:yes", "reg:no"]
    assert (await control.get("/control/messages", user_id=MENTEE, after=sent.message_id))["messages"] == []
    assert (await control.get("/control/messages", user_id=MENTOR))["messages"] == []

    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(999, "nobody here")
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(MENTEE, "a < b", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="reserved"):
        await bot.send_message(MENTEE, "Done.", parse_mode="MarkdownV2")


@pytest.mark.parametrize(
    ("text", "commands"),
    [
        ("أرسلي \u2066/profile\u2069 لترى بياناتكِ", ["/profile"]),  # between LRI and PDI: still a command
        ("\u200f\u200e/back – السؤال السابق", ["/back"]),  # after RLM and LRM too
        ("أرسلي/profile", []),  # glued to a letter: Telegram finds nothing
        ("and/or /x/y a</b> /ok>", []),
        ("🌱 /help, /start@mentor_sandbox_bot.", ["/help", "/start@mentor_sandbox_bot"]),
    ],
)
async def test_commands_in_the_bots_messages_are_found_as_telegram_finds_them(
    bot: Bot, control: Control, text: str, commands: list[str]
) -> None:
    """Telegram's apps make a /command tappable only where the server found a bot_command entity."""
    sent = await bot.send_message(MENTEE, text)
    assert [entity.extract_from(text) for entity in sent.entities or []] == commands
    [shown] = (await control.get("/control/messages", user_id=MENTEE))["messages"]
    assert [(e["offset"], e["length"]) for e in shown["entities"]] == [
        (e.offset, e.length) for e in sent.entities or []
    ]


async def test_get_updates_offset_and_long_poll(bot: Bot, control: Control) -> None:
    """Offset confirms earlier updates; timeout long-polls until an update arrives."""
    first = await control.post("/control/send", {"user_id": MENTEE, "text": "/start mentee"})
    await control.post("/control/send", {"user_id": MENTEE, "text": "hello"})

    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["/start mentee", "hello"]
    start = updates[0].message
    assert (
        start and start.entities and start.entities[0].type == "bot_command" and start.entities[0].length == 6
    )
    assert start.from_user and start.from_user.language_code == "ar" and start.chat.id == MENTEE
    assert updates[0].update_id == first["update_id"] and start.message_id == first["message_id"]

    assert len(await bot.get_updates()) == 2, "without an offset nothing is confirmed"
    assert [u.update_id for u in await bot.get_updates(offset=updates[1].update_id)] == [updates[1].update_id]

    started = time.monotonic()
    assert await bot.get_updates(offset=updates[1].update_id + 1, timeout=1) == []
    assert time.monotonic() - started >= 0.9

    poll = asyncio.create_task(bot.get_updates(offset=updates[1].update_id + 1, timeout=10))
    await asyncio.sleep(0.2)
    started = time.monotonic()
    sent = await control.post("/control/send", {"user_id": MENTOR, "text": "late"})
    late = await poll
    assert time.monotonic() - started < 2
    assert [u.update_id for u in late] == [sent["update_id"]]
    assert (await control.get("/control/state"))["pending_updates"] == 1


async def test_callback_press_and_answer(bot: Bot, control: Control) -> None:
    """Pressing a button queues a callback_query; forged data is flagged; answers are recorded."""
    sent = await bot.send_message(MENTEE, "Continue?", reply_markup=keyboard([("Go", "go")]))
    press = await control.post(
        "/control/press", {"user_id": MENTEE, "message_id": sent.message_id, "data": "go"}
    )
    assert "forged" not in press
    forged = await control.post(
        "/control/press", {"user_id": MENTEE, "message_id": sent.message_id, "data": "admin:erase"}
    )
    assert forged["forged"] is True

    updates = await bot.get_updates()
    queries = [u.callback_query for u in updates if u.callback_query]
    assert [q.data for q in queries] == ["go", "admin:erase"]
    assert queries[0].id == press["callback_query_id"] and queries[0].from_user.id == MENTEE
    assert queries[0].message and queries[0].message.message_id == sent.message_id

    assert await bot.answer_callback_query(queries[0].id, text="Saved", show_alert=True)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(queries[0].id, text="again")
    answers = (await control.get("/control/messages", user_id=MENTEE))["callback_answers"]
    assert [(a["text"], a["show_alert"], a["message_id"]) for a in answers] == [
        ("Saved", True, sent.message_id)
    ]
    await control.post("/control/press", {"user_id": MENTEE, "message_id": 999, "data": "go"}, status=404)


async def test_edit_message_reply_markup_and_text(bot: Bot, control: Control) -> None:
    """Edits change the stored message; identical edits and unknown messages fail like Telegram."""
    sent = await bot.send_message(MENTEE, "Pick a slot", reply_markup=keyboard([("Mon", "slot:1")]))
    new_markup = keyboard([("Tue", "slot:2")])
    edited = await bot.edit_message_reply_markup(
        chat_id=MENTEE, message_id=sent.message_id, reply_markup=new_markup
    )
    assert isinstance(edited, Message) and edited.edit_date

    [msg] = (await control.get("/control/messages", user_id=MENTEE))["messages"]
    assert msg["edited"] is True and msg["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "slot:2"

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(
            chat_id=MENTEE, message_id=sent.message_id, reply_markup=new_markup
        )
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_reply_markup(
            chat_id=MENTEE, message_id=sent.message_id + 50, reply_markup=new_markup
        )

    await bot.edit_message_text("Booked Tuesday", chat_id=MENTEE, message_id=sent.message_id)
    [msg] = (await control.get("/control/messages", user_id=MENTEE))["messages"]
    assert msg["text"] == "Booked Tuesday" and msg["reply_markup"] is None, (
        "no reply_markup removes the keyboard"
    )


async def test_commands_per_language_and_chat_scope(bot: Bot, control: Control) -> None:
    """Each user sees the command list Telegram would resolve for her chat and language."""
    await control.post("/control/users", {"id": 1003, "first_name": "Eva", "language_code": "uk"})
    assert (await control.get("/control/commands", user_id=1003))["commands"] == []

    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    await bot.set_my_commands([BotCommand(command="start", description="ابدأ")], language_code="ar")
    await bot.set_my_commands(
        [BotCommand(command="overdue", description="Overdue pairs")],
        scope=BotCommandScopeChat(chat_id=MENTOR),
    )

    mentee = await control.get("/control/commands", user_id=MENTEE)
    assert (mentee["commands"], mentee["language_code"]) == (
        [{"command": "start", "description": "ابدأ"}],
        "ar",
    )
    mentor = await control.get("/control/commands", user_id=MENTOR)
    assert mentor["commands"][0]["command"] == "overdue" and mentor["scope"] == f"chat:{MENTOR}"
    other = await control.get("/control/commands", user_id=1003)
    assert other["commands"] == [{"command": "start", "description": "Start"}] and other["scope"] == "default"

    assert [c.description for c in await bot.get_my_commands(language_code="ar")] == ["ابدأ"]
    assert await bot.delete_my_commands(language_code="ar")
    assert (await control.get("/control/commands", user_id=MENTEE))["language_code"] == ""
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="has space", description="x")])


async def test_fault_injection(bot: Bot, control: Control) -> None:
    """Injected faults surface as aiogram's exceptions, then calls succeed again."""
    await control.post(
        "/control/faults", {"method": "sendMessage", "status": 429, "count": 1, "retry_after": 7}
    )
    with pytest.raises(TelegramRetryAfter) as retry:
        await bot.send_message(MENTEE, "hi")
    assert retry.value.retry_after == 7

    await control.post(
        "/control/faults", {"method": "sendMessage", "status": 403, "count": 2, "chat_id": MENTOR}
    )
    await bot.send_message(MENTEE, "not blocked")
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(MENTOR, "hi")

    await control.post("/control/faults", {"method": "sendMessage", "status": 500, "count": 1})
    faults = (await control.get("/control/faults"))["faults"]
    assert [(f["status"], f["count"]) for f in faults] == [(403, 1), (500, 1)]
    with pytest.raises(TelegramServerError, match="Internal Server Error"):
        await bot.send_message(MENTEE, "hi")

    async with control.http.delete("/control/faults") as resp:
        assert resp.status == 200
    assert (await bot.send_message(MENTOR, "unblocked")).text == "unblocked"

    await control.post("/control/faults", {"method": "getMe", "delay": 0.3})
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.25

    log = (await control.get("/control/requests", method="sendMessage"))["requests"]
    assert [entry["status"] for entry in log] == [429, 200, 403, 500, 200]
    assert log[0]["params"]["text"] == "hi" and log[0]["params"]["chat_id"] == MENTEE


async def test_text_length_limits(bot: Bot, control: Control) -> None:
    """Text must be 1..4096 characters after entity parsing."""
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(MENTEE, "x" * 4097)
    assert await bot.send_message(MENTEE, "x" * 4096)
    assert await bot.send_message(MENTEE, "<i>" + "x" * 4096 + "</i>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(MENTEE, "<b></b>", parse_mode="HTML")
    assert len((await control.get("/control/messages", user_id=MENTEE))["messages"]) == 2


async def test_callback_data_longer_than_64_bytes_rejected(bot: Bot, control: Control) -> None:
    """callback_data is limited to 64 bytes, counted in UTF-8."""
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(MENTEE, "too long", reply_markup=keyboard([("X", "é" * 32 + "a")]))
    assert await bot.send_message(MENTEE, "fits", reply_markup=keyboard([("X", "é" * 32)]))
    [msg] = (await control.get("/control/messages", user_id=MENTEE))["messages"]
    assert msg["text"] == "fits"


async def test_protocol_errors(emulator: Emulator, control: Control) -> None:
    """Unknown methods, wrong tokens, missing parameters and unsupported methods answer like Telegram."""
    http = control.http
    async with http.post(f"/bot{TOKEN}/sendTelepathy", data={"chat_id": "1"}) as resp:
        assert resp.status == 404
        assert await resp.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found: method not found",
        }
    async with http.post("/bot999:wrong/getMe") as resp:
        assert (resp.status, (await resp.json())["description"]) == (401, "Unauthorized")
    async with http.post(f"/bot{TOKEN}/sendMessage", json={"text": "hi"}) as resp:
        assert (resp.status, (await resp.json())["description"]) == (
            400,
            'Bad Request: parameter "chat_id" is required',
        )
    async with http.get(
        f"/bot{TOKEN}/sendMessage", params={"chat_id": str(MENTEE), "text": "via GET"}
    ) as resp:
        assert (await resp.json())["result"]["text"] == "via GET"
    async with http.post(f"/bot{TOKEN}/sendInvoice", json={}) as resp:
        body = await resp.json()
        assert resp.status == 400 and "required" in body["description"]
    async with http.post(f"/bot{TOKEN}/getStarTransactions", json={}) as resp:
        assert (await resp.json())["description"] == "Bad Request: method not supported by the sandbox"


async def test_webhook_delivery_with_secret(bot: Bot, control: Control) -> None:
    """Updates are POSTed with the secret header and retried; aiogram's multipart method reply is executed."""
    dp = Dispatcher()
    seen: list[str] = []

    @dp.message()
    async def echo(message: Message) -> SendMessage:
        """Reply through the webhook response instead of a separate request."""
        seen.append(message.text or "")
        return message.answer(f"echo: {message.text}")

    secrets_seen: list[str | None] = []

    @web.middleware
    async def flaky(request: web.Request, handler: Handler) -> web.StreamResponse:
        """Record the secret header and fail the first delivery attempt."""
        secrets_seen.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        if len(secrets_seen) == 1:
            return web.Response(status=502)
        return await handler(request)

    app = web.Application(middlewares=[flaky])
    SimpleRequestHandler(dp, bot, secret_token="s3cret-token", handle_in_background=False).register(
        app, "/hook"
    )
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        port = runner.addresses[0][1]
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret-token")
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates()

        sent = await control.post("/control/send", {"user_id": MENTEE, "text": "hi over webhook"})
        view = await control.post(
            "/control/wait", {"user_id": MENTEE, "after": sent["message_id"], "timeout": 5}
        )
        assert [m["text"] for m in view["messages"]] == ["echo: hi over webhook"]
        assert seen == ["hi over webhook"] and secrets_seen == ["s3cret-token", "s3cret-token"]
        info = await bot.get_webhook_info()
        assert info.url.endswith("/hook") and info.pending_update_count == 0
        assert info.last_error_message and "502" in info.last_error_message

        assert await bot.delete_webhook()
        await control.post("/control/send", {"user_id": MENTEE, "text": "back to polling"})
        assert [u.message.text for u in await bot.get_updates() if u.message] == ["back to polling"]
        assert seen == ["hi over webhook"]
    finally:
        await runner.cleanup()


async def test_send_document_upload_then_download(bot: Bot, control: Control) -> None:
    """Uploaded files are kept and served at /files/{file_id} and through getFile."""
    content = b"%PDF-1.4 mentor agreement"
    sent = await bot.send_document(
        MENTEE,
        BufferedInputFile(content, filename="agreement.pdf"),
        caption="Your <b>agreement</b>",
        parse_mode="HTML",
    )
    assert sent.document and sent.document.file_name == "agreement.pdf" and sent.caption == "Your agreement"

    [msg] = (await control.get("/control/messages", user_id=MENTEE))["messages"]
    assert (msg["kind"], msg["file_name"], msg["text"]) == ("document", "agreement.pdf", "Your agreement")
    async with control.http.get(msg["file_url"]) as resp:
        assert resp.status == 200 and await resp.read() == content
        assert "agreement.pdf" in resp.headers["Content-Disposition"]

    photo = await bot.send_photo(MENTOR, BufferedInputFile(b"\x89PNG fake", filename="map.png"))
    assert photo.photo
    downloaded = await bot.download(photo.photo[-1].file_id)
    assert downloaded is not None and downloaded.read() == b"\x89PNG fake"
    again = await bot.send_document(MENTOR, sent.document.file_id)
    assert again.document and again.document.file_id == sent.document.file_id


async def test_media_and_raw_updates_parse_in_aiogram(bot: Bot, control: Control) -> None:
    """Media payloads validate against aiogram's models; a raw update with a fixed id is delivered twice."""
    for kind in ("voice", "photo", "sticker", "document", "location", "contact"):
        await control.post("/control/send_media", {"user_id": MENTEE, "kind": kind})
    await control.post("/control/send_media", {"user_id": MENTEE, "kind": "hologram"}, status=400)
    updates = await bot.get_updates()
    messages = [u.message for u in updates if u.message]
    assert [m.content_type for m in messages] == [
        "voice",
        "photo",
        "sticker",
        "document",
        "location",
        "contact",
    ]
    assert messages[0].voice and messages[0].voice.duration == 3
    assert messages[5].contact and messages[5].contact.user_id == MENTEE
    assert await bot.download(messages[0].voice.file_id) is not None

    raw = {
        "update_id": 777000,
        "message": {
            "message_id": 50,
            "date": 1700000000,
            "text": "dup",
            "chat": {"id": MENTEE, "type": "private", "first_name": "Amal"},
            "from": {"id": MENTEE, "is_bot": False, "first_name": "Amal"},
        },
    }
    first = await control.post("/control/raw_update", {"update": raw})
    updates = await bot.get_updates(offset=updates[-1].update_id + 1)
    second = await control.post("/control/raw_update", {"update": raw})
    assert first["update_id"] == second["update_id"] == 777000
    updates = await bot.get_updates(offset=updates[-1].update_id + 1)
    assert [u.update_id for u in updates] == [777000]
    assert (await control.post("/control/send", {"user_id": MENTEE, "text": "next"}))["update_id"] == 777001


async def test_dispatcher_conversation_with_wait(bot: Bot, control: Control) -> None:
    """A real aiogram dispatcher polling the emulator; control/wait sees replies, edits and answers."""
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        """Offer a choice."""
        await message.answer(
            "Are you a mentee or a mentor?", reply_markup=keyboard([("Mentee", "role:mentee")])
        )

    @dp.callback_query(F.data.startswith("role:"))
    async def role(query: CallbackQuery) -> None:
        """Record the choice by editing the message."""
        assert isinstance(query.message, Message)
        await query.message.edit_text(f"You chose {query.data}")
        await query.answer("Saved")

    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, polling_timeout=1, close_bot_session=False)
    )
    try:
        timeout = await control.post("/control/wait", {"user_id": MENTOR, "after": 0, "timeout": 0.2})
        assert timeout["timed_out"] is True and timeout["messages"] == []

        sent = await control.post("/control/send", {"user_id": MENTEE, "text": "/start"})
        view = await control.post(
            "/control/wait", {"user_id": MENTEE, "after": sent["message_id"], "timeout": 5}
        )
        [question] = view["messages"]
        assert question["text"] == "Are you a mentee or a mentor?" and not view["timed_out"]

        await control.post(
            "/control/press", {"user_id": MENTEE, "message_id": question["message_id"], "data": "role:mentee"}
        )
        view = await control.post(
            "/control/wait", {"user_id": MENTEE, "after": question["message_id"], "timeout": 5, "settle": 0.3}
        )
        assert [(m["text"], m["edited"]) for m in view["messages"]] == [("You chose role:mentee", True)]
        assert view["timed_out"] is False
        assert [a["text"] for a in view["callback_answers"]] == ["Saved"]
    finally:
        await dp.stop_polling()
        await polling
    allowed = [
        r["params"].get("allowed_updates")
        for r in (await control.get("/control/requests"))["requests"]
        if r["method"] == "getUpdates"
    ]
    assert allowed and set(allowed[0]) == {"message", "callback_query"}


class RecordingScreen:
    """Collects what the chat client would print."""

    def __init__(self) -> None:
        """Start empty."""
        self.lines: list[str] = []
        self.printed = asyncio.Event()

    def say(self, text: str, style: str = "") -> None:
        """Keep one printed block."""
        self.lines.append(text)
        self.printed.set()

    async def until(self, needle: str) -> None:
        """Wait until some printed block contains needle."""
        async with asyncio.timeout(5):
            while not any(needle in line for line in self.lines):
                self.printed.clear()
                await self.printed.wait()


async def test_chat_client_shows_buttons_presses_and_popups(
    emulator: Emulator, bot: Bot, control: Control
) -> None:
    """The terminal client numbers buttons, presses #N on the latest keyboard and shows popups and edits."""
    sent = await bot.send_message(
        MENTEE, "Choose", reply_markup=keyboard([("Mentee", "r:1"), ("Mentor", "r:2")])
    )
    screen = RecordingScreen()
    assert emulator.base_url
    client = ChatClient(control.http, emulator.base_url, MENTEE, screen)
    follower = asyncio.create_task(client.follow())
    try:
        await screen.until("[1] Mentee  [2] Mentor")
        assert await client.handle("#2")
        [update] = await bot.get_updates()
        assert update.callback_query and update.callback_query.data == "r:2"
        await bot.answer_callback_query(update.callback_query.id, text="Noted")
        await bot.edit_message_text("You are a mentor", chat_id=MENTEE, message_id=sent.message_id)
        await screen.until("(popup) Noted")
        await screen.until("bot (edited): You are a mentor")

        assert await client.handle("#9")
        assert "(no button 9)" in screen.lines
        assert await client.handle(":voice") and await client.handle("hello bot")
        assert not await client.handle(":quit")
        updates = await bot.get_updates(offset=update.update_id + 1)
        assert [u.message.content_type for u in updates if u.message] == ["voice", "text"]
    finally:
        follower.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await follower


async def test_run_chat_registers_user_and_sends_lines(
    emulator: Emulator, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """run_chat registers the user with her language and sends typed lines until :quit."""
    lines = iter(["/start", ":quit"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(lines))
    assert emulator.base_url
    await asyncio.wait_for(run_chat(emulator.base_url, 1005, "fa", "Shirin"), 5)
    assert emulator.users[1005].language_code == "fa" and emulator.users[1005].first_name == "Shirin"
    [update] = await bot.get_updates()
    assert update.message and update.message.text == "/start" and update.message.chat.id == 1005


async def test_a_voice_note_reaches_the_coordinators_chat_as_media(
    bot: Bot, control: Control, tmp_path: Any
) -> None:
    """The whole bot against the emulator: a registered mentee's voice note shows in the
    coordinator's chat as a voice message (playable there), after a card saying who wrote."""
    from datetime import UTC, datetime

    from bot.app import create_dispatcher
    from bot.sender import Sender
    from bot.settings import Settings, coordinators_of
    from bot.telegram import TelegramTransport
    from conversations.clock import FakeClock
    from conversations.i18n import I18n
    from storage.crypto import NotesCipher, new_key
    from storage.db import Database
    from tests.conftest import add_person

    coordinator = 7
    await control.post("/control/users", {"id": coordinator, "first_name": "Karen", "language_code": "en"})
    db = Database(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    db.create_all()
    clock = FakeClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    with db.session() as session:
        add_person(session, coordinator, language="en", created_at=clock.now(), name="Karen")
        add_person(
            session,
            MENTEE,
            language="ar",
            created_at=clock.now(),
            consent_at=clock.now(),
            name="Amal",
            role="mentee",
            status="ready_to_be_matched",
        )
        session.commit()
    settings = Settings(_env_file=None, coordinators=frozenset({coordinator}), token=None)  # type: ignore[call-arg]
    i18n, notes = I18n("en", "Europe/Copenhagen"), NotesCipher([new_key()])
    sender = Sender(
        db, TelegramTransport(bot), clock, i18n, coordinators_of(settings), per_second=1000, notes=notes
    )
    dp = create_dispatcher(settings=settings, db=db, i18n=i18n, clock=clock, wake=sender.wake, notes=notes)
    try:
        said = await control.post("/control/send_media", {"user_id": MENTEE, "kind": "voice"})
        for update in await bot.get_updates():
            await dp.feed_update(bot, update)
        await sender.drain()
        view = await control.get("/control/messages", user_id=coordinator, after=0)
        card, voice = view["messages"]
        assert card["kind"] == "text" and "Amal (P-2)" in card["text"]
        assert voice["kind"] == "voice" and voice["file_id"] == said["file_id"] and voice["file_url"]
        assert "Amal (P-2)" in voice["text"]
        buttons = [b["text"] for row in voice["reply_markup"]["inline_keyboard"] for b in row]
        assert buttons == ["↩️ Reply", "👤 Profile", "✔ Mark handled"]
        [ack] = (await control.get("/control/messages", user_id=MENTEE, after=0))["messages"]
        assert ack["kind"] == "text"
    finally:
        db.dispose()
