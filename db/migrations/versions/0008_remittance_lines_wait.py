"""a batch line may wait for its customer (remittance import)

A line loaded from a bank or lockbox file that matches no customer stays in the batch
for the clerk: its customer is empty until found, and `note` says why it waits.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table(
        "batch_receipt", table_kwargs={"sqlite_strict": True}, recreate="auto"
    ) as batch:
        batch.alter_column("customer_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    op.execute("DELETE FROM batch_receipt WHERE customer_id IS NULL")
    with op.batch_alter_table(
        "batch_receipt", table_kwargs={"sqlite_strict": True}, recreate="auto"
    ) as batch:
        batch.drop_column("note")
        batch.alter_column("customer_id", existing_type=sa.Integer(), nullable=False)
