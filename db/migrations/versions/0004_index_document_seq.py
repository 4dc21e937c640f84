"""index on (kind, seq): the sequence asks for every number it hands out

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_document_kind_seq", "document", ["kind", "seq"])


def downgrade() -> None:
    op.drop_index("ix_document_kind_seq", table_name="document")
