"""PostgreSQL tells listeners when anything is committed (NOTIFY artui_changes)

Every write appends an audit event, so one statement trigger on audit_event is enough:
the server delivers the notice when the transaction commits, once per transaction (equal
notices in one transaction are folded into one). SQLite has no listeners; nothing there.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE OR REPLACE FUNCTION artui_notify_changes() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('artui_changes', '');
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_event_notify AFTER INSERT ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION artui_notify_changes()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_event_notify ON audit_event")
    op.execute("DROP FUNCTION IF EXISTS artui_notify_changes()")
