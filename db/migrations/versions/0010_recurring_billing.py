"""recurring billing: contracts, their lines, and each cycle billed once

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "contract",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("name", S(), nullable=False),
        sa.Column("cycle", S(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("reference", S(), nullable=False),
        sa.Column("created_by", S(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sqlite_strict=True,
    )
    op.create_index("ix_contract_customer_id", "contract", ["customer_id"])
    op.create_table(
        "contract_line",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("contract_id", sa.Integer(), sa.ForeignKey("contract.id"), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("item_code", S(), nullable=False),
        sa.Column("description", S(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Integer(), nullable=False),
        sa.Column("discount_rate", sa.Integer(), nullable=False),
        sa.Column("tax_rate", sa.Integer(), nullable=False),
        sqlite_strict=True,
    )
    op.create_index("ix_contract_line_contract_id", "contract_line", ["contract_id"])
    op.create_table(
        "contract_billing",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("contract_id", sa.Integer(), sa.ForeignKey("contract.id"), nullable=False),
        sa.Column("cycle_date", sa.Date(), nullable=False),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id"), nullable=True),
        sa.Column("status", S(), nullable=False),
        sa.UniqueConstraint("contract_id", "cycle_date"),
        sqlite_strict=True,
    )


def downgrade() -> None:
    op.drop_table("contract_billing")
    op.drop_index("ix_contract_line_contract_id", table_name="contract_line")
    op.drop_table("contract_line")
    op.drop_index("ix_contract_customer_id", table_name="contract")
    op.drop_table("contract")
