"""The migrations build exactly the schema the models declare, and step down and up."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import db.models  # noqa: F401  (registers the tables)
from db import migrate
from db.engine import make_engine
from db.migrate import include_object


def _differences(engine) -> list:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"include_object": include_object, "compare_type": False}
        )
        return compare_metadata(ctx, SQLModel.metadata)


def test_head_matches_the_newest_file():
    newest = max(p.name for p in (migrate.MIGRATIONS / "versions").glob("0*.py"))
    assert newest.startswith(migrate.HEAD + "_")


def test_migrations_give_the_models_schema(book_url):
    engine = make_engine(book_url)
    try:
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.HEAD
        assert _differences(engine) == []
        # Down to the first schema and up again: every step runs both ways.
        migrate.downgrade(engine, "0004")
        assert migrate.current_revision(engine) == "0004"
        migrate.upgrade(engine)
        assert _differences(engine) == []
    finally:
        engine.dispose()


def test_promise_made_on_backfilled(tmp_path: Path):
    """Promises written before 0005 take the date of their wall-clock stamp."""
    from sqlalchemy import text

    engine = make_engine(str(tmp_path / "old.db"))
    try:
        migrate.upgrade(engine, "0004")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO customer (id, account, name, status, on_hold, hold_reason, "
                    "terms, credit_limit, currency, tax_id, notes, collector, delivery, portal, "
                    "escalation, search_text, version, updated_by) VALUES (1, 'C1', 'X', "
                    "'active', 0, '', 'NET30', 0, 'USD', '', '', '', 'email', '', '', '', 1, '')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO promise (customer_id, amount, due_on, status, created_by, "
                    "created_at) VALUES (1, 100, '2026-12-10', 'open', 'a', "
                    "'2026-11-20 15:00:00.000000')"
                )
            )
        migrate.upgrade(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT made_on FROM promise")).scalar() == "2026-11-20"
    finally:
        engine.dispose()
