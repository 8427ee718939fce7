"""Running the bot: against Telegram (polling or webhook) or, with no token, the sandbox."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.app import create_bot, create_dispatcher
from bot.commands import set_command_menus
from bot.scheduler import create_scheduler
from bot.sender import Sender
from bot.settings import Settings, coordinators_of
from bot.telegram import TelegramTransport
from conversations.clock import Clock, MovableClock, SandboxClock, SystemClock
from conversations.context import Coordinators
from conversations.i18n import I18n
from storage.db import Database

if TYPE_CHECKING:
    from bot.sandbox.emulator import Emulator

log = logging.getLogger(__name__)
SANDBOX_COORDINATOR = 1  # the sandbox's coordinator: `mentorbot chat --user 1`
WEBHOOK_PATH = "/telegram"


def _command() -> str:
    """How to call this program again from a shell, e.g. .venv/bin/mentorbot."""
    invoked = sys.argv[0] if sys.argv else ""
    return invoked if invoked.endswith("mentorbot") else f"{sys.executable} -m bot"


async def serve(settings: Settings, clock: Clock | None = None, *, demo: bool = False) -> None:
    """Build everything from settings and run until stopped; demo loads the sandbox's demo network."""
    # The sandbox's clock is moved from its web page; the dispatcher, sender and sweep all share it.
    clock = clock or (SandboxClock() if settings.sandbox else SystemClock())
    db = Database(settings.database_url)
    db.upgrade()
    i18n = I18n(settings.default_language, settings.timezone)
    emulator = None
    if settings.sandbox:
        from bot.sandbox.emulator import Emulator
        from bot.sandbox.web import add_page, add_people

        if not settings.coordinators:
            settings = settings.model_copy(update={"coordinators": frozenset({SANDBOX_COORDINATOR})})
        emulator = Emulator()
        add_page(emulator.app)
        api_url = await emulator.start(settings.sandbox_host, settings.sandbox_port)
        web_url = api_url
        if (settings.web_host, settings.web_port) != (settings.sandbox_host, settings.sandbox_port):
            web_url = await emulator.also_serve(settings.web_host, settings.web_port)
        token = emulator.token
        # Known before the command menus are set, so the coordinator gets hers.
        add_people(emulator, db, settings.coordinators, settings.default_language)
        print(
            f"Sandbox: no MENTORBOT_TOKEN, so the bot talks to the built-in Telegram emulator at {api_url}\n"
            f"Try it in your browser:  {web_url}/\n"
            f"Or chat with it from another terminal:  {_command()} chat --user 1001 --lang ar --url {api_url}\n"
            f"The sandbox coordinator is user {', '.join(map(str, sorted(settings.coordinators)))}.",
            flush=True,
        )
    else:
        assert settings.token is not None
        token, api_url = settings.token.get_secret_value(), settings.api_url
    bot = create_bot(token, api_url)
    notes = settings.notes_cipher(Path("var"))
    coordinators = coordinators_of(settings)
    sender = Sender(
        db,
        TelegramTransport(bot),
        clock,
        i18n,
        coordinators,
        per_second=settings.send_per_second,
        per_chat_per_second=settings.send_per_chat_per_second,
        per_chat_burst=settings.send_per_chat_burst,
        in_flight=settings.send_in_flight,
        notes=notes,
    )
    dp = create_dispatcher(
        settings=settings,
        db=db,
        i18n=i18n,
        clock=clock,
        wake=sender.wake,
        notes=notes,
    )
    if emulator is not None:
        await _sandbox_controls(emulator, db, clock, i18n, sender.wake, coordinators, demo=demo)
    scheduler = create_scheduler(
        db,
        clock,
        i18n,
        every_seconds=settings.sweep_seconds,
        wake=sender.wake,
        coordinators=coordinators,
    )
    sender_task = asyncio.create_task(sender.run(), name="sender")
    scheduler.start()
    try:
        await set_command_menus(bot, db, i18n, settings.coordinators)
        if settings.webhook_url:
            await _webhook(dp, bot, settings)
        else:
            await bot.delete_webhook(drop_pending_updates=False)
            # handle_as_tasks=False: the offset moves past an update only after it was handled.
            await dp.start_polling(bot, handle_as_tasks=False, polling_timeout=25, close_bot_session=False)
    finally:
        scheduler.shutdown(wait=False)
        sender_task.cancel()
        with suppress(asyncio.CancelledError):
            await sender_task
        await bot.session.close()
        if emulator is not None:
            await emulator.stop()
        db.dispose()


async def _sandbox_controls(
    emulator: Emulator,
    db: Database,
    clock: Clock,
    i18n: I18n,
    wake: Callable[[], None],
    coordinators: Coordinators,
    *,
    demo: bool,
) -> None:
    """Let the web page move the clock, load the demo network and list people."""
    from bot.sandbox.web import SandboxControls

    if not isinstance(clock, MovableClock):
        raise TypeError("the sandbox needs a clock it can move (SandboxClock)")
    controls = SandboxControls(emulator, db, clock, i18n, wake, coordinators)
    controls.attach()
    if demo:
        report = await controls.demo_hook({})
        added = f"{report['people_added']} people and {report['slots_added']} interview times added"
        print(f"Demo network: {added}.", flush=True)


def webhook_app(dp: Dispatcher, bot: Bot, secret: str) -> web.Application:
    """The webhook endpoint: checks X-Telegram-Bot-Api-Secret-Token, answers after handling."""
    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=secret, handle_in_background=False).register(
        app, path=WEBHOOK_PATH
    )
    return app


async def _webhook(dp: Dispatcher, bot: Bot, settings: Settings) -> None:
    """Serve Telegram's webhook until stopped."""
    assert settings.webhook_url and settings.webhook_secret
    secret = settings.webhook_secret.get_secret_value()
    runner = web.AppRunner(webhook_app(dp, bot, secret))
    await runner.setup()
    await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
    await bot.set_webhook(settings.webhook_url.rstrip("/") + WEBHOOK_PATH, secret_token=secret)
    log.info("webhook listening on %s:%s", settings.webhook_host, settings.webhook_port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
