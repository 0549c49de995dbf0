"""round content version for the page cache

Bumped with every change shown on a round's cached public fragments (consult.pagecache).

Revision ID: 0960a57a8376
Revises: fbfc0b6b5949
Create Date: 2026-11-26 04:31:18.717787

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0960a57a8376'
down_revision = 'fbfc0b6b5949'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('content_version')
