"""Five-level overall rating (好差评), random follow-up samples (随机回访), the ratings
counted per department and month (the base of 差评率), rectification cases for answers to
agenda suggestions (a reason and a voided mark on their ratings)

The overall rating had three levels (satisfied, basically satisfied, dissatisfied); it
now has five: 非常满意 very_satisfied, 满意 satisfied, 基本满意 basically_satisfied,
不满意 dissatisfied, 非常不满意 very_dissatisfied (the lowest two are 差评).

Mapping of the existing answers (survey answers, the first ratings and re-ratings of
rectification cases, ratings of suggestion answers): each keeps its level, by the same
stored value — satisfied → 满意, basically_satisfied → 基本满意, dissatisfied → 不满意.
Nobody is put in an extreme level they did not choose, so the existing satisfaction
rates (now: the top three levels) and the cases are unchanged. Downgrade folds the
extremes into their neighbours: very_satisfied → satisfied, very_dissatisfied →
dissatisfied (the survey counters likewise).

``rectification_tally.rated`` is filled from the survey answers that stand (not voided),
by the department owning the round and the month (China Standard Time) the answer was
first given.

Revision ID: c3f1a7d29e54
Revises: 5d0c1e7b9a24
Create Date: 2026-12-03 08:00:00

"""
from datetime import timedelta, timezone

from alembic import op
import sqlalchemy as sa

import consult.db


# revision identifiers, used by Alembic.
revision = 'c3f1a7d29e54'
down_revision = '5d0c1e7b9a24'
branch_labels = None
depends_on = None

CST = timezone(timedelta(hours=8))


def upgrade():
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.add_column(sa.Column('very_satisfied', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('very_dissatisfied', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.create_check_constraint('very_satisfied_not_negative', 'very_satisfied >= 0')
        batch_op.create_check_constraint('very_dissatisfied_not_negative',
                                         'very_dissatisfied >= 0')
    with op.batch_alter_table('rectification_tally', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rated', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.create_check_constraint('rated_not_negative', 'rated >= 0')

    op.create_table('survey_sample',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('asked', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('population_sha256', sa.String(length=64), nullable=False),
    sa.Column('sample_sha256', sa.String(length=64), nullable=False),
    sa.Column('drawn_at', consult.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('drawn_by_id', sa.Integer(), nullable=True),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('satisfied', sa.Integer(), nullable=False),
    sa.CheckConstraint('answered >= 0 AND satisfied >= 0 AND satisfied <= answered', name=op.f('ck_survey_sample_counts_range')),
    sa.CheckConstraint('size >= 1 AND population >= size', name=op.f('ck_survey_sample_size_range')),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['user.id'], name=op.f('fk_survey_sample_drawn_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_survey_sample_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_sample')),
    sa.UniqueConstraint('round_id', 'seed', name=op.f('uq_survey_sample_round_id_seed'))
    )
    with op.batch_alter_table('survey_sample', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_sample_round_id'), ['round_id'], unique=False)

    op.create_table('survey_sample_member',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_survey_sample_member_round_id_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sample_id'], ['survey_sample.id'], name=op.f('fk_survey_sample_member_sample_id_survey_sample'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_survey_sample_member_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'user_id', name=op.f('pk_survey_sample_member'))
    )
    with op.batch_alter_table('survey_sample_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_sample_member_sample_id'), ['sample_id'], unique=False)

    with op.batch_alter_table('suggestion_rating', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comment', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('voided_at', consult.db.UTCDateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('rectification_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suggestion_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('suggestion_answer_id', sa.Integer(), nullable=True))
        batch_op.alter_column('round_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_rectification_case_suggestion_id'),
                              ['suggestion_id'], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f('uq_rectification_case_suggestion_answer_id'), ['suggestion_answer_id'])
        batch_op.create_foreign_key(
            batch_op.f('fk_rectification_case_suggestion_id_suggestion'), 'suggestion',
            ['suggestion_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(
            batch_op.f('fk_rectification_case_suggestion_answer_id_suggestion_event'),
            'suggestion_event', ['suggestion_answer_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(
            'rated_something', 'round_id IS NOT NULL OR suggestion_id IS NOT NULL')

    _fill_rated()


def _fill_rated():
    """The ratings that stand, per department and local month of their first giving."""
    answer = sa.table('survey_answer', sa.column('round_id', sa.Integer()),
                      sa.column('created_at', consult.db.UTCDateTime(timezone=True)),
                      sa.column('voided_at', consult.db.UTCDateTime(timezone=True)))
    round_ = sa.table('round', sa.column('id', sa.Integer()),
                      sa.column('consultation_id', sa.Integer()))
    consultation = sa.table('consultation', sa.column('id', sa.Integer()),
                            sa.column('department_id', sa.Integer()))
    tally = sa.table('rectification_tally', sa.column('department_id', sa.Integer()),
                     sa.column('month', sa.Date()), sa.column('rated', sa.Integer()),
                     *(sa.column(c, sa.Integer()) for c in (
                         'opened', 'followed_up', 'in_time', 'rectified', 'explained',
                         'rerated', 'improved', 'appealed', 'voided', 'escalated')))
    conn = op.get_bind()
    counts: dict = {}
    rows = conn.execute(
        sa.select(consultation.c.department_id, answer.c.created_at)
        .select_from(answer.join(round_, round_.c.id == answer.c.round_id)
                     .join(consultation, consultation.c.id == round_.c.consultation_id))
        .where(answer.c.voided_at.is_(None)))
    for department_id, created_at in rows:
        if department_id is None or created_at is None:
            continue
        if created_at.tzinfo is None:
            created_at = created_at.replace(tzinfo=timezone.utc)
        month = created_at.astimezone(CST).date().replace(day=1)
        counts[(department_id, month)] = counts.get((department_id, month), 0) + 1
    existing = {(d, m) for d, m in conn.execute(
        sa.select(tally.c.department_id, tally.c.month))}
    for (department_id, month), n in counts.items():
        if (department_id, month) in existing:
            conn.execute(tally.update().where(tally.c.department_id == department_id,
                                              tally.c.month == month).values(rated=n))
        else:
            conn.execute(tally.insert().values(
                department_id=department_id, month=month, rated=n, opened=0, followed_up=0,
                in_time=0, rectified=0, explained=0, rerated=0, improved=0, appealed=0,
                voided=0, escalated=0))


def downgrade():
    conn = op.get_bind()
    for table, column in (('survey_answer', 'satisfaction'),
                          ('rectification_case', 'first_satisfaction'),
                          ('rectification_case', 'rerating'),
                          ('suggestion_rating', 'rating')):
        for new, old in (('very_satisfied', 'satisfied'),
                         ('very_dissatisfied', 'dissatisfied')):
            conn.execute(sa.text(f'UPDATE {table} SET {column} = :old WHERE {column} = :new'),
                         {"old": old, "new": new})
    # Cases of suggestion answers have no round: they cannot exist before this revision.
    conn.execute(sa.text('DELETE FROM rectification_case WHERE round_id IS NULL'))
    with op.batch_alter_table('rectification_case', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_rectification_case_rated_something'),
                                 type_='check')
        batch_op.drop_constraint(
            batch_op.f('fk_rectification_case_suggestion_answer_id_suggestion_event'),
            type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_rectification_case_suggestion_id_suggestion'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_rectification_case_suggestion_answer_id'),
                                 type_='unique')
        batch_op.drop_index(batch_op.f('ix_rectification_case_suggestion_id'))
        batch_op.alter_column('round_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('suggestion_answer_id')
        batch_op.drop_column('suggestion_id')
    with op.batch_alter_table('suggestion_rating', schema=None) as batch_op:
        batch_op.drop_column('voided_at')
        batch_op.drop_column('comment')
    conn.execute(sa.text('UPDATE survey SET satisfied = satisfied + very_satisfied, '
                         'dissatisfied = dissatisfied + very_dissatisfied'))

    with op.batch_alter_table('survey_sample_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_sample_member_sample_id'))
    op.drop_table('survey_sample_member')
    with op.batch_alter_table('survey_sample', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_sample_round_id'))
    op.drop_table('survey_sample')

    with op.batch_alter_table('rectification_tally', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_rectification_tally_rated_not_negative'),
                                 type_='check')
        batch_op.drop_column('rated')
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_survey_very_dissatisfied_not_negative'),
                                 type_='check')
        batch_op.drop_constraint(batch_op.f('ck_survey_very_satisfied_not_negative'),
                                 type_='check')
        batch_op.drop_column('very_dissatisfied')
        batch_op.drop_column('very_satisfied')
