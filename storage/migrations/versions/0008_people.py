"""people: what /find searches on each person, and the history of pairs handed over

Person.search holds her name, e-mail and phone digits without case or accents (storage.search),
indexed; it is filled here for everyone already registered, and kept up to date by the models.
Handover records each pair moved from one coordinator to another.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models
from storage.search import search_key

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True))
        batch_op.create_index(batch_op.f("ix_person_search"), ["search"], unique=False)
    _fill_search_keys()
    op.create_table(
        "handover",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("from_coordinator", sa.Integer(), nullable=False),
        sa.Column("to_coordinator", sa.Integer(), nullable=False),
        sa.Column("by", sa.Integer(), nullable=False),
        sa.Column("at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["pair_id"], ["pair.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("handover", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handover_pair_id"), ["pair_id"], unique=False)


def _fill_search_keys() -> None:
    """Everyone with a name, phone or e-mail gets her search key, a thousand people at a time."""
    bind = op.get_bind()
    person = sa.table("person", *(sa.column(c) for c in ("id", "name", "phone", "email", "search")))
    last = 0
    while True:
        rows = bind.execute(
            sa.select(person.c.id, person.c.name, person.c.phone, person.c.email)
            .where(person.c.id > last)
            .order_by(person.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        keys = [
            {"key_id": row.id, "key": search_key(row.name, row.phone, row.email)}
            for row in rows
            if row.name or row.phone or row.email
        ]
        if keys:
            bind.execute(
                person.update()
                .where(person.c.id == sa.bindparam("key_id"))
                .values(search=sa.bindparam("key")),
                keys,
            )
        last = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("handover", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handover_pair_id"))
    op.drop_table("handover")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_search"))
        batch_op.drop_column("search")
