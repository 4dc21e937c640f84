"""sales orders and their lines, with what has been billed

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "sales_order",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", S(), nullable=False, unique=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("reference", S(), nullable=False),
        sa.Column("memo", S(), nullable=False),
        sa.Column("status", S(), nullable=False),
        sa.Column("created_by", S(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sqlite_strict=True,
    )
    op.create_index("ix_sales_order_customer_id", "sales_order", ["customer_id"])
    op.create_table(
        "sales_order_line",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("sales_order.id"), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("item_code", S(), nullable=False),
        sa.Column("description", S(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Integer(), nullable=False),
        sa.Column("discount_rate", sa.Integer(), nullable=False),
        sa.Column("tax_rate", sa.Integer(), nullable=False),
        sa.Column("billed_quantity", sa.Integer(), nullable=False),
        sqlite_strict=True,
    )
    op.create_index("ix_sales_order_line_order_id", "sales_order_line", ["order_id"])


def downgrade() -> None:
    op.drop_index("ix_sales_order_line_order_id", table_name="sales_order_line")
    op.drop_table("sales_order_line")
    op.drop_index("ix_sales_order_customer_id", table_name="sales_order")
    op.drop_table("sales_order")
