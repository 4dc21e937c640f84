"""daily control totals

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEBITS = "('invoice', 'debit_memo', 'finance_charge', 'returned_payment', 'refund')"


def upgrade() -> None:
    op.create_table(
        "daily_total",
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("debits", sa.Integer(), nullable=False),
        sa.Column("credits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("currency", "day"),
        sqlite_strict=True,
    )
    # Books made before this revision: the totals from their documents.
    op.execute(
        "INSERT INTO daily_total (currency, day, debits, credits) "
        f"SELECT currency, doc_date, "
        f"sum(CASE WHEN kind IN {DEBITS} THEN amount ELSE 0 END), "
        f"sum(CASE WHEN kind IN {DEBITS} THEN 0 ELSE amount END) "
        "FROM document WHERE status = 'posted' GROUP BY currency, doc_date"
    )


def downgrade() -> None:
    op.drop_table("daily_total")
