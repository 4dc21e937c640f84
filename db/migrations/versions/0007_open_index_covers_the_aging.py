"""the partial index on open documents covers the aging's columns

The whole-book aging reads every open document; with (doc_date, kind, status,
open_amount) in the partial index it reads the index alone, never the table.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("open_amount > 0")


def upgrade() -> None:
    op.drop_index("ix_document_open", table_name="document")
    op.create_index(
        "ix_document_open",
        "document",
        ["customer_id", "due_date", "doc_date", "kind", "status", "open_amount"],
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_document_open", table_name="document")
    op.create_index(
        "ix_document_open",
        "document",
        ["customer_id", "due_date"],
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
