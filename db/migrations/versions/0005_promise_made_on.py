"""promise.made_on: the book's working date the promise was made on

Receipts count toward a promise from the day it was made. The wall-clock `created_at`
is the wrong day when the clerk works on another date (a backdated call, a test book):
keep the working date. Old rows take the date of `created_at`.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("promise", sa.Column("made_on", sa.Date(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("UPDATE promise SET made_on = substr(created_at, 1, 10)")
    else:
        op.execute("UPDATE promise SET made_on = (created_at AT TIME ZONE 'UTC')::date")


def downgrade() -> None:
    op.drop_column("promise", "made_on")
