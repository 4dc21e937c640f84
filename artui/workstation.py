"""`artui` with no command: the workstation, opened without the command line's parser.

Typer, and every command's module it registers, cost ~25 ms of each start; the
workstation needs only --db, --user and --today (or their ARTUI_ variables). Anything
else on the command line goes to artui/cli.py, which opens the workstation the same way.
"""

import datetime as dt
import os
import sys

from artui.errors import DomainError

ROOT_OPTIONS = {"--db": "db", "--user": "user", "--today": "today"}


def workstation_only(argv: list[str]) -> dict[str, str | None] | None:
    """The root options (flags, else their ARTUI_ variables) when `argv` asks for the
    workstation and nothing else; None for anything typer should read (a command,
    --help, an option it must reject)."""
    given: dict[str, str] = {}
    args = iter(argv)
    for arg in args:
        name, eq, value = arg.partition("=")
        if name not in ROOT_OPTIONS:
            return None
        if not eq:
            value = next(args, None)  # type: ignore[assignment]
            if value is None:
                return None
        given[ROOT_OPTIONS[name]] = value
    return {
        key: given.get(key) or os.environ.get(f"ARTUI_{key.upper()}") or None
        for key in ROOT_OPTIONS.values()
    }


def parse_today(today: str | None) -> dt.date | None:
    """--today as a date; a sentence (DomainError) when it is not one."""
    if not today:
        return None
    try:
        return dt.date.fromisoformat(today)
    except ValueError:
        raise DomainError(f"--today: '{today}' is not a date (YYYY-MM-DD).") from None


def open_workstation(db: str | None, user: str | None, today: dt.date | None) -> None:
    """The workstation on the book; on the very first run, a demo book to explore. A
    book that refuses this user, or an unsafe place, is a DomainError with its sentence."""
    from artui.book import is_initialized, open_book
    from artui.safety import check_place
    from artui.users import admit
    from db.engine import make_engine, normalize_url

    engine = make_engine(db)
    try:
        check_place(engine)  # before a demo book is made on a network share
        fresh = not is_initialized(engine)
    finally:
        engine.dispose()
    if fresh:
        print(f"No book yet at {normalize_url(db)}: creating a demo book ...", file=sys.stderr)
        import gc

        gc.enable()  # paused for the start (artui/__main__.py): a build makes garbage
        from artui import demo

        b = open_book(db, user, create=True, today=today, company="Demo Distribution Co.")
        admit(b)
        demo.build(b, customers=300, seed=1)
    else:
        b = open_book(db, user, today=today)
        admit(b)
    from artui.app import run_app

    run_app(b)


def main(argv: list[str]) -> bool:
    """Open the workstation when `argv` asks only for it (True once it has closed);
    False for anything else. Refusals are a sentence on stderr and exit 1 (a --today
    that is not a date: 2), as the command line says them."""
    root = workstation_only(argv)
    if root is None:
        return False
    try:
        today = parse_today(root["today"])
    except DomainError as exc:
        print(exc, file=sys.stderr)
        sys.exit(2)
    try:
        open_workstation(root["db"], root["user"], today)
    except DomainError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
    except Exception as exc:  # a full disk or a read-only book met outside a unit of work
        fault = storage_fault_of(exc, root["db"])
        if fault is None:
            raise
        print(fault, file=sys.stderr)
        sys.exit(1)
    return True


def storage_fault_of(exc: Exception, db: str | None) -> DomainError | None:
    """The sentence for a full disk or a read-only book (`artui.errors.storage_fault`)
    that `exc` met on the book `db` names; None for any other error."""
    from sqlalchemy.engine import make_url

    from artui.errors import storage_fault
    from db.engine import normalize_url

    url = make_url(normalize_url(db))
    sqlite = url.get_backend_name() == "sqlite"
    place = (url.database or "") if sqlite else f"{url.host or 'localhost'}/{url.database}"
    return storage_fault(exc, place, sqlite=sqlite)
