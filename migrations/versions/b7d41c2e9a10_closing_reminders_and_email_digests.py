"""notifications: "closing soon" reminders and e-mail digests

One reminder per user and round (the primary key keeps a second tick from reminding
twice), and each user's choice of e-mail delivery (at once, a daily or a weekly digest)
with the last digest's period. New tables only, so SQLite and PostgreSQL run the same.

Revision ID: b7d41c2e9a10
Revises: c4a1d20e5b7f
Create Date: 2026-12-03 08:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import consult.db

# revision identifiers, used by Alembic.
revision = 'b7d41c2e9a10'
down_revision = 'c4a1d20e5b7f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'closing_reminder',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('sent_at', consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'],
                                name=op.f('fk_closing_reminder_round_id_round'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_closing_reminder_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('round_id', 'user_id', name=op.f('pk_closing_reminder')),
    )
    op.create_index(op.f('ix_closing_reminder_user_id'), 'closing_reminder', ['user_id'],
                    unique=False)
    op.create_table(
        'notification_digest',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('delivery', sa.Enum('immediate', 'daily', 'weekly', name='delivery',
                                      native_enum=False, length=20), nullable=False),
        sa.Column('last_period', sa.String(length=20), nullable=True),
        sa.Column('last_sent_at', consult.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_notification_digest_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_digest')),
    )


def downgrade():
    op.drop_table('notification_digest')
    op.drop_index(op.f('ix_closing_reminder_user_id'), table_name='closing_reminder')
    op.drop_table('closing_reminder')
