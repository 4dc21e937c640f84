"""`artui db roles`: PostgreSQL roles for a team (db/roles.py holds the SQL)."""

import re
from pathlib import Path
from typing import Annotated

import typer

from artui.cli import db_app, fail, state

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@db_app.command("roles")
def db_roles(
    owner: Annotated[
        str, typer.Option(help="The role that owns the schema (NOLOGIN; admins act as it).")
    ] = "artui_owner",
    clerk_role: Annotated[
        str, typer.Option(help="The role the workstation connects as (LOGIN).")
    ] = "artui_app",
    password_file: Annotated[
        Path | None,
        typer.Option(help="A file holding the clerk role's password (never on the line)."),
    ] = None,
) -> None:
    """PostgreSQL: make the owner and clerk roles, bring the schema up to date as the
    owner, and grant the clerks read and insert only on the ledger and audit tables.
    Run it as an admin (--db postgresql://admin@host/book); again after each upgrade."""
    from sqlalchemy.exc import DBAPIError

    from db import migrate, roles
    from db.engine import make_engine, normalize_url

    url = normalize_url(state.db)
    if not url.startswith("postgresql"):
        fail("Roles are for a PostgreSQL book: give --db postgresql://admin@host/book.")
    for what, name in (("--owner", owner), ("--clerk-role", clerk_role)):
        if not _NAME.match(name):
            fail(f"{what}: '{name}' is not a role name (lower-case letters, digits, _).")
    if owner == clerk_role:
        fail("The owner and the clerk role must be two roles.")
    password = None
    if password_file is not None:
        try:
            password = password_file.expanduser().read_text(encoding="utf-8").strip()
        except OSError as exc:
            fail(f"--password-file: {exc.strerror or exc}: {password_file}")

    def upgrade(owner_url: str) -> None:
        engine = make_engine(owner_url)
        try:
            migrate.upgrade(engine)
            typer.echo(f"schema at revision {migrate.current_revision(engine)}, owned by {owner}")
        finally:
            engine.dispose()

    try:
        insert_only = roles.set_up(url, owner, clerk_role, password=password, upgrade=upgrade)
    except DBAPIError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        fail(f"The roles could not be set up: {reason}")
    typer.echo(
        f"{clerk_role} can read and insert, never update or delete, on: {', '.join(insert_only)}; "
        "posted documents and their lines are kept as they are by triggers."
    )
