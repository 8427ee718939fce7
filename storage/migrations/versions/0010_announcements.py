"""announcements and events: who gets each announcement, events and their replies, stopping news

Revision ID: 0010
Revises: 0006
Create Date: 2026-11-30 06:32:41.453984
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.models


revision = '0010'
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('starts_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('coming', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_starts_at'), ['starts_at'], unique=False)

    op.create_table('announcement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('cursor', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('filled_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('progress_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('progress_shown', sa.Integer(), nullable=False),
    sa.Column('progress_outbox', sa.Integer(), nullable=True),
    sa.Column('done_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('eventreply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('coming', sa.Boolean(), nullable=False),
    sa.Column('at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id', 'person_id')
    )
    with op.batch_alter_table('eventreply', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eventreply_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_eventreply_person_id'), ['person_id'], unique=False)

    op.create_table('announcementdelivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcement.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('announcement_id', 'person_id')
    )
    with op.batch_alter_table('announcementdelivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcementdelivery_announcement_id'), ['announcement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcementdelivery_outbox_id'), ['outbox_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcementdelivery_person_id'), ['person_id'], unique=False)

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('news_stopped_at', storage.models.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('news_stopped_at')

    with op.batch_alter_table('announcementdelivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcementdelivery_person_id'))
        batch_op.drop_index(batch_op.f('ix_announcementdelivery_outbox_id'))
        batch_op.drop_index(batch_op.f('ix_announcementdelivery_announcement_id'))

    op.drop_table('announcementdelivery')
    with op.batch_alter_table('eventreply', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eventreply_person_id'))
        batch_op.drop_index(batch_op.f('ix_eventreply_event_id'))

    op.drop_table('eventreply')
    op.drop_table('announcement')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_starts_at'))

    op.drop_table('event')
