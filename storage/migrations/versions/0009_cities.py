"""cities as codes from the network's list; "other" line of work and place in her words; profile changes

Existing free-text cities become the list's code where the text is, in some spelling, exactly a
place on the list ("København N", "كوبنهاغن", "Aarhus C"); anything else ("near Aarhus", a town not
on the list) becomes "other" with the words kept in city_other, as a woman typing it today would.
The list is the one the bot uses: the shipped one, or the file in MENTORBOT_CITIES.

Revision ID: 0009
Revises: 0006
Create Date: 2026-11-30 06:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models
from conversations import cities

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("city_other", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
        batch_op.add_column(
            sa.Column("line_of_work_other", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
    op.create_table(
        "profilechange",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=False),
        sa.Column("at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("profilechange", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_profilechange_person_id"), ["person_id"], unique=False)

    bind = op.get_bind()
    person = sa.table("person", sa.column("id"), sa.column("city"), sa.column("city_other"))
    rows = bind.execute(sa.select(person.c.id, person.c.city).where(person.c.city.is_not(None))).all()
    for person_id, city in rows:
        code = cities.code_for(city)
        values = {"city": code} if code else {"city": cities.OTHER, "city_other": city[:120]}
        bind.execute(sa.update(person).where(person.c.id == person_id).values(**values))


def downgrade() -> None:
    # Back to free text: the city's name (in Danish, as the network writes it) or her words.
    bind = op.get_bind()
    person = sa.table("person", sa.column("id"), sa.column("city"), sa.column("city_other"))
    for person_id, code, other in bind.execute(sa.select(person.c.id, person.c.city, person.c.city_other)).all():
        if code is not None:
            name = other if code == cities.OTHER else cities.display(code, other, "da")
            bind.execute(sa.update(person).where(person.c.id == person_id).values(city=name))
    with op.batch_alter_table("profilechange", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_profilechange_person_id"))
    op.drop_table("profilechange")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("line_of_work_other")
        batch_op.drop_column("city_other")
