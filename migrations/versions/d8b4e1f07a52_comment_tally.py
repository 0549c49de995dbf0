"""Kept counts of each round's comments (comment_tally)

The comments page counted a round's comments on every change (a grouped count over the
viral round's 5,000 comments: a third of a cache miss's time in the bench). The counts
are now kept in ``comment_tally`` as comments change (consult.participation.tallies),
filled here from the comments as they are; the index that served the grouped count goes.
A round's ``tally_version`` moves with its counts: the page keeps what it read under it.

Revision ID: d8b4e1f07a52
Revises: c6d2f0a9e4b1
Create Date: 2026-12-05 01:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd8b4e1f07a52'
down_revision = 'c6d2f0a9e4b1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'comment_tally',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('clause_id', sa.Integer(), nullable=False),
        sa.Column('stance', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('depth', sa.Integer(), nullable=False),
        sa.Column('held_by', sa.Integer(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'],
                                name=op.f('fk_comment_tally_round_id_round'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('round_id', 'clause_id', 'stance', 'status', 'depth',
                                'held_by', name=op.f('pk_comment_tally')),
    )
    # Every comment in the row of its round, clause, stance, status and depth; a top-level
    # comment awaiting review again in its author's.
    op.execute(
        "INSERT INTO comment_tally (round_id, clause_id, stance, status, depth, held_by, n) "
        "SELECT round_id, COALESCE(clause_id, 0), COALESCE(stance, ''), status, depth, 0, "
        "count(*) FROM comment GROUP BY round_id, clause_id, stance, status, depth "
        "UNION ALL "
        "SELECT round_id, COALESCE(clause_id, 0), COALESCE(stance, ''), status, depth, "
        "author_id, count(*) FROM comment WHERE status = 'held' AND depth = 0 "
        "AND author_id IS NOT NULL "
        "GROUP BY round_id, clause_id, stance, status, depth, author_id")
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_round_tally')
    # Plain ALTER TABLE on both databases (as a3e81c5f7d20): a batch operation would copy
    # ``round`` on SQLite, and dropping the old copy cascades to every row of a round.
    op.add_column('round', sa.Column('tally_version', sa.Integer(), server_default='0',
                                     nullable=False))


def downgrade():
    op.drop_column('round', 'tally_version')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index('ix_comment_round_tally',
                              ['round_id', 'clause_id', 'stance', 'status', 'depth'])
    op.drop_table('comment_tally')
