"""Followed up in time (好差评): whether each case's 回访 was recorded by its due date,
and the two counters per department and month behind the share

``rectification_case.followed_up_in_time``: True when the case's first 回访 was recorded
(``followed_up_at``) by ``due_at``, False when it was recorded later or the due date
passed without one (the case was escalated), NULL while neither has happened.

Filled for the existing cases from what they keep: a case followed up is in time when
``followed_up_at <= due_at`` or, since a case is resolved only after its 回访, when it was
resolved by its due date (a 回访 edited later has a later ``followed_up_at``; the
resolution still shows the first was in time); a case escalated without a 回访 is late;
the others stay NULL (the next tick counts those past due as it escalates them).

``rectification_tally.follow_up_due`` and ``follow_up_in_time``: per department and month
the case opened, the cases whose flag is set, and those whose flag is true (recounted
from the cases here; moved by the services from now on).

Revision ID: 2a0433206ee3
Revises: c3f1a7d29e54
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa

import consult.db


# revision identifiers, used by Alembic.
revision = '2a0433206ee3'
down_revision = 'c3f1a7d29e54'
branch_labels = None
depends_on = None

COUNTERS = ('follow_up_due', 'follow_up_in_time')


def upgrade():
    with op.batch_alter_table('rectification_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('followed_up_in_time', sa.Boolean(), nullable=True))
    with op.batch_alter_table('rectification_tally', schema=None) as batch_op:
        for name in COUNTERS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False,
                                          server_default='0'))
            batch_op.create_check_constraint(f'{name}_not_negative', f'{name} >= 0')

    _fill()

    with op.batch_alter_table('rectification_case', schema=None) as batch_op:
        batch_op.create_check_constraint(
            'follow_up_timed', 'followed_up_at IS NULL OR followed_up_in_time IS NOT NULL')


def _fill():
    when = consult.db.UTCDateTime(timezone=True)
    case = sa.table('rectification_case', sa.column('department_id', sa.Integer()),
                    sa.column('month', sa.Date()),
                    sa.column('followed_up_in_time', sa.Boolean()),
                    *(sa.column(c, when) for c in ('followed_up_at', 'resolved_at', 'due_at',
                                                   'escalated_at')))
    tally = sa.table('rectification_tally', sa.column('department_id', sa.Integer()),
                     sa.column('month', sa.Date()),
                     *(sa.column(c, sa.Integer()) for c in COUNTERS))
    conn = op.get_bind()
    c = case.c
    conn.execute(case.update().where(c.followed_up_at.is_not(None)).values(
        followed_up_in_time=sa.or_(
            c.followed_up_at <= c.due_at,
            sa.and_(c.resolved_at.is_not(None), c.resolved_at <= c.due_at))))
    conn.execute(case.update().where(c.followed_up_at.is_(None),
                                     c.escalated_at.is_not(None))
                 .values(followed_up_in_time=sa.false()))

    def recount(*where):
        return (sa.select(sa.func.count()).select_from(case)
                .where(c.department_id == tally.c.department_id, c.month == tally.c.month,
                       *where)
                .scalar_subquery())

    conn.execute(tally.update().values(
        follow_up_due=recount(c.followed_up_in_time.is_not(None)),
        follow_up_in_time=recount(c.followed_up_in_time.is_(sa.true()))))


def downgrade():
    with op.batch_alter_table('rectification_case', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_rectification_case_follow_up_timed'),
                                 type_='check')
        batch_op.drop_column('followed_up_in_time')
    with op.batch_alter_table('rectification_tally', schema=None) as batch_op:
        for name in reversed(COUNTERS):
            batch_op.drop_constraint(
                batch_op.f(f'ck_rectification_tally_{name}_not_negative'), type_='check')
            batch_op.drop_column(name)
