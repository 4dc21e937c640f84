"""The command line (FORMATS.md: a public contract; add, never rename).

Exit codes: 0 done; 1 refused (bad input, failed check, nothing changed); 2 usage error.
Errors go to standard error as one sentence per problem; never a traceback.
"""

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from artui.errors import DomainError

app = typer.Typer(
    name="artui",
    help="ARTUI: the accounts-receivable workstation. With no command, opens the workstation.",
    add_completion=False,
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
db_app = typer.Typer(help="The book's database: migrations.", no_args_is_help=True)
user_app = typer.Typer(help="People and roles.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")


class State:
    db: str | None = None
    user: str | None = None
    today: dt.date | None = None


state = State()

DbOpt = Annotated[
    str | None,
    typer.Option("--db", envvar="ARTUI_DB", help="Book: a SQLite path or postgresql:// URL."),
]
UserOpt = Annotated[
    str | None, typer.Option("--user", envvar="ARTUI_USER", help="Work as this user.")
]
TodayOpt = Annotated[
    str | None,
    typer.Option("--today", envvar="ARTUI_TODAY", help="Working date (YYYY-MM-DD).", hidden=True),
]


def fail(message: str, code: int = 1) -> None:
    """One sentence per problem on stderr, then the exit code."""
    for line in message.splitlines() or [message]:
        typer.echo(line, err=True)
    raise typer.Exit(code)


def parse_day(value: str | None, what: str = "date") -> dt.date | None:
    if value is None:
        return None
    from artui.dates import DateError, parse_date

    try:
        return parse_date(value, state.today or dt.date.today())
    except DateError as exc:
        fail(f"--{what}: {exc}", 2)
    return None


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    db: DbOpt = None,
    user: UserOpt = None,
    today: TodayOpt = None,
) -> None:
    _root_options(db, user, today)
    if ctx.invoked_subcommand is None:
        open_workstation()


def _root_options(db: str | None, user: str | None, today: str | None) -> None:
    from artui.workstation import parse_today

    state.db = db
    state.user = user
    try:
        state.today = parse_today(today)
    except DomainError as exc:
        fail(str(exc), 2)


def book(create: bool = False, **kw: Any):  # noqa: ANN201
    """The book named by --db / ARTUI_DB / the default file; exit 1 with a sentence if
    there is none, or if it refuses this user (its `unknown_user` setting)."""
    from artui.book import open_book
    from artui.users import admit

    try:
        b = open_book(state.db, state.user, create=create, today=state.today, **kw)
        admit(b)
        return b
    except DomainError as exc:
        fail(str(exc))


def open_workstation() -> None:
    """`artui`: the workstation (artui/workstation.py); a refusal is its sentence."""
    from artui.workstation import open_workstation as open_it

    try:
        open_it(state.db, state.user, state.today)
    except DomainError as exc:
        fail(str(exc))


@app.command()
def init(
    company: Annotated[str, typer.Option(help="The company's name.")] = "My Company",
    currency: Annotated[str, typer.Option(help="The book's home currency.")] = "USD",
    group: Annotated[
        str | None,
        typer.Option(
            help="Share the book with this OS group (one server, many clerks): its folder "
            "becomes the group's, setgid 2770, and the book 0660."
        ),
    ] = None,
) -> None:
    """Create an empty book."""
    from artui.book import is_initialized
    from artui.safety import check_place
    from db.engine import make_engine, normalize_url

    url = normalize_url(state.db)
    if group and not url.startswith("sqlite:///"):
        fail("--group shares a SQLite book's folder; a PostgreSQL book is shared by its roles.")
    engine = make_engine(state.db)
    try:
        check_place(engine)  # before a file is made on a network share
    except DomainError as exc:
        fail(str(exc))
    file = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    # no connection (which would make the file) where there is no file yet
    if (file is None or file.exists()) and is_initialized(engine):
        fail(f"There is already a book at {url}; nothing was changed.")
    engine.dispose()
    gid = None
    if group:
        from artui.shared_folder import prepare_folder

        try:
            gid = prepare_folder(file, group)  # type: ignore[arg-type]
        except DomainError as exc:
            fail(str(exc))
    b = book(create=True, company=company, currency=currency.upper())
    if gid is not None:
        from artui.shared_folder import share_files

        b.dispose()
        share_files(file, gid)  # type: ignore[arg-type]
        typer.echo(f"Created an empty book for {company} at {b.url}, shared with {group}")
        return
    typer.echo(f"Created an empty book for {company} at {b.url}")


@app.command()
def check(
    anchor: Annotated[
        str | None, typer.Option(help="A head hash from `artui audit anchor` to verify against.")
    ] = None,
) -> None:
    """Recompute every invariant and the audit chain; exit 1 with a list where any fails."""
    from artui.check import check_book

    problems = check_book(book(), anchor=anchor)
    if problems:
        fail("\n".join(str(p) for p in problems))
    typer.echo("ok: every invariant holds")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations the book lacks."""
    from db.engine import make_engine
    from db.migrate import current_revision, upgrade

    engine = make_engine(state.db)
    applied = upgrade(engine)
    typer.echo(f"book at revision {current_revision(engine)}" + (" (upgraded)" if applied else ""))


@user_app.command("add")
def user_add(
    name: str,
    role: Annotated[str, typer.Option(help="clerk, supervisor or admin")] = "clerk",
    full_name: Annotated[str, typer.Option(help="Full name")] = "",
) -> None:
    """Add a user (an admin's action)."""
    from artui.users import add_user

    try:
        add_user(book(), name, role, full_name)
    except DomainError as exc:
        fail(str(exc))
    typer.echo(f"added {name} as {role}")


def dump_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def run(argv: list[str]) -> None:
    """Run the command line; domain errors become a sentence and exit 1."""
    try:
        app(args=argv, prog_name="artui", standalone_mode=True)
    except DomainError as exc:
        typer.echo(str(exc), err=True)
        sys.exit(1)
    except Exception as exc:
        # a full disk or a read-only book met outside a book's own units of work
        from artui.workstation import storage_fault_of

        fault = storage_fault_of(exc, state.db)
        if fault is None:
            raise
        typer.echo(str(fault), err=True)
        sys.exit(1)


# Commands that live in their own modules register themselves on `app`.
def _register() -> None:
    import importlib

    for name in (
        "artui.cli_reports",
        "artui.cli_data",
        "artui.cli_exchange",
        "artui.cli_statements",
        "artui.cli_report",
        "artui.cli_invoices",
        "artui.cli_pg",
        "artui.cli_serve",
    ):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


_register()

__all__ = ["app", "book", "dump_json", "fail", "parse_day", "run", "state", "Path"]
