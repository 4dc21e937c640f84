"""Many rows in one statement on PostgreSQL: each column goes as one array parameter and
the server unnests them.

psycopg's executemany runs its statement once per row (in a pipeline: one round trip,
but one execution and one statement trigger per row): a deposit batch of 200 receipts
was some 2,000 executions and 125 ms of statements on two cores, as arrays 30 and about
60 ms (most of it the rows' own index and foreign-key work). Binary arrays: psycopg
dumps them in less than half the time of text ones. The rows come in as tuples in the
column order given (see `db.bulk.driver_rows`); `unnest` yields them in array order, so
serial ids are taken in that order too (the audit chain relies on it).
"""

from functools import cache
from typing import Any

from sqlalchemy import Connection


@cache
def _pg_type(table: Any, name: str) -> str:
    from sqlalchemy.dialects import postgresql

    return table.c[name].type.compile(dialect=postgresql.dialect())


def _arrays(table: Any, names: list[str]) -> str:
    return ", ".join(f"%b::{_pg_type(table, n)}[]" for n in names)


def _columns(rows: list[tuple], width: int) -> list[list]:
    return [list(col) for col in zip(*rows, strict=True)] if rows else [[]] * width


def _same(col: list) -> bool:
    """Whether every value of a column is the first one (and of its type)."""
    first = col[0]
    kind = type(first)
    return all(v == first and type(v) is kind for v in col)


def insert_rows(
    conn: Connection, table: Any, names: list[str], rows: list[tuple], returning: str = ""
) -> list[tuple]:
    """INSERT the rows (tuples in the order of `names`) with one statement; with
    `returning` (columns, as SQL), what the inserted rows hold there, in no set order.
    A column that holds one value in every row (the date, the user, the kind) goes as
    that value: dumping array elements is most of the client's share of the work."""
    columns = _columns(rows, len(names))
    varying = [n for n, col in zip(names, columns, strict=True) if not rows or not _same(col)]
    values, constants, arrays = [], [], []
    for n, col in zip(names, columns, strict=True):
        if n in varying:
            values.append(f'v."{n}"')
            arrays.append(col)
        else:
            values.append(f"%b::{_pg_type(table, n)}")
            constants.append(col[0])
    quoted = ", ".join(f'"{n}"' for n in names)
    aliases = ", ".join(f'"{n}"' for n in varying)
    source = f"unnest({_arrays(table, varying)}) AS v({aliases})"
    if not varying:  # every row alike: as many of them as were given
        source = f"generate_series(1, {len(rows)})"
    sql = f"INSERT INTO {table.name} ({quoted}) SELECT {', '.join(values)} FROM {source}"
    params = (*constants, *arrays)  # in the order their placeholders stand in the text
    if returning:
        sql += f" RETURNING {returning}"
    result = conn.exec_driver_sql(sql, tuple(params))
    return [tuple(r) for r in result] if returning else []


def update_rows(
    conn: Connection, table: Any, columns: list[str], key: str, rows: list[tuple]
) -> None:
    """UPDATE `columns` of the rows found by `key` with one statement; each row is a
    tuple of the columns' new values and then the key."""
    names = [*columns, key]
    sets = ", ".join(f'"{c}" = v."{c}"' for c in columns)
    quoted = ", ".join(f'"{n}"' for n in names)
    sql = (
        f"UPDATE {table.name} AS t SET {sets} "
        f"FROM unnest({_arrays(table, names)}) AS v({quoted}) "
        f'WHERE t."{key}" = v."{key}"'
    )
    conn.exec_driver_sql(sql, tuple(_columns(rows, len(names))))
