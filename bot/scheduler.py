"""APScheduler in the bot process: the sweep runs on an interval against the injected clock."""

from __future__ import annotations

import logging
from collections.abc import Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from conversations.announcements import deliver
from conversations.clock import Clock
from conversations.context import Coordinators
from conversations.i18n import I18n
from conversations.sweep import digests, sweep
from conversations.timeline import DIGEST_HOUR
from storage.db import Database

log = logging.getLogger(__name__)
ANNOUNCE_SECONDS = 1.0


def create_scheduler(
    db: Database,
    clock: Clock,
    i18n: I18n,
    *,
    every_seconds: float,
    wake: Callable[[], None],
    coordinators: Coordinators = Coordinators(),
) -> AsyncIOScheduler:
    """A scheduler that sweeps what is due on an interval, and sends the digests at 09:00 sharp."""
    scheduler = AsyncIOScheduler(timezone="UTC")

    async def job() -> None:
        sweep(db, clock, i18n, coordinators)
        wake()  # whatever the sweep wrote to the outbox goes out now

    async def morning() -> None:
        digests(db, clock.now(), i18n, coordinators)
        wake()

    async def announcements() -> None:
        deliver(db, clock, i18n)
        wake()  # the chunk enqueued, or the progress shown

    # Announcements under way go on every second, a chunk at a time (conversations.announcements).
    scheduler.add_job(
        announcements,
        "interval",
        seconds=ANNOUNCE_SECONDS,
        id="announcements",
        max_instances=1,
        coalesce=True,
    )
    # One run at a time; a run missed while the process slept is simply the next run.
    scheduler.add_job(job, "interval", seconds=every_seconds, id="sweep", max_instances=1, coalesce=True)
    # The sweep also sends a digest missed at 09:00 (downtime); each is claimed once a day.
    scheduler.add_job(
        morning, "cron", hour=DIGEST_HOUR, minute=0, timezone=i18n.timezone, id="digest", coalesce=True
    )
    return scheduler
