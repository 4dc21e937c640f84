"""Engines and units of work.

SQLite: WAL, foreign keys, a busy timeout and synchronous=FULL on every connection; the
driver's own transaction handling is switched off and we emit `BEGIN` for reads and
`BEGIN IMMEDIATE` for writes, so a writer holds the write lock from its first read and
two clerks can never decide on the same stale row (pysqlite's default does not begin a
transaction before a SELECT).

PostgreSQL: psycopg 3; writing units run READ COMMITTED and lock the rows they settle
(`SELECT ... FOR UPDATE` in the services); a serialization failure or deadlock is retried.
"""

import os
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

T = TypeVar("T")

BUSY_TIMEOUT_MS = 30000


def default_db_path() -> Path:
    """The default book in the user's data folder (XDG_DATA_HOME or ~/.local/share)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "artui" / "book.db"


def normalize_url(url: str | os.PathLike | None) -> str:
    """A bare path means a SQLite file; `postgresql://` means psycopg 3."""
    if url is None or str(url) == "":
        url = default_db_path()
    url = str(url)
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("postgresql+") or url.startswith("sqlite:"):
        return url
    return "sqlite:///" + str(Path(url).expanduser().absolute())


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str | os.PathLike | None = None, *, echo: bool = False) -> Engine:
    """The engine for a book. For SQLite the folder is created when missing."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:" and not url.startswith("sqlite://:"):
            folder = Path(path).parent
            folder.mkdir(parents=True, exist_ok=True)
            if folder.stat().st_mode & stat.S_ISGID:
                # a group-shared folder (artui init --group): what this process makes
                # there (a -wal or -shm file, a backup) stays writable by the group
                os.umask(0o007)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            poolclass=NullPool if path == ":memory:" else None,
        )
        _sqlite_events(engine)
        return engine
    from db.models import postgresql_options

    postgresql_options()
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        dbapi_conn.isolation_level = None  # we say BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


@contextmanager
def read_unit(engine: Engine) -> Iterator[Connection]:
    """One read transaction: every query inside sees the same moment."""
    with engine.connect() as conn:
        if not is_sqlite(engine):
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


@contextmanager
def glance_unit(engine: Engine) -> Iterator[Connection]:
    """Reads that need no single moment, each statement being its own (a lookup: the
    customers found, then their rows). On PostgreSQL no transaction is opened: BEGIN and
    COMMIT were two of a lookup's four round trips. On SQLite, a read transaction."""
    if is_sqlite(engine):
        with read_unit(engine) as conn:
            yield conn
        return
    with engine.connect() as conn:
        yield conn.execution_options(isolation_level="AUTOCOMMIT")


@contextmanager
def write_unit(engine: Engine) -> Iterator[Connection]:
    """One writing transaction: commits whole or rolls back whole."""
    with engine.connect() as conn:
        if is_sqlite(engine):
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            yield conn


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError) and "locked" in str(exc).lower():
        return True
    if isinstance(exc, DBAPIError):
        code = getattr(getattr(exc, "orig", None), "sqlstate", None)
        return code in ("40001", "40P01")  # serialization failure, deadlock
    return False


# SQLite result codes (the low byte of an extended code) and PostgreSQL SQLSTATEs that
# mean the storage refused, not the ledger: a full disk, a read-only book, a lost file.
_SQLITE_FAULTS = {13: "full", 10: "io", 8: "readonly", 14: "cantopen"}
_PG_FAULTS = {"53100": "full", "25006": "readonly"}


def storage_problem(exc: BaseException) -> str | None:
    """'full', 'io', 'readonly' or 'cantopen' when `exc` is the storage refusing (a
    file size limit shows as a write I/O error, 'io'); None for anything else."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _SQLITE_FAULTS.get(code & 0xFF)
    state = getattr(orig, "sqlstate", None)
    if isinstance(state, str):
        return _PG_FAULTS.get(state)
    return None


def run_write(engine: Engine, work: Callable[[Connection], T], *, attempts: int = 8) -> T:
    """Run `work` in a writing unit, retrying a serialization failure, a deadlock or
    a lock that outlived the busy timeout; the caller never sees those."""
    delay = 0.01
    for attempt in range(attempts):
        try:
            with write_unit(engine) as conn:
                return work(conn)
        except (OperationalError, DBAPIError) as exc:
            if not _retryable(exc) or attempt == attempts - 1:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    raise AssertionError("unreachable")
