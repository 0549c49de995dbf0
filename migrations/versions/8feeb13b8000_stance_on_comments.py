"""A comment's optional stance on its clause (in favour, against, suggests changes,
neutral)

Revision ID: 8feeb13b8000
Revises: de2bb4a9da0a
Create Date: 2026-12-02 13:57:53.299402

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8feeb13b8000'
down_revision = 'de2bb4a9da0a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stance', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('stance')
