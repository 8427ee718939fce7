"""How long /find takes among N registered people.

    .venv/bin/python bench/find.py --people 100000
    .venv/bin/python bench/find.py --people 100000 --database-url postgresql://postgres@127.0.0.1:5432/mentorbot_bench

N people with names in several scripts, phone numbers and e-mails are stored (their search keys
as the models would write them); then each kind of search a coordinator types is run twenty
times and the median printed: a rare name, a common one (more than ten found, so it is counted
too), a piece of a phone number, an e-mail, and a name nobody has.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime

from sqlalchemy import insert

from storage import people
from storage.db import Database
from storage.models import Person
from storage.search import normalise, search_key

FIRST = (
    "Amal",
    "Åse",
    "Şule",
    "Maryam",
    "Olena",
    "Fatima",
    "Hodan",
    "Karen",
    "أمل",
    "مریم",
    "Олена",
    "Zeynep",
)
LAST = ("Hassan", "Nielsen", "Yılmaz", "Ahmadi", "Kovalenko", "Jensen", "Warsame", "حسن", "احمدی", "Шевченко")
SEARCHES = {
    "a rare name": "hodan ahmadi 4242",
    "a common name (counted)": "amal",
    "part of a phone number": "20004242",
    "an e-mail": "person4242@",
    "nobody": "zainab",
}


def build(db: Database, count: int) -> None:
    now = datetime(2026, 1, 5, tzinfo=UTC)
    rows = []
    for i in range(count):
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {i}"
        phone, email = f"+4520{i:06d}", f"person{i}@example.dk"
        rows.append(
            {
                "language": "da",
                "created_at": now,
                "reachable": True,
                "status": "registered",
                "name": name,
                "phone": phone,
                "email": email,
                "share_channels": [],
                "languages": [],
                "goals": [],
                "offers": [],
                "search": search_key(name, phone, email),
            }
        )
    with db.session() as session:
        for start in range(0, count, 5000):
            session.execute(insert(Person), rows[start : start + 5000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Database(args.database_url or f"sqlite:///{folder}/find.sqlite3")
        db.upgrade()
        started = time.perf_counter()
        build(db, args.people)
        print(f"{args.people} people stored in {time.perf_counter() - started:.1f} s")
        for label, text in SEARCHES.items():
            times, found = [], 0
            for _ in range(20):
                with db.session() as session:
                    started = time.perf_counter()
                    _, found = people.find(session, words=normalise(text).split(), limit=10)
                    times.append(time.perf_counter() - started)
            print(f"{label:28} {found:6} found   median {statistics.median(times) * 1000:7.1f} ms")
        db.dispose()


if __name__ == "__main__":
    main()
