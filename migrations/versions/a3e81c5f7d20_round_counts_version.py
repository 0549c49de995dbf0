"""A round's counts version

``round.counts_version`` moves with ``content_version`` when a change can move the counts
of the round's comments (a comment added, edited, moderated or withdrawn), not when only a
support changes: the comments page keeps its counts under it, so the supports of a busy
round do not make each request count the round's comments again.

Revision ID: a3e81c5f7d20
Revises: 5d7c2e9a1b34
Create Date: 2026-12-04 19:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a3e81c5f7d20'
down_revision = '5d7c2e9a1b34'
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases (SQLite has dropped columns in place since 3.35): a
# batch operation would copy ``round`` on SQLite, and dropping the old copy cascades to
# every row that refers to a round.
def upgrade():
    op.add_column('round', sa.Column('counts_version', sa.Integer(), server_default='0',
                                     nullable=False))


def downgrade():
    op.drop_column('round', 'counts_version')
