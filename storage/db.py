"""The database: engine creation, sessions and migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session, SQLModel, create_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def normalise_url(url: str) -> str:
    """Pick the synchronous drivers we ship: sqlite3 and psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres", "postgresql+asyncpg", "postgresql+psycopg2"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername == "sqlite+aiosqlite":
        parsed = parsed.set(drivername="sqlite")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers go on while the bot writes; NORMAL is durable across crashes in WAL mode.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class Turn:
    """One update's transaction: Core statements on `connection`, the ORM `session` on demand.

    Most updates never touch the ORM; those that do get a Session joined to the same
    connection and transaction, flushed before the commit.
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """An ORM session in this turn's transaction."""
        if self._session is None:
            self._session = Session(bind=self.connection, expire_on_commit=False)
        return self._session

    def flush(self) -> None:
        """Write what the ORM holds, before the commit."""
        if self._session is not None:
            self._session.flush()

    def close(self) -> None:
        """Let go of the ORM session."""
        if self._session is not None:
            self._session.close()


class Database:
    """One engine and its sessions.

    Access is synchronous on purpose: a SQLite transaction takes tens of microseconds, far
    less than an asyncio thread hop, and docs/performance.md shows the async drivers cost
    a factor of four to ten in updates per second.
    """

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # hide_parameters: an error's message and the log never carry the values of a statement
        # (her name, phone, answers), only the SQL.
        self.engine: Engine = create_engine(self.url, pool_pre_ping=not self.is_sqlite, hide_parameters=True)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._turn_connection: Connection | None = None

    @property
    def max_connections(self) -> int:
        """How many turns can hold a connection at once: one on SQLite, the pool's size elsewhere."""
        if self.is_sqlite:
            return 1
        pool = self.engine.pool
        return int(pool.size() + getattr(pool, "_max_overflow", 0))  # type: ignore[attr-defined]

    @contextmanager
    def turn(self) -> Iterator[Turn]:
        """A transaction for one update, committed when the block ends without an error.

        On SQLite, which has one writer at a time anyway, every turn uses the same open
        connection: checking one out of the pool per update costs more than the update.
        """
        if self.is_sqlite:
            if self._turn_connection is None or self._turn_connection.closed:
                self._turn_connection = self.engine.connect()
            connection = self._turn_connection
        else:
            connection = self.engine.connect()
        turn = Turn(connection)
        transaction = connection.begin()
        try:
            yield turn
            turn.flush()
            transaction.commit()
        except BaseException:
            transaction.rollback()
            raise
        finally:
            turn.close()
            if not self.is_sqlite:
                connection.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits when the block ends without an error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def create_all(self) -> None:
        """Create the tables straight from the models (tests); production uses upgrade()."""
        SQLModel.metadata.create_all(self.engine)

    def drop_all(self) -> None:
        """Drop every table (tests against a shared PostgreSQL database)."""
        SQLModel.metadata.drop_all(self.engine)

    def upgrade(self) -> None:
        """Apply the Alembic migrations up to the newest."""
        command.upgrade(alembic_config(self.url), "head")

    def dispose(self) -> None:
        """Close every connection."""
        if self._turn_connection is not None:
            self._turn_connection.close()
            self._turn_connection = None
        self.engine.dispose()


def alembic_config(url: str) -> Config:
    """An Alembic configuration that needs no alembic.ini and works from any directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config
