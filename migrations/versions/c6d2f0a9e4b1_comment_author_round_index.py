"""A comment index by author and round

Every logged-in reading of a round's comment list asks whether the reader has a comment
there that only they see (awaiting review, or confidential). With an index on the author
alone beside one on the round, SQLite read the round's comments one by one through the
round's index (5,000 in the bench's viral round); ``ix_comment_author_round`` finds the
reader's own directly, and serves every lookup by author alone (its first column), so it
replaces ``ix_comment_author_id``.

Revision ID: c6d2f0a9e4b1
Revises: a3e81c5f7d20
Create Date: 2026-12-04 22:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c6d2f0a9e4b1'
down_revision = 'a3e81c5f7d20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_comment_author_round', 'comment', ['author_id', 'round_id'])
    op.drop_index('ix_comment_author_id', table_name='comment')


def downgrade():
    op.create_index('ix_comment_author_id', 'comment', ['author_id'])
    op.drop_index('ix_comment_author_round', table_name='comment')
