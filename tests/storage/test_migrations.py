"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel, select

from storage import queries
from storage.db import Database, alembic_config, normalise_url
from storage.models import Account, InterviewSlot, OutboxMessage, Pair, ProcessedUpdate, SweepAction


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


def test_0004_moves_stored_names_to_the_stable_step_names(database_url: str) -> None:
    from alembic import command
    from sqlalchemy import text

    from storage.db import alembic_config

    config = alembic_config(database_url)
    command.upgrade(config, "0003")
    db = Database(database_url)
    at = "'2026-01-05 10:00:00+00:00'"
    with db.engine.begin() as connection:
        for statement in (
            f"INSERT INTO person (id, telegram_id, language, created_at, reachable, share_channels, languages,"
            f" goals, offers) VALUES (1, 11, 'da', {at}, true, '[]', '[]', '[]', '[]'),"
            f" (2, 12, 'ar', {at}, true, '[]', '[]', '[]', '[]')",
            f"INSERT INTO pair (id, mentee_id, mentor_id, coordinator, status, proposed_at, meeting_rev, agreement,"
            f" agreement_confirmed, end_reasons, confirmed_at, next_checkup_at)"
            f" VALUES (5, 1, 2, 99, 'confirmed', {at}, 0, '{{}}', '[]', '[]', {at}, {at})",
            f"INSERT INTO survey (id, pair_id, person_id, kind, sent_at) VALUES (7, 5, 1, 'followup_3', {at}),"
            f" (8, 5, 2, 'followup_9', {at}), (9, 5, 1, 'evaluation', {at})",
            f"INSERT INTO sweepaction (subject, kind, seq, done_at) VALUES ('pair:5', 'followup_3', 1, {at}),"
            f" ('pair:5', 'followup_9', 2, {at}), ('pair:5', 'decision', 11, {at})",
            f"INSERT INTO handled (item, due_at, by, at) VALUES ('fu:8', {at}, 99, {at}), ('bk:1', {at}, 99, {at}),"
            f" ('no_date:5', {at}, 99, {at}), ('ev:5', {at}, 99, {at}), ('ur:2', {at}, 99, {at})",
        ):
            connection.execute(text(statement))
    command.upgrade(config, "0004")
    with db.engine.connect() as connection:
        kinds = connection.execute(text("SELECT id, kind FROM survey ORDER BY id")).all()
        claims = connection.execute(text("SELECT kind, seq FROM sweepaction ORDER BY seq")).all()
        handled = {row[0] for row in connection.execute(text("SELECT item FROM handled"))}
        columns = {c["name"] for c in inspect(connection).get_columns("pair")}
        kept = connection.execute(
            text("SELECT confirmed_at IS NOT NULL, status FROM pair WHERE id = 5")
        ).one()
    assert kinds == [(7, "first_followup"), (8, "second_followup"), (9, "evaluation")]
    assert claims == [("first_followup", 1), ("second_followup", 2), ("decision", 11)]
    assert handled == {
        "second_followup:8",
        "booking_reminder:1",
        "meeting_date_reminder:5",
        "evaluation:5",
        "unreachable:2",
    }
    assert "next_checkup_at" not in columns and tuple(kept) == (True, "confirmed")
    command.downgrade(config, "0003")
    with db.engine.connect() as connection:
        handled = {row[0] for row in connection.execute(text("SELECT item FROM handled"))}
        kinds = connection.execute(text("SELECT kind FROM survey ORDER BY id")).scalars().all()
    db.dispose()
    assert handled == {"fu:8", "bk:1", "no_date:5", "ev:5", "ur:2"}
    assert kinds == ["followup_3", "followup_9", "evaluation"]


def test_accounts_migration_keeps_existing_data(database_url: str) -> None:
    """0005 turns Telegram ids into accounts and person ids, and moves the outbox, and back."""
    config = alembic_config(database_url)
    command.upgrade(config, "0003")
    db = Database(database_url)
    at = "2026-01-05 09:00:00"
    with db.engine.begin() as connection:
        run = connection.exec_driver_sql
        run(
            "INSERT INTO person (id, telegram_id, language, created_at, reachable, share_channels, languages, "
            f"goals, offers) VALUES (7, 5001, 'ar', '{at}', true, '[]', '[]', '[]', '[]'), "
            f"(8, 5002, 'da', '{at}', true, '[]', '[]', '[]', '[]'), (9, 77, 'en', '{at}', true, '[]', '[]', '[]', '[]')"
        )
        run(
            "INSERT INTO pair (mentee_id, mentor_id, coordinator, status, proposed_at, meeting_rev, agreement, "
            f"agreement_confirmed, end_reasons, ended_by) VALUES (7, 8, 77, 'confirmed', '{at}', 0, '{{}}', '[]', "
            "'[]', 5001)"
        )
        run(
            "INSERT INTO interviewslot (starts_at, minutes, place, created_by, created_at) "
            f"VALUES ('{at}', 30, 'Office', 424242, '{at}')"
        )
        run(
            "INSERT INTO outboxmessage (chat_id, kind, payload, created_at, not_before, attempts) "
            f"VALUES (5001, 'message', '{{\"text\": \"hi\"}}', '{at}', '{at}', 0)"
        )
        run(f"INSERT INTO processedupdate (update_id, processed_at) VALUES (99, '{at}')")
        run(
            f"INSERT INTO sweepaction (subject, kind, seq, done_at) VALUES ('coordinator:77', 'digest', 1, '{at}')"
        )
    command.upgrade(config, "head")
    with db.session() as session:
        assert {(a.person_id, a.platform, a.address) for a in session.exec(select(Account))} >= {
            (7, "telegram", "5001"),
            (8, "telegram", "5002"),
            (9, "telegram", "77"),
        }
        pair = session.exec(select(Pair)).one()
        assert (pair.coordinator, pair.ended_by) == (9, 7)
        slot = session.exec(select(InterviewSlot)).one()
        creator = queries.person_by_account(session, platform="telegram", address="424242")
        assert creator is not None and slot.created_by == creator.id, "a coordinator who never wrote is added"
        message = session.exec(select(OutboxMessage)).one()
        assert (message.platform, message.address, message.payload) == ("telegram", "5001", {"text": "hi"})
        assert session.exec(select(ProcessedUpdate)).one().platform == "telegram"
        assert session.exec(select(SweepAction)).one().subject == "coordinator:9"
        assert queries.person_key(session.connection(), platform="telegram", address="5002") is not None
    command.downgrade(config, "0003")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT coordinator, ended_by FROM pair").one() == (77, 5001)
        assert connection.exec_driver_sql("SELECT chat_id FROM outboxmessage").one() == (5001,)
        assert connection.exec_driver_sql("SELECT telegram_id FROM person WHERE id = 8").one() == (5002,)
    command.upgrade(config, "head")
    db.dispose()


def test_0009_maps_known_spellings_of_cities_to_codes_and_keeps_the_rest_as_other(database_url: str) -> None:
    from sqlalchemy import text

    config = alembic_config(database_url)
    command.upgrade(config, "0006")
    db = Database(database_url)
    at = "'2026-01-05 10:00:00+00:00'"
    typed = {
        1: "København N",
        2: "كوبنهاغن",
        3: "aarhus c",
        4: "8000 Århus",
        5: "near Aarhus",
        6: "Helsingør",
        7: "Copenhagen, Denmark",
        8: "آلبورگ",
    }
    with db.engine.begin() as connection:
        for person_id, city in typed.items():
            connection.execute(
                text(
                    "INSERT INTO person (id, language, created_at, reachable, share_channels, languages, goals,"
                    f" offers, city) VALUES (:id, 'da', {at}, true, '[]', '[]', '[]', '[]', :city)"
                ),
                {"id": person_id, "city": city},
            )
    command.upgrade(config, "0009")
    with db.engine.connect() as connection:
        rows = dict(
            (row[0], (row[1], row[2]))
            for row in connection.execute(text("SELECT id, city, city_other FROM person"))
        )
    assert rows == {
        1: ("copenhagen", None),
        2: ("copenhagen", None),
        3: ("aarhus", None),
        4: ("aarhus", None),
        5: ("other", "near Aarhus"),  # not guessed
        6: ("other", "Helsingør"),
        7: ("copenhagen", None),
        8: ("aalborg", None),
    }
    command.downgrade(config, "0006")
    with db.engine.connect() as connection:
        back = dict(connection.execute(text("SELECT id, city FROM person")).all())
    assert back[1] == "København" and back[5] == "near Aarhus"
    db.dispose()


def test_0008_fills_the_search_key_of_everyone_already_there(database_url: str) -> None:
    """/find finds people registered before it existed: 0008 fills their search key."""
    config = alembic_config(database_url)
    command.upgrade(config, "0006")
    db = Database(database_url)
    at = "2026-01-05 09:00:00"
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO person (id, language, created_at, reachable, share_channels, languages, goals, offers,"
            f" name, phone, email) VALUES (1, 'da', '{at}', true, '[]', '[]', '[]', '[]', 'Åse Ødegård',"
            f" '+4520274137', 'Ase@X.dk'), (2, 'en', '{at}', true, '[]', '[]', '[]', '[]', NULL, NULL, NULL)"
        )
    command.upgrade(config, "head")
    with db.engine.connect() as connection:
        keys = connection.exec_driver_sql("SELECT id, search FROM person ORDER BY id").all()
    command.downgrade(config, "0006")
    db.dispose()
    assert [tuple(k) for k in keys] == [(1, "ase odegard ase@x.dk 4520274137"), (2, None)]
