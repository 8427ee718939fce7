"""threads: participants write to the coordinators

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 07:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.models


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('thread',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('coordinator', sa.Integer(), nullable=True),
    sa.Column('opened_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('waiting_since', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answer_due', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_thread_coordinator'), ['coordinator'], unique=False)
        batch_op.create_index(batch_op.f('ix_thread_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_thread_open_person', ['person_id'], unique=True, sqlite_where=sa.text('closed_at IS NULL'), postgresql_where=sa.text('closed_at IS NULL'))

    op.create_table('threadmessage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.Integer(), nullable=False),
    sa.Column('from_coordinator', sa.Boolean(), nullable=False),
    sa.Column('sealed', sa.Text(), nullable=False),
    sa.Column('at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['thread.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('threadmessage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_threadmessage_thread_id'), ['thread_id'], unique=False)

    op.create_table('writing',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('since', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('person_id')
    )


def downgrade() -> None:
    op.drop_table('writing')
    with op.batch_alter_table('threadmessage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_threadmessage_thread_id'))
    op.drop_table('threadmessage')
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.drop_index('ix_thread_open_person', sqlite_where=sa.text('closed_at IS NULL'), postgresql_where=sa.text('closed_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_thread_person_id'))
        batch_op.drop_index(batch_op.f('ix_thread_coordinator'))
    op.drop_table('thread')
