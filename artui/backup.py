"""A consistent copy of a live SQLite book (SQLite's online backup API): clerks keep
posting while it runs; the copy is the book as of one moment."""

import shlex
import sqlite3
from pathlib import Path

from artui.book import Book


class BackupError(Exception):
    pass


def backup_sqlite(book: Book, target: Path) -> int:
    """Copy the book to `target` (which must not exist); returns the pages copied."""
    url = book.engine.url
    target = Path(target)
    if url.get_backend_name() != "sqlite":
        plain = url.set(drivername="postgresql")._replace(password=None)
        secret = " (give the password in PGPASSWORD or ~/.pgpass)" if url.password else ""
        raise BackupError(
            "This book is on PostgreSQL, which has its own consistent backup: run\n"
            f"  pg_dump --format=custom --file={shlex.quote(str(target))} "
            f"{shlex.quote(plain.render_as_string(hide_password=False))}\n"
            f"and restore it with pg_restore{secret}. Nothing was written."
        )
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(url.database, timeout=30)
    dest = sqlite3.connect(str(target))
    copied = 0

    def progress(_status: int, remaining: int, total: int) -> None:
        nonlocal copied
        copied = total - remaining

    try:
        # One step, inside one read transaction: in WAL mode writers go on meanwhile and
        # the copy is the book as of the moment the step began (a stepped copy would
        # restart on every write and might never finish while clerks post).
        source.backup(dest, pages=-1, progress=progress)
        dest.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as exc:
        dest.close()
        target.unlink(missing_ok=True)
        raise BackupError(f"The backup failed and was removed: {exc}") from exc
    finally:
        source.close()
    dest.close()
    return copied
