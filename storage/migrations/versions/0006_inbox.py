"""the inbox of received updates

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 05:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.models


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inboxupdate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('update_id', sa.BigInteger(), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('received_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('not_before', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('set_aside_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform', 'update_id')
    )
    with op.batch_alter_table('inboxupdate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inboxupdate_set_aside_at'), ['set_aside_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('inboxupdate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inboxupdate_set_aside_at'))
    op.drop_table('inboxupdate')
