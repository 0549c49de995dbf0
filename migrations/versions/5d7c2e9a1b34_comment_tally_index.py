"""An index for the comments page's counts

``ix_comment_round_tally`` (round_id, clause_id, stance, status, depth): the comments
page groups a round's comments by these columns (per clause, per stance, the visible
ones, the top-level ones); with the index the database reads it alone and in order
instead of sorting every comment of the round on each cache miss.

Revision ID: 5d7c2e9a1b34
Revises: 79067e89f12a
Create Date: 2026-12-03 16:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5d7c2e9a1b34'
down_revision = '79067e89f12a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index('ix_comment_round_tally',
                              ['round_id', 'clause_id', 'stance', 'status', 'depth'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_round_tally')
