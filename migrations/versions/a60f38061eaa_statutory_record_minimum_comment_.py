"""statutory record: minimum comment periods, short-period reason, draft explanation

A department's statutory minimum comment period (30 days unless set), the public reason
of a round shorter than that, and the 起草说明 of a draft version.

Revision ID: a60f38061eaa
Revises: 42462db68b04
Create Date: 2026-12-02 14:07:01.812503

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a60f38061eaa'
down_revision = '42462db68b04'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE ... ADD COLUMN (a constant default, so SQLite can): a batch operation
    # would copy and drop the tables, which SQLite refuses while rows point at them.
    op.add_column("department", sa.Column("min_period_days", sa.Integer(), server_default="30",
                                          nullable=False))
    op.add_column("department", sa.Column("min_period_workdays", sa.Boolean(),
                                          server_default=sa.false(), nullable=False))
    op.add_column("draft_version", sa.Column("explanation", sa.Text(), server_default="",
                                             nullable=False))
    op.add_column("round", sa.Column("short_period_reason", sa.Text(), nullable=True))


def downgrade():
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch operation
    # would copy and drop the tables, which SQLite refuses while rows point at them.
    op.drop_column("round", "short_period_reason")
    op.drop_column("draft_version", "explanation")
    op.drop_column("department", "min_period_workdays")
    op.drop_column("department", "min_period_days")
