"""APScheduler in the bot process: the sweep runs on an interval against the injected clock."""

from __future__ import annotations

import logging
from collections.abc import Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from conversations.clock import Clock
from conversations.i18n import I18n
from conversations.sweep import sweep
from storage.db import Database

log = logging.getLogger(__name__)


def create_scheduler(
    db: Database, clock: Clock, i18n: I18n, *, every_seconds: float, wake: Callable[[], None]
) -> AsyncIOScheduler:
    """A scheduler whose interval job sweeps what is due and wakes the sender."""
    scheduler = AsyncIOScheduler(timezone="UTC")

    async def job() -> None:
        sweep(db, clock, i18n)
        wake()  # whatever the sweep wrote to the outbox goes out now

    # One run at a time; a run missed while the process slept is simply the next run.
    scheduler.add_job(job, "interval", seconds=every_seconds, id="sweep", max_instances=1, coalesce=True)
    return scheduler
