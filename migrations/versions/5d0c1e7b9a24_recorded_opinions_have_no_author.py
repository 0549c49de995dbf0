"""recorded opinions have no author

An opinion received offline (a letter, a call, a hearing...) was stored with the official
who entered it as its author: deleting that official deleted the letters, and the official
counted as a person who gave opinions. Now such a comment has no author (the channels
record keeps who entered it, ``recorded_by_id``, and the audit log what they entered), and
a check constraint holds it: online opinions have an author, recorded ones none.

Revision ID: 5d0c1e7b9a24
Revises: c3a7e2d94b10
Create Date: 2026-12-03 07:45:00.000000

"""
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5d0c1e7b9a24'
down_revision = 'c3a7e2d94b10'
branch_labels = None
depends_on = None

CHECK = "author_by_channel"
CONDITION = ("(channel = 'online' AND author_id IS NOT NULL) OR "
             "(channel <> 'online' AND author_id IS NULL)")


@contextmanager
def _copying_comment():
    """SQLite changes a column or adds a check only by copying the table, and dropping the
    old ``comment`` with foreign keys on would delete every row that points at it (supports,
    triage, records...) on the way. Foreign keys are switched off for the copy (which SQLite
    allows only outside a transaction), checked afterwards, and switched on again."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    raw = bind.connection.dbapi_connection
    raw.commit()
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the copy of comment: {broken[:5]}")
    finally:
        raw.commit()
        raw.execute("PRAGMA foreign_keys=ON")


def upgrade():
    with _copying_comment():
        with op.batch_alter_table("comment", schema=None) as batch_op:
            batch_op.alter_column("author_id", existing_type=sa.Integer(), nullable=True)
        op.execute("UPDATE triage SET author_id = NULL WHERE comment_id IN "
                   "(SELECT id FROM comment WHERE channel <> 'online')")
        op.execute("UPDATE comment SET author_id = NULL WHERE channel <> 'online'")
        with op.batch_alter_table("comment", schema=None) as batch_op:
            batch_op.create_check_constraint(op.f(f"ck_comment_{CHECK}"), sa.text(CONDITION))


def downgrade():
    # Back to the official who entered it as the author; where that account is gone, the
    # first account of the site (the column must have someone).
    with _copying_comment():
        with op.batch_alter_table("comment", schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_comment_{CHECK}"), type_="check")
        op.execute(
            'UPDATE comment SET author_id = COALESCE('
            '(SELECT r.recorded_by_id FROM opinion_record r WHERE r.comment_id = comment.id), '
            '(SELECT MIN(u.id) FROM "user" u)) WHERE author_id IS NULL')
        op.execute("UPDATE triage SET author_id = (SELECT c.author_id FROM comment c "
                   "WHERE c.id = triage.comment_id) WHERE author_id IS NULL "
                   "AND comment_id IN (SELECT id FROM comment WHERE channel <> 'online')")
        with op.batch_alter_table("comment", schema=None) as batch_op:
            batch_op.alter_column("author_id", existing_type=sa.Integer(), nullable=False)
