"""Many rows read quickly: the driver's own tuples, a chunk at a time.

SQLAlchemy makes a Row object of each row it returns and converts each date read from
SQLite's text into a date object. For a whole-book report of a quarter of a million
rows that was a third of the time, and a report that writes text wants the text anyway.
So a statement whose columns are numbers and text (dates turned to text by the
statement itself) is read here from the driver's cursor.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Connection, Executable


def plain_rows(
    conn: Connection, stmt: Executable, params: Mapping[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    """All the rows of `stmt` as plain tuples, at once (a few tens of thousands)."""
    result = conn.execute(stmt, params)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def plain_chunks(
    conn: Connection, stmt: Executable, params: Mapping[str, Any] | None = None, chunk: int = 4096
) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of `stmt` as lists of plain tuples, `chunk` rows at a time, never all
    held at once."""
    if conn.dialect.name == "sqlite":
        result = conn.execute(stmt, params)
        cursor = result.cursor  # the statement compiled and its parameters bound as usual
        try:
            while part := cursor.fetchmany(chunk):
                yield part
        finally:
            result.close()
        return
    # PostgreSQL: a server-side cursor (SQLAlchemy reads ahead of its own, so its rows)
    result = conn.execute(stmt, params, execution_options={"yield_per": chunk})
    try:
        for part in result.partitions():
            yield list(map(tuple, part))
    finally:
        result.close()
