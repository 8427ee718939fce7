"""What she writes never reaches the log, and a character the database refuses never blocks her.

Run on SQLite and, with MENTORBOT_TEST_DATABASE_URL, on PostgreSQL (which refuses NUL in text).
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from storage import inbox
from storage.models import Conversation, InboxUpdate
from tests.bot.test_registration import choose
from tests.conftest import Harness

AMAL = 4001
NAME = "Amal Nulname"

FAIL_EVERY_SAVE = {
    "sqlite": [
        "CREATE TRIGGER fail_every_save BEFORE UPDATE ON conversation "
        "BEGIN SELECT RAISE(ABORT, 'the disk is on fire'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION fail_every_save() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'the disk is on fire'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER fail_every_save BEFORE UPDATE ON conversation "
        "FOR EACH ROW EXECUTE FUNCTION fail_every_save()",
    ],
}


async def _to_the_name_question(h: Harness) -> None:
    h.user(AMAL, "ar")
    await h.receive(h.message_update(AMAL, "/start"))
    await h.press(AMAL, "cs:y", h.last_with_buttons(AMAL).message_id)
    await choose(h, AMAL, "p0")  # mentee


async def test_a_nul_character_is_dropped_and_her_answer_saved(harness: Harness) -> None:
    h = harness
    await _to_the_name_question(h)
    assert await h.receive(h.message_update(AMAL, "Amal\x00 Nulname")) == 1
    with h.db.session() as session:
        [conversation] = session.exec(select(Conversation)).all()
    assert NAME in str(conversation.answers) and "\x00" not in str(conversation.answers)


async def test_a_database_error_mid_registration_logs_none_of_her_answers(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    caplog.set_level(logging.DEBUG)  # everything, SQLAlchemy's statements included
    await _to_the_name_question(h)
    await h.receive(h.message_update(AMAL, NAME))
    with h.db.engine.begin() as connection:
        for statement in FAIL_EVERY_SAVE[h.db.engine.dialect.name]:
            connection.execute(text(statement))
    # Her year of birth: the save that fails would carry every answer so far, her name included.
    await h.receive(h.message_update(AMAL, "1985"))
    for attempt in range(1, inbox.MAX_ATTEMPTS):
        h.clock.advance(timedelta(seconds=2**attempt))
        await h.inbox.drain()
    with h.db.session() as session:
        [row] = session.exec(select(InboxUpdate)).all()
    assert row.set_aside_at is not None, "the failure really happened, again and again"
    logged = "\n".join(
        record.getMessage()
        + "\n"
        + (logging.Formatter().formatException(record.exc_info) if record.exc_info else "")
        for record in caplog.records
    )
    assert "update" in logged and "set aside" in logged
    for secret in (NAME, "Nulname"):
        assert secret not in logged
