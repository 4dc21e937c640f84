"""Alembic migrations, run from code (`artui db upgrade`, and on opening a book).

The head revision is compared with the book's `alembic_version` first, so opening an
up-to-date book never imports alembic (it costs start-up time).
"""

from pathlib import Path

from sqlalchemy import Engine, inspect, text

MIGRATIONS = Path(__file__).with_name("migrations")
HEAD = "0006"  # keep in step with the newest file in migrations/versions


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _config(engine: Engine):  # noqa: ANN202
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> bool:
    """Bring the book to `revision`; True when anything was applied."""
    if revision == "head" and current_revision(engine) == HEAD:
        return False
    from alembic import command

    command.upgrade(_config(engine), revision)
    return True


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    command.downgrade(_config(engine), revision)
