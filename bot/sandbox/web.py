"""The sandbox's web chat: the page, and the clock, demo network and people list it asks the emulator for.

The page (bot/sandbox/web/) talks only to the emulator's control API. What needs the bot's
database or clock is answered by hooks registered here, so the emulator knows nothing of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

from aiohttp import web

from bot.sandbox.demo import everyone, load_demo, telegram_people
from bot.sandbox.emulator import JSON, ControlError, Emulator
from conversations.clock import MovableClock
from conversations.context import Coordinators
from conversations.i18n import LANGUAGES, RTL_LANGUAGES, I18n
from conversations.sweep import next_due, sweep
from conversations.texts import role_name, status_name
from storage import queries
from storage.db import Database
from storage.models import Platform

TELEGRAM = Platform.TELEGRAM
WEB_ROOT = Path(__file__).with_name("web")
STEPS = {
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "month": timedelta(days=30),
}


def add_page(app: web.Application) -> None:
    """Serve the page at / and its files under /web/ (before the application starts)."""

    async def index(request: web.Request) -> web.FileResponse:
        return web.FileResponse(WEB_ROOT / "index.html")

    app.router.add_get("/", index)
    app.router.add_static("/web/", WEB_ROOT)


def add_people(emulator: Emulator, db: Database, coordinators: frozenset[int], language: str) -> None:
    """Let the emulator know the coordinators and everyone in the database, so their chats can be opened."""
    for telegram_id in sorted(coordinators):
        emulator.ensure_user(telegram_id, first_name="Coordinator", language_code=language)
    for telegram_id, name, person_language in everyone(db):
        if telegram_id not in emulator.users:
            emulator.ensure_user(telegram_id, first_name=name, language_code=person_language)


@dataclass
class SandboxControls:
    """The hooks behind /control/clock, /control/demo and /control/people."""

    emulator: Emulator
    db: Database
    clock: MovableClock
    i18n: I18n
    wake: Callable[[], None]  # the sender's: what the sweep wrote goes out at once
    coordinators: Coordinators

    def attach(self) -> None:
        """Register the hooks with the emulator, and date its chats by the sandbox's clock."""
        self.emulator.hooks |= {"clock": self.clock_hook, "demo": self.demo_hook, "people": self.people_hook}
        self.emulator.now = lambda: self.clock.now().timestamp()

    def _users(self) -> list[int]:
        """The coordinators' Telegram user ids, which the page knows them by."""
        return sorted(
            int(address) for platform, address in self.coordinators.accounts if platform == TELEGRAM
        )

    def _coordinator_id(self) -> int:
        """The person id of the first coordinator, who offers the demo's interview times."""
        address, now = str(self._users()[0]), self.clock.now()
        with self.db.session() as session:
            person = queries.person_by_account(session, platform=TELEGRAM, address=address)
            if person is None:
                person = queries.create_person(
                    session, platform=TELEGRAM, address=address, language="en", now=now
                )
            return person.id or 0

    async def clock_hook(self, body: JSON) -> JSON:
        """GET: the sandbox time. POST {"advance": "hour"|"day"|"week"|"month"|"next"}: move it, then sweep."""
        answer: JSON = {"moved": False, "nothing_due": False}
        step = body.get("advance")
        if step is not None:
            if step == "next":
                due = next_due(self.db, self.clock.now())
                answer["nothing_due"] = due is None
                delta = max(due - self.clock.now(), timedelta()) if due else None
            elif step in STEPS:
                delta = STEPS[step]
            else:
                raise ControlError(400, f"advance takes one of {', '.join([*STEPS, 'next'])}")
            if delta is not None:
                self.clock.advance(delta)
                answer |= {
                    "moved": True,
                    "swept": asdict(sweep(self.db, self.clock, self.i18n, self.coordinators)),
                }
                self.wake()
        now = self.clock.now()
        due = next_due(self.db, now)
        answer |= {"now": now.isoformat(), "timezone": self.i18n.timezone}
        return answer | {"next_due": due.isoformat() if due else None}

    async def demo_hook(self, body: JSON) -> JSON:
        """POST: load the demo network (once) and list its people in the emulator."""
        report = load_demo(
            self.db, now=self.clock.now(), coordinator=self._coordinator_id(), timezone=self.i18n.timezone
        )
        for telegram_id, name, language in report.people:
            self.emulator.ensure_user(telegram_id, first_name=name, language_code=language)
        return asdict(report)

    async def people_hook(self, body: JSON) -> JSON:
        """GET ?lang=xx: everyone in the database with role and status in that language, and the languages."""
        tr = self.i18n.translator(str(body.get("lang", "en")))
        with self.db.session() as session:
            people = telegram_people(session)
            listed = [
                {
                    "telegram_id": telegram_id,
                    "short_id": p.short_id,
                    "name": p.name,
                    "language": p.language,
                    "role": p.role,
                    "status": p.status,
                    "role_name": role_name(tr, p.role) if p.role else None,
                    "status_name": status_name(tr, p.status) if p.status else None,
                }
                for telegram_id, p in people
            ]
        languages = {"languages": LANGUAGES, "rtl": sorted(RTL_LANGUAGES)}
        return {"people": listed, "coordinators": self._users()} | languages
