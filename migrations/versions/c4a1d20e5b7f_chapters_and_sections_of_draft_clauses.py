"""chapters and sections of draft clauses

A clause of a published version and of the working copy may stand in a chapter (章) and a
section (节) of the draft: the headings as written ("第一章 总则"), empty when the draft
has none.

Revision ID: c4a1d20e5b7f
Revises: a60f38061eaa
Create Date: 2026-12-03 07:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4a1d20e5b7f'
down_revision = 'a60f38061eaa'
branch_labels = None
depends_on = None

TABLES = ("clause", "working_clause")


def upgrade():
    # Plain ALTER TABLE ... ADD COLUMN (a constant default, so SQLite can): a batch operation
    # would copy and drop the tables, which SQLite refuses while rows point at them.
    for table in TABLES:
        op.add_column(table, sa.Column("chapter", sa.String(length=200), server_default="",
                                       nullable=False))
        op.add_column(table, sa.Column("section", sa.String(length=200), server_default="",
                                       nullable=False))


def downgrade():
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ and PostgreSQL).
    for table in reversed(TABLES):
        op.drop_column(table, "section")
        op.drop_column(table, "chapter")
