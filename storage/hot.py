"""The statements every update runs, executed on the database driver itself.

SQLAlchemy spends 20-60 µs preparing each execution, more than SQLite spends running it;
on the path of every update that is most of the cost (docs/performance.md). These
statements therefore go straight to the driver's connection, inside the same transaction,
with values converted by SQLAlchemy's own processors so that what is written here reads
back identically through the ORM. Everything else uses SQLAlchemy as usual.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime
from sqlalchemy.dialects import sqlite

_SQLITE = sqlite.dialect()
_sqlite_datetime_in = DateTime().dialect_impl(_SQLITE).bind_processor(_SQLITE)
_sqlite_datetime_out = DateTime().dialect_impl(_SQLITE).result_processor(_SQLITE, None)


def _datetime_in(dialect: str) -> Callable[[datetime | None], Any]:
    if dialect != "sqlite":
        return lambda value: value
    assert _sqlite_datetime_in is not None
    convert = _sqlite_datetime_in
    return lambda value: None if value is None else convert(value.astimezone(UTC).replace(tzinfo=None))


def _datetime_out(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        assert _sqlite_datetime_out is not None
        value = _sqlite_datetime_out(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _json_in(dialect: str) -> Callable[[Any], Any]:
    if dialect == "sqlite":
        return json.dumps
    from psycopg.types.json import Json

    return Json


def _json_out(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


SQL = {
    "first_time": "INSERT INTO processedupdate (platform, update_id, processed_at) "
    "VALUES (:platform, :update_id, :at) ON CONFLICT DO NOTHING RETURNING 1",
    "person_key": "SELECT person.id, account.platform, account.address, language, reachable, last_seen_at "
    "FROM account JOIN person ON person.id = account.person_id "
    "WHERE account.platform = :platform AND account.address = :address",
    "seen": "UPDATE person SET last_seen_at = :at WHERE id = :id",
    "open_conversation": "SELECT id, person_id, flow, step, rev, answers, context, started_at, updated_at, "
    "completed_at FROM conversation WHERE person_id = :person_id AND completed_at IS NULL ORDER BY id DESC LIMIT 1",
    "save_conversation": "UPDATE conversation SET step = :step, rev = :rev, answers = :answers, context = :context, "
    "updated_at = :updated_at, completed_at = :completed_at WHERE id = :id",
    "enqueue": "INSERT INTO outboxmessage (platform, address, kind, payload, created_at, not_before, attempts, "
    "message_ids) VALUES (:platform, :address, :kind, :payload, :at, :at, 0, '[]')",
    # To a person, not an address: her first account is the one written to.
    "enqueue_to": "INSERT INTO outboxmessage (platform, address, kind, payload, created_at, not_before, "
    "attempts, message_ids) SELECT platform, address, :kind, :payload, :at, :at, 0, '[]' FROM account "
    "WHERE person_id = :person_id ORDER BY id LIMIT 1 RETURNING id",
}
# psycopg's placeholders are %(name)s; sqlite3 reads :name as it is.
_PSYCOPG_SQL = {key: re.sub(r":(\w+)", r"%(\1)s", sql) for key, sql in SQL.items()}


class Hot:
    """The hot statements on one connection's driver."""

    def __init__(self, connection: Connection) -> None:
        self.dialect = connection.dialect.name
        self.driver = connection.connection.driver_connection
        self.sql = SQL if self.dialect == "sqlite" else _PSYCOPG_SQL
        self.when = _datetime_in(self.dialect)
        self.json = _json_in(self.dialect)

    def _run(self, key: str, params: dict[str, Any]) -> Any:
        return self.driver.execute(self.sql[key], params)  # type: ignore[union-attr]

    def first_time(self, platform: str, update_id: int, at: datetime) -> bool:
        """Insert the platform's update id; False when it was there already."""
        params = {"platform": platform, "update_id": update_id, "at": self.when(at)}
        return self._run("first_time", params).fetchone() is not None

    def person_key(
        self, platform: str, address: str
    ) -> tuple[int, str, str, str, bool, datetime | None] | None:
        """(id, platform, address, language, reachable, last_seen_at) of the person behind an account."""
        row = self._run("person_key", {"platform": platform, "address": address}).fetchone()
        return (row[0], row[1], row[2], row[3], bool(row[4]), _datetime_out(row[5])) if row else None

    def seen(self, person_id: int, at: datetime) -> None:
        """Remember when she last wrote."""
        self._run("seen", {"id": person_id, "at": self.when(at)})

    def open_conversation(self, person_id: int) -> dict[str, Any] | None:
        """Her unfinished conversation, as a dict of columns."""
        row = self._run("open_conversation", {"person_id": person_id}).fetchone()
        if row is None:
            return None
        keys = (
            "id",
            "person_id",
            "flow",
            "step",
            "rev",
            "answers",
            "context",
            "started_at",
            "updated_at",
            "completed_at",
        )
        values = dict(zip(keys, row, strict=True))
        values["answers"], values["context"] = _json_out(values["answers"]), _json_out(values["context"])
        for key in ("started_at", "updated_at", "completed_at"):
            values[key] = _datetime_out(values[key])
        return values

    def save_conversation(self, values: dict[str, Any]) -> None:
        """Store a conversation's step, answers and times."""
        params = dict(values)
        params["answers"], params["context"] = self.json(params["answers"]), self.json(params["context"])
        params["updated_at"], params["completed_at"] = (
            self.when(params["updated_at"]),
            self.when(params["completed_at"]),
        )
        self._run("save_conversation", params)

    def enqueue(self, platform: str, address: str, kind: str, payload: dict[str, Any], at: datetime) -> None:
        """Add a message to one account to the outbox."""
        params = {"kind": kind, "payload": self.json(payload), "at": self.when(at)}
        self._run("enqueue", {"platform": platform, "address": address, **params})

    def enqueue_to(self, person_id: int, kind: str, payload: dict[str, Any], at: datetime) -> int | None:
        """Add a message to a person, at her account, to the outbox; its id (None: she has no account)."""
        params = {"kind": kind, "payload": self.json(payload), "at": self.when(at)}
        rows = self._run("enqueue_to", {"person_id": person_id, **params}).fetchall()
        return int(rows[0][0]) if rows else None
