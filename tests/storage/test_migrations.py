"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from storage.db import Database, normalise_url


def test_upgrade_matches_the_models(database_url: str) -> None:
    db = Database(database_url)
    db.upgrade()
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
        tables = set(inspect(connection).get_table_names())
    db.dispose()
    assert differences == []
    assert {
        "person",
        "conversation",
        "outboxmessage",
        "sweepaction",
        "processedupdate",
        "alembic_version",
    } <= tables


def test_upgrade_twice_is_harmless(database_url: str) -> None:
    db = Database(database_url)
    db.upgrade()
    db.upgrade()
    db.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path / 'wal.sqlite3'}")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    db.dispose()


def test_urls_use_the_shipped_drivers() -> None:
    assert normalise_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalise_url("postgresql+asyncpg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite+aiosqlite:///x.db") == "sqlite:///x.db"
