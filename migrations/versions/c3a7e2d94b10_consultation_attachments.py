"""consultation attachments: background documents published beside the draft

Revision ID: c3a7e2d94b10
Revises: b7d41c2e9a10
Create Date: 2026-12-03 07:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

import consult.db

# revision identifiers, used by Alembic.
revision = 'c3a7e2d94b10'
down_revision = 'b7d41c2e9a10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'consultation_attachment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('upload_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'],
                                name=op.f('fk_consultation_attachment_consultation_id_consultation'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'],
                                name=op.f('fk_consultation_attachment_created_by_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['upload_id'], ['upload.id'],
                                name=op.f('fk_consultation_attachment_upload_id_upload'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_attachment')),
        sa.UniqueConstraint('upload_id', name=op.f('uq_consultation_attachment_upload_id')))
    op.create_index(op.f('ix_consultation_attachment_consultation_id'),
                    'consultation_attachment', ['consultation_id'], unique=False)
    op.create_index(op.f('ix_consultation_attachment_created_by_id'),
                    'consultation_attachment', ['created_by_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_consultation_attachment_created_by_id'),
                  table_name='consultation_attachment')
    op.drop_index(op.f('ix_consultation_attachment_consultation_id'),
                  table_name='consultation_attachment')
    op.drop_table('consultation_attachment')
