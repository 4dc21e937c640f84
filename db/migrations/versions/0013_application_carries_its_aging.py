"""each application carries what the aging needs of its two documents

The aging as of a past date adds back what was applied after that date. Reading each such
application's two documents cost two lookups in the largest table per application (7 s
for a year back on a book of two million invoices). The documents' customer and dates
never change once posted, and applications are never changed either, so the application
row carries them, and one index over (customer_id, applied_on, ...) answers the
add-back by itself, in customer order.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AGING_COLUMNS = ["customer_id", "applied_on", "debit_date", "debit_due", "credit_date", "amount"]


def upgrade() -> None:
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    op.add_column("application", sa.Column("customer_id", sa.Integer(), nullable=True))
    op.add_column("application", sa.Column("debit_date", sa.Date(), nullable=True))
    op.add_column("application", sa.Column("debit_due", sa.Date(), nullable=True))
    op.add_column("application", sa.Column("credit_date", sa.Date(), nullable=True))
    if pg:  # the history guards (artui db roles) refuse updates, this one included
        op.execute("ALTER TABLE application DISABLE TRIGGER USER")
    op.execute(
        "UPDATE application SET customer_id = d.customer_id, debit_date = d.doc_date, "
        "debit_due = d.due_date FROM document d WHERE d.id = application.debit_id"
    )
    op.execute(
        "UPDATE application SET credit_date = d.doc_date "
        "FROM document d WHERE d.id = application.credit_id"
    )
    if pg:
        op.execute("ALTER TABLE application ENABLE TRIGGER USER")
    op.create_index("ix_application_aging", "application", AGING_COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_application_aging", table_name="application")
    for name in ("credit_date", "debit_due", "debit_date", "customer_id"):
        op.drop_column("application", name)
