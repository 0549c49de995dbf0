"""Rectification of bad ratings (好差评): cases, monthly tallies, departments' deadlines,
and voided survey answers (after an appeal upheld by an evaluator)

Revision ID: de2bb4a9da0a
Revises: 917c26842a75
Create Date: 2026-12-02 13:58:23.117629

"""
from alembic import op
import sqlalchemy as sa

import consult.db


# revision identifiers, used by Alembic.
revision = 'de2bb4a9da0a'
down_revision = '917c26842a75'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rectification_policy',
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('due_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', consult.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('due_days BETWEEN 1 AND 60', name=op.f('ck_rectification_policy_due_days_range')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_rectification_policy_department_id_department'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_rectification_policy_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('department_id', name=op.f('pk_rectification_policy'))
    )
    op.create_table('rectification_tally',
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('opened', sa.Integer(), nullable=False),
    sa.Column('followed_up', sa.Integer(), nullable=False),
    sa.Column('in_time', sa.Integer(), nullable=False),
    sa.Column('rectified', sa.Integer(), nullable=False),
    sa.Column('explained', sa.Integer(), nullable=False),
    sa.Column('rerated', sa.Integer(), nullable=False),
    sa.Column('improved', sa.Integer(), nullable=False),
    sa.Column('appealed', sa.Integer(), nullable=False),
    sa.Column('voided', sa.Integer(), nullable=False),
    sa.Column('escalated', sa.Integer(), nullable=False),
    sa.CheckConstraint('appealed >= 0', name=op.f('ck_rectification_tally_appealed_not_negative')),
    sa.CheckConstraint('escalated >= 0', name=op.f('ck_rectification_tally_escalated_not_negative')),
    sa.CheckConstraint('explained >= 0', name=op.f('ck_rectification_tally_explained_not_negative')),
    sa.CheckConstraint('followed_up >= 0', name=op.f('ck_rectification_tally_followed_up_not_negative')),
    sa.CheckConstraint('improved >= 0', name=op.f('ck_rectification_tally_improved_not_negative')),
    sa.CheckConstraint('in_time >= 0', name=op.f('ck_rectification_tally_in_time_not_negative')),
    sa.CheckConstraint('opened >= 0', name=op.f('ck_rectification_tally_opened_not_negative')),
    sa.CheckConstraint('rectified >= 0', name=op.f('ck_rectification_tally_rectified_not_negative')),
    sa.CheckConstraint('rerated >= 0', name=op.f('ck_rectification_tally_rerated_not_negative')),
    sa.CheckConstraint('voided >= 0', name=op.f('ck_rectification_tally_voided_not_negative')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_rectification_tally_department_id_department'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('department_id', 'month', name=op.f('pk_rectification_tally'))
    )
    op.create_table('rectification_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=True),
    sa.Column('rater_id', sa.Integer(), nullable=True),
    sa.Column('first_satisfaction', sa.Enum('satisfied', 'basically_satisfied', 'dissatisfied', name='satisfaction', native_enum=False, length=30), nullable=False),
    sa.Column('first_rating', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('open', 'appealed', 'resolved', 'closed', 'voided', name='casestatus', native_enum=False, length=20), nullable=False),
    sa.Column('opened_at', consult.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('due_at', consult.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('escalated_at', consult.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('followed_up_on', sa.Date(), nullable=True),
    sa.Column('follow_up_channel', sa.Enum('phone', 'email', 'message', 'visit', 'other', name='channel', native_enum=False, length=20), nullable=True),
    sa.Column('follow_up_note', sa.Text(), nullable=True),
    sa.Column('followed_up_at', consult.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('followed_up_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.Enum('rectified', 'explained', name='resolution', native_enum=False, length=20), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=True),
    sa.Column('erratum_id', sa.Integer(), nullable=True),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', consult.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_in_time', sa.Boolean(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('rerating', sa.Enum('satisfied', 'basically_satisfied', 'dissatisfied', name='satisfaction', native_enum=False, length=30), nullable=True),
    sa.Column('rerating_comment', sa.Text(), nullable=True),
    sa.Column('rerated_at', consult.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('appeal_reason', sa.Text(), nullable=True),
    sa.Column('appealed_at', consult.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('appealed_by_id', sa.Integer(), nullable=True),
    sa.Column('appeal_outcome', sa.Enum('upheld', 'voided', name='outcome', native_enum=False, length=20), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('decided_at', consult.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status <> 'closed' OR rerating IS NOT NULL", name=op.f('ck_rectification_case_closed_rerated')),
    sa.CheckConstraint("status NOT IN ('resolved', 'closed') OR (followed_up_on IS NOT NULL AND resolution IS NOT NULL)", name=op.f('ck_rectification_case_resolved_after_follow_up')),
    sa.ForeignKeyConstraint(['action_id'], ['follow_up_action.id'], name=op.f('fk_rectification_case_action_id_follow_up_action'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['answer_id'], ['survey_answer.id'], name=op.f('fk_rectification_case_answer_id_survey_answer'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['appealed_by_id'], ['user.id'], name=op.f('fk_rectification_case_appealed_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_rectification_case_decided_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_rectification_case_department_id_department')),
    sa.ForeignKeyConstraint(['erratum_id'], ['response_erratum.id'], name=op.f('fk_rectification_case_erratum_id_response_erratum'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['followed_up_by_id'], ['user.id'], name=op.f('fk_rectification_case_followed_up_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rater_id'], ['user.id'], name=op.f('fk_rectification_case_rater_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id'], name=op.f('fk_rectification_case_resolved_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_rectification_case_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_case')),
    sa.UniqueConstraint('answer_id', name=op.f('uq_rectification_case_answer_id'))
    )
    with op.batch_alter_table('rectification_case', schema=None) as batch_op:
        batch_op.create_index('ix_rectification_case_dept_status', ['department_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectification_case_rater_id'), ['rater_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectification_case_round_id'), ['round_id'], unique=False)
        batch_op.create_index('ix_rectification_case_status_due', ['status', 'due_at'], unique=False)

    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voided_at', consult.db.UTCDateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.drop_column('voided_at')

    with op.batch_alter_table('rectification_case', schema=None) as batch_op:
        batch_op.drop_index('ix_rectification_case_status_due')
        batch_op.drop_index(batch_op.f('ix_rectification_case_round_id'))
        batch_op.drop_index(batch_op.f('ix_rectification_case_rater_id'))
        batch_op.drop_index('ix_rectification_case_dept_status')

    op.drop_table('rectification_case')
    op.drop_table('rectification_tally')
    op.drop_table('rectification_policy')
