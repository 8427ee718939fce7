"""one schedule: stable step names, and no next_checkup_at

The programme year is now declared once (conversations/timeline.py), each step under a stable
name that no longer comes from its month: the follow-ups stored as followup_3 and followup_9
become first_followup and second_followup (questionnaires and sweep claims), and an overdue
item's key is its step's name and id (the marks coordinators left with "handled").
Pair.next_checkup_at was written and never read; the follow-ups count from confirmed_at.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 04:30:00
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

FOLLOWUPS = {"followup_3": "first_followup", "followup_9": "second_followup"}
# The overdue items' old key prefixes and their steps (unreachable is not a step, but is keyed the same way).
HANDLED = {
    "bk": "booking_reminder",
    "no_date": "meeting_date_reminder",
    "expired": "first_meeting",
    "no_decision": "decision",
    "no_agreement": "agreement_check",
    "ev": "evaluation",
    "ur": "unreachable",
}


def _rename(table: str, column: str, old: str, new: str) -> None:
    op.execute(sa.text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old").bindparams(old=old, new=new))


def _reprefix(old: str, new: str) -> None:
    """handled.item "old:5" becomes "new:5"."""
    op.execute(
        sa.text(
            "UPDATE handled SET item = :new || substr(item, :length + 1) WHERE substr(item, 1, :length) = :old"
        ).bindparams(old=f"{old}:", new=f"{new}:", length=len(old) + 1)
    )


def upgrade() -> None:
    for old, new in FOLLOWUPS.items():
        _rename("survey", "kind", old, new)
        _rename("sweepaction", "kind", old, new)
    for old, new in HANDLED.items():
        _reprefix(old, new)
    # A follow-up's item was "fu:<survey id>"; it is now "<its step>:<survey id>".
    op.execute(
        "UPDATE handled SET item = (SELECT survey.kind FROM survey WHERE 'fu:' || CAST(survey.id AS TEXT) = handled.item)"
        " || substr(item, 3)"
        " WHERE substr(item, 1, 3) = 'fu:'"
        " AND EXISTS (SELECT 1 FROM survey WHERE 'fu:' || CAST(survey.id AS TEXT) = handled.item)"
    )
    # A plain ALTER (SQLite 3.35+ and PostgreSQL): the column has no index or constraint, and a
    # batch copy of the table would have to rebuild its partial unique indexes.
    op.drop_column("pair", "next_checkup_at")


def downgrade() -> None:
    op.add_column("pair", sa.Column("next_checkup_at", storage.models.UTCDateTime(timezone=True), nullable=True))
    for new in FOLLOWUPS.values():
        _reprefix(new, "fu")
    for old, new in HANDLED.items():
        _reprefix(new, old)
    for old, new in FOLLOWUPS.items():
        _rename("survey", "kind", new, old)
        _rename("sweepaction", "kind", new, old)
