"""Running the bot: against Telegram (polling or webhook) or, with no token, the sandbox."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramUnauthorizedError
from aiohttp import web
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.app import create_bot, create_dispatcher
from bot.commands import set_command_menus
from bot.inbox import Inbox
from bot.scheduler import create_scheduler
from bot.sender import Sender
from bot.settings import Settings, coordinators_of
from bot.telegram import TelegramTransport
from conversations.clock import Clock, MovableClock, SandboxClock, SystemClock
from conversations.context import Coordinators
from conversations.i18n import I18n
from storage import queries, seals
from storage.crypto import NotesCipher
from storage.db import Database
from storage.models import Platform

if TYPE_CHECKING:
    from bot.sandbox.emulator import Emulator

log = logging.getLogger(__name__)


class StartupError(Exception):
    """Something in the installation is wrong: one line says what, and which setting to change."""


def _first_line(error: BaseException) -> str:
    """The driver's own words, without SQLAlchemy's statement or parameters."""
    cause = getattr(error, "orig", None) or error
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]


@contextlib.asynccontextmanager
async def _port(setting: str, host: str, port: int) -> AsyncIterator[None]:
    """Turn a port that cannot be opened into a StartupError naming its setting."""
    try:
        yield
    except OSError as error:
        raise StartupError(
            f"cannot listen on {host}:{port} ({error.strerror or error}): another program may use it; "
            f"set {setting} to a free port"
        ) from None


def open_database(settings: Settings) -> Database:
    """The database, migrated; a StartupError if it cannot be reached or migrated."""
    db = Database(settings.database_url)
    try:
        db.upgrade()
    except SQLAlchemyError as error:
        db.dispose()
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        raise StartupError(
            f"cannot open the database MENTORBOT_DATABASE_URL={where}: {_first_line(error)}"
        ) from None
    return db


async def check_token(bot: Bot, api_url: str) -> None:
    """Ask Telegram who we are: a rejected token or an unreachable server stops the start, clearly."""
    try:
        await bot.get_me()
    except TelegramUnauthorizedError:
        raise StartupError(
            "Telegram refused MENTORBOT_TOKEN (401 Unauthorized): copy the token from @BotFather again"
        ) from None
    except (TelegramNetworkError, TelegramAPIError) as error:
        raise StartupError(f"cannot reach Telegram at MENTORBOT_API_URL={api_url}: {error}") from None


def check_seals(db: Database, notes: NotesCipher) -> dict[str, int]:
    """Say at start-up, naming the setting, what the configured keys cannot open."""
    with db.session() as session:
        problems = seals.unreadable(session, notes)
    for kind, count in problems.items():
        log.error(
            "%s %s cannot be opened with MENTORBOT_NOTES_KEYS: they were sealed with a key that is not "
            "there. Put the old key back, after the new one, to read them.",
            count,
            kind,
        )
    return problems


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
    db = open_database(settings)
    i18n = I18n(settings.default_language, settings.timezone)
    emulator = None
    if settings.sandbox:
        from bot.sandbox.emulator import Emulator
        from bot.sandbox.web import add_page, add_people

        if not settings.coordinators:
            settings = settings.model_copy(update={"coordinators": frozenset({SANDBOX_COORDINATOR})})
        with db.session() as session:  # a restart on the same database must not reuse update ids
            last_update = queries.last_update_id(session, platform=Platform.TELEGRAM)
        emulator = Emulator(first_update_id=last_update + 1)
        add_page(emulator.app)
        async with _port("MENTORBOT_SANDBOX_PORT", settings.sandbox_host, settings.sandbox_port):
            api_url = await emulator.start(settings.sandbox_host, settings.sandbox_port)
        web_url = api_url
        if (settings.web_host, settings.web_port) != (settings.sandbox_host, settings.sandbox_port):
            async with _port("MENTORBOT_WEB_PORT", settings.web_host, settings.web_port):
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
    if emulator is None:
        try:
            await check_token(bot, api_url)
        except StartupError:
            await bot.session.close()
            db.dispose()
            raise
    notes = settings.notes_cipher(Path("var"))
    check_seals(db, notes)
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
    inbox = Inbox(
        db, dp, bot, clock, i18n, default_language=settings.default_language, wake_sender=sender.wake
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
    tasks = [
        asyncio.create_task(sender.run(), name="sender"),
        asyncio.create_task(inbox.run(), name="inbox"),
    ]
    scheduler.start()
    try:
        await set_command_menus(bot, db, i18n, settings.coordinators)
        if settings.webhook_url:
            await _webhook(inbox, bot, settings)
        else:
            await bot.delete_webhook(drop_pending_updates=False)
            # An update is confirmed (the next offset) only once it is stored in the inbox.
            await inbox.poll(allowed_updates=dp.resolve_used_update_types())
    finally:
        scheduler.shutdown(wait=False)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
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


def webhook_app(inbox: Inbox, secret: str) -> web.Application:
    """The webhook endpoint: checks X-Telegram-Bot-Api-Secret-Token, answers once the update is stored.

    A 200 tells Telegram the update is ours; if it cannot be stored (the database is out) the
    answer is 500 and Telegram delivers it again later.
    """

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=401)
        try:
            update = await request.json()
        except ValueError:
            return web.Response(status=400)
        if not isinstance(update, dict):
            return web.Response(status=400)
        try:
            inbox.receive([update])
        except Exception as error:
            log.warning(
                "webhook update could not be stored (%s); Telegram will deliver it again",
                type(error).__name__,
            )
            return web.Response(status=500)
        return web.Response()

    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, receive)
    return app


async def _webhook(inbox: Inbox, bot: Bot, settings: Settings) -> None:
    """Serve Telegram's webhook until stopped."""
    assert settings.webhook_url and settings.webhook_secret
    secret = settings.webhook_secret.get_secret_value()
    runner = web.AppRunner(webhook_app(inbox, secret))
    await runner.setup()
    async with _port("MENTORBOT_WEBHOOK_PORT", settings.webhook_host, settings.webhook_port):
        await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
    await bot.set_webhook(
        settings.webhook_url.rstrip("/") + WEBHOOK_PATH,
        secret_token=secret,
        allowed_updates=inbox.dp.resolve_used_update_types(),
    )
    log.info("webhook listening on %s:%s", settings.webhook_host, settings.webhook_port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
