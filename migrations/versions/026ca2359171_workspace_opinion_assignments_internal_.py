"""workspace: opinion assignments, internal notes, reply templates, daily digests

New tables only (no existing table changes), so the same operations run on SQLite and
PostgreSQL.

Revision ID: 026ca2359171
Revises: 8feeb13b8000
Create Date: 2026-12-02 14:14:06.600548

"""
from alembic import op
import sqlalchemy as sa

import consult.db


# revision identifiers, used by Alembic.
revision = '026ca2359171'
down_revision = '8feeb13b8000'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('internal_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('comment', 'question', 'suggestion', name='opinionkind', native_enum=False, length=20), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', consult.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_internal_note_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_internal_note_department_id_department')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_internal_note'))
    )
    with op.batch_alter_table('internal_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_internal_note_department_id'), ['department_id'], unique=False)
        batch_op.create_index('ix_internal_note_item', ['kind', 'item_id'], unique=False)

    op.create_table('reply_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('triage', 'question', 'suggestion', name='templatepurpose', native_enum=False, length=20), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', consult.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_reply_template_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_reply_template_department_id_department'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reply_template')),
    sa.UniqueConstraint('department_id', 'purpose', 'title', name='uq_reply_template_title')
    )
    with op.batch_alter_table('reply_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reply_template_department_id'), ['department_id'], unique=False)

    op.create_table('workspace_digest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('waiting', sa.Integer(), nullable=False),
    sa.Column('sent_at', consult.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_workspace_digest_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workspace_digest')),
    sa.UniqueConstraint('user_id', 'day', name='uq_workspace_digest_day')
    )
    op.create_table('opinion_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('comment', 'question', 'suggestion', name='opinionkind', native_enum=False, length=20), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', consult.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['user.id'], name=op.f('fk_opinion_assignment_assigned_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], name=op.f('fk_opinion_assignment_assignee_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_opinion_assignment_department_id_department')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_opinion_assignment_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_assignment')),
    sa.UniqueConstraint('kind', 'item_id', name='uq_opinion_assignment_item')
    )
    with op.batch_alter_table('opinion_assignment', schema=None) as batch_op:
        batch_op.create_index('ix_opinion_assignment_assignee', ['assignee_id', 'kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinion_assignment_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinion_assignment_round_id'), ['round_id'], unique=False)



def downgrade():
    with op.batch_alter_table('opinion_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinion_assignment_round_id'))
        batch_op.drop_index(batch_op.f('ix_opinion_assignment_department_id'))
        batch_op.drop_index('ix_opinion_assignment_assignee')

    op.drop_table('opinion_assignment')
    op.drop_table('workspace_digest')
    with op.batch_alter_table('reply_template', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reply_template_department_id'))

    op.drop_table('reply_template')
    with op.batch_alter_table('internal_note', schema=None) as batch_op:
        batch_op.drop_index('ix_internal_note_item')
        batch_op.drop_index(batch_op.f('ix_internal_note_department_id'))

    op.drop_table('internal_note')
