"""Distinct participants per department and month, kept as people take part

``participant_reach``: one row per (department, closing month, user) with the number of
the user's rounds there (department 0: every department; month "": every month), and
``participant_tally``: the number of those rows per (department, month), read by the
evaluation dashboard instead of counting distinct users over every participant row.
``round.tallied_department_id`` / ``tallied_month``: the group each round's participants
are counted in (moved with the round when it closes early, is extended, or its
consultation changes department).

Filled here from the existing ``round_participant`` rows of the rounds of published
consultations, grouped as the evaluation groups them (the consultation's department,
the month of ``coalesce(closed_at, closes_at)``); the services keep them from now on.

Revision ID: 79067e89f12a
Revises: 2a0433206ee3
Create Date: 2026-12-03 12:10:49.800937

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '79067e89f12a'
down_revision = '2a0433206ee3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('participant_tally',
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('department_id', 'month', name=op.f('pk_participant_tally'))
    )
    op.create_table('participant_reach',
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('rounds', sa.Integer(), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.CheckConstraint('rounds >= 0', name=op.f('ck_participant_reach_rounds_not_negative')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_participant_reach_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('department_id', 'month', 'user_id', name=op.f('pk_participant_reach'))
    )
    op.add_column('round', sa.Column('tallied_department_id', sa.Integer(), nullable=True))
    op.add_column('round', sa.Column('tallied_month', sa.String(length=7), nullable=True))

    _fill()

    # Indexes after the bulk fill: built once instead of kept row by row.
    with op.batch_alter_table('participant_reach', schema=None) as batch_op:
        batch_op.create_index('ix_participant_reach_unsettled', ['department_id', 'month'], unique=False, sqlite_where=sa.text('delta != 0'), postgresql_where=sa.text('delta != 0'))
        batch_op.create_index(batch_op.f('ix_participant_reach_user_id'), ['user_id'], unique=False)


def _fill():
    conn = op.get_bind()
    closes = "coalesce(r.closed_at, r.closes_at)"
    month = (f"to_char({closes}, 'YYYY-MM')" if conn.dialect.name == 'postgresql'
             else f"strftime('%Y-%m', {closes})")
    placed = (f"SELECT r.id AS round_id, c.department_id AS department_id, {month} AS month "
              "FROM round r JOIN consultation c ON c.id = r.consultation_id "
              "WHERE c.published_at IS NOT NULL AND EXISTS "
              "(SELECT 1 FROM round_participant x WHERE x.round_id = r.id)")
    # The SQL is built from the constants above, never from input.
    conn.execute(sa.text(
        f"UPDATE round SET tallied_department_id = p.department_id, tallied_month = p.month "  # nosec B608
        f"FROM ({placed}) AS p WHERE p.round_id = round.id"))
    for dept, month_of, by in (("0", "p.month", "p.month"),
                               ("p.department_id", "''", "p.department_id"),
                               ("p.department_id", "p.month", "p.department_id, p.month")):
        conn.execute(sa.text(
            "INSERT INTO participant_reach "  # nosec B608
            "(department_id, month, user_id, rounds, delta) "
            f"SELECT {dept}, {month_of}, rp.user_id, count(*), 0 "
            f"FROM round_participant rp JOIN ({placed}) AS p ON p.round_id = rp.round_id "
            f"GROUP BY {by}, rp.user_id"))
    conn.execute(sa.text(
        "INSERT INTO participant_tally (department_id, month, participants) "
        "SELECT department_id, month, count(*) FROM participant_reach "
        "GROUP BY department_id, month"))


def downgrade():
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch operation
    # would copy and drop the round table, and its participants with it (ON DELETE CASCADE).
    op.drop_column('round', 'tallied_month')
    op.drop_column('round', 'tallied_department_id')

    with op.batch_alter_table('participant_reach', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_reach_user_id'))
        batch_op.drop_index('ix_participant_reach_unsettled', sqlite_where=sa.text('delta != 0'), postgresql_where=sa.text('delta != 0'))

    op.drop_table('participant_reach')
    op.drop_table('participant_tally')
