"""How long one sweep takes for a network of N pairs in their programme year.

    .venv/bin/python bench/sweep.py --pairs 1000
    .venv/bin/python bench/sweep.py --pairs 1000 --database-url postgresql://postgres@127.0.0.1:5432/mentorbot_bench

N pairs are confirmed on N different days of the past year (so every kind of step is somewhere
in the cohort). Then the clock walks thirty days, one sweep an hour, and the script prints the
time of a quiet sweep (nothing due) and of the sweeps that sent something. The sweep runs once
a minute in production, so a quiet sweep is what the bot pays all year.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from conversations import pairing
from conversations.clock import FakeClock
from conversations.context import Coordinators
from conversations.i18n import I18n
from conversations.sweep import sweep
from storage import pairs
from storage.db import Database
from storage.models import Account, Person

COORDINATORS = Coordinators(frozenset({("telegram", "1")}))
LANGUAGES = ("ar", "fa", "uk", "so", "da", "en", "ru", "tr")


def build(db: Database, count: int, now: datetime) -> None:
    i18n = I18n()
    with db.session() as session:
        for i in range(count):
            confirmed = now - timedelta(days=int(i * 365 / count))
            people = [
                Person(
                    language=LANGUAGES[(i + k) % len(LANGUAGES)],
                    created_at=confirmed,
                    status="ready_to_be_matched",
                    role=("mentee", "mentor")[k],
                    name=f"P{2 * i + k}",
                )
                for k in (0, 1)
            ]
            session.add_all(people)
            session.flush()
            session.add_all(
                Account(person_id=p.id or 0, platform="telegram", address=str(100_000 + 2 * i + k))
                for k, p in enumerate(people)
            )
            session.flush()
            pair_id = pairs.propose(
                session,
                mentee_id=people[0].id or 0,
                mentor_id=people[1].id or 0,
                coordinator=1,
                now=confirmed,
            )
            assert pair_id is not None
            pair = pairs.get(session, pair_id=pair_id)
            pair.meeting_at = pair.meeting_agreed_at = confirmed
            pair.mentee_decision = pair.mentor_decision = True
            pairing.decide(session, pair=pair, i18n=i18n, now=confirmed, notes=None)
            pair.agreement_done_at = confirmed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument(
        "--database-url", default=None, help="an empty database (default: SQLite in a temp folder)"
    )
    args = parser.parse_args()
    now = datetime(2027, 6, 1, 10, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder:
        db = Database(args.database_url or f"sqlite:///{folder}/bench.sqlite3")
        db.upgrade()
        build(db, args.pairs, now)
        clock, i18n = FakeClock(now), I18n()
        sweep(db, clock, i18n, COORDINATORS)  # what was due before the walk starts
        quiet, busy, sent = [], [], 0
        for _ in range(30 * 24):
            clock.advance(hours=1)
            started = time.perf_counter()
            report = sweep(db, clock, i18n, COORDINATORS)
            took = (time.perf_counter() - started) * 1000
            steps = report.year_messages + report.pair_messages
            (busy if steps else quiet).append(took)
            sent += steps
        db.dispose()
    print(f"{args.pairs} pairs in their year, {db.url.split(':')[0]}: 720 hourly sweeps over 30 days")
    print(f"quiet sweep (nothing due): median {statistics.median(quiet):.1f} ms, max {max(quiet):.1f} ms")
    if busy:
        print(
            f"sweeps that acted: {len(busy)}, median {statistics.median(busy):.1f} ms, max {max(busy):.1f} ms"
        )
    print(f"steps taken: {sent}")


if __name__ == "__main__":
    main()
