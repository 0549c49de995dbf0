"""Moderation of agenda suggestions: the public reason shown in place of a hidden
suggestion or suggestion comment

Revision ID: fbfc0b6b5949
Revises: 9614c0be18d0
Create Date: 2026-11-26 02:02:27.965689

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fbfc0b6b5949'
down_revision = '9614c0be18d0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('moderation_reason', sa.Text(), nullable=True))

    with op.batch_alter_table('suggestion_comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('moderation_reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('suggestion_comment', schema=None) as batch_op:
        batch_op.drop_column('moderation_reason')

    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.drop_column('moderation_reason')
