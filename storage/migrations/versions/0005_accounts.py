"""accounts: a person's addresses on messaging platforms; coordinators and the outbox by person and account

Every person's telegram_id becomes a Telegram account; coordinators, slot creators, interviewers,
who handled an overdue item and who gave notice are stored as person ids instead of Telegram ids
(a coordinator who never wrote to the bot is added as a person); the outbox's chat_id becomes
platform 'telegram' and an address; processed updates are keyed by (platform, update id).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 04:30:00
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TELEGRAM = "telegram"
# (table, column, nullable): the Telegram user ids that become person ids.
PEOPLE_COLUMNS = (
    ("pair", "coordinator", False),
    ("pair", "ended_by", True),
    ("interviewslot", "created_by", False),
    ("interviewnote", "interviewer", False),
    ("handled", "by", False),
)


def _table(name: str, *columns: str) -> sa.TableClause:
    return sa.table(name, *(sa.column(c) for c in columns))


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "address"),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_person_id"), ["person_id"], unique=False)

    bind = op.get_bind()
    person = sa.table(
        "person",
        *(sa.column(c) for c in ("id", "telegram_id", "language", "reachable")),
        sa.column("created_at", storage.models.UTCDateTime()),
        *(sa.column(c, sa.JSON) for c in ("share_channels", "languages", "goals", "offers")),
    )
    account = _table("account", "person_id", "platform", "address")
    now = datetime.now(UTC)

    # Telegram ids that coordinators were stored by, of people who never wrote: they become people.
    by_telegram = dict(bind.execute(sa.select(person.c.telegram_id, person.c.id)).all())
    referenced = set()
    for table, column, _ in PEOPLE_COLUMNS:
        referenced |= {v for (v,) in bind.execute(sa.select(_table(table, column).c[column])) if v is not None}
    for telegram_id in sorted(referenced - set(by_telegram)):
        bind.execute(
            person.insert().values(
                telegram_id=telegram_id,
                language="en",
                created_at=now,
                reachable=True,
                **{c: [] for c in ("share_channels", "languages", "goals", "offers")},
            )
        )
    by_telegram = dict(bind.execute(sa.select(person.c.telegram_id, person.c.id)).all())

    bind.execute(
        account.insert().from_select(
            ["person_id", "platform", "address"],
            sa.select(person.c.id, sa.literal(TELEGRAM), sa.cast(person.c.telegram_id, sa.String(64))),
        )
    )
    for table, column, _ in PEOPLE_COLUMNS:
        rows = _table(table, "id", column)
        for row_id, telegram_id in bind.execute(sa.select(rows.c.id, rows.c[column])).all():
            if telegram_id is not None:
                bind.execute(
                    rows.update().where(rows.c.id == row_id).values({column: by_telegram[telegram_id]})
                )
    action = _table("sweepaction", "id", "subject")
    for row_id, subject in bind.execute(
        sa.select(action.c.id, action.c.subject).where(action.c.subject.like("coordinator:%"))
    ).all():
        telegram_id = int(subject.partition(":")[2])
        if telegram_id in by_telegram:
            subject = f"coordinator:{by_telegram[telegram_id]}"
            bind.execute(action.update().where(action.c.id == row_id).values(subject=subject))

    for table, column, nullable in PEOPLE_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column, existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=nullable
            )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("telegram_id")

    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("message_ids", sa.JSON(), nullable=False, server_default="[]"))
    outbox = _table("outboxmessage", "chat_id", "platform", "address")
    bind.execute(outbox.update().values(platform=TELEGRAM, address=sa.cast(outbox.c.chat_id, sa.String(64))))
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.alter_column("platform", existing_type=sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False)
        batch_op.alter_column("address", existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        batch_op.drop_index(batch_op.f("ix_outboxmessage_chat_id"))
        batch_op.drop_column("chat_id")
        batch_op.create_index("ix_outboxmessage_account", ["platform", "address"], unique=False)

    op.rename_table("processedupdate", "processedupdate_old")
    op.create_table(
        "processedupdate",
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("processed_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "update_id"),
        sqlite_with_rowid=False,
    )
    old = _table("processedupdate_old", "update_id", "processed_at")
    bind.execute(
        _table("processedupdate", "platform", "update_id", "processed_at")
        .insert()
        .from_select(
            ["platform", "update_id", "processed_at"],
            sa.select(sa.literal(TELEGRAM), old.c.update_id, old.c.processed_at),
        )
    )
    op.drop_table("processedupdate_old")


def downgrade() -> None:
    bind = op.get_bind()
    op.rename_table("processedupdate", "processedupdate_new")
    op.create_table(
        "processedupdate",
        sa.Column(
            "update_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("processed_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id"),
    )
    new = _table("processedupdate_new", "platform", "update_id", "processed_at")
    bind.execute(
        _table("processedupdate", "update_id", "processed_at")
        .insert()
        .from_select(
            ["update_id", "processed_at"],
            sa.select(new.c.update_id, new.c.processed_at).where(new.c.platform == TELEGRAM),
        )
    )
    op.drop_table("processedupdate_new")

    outbox = _table("outboxmessage", "chat_id", "platform", "address")
    bind.execute(outbox.delete().where(outbox.c.platform != TELEGRAM))
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chat_id", sa.BigInteger(), nullable=True))
    bind.execute(outbox.update().values(chat_id=sa.cast(outbox.c.address, sa.BigInteger())))
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.alter_column("chat_id", existing_type=sa.BigInteger(), nullable=False)
        batch_op.drop_index("ix_outboxmessage_account")
        batch_op.create_index(batch_op.f("ix_outboxmessage_chat_id"), ["chat_id"], unique=False)
        batch_op.drop_column("message_ids")
        batch_op.drop_column("address")
        batch_op.drop_column("platform")

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("telegram_id", sa.BigInteger(), nullable=True))
    person = _table("person", "id", "telegram_id")
    account = _table("account", "person_id", "platform", "address")
    to_telegram = {
        person_id: int(address)
        for person_id, address in bind.execute(
            sa.select(account.c.person_id, account.c.address).where(account.c.platform == TELEGRAM)
        ).all()
    }
    for person_id, telegram_id in to_telegram.items():
        bind.execute(person.update().where(person.c.id == person_id).values(telegram_id=telegram_id))
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.alter_column("telegram_id", existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_unique_constraint("person_telegram_id_key", ["telegram_id"])

    for table, column, nullable in PEOPLE_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column, existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=nullable
            )
        rows = _table(table, "id", column)
        for row_id, person_id in bind.execute(sa.select(rows.c.id, rows.c[column])).all():
            if person_id is not None:
                bind.execute(
                    rows.update().where(rows.c.id == row_id).values({column: to_telegram[person_id]})
                )
    action = _table("sweepaction", "id", "subject")
    for row_id, subject in bind.execute(
        sa.select(action.c.id, action.c.subject).where(action.c.subject.like("coordinator:%"))
    ).all():
        person_id = int(subject.partition(":")[2])
        if person_id in to_telegram:
            subject = f"coordinator:{to_telegram[person_id]}"
            bind.execute(action.update().where(action.c.id == row_id).values(subject=subject))

    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_person_id"))
    op.drop_table("account")
