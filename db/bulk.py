"""Rows written through the database driver directly (executemany on tuples), for the
bulk paths: the demo book's millions of rows and a deposit batch's receipts. Values are
stored the way SQLAlchemy would store them, so that reading them back through it is the
same."""

import datetime as dt
from collections.abc import Callable
from typing import Any


def iso_days() -> Callable[[Any], str | None]:
    """Dates as SQLAlchemy stores them on SQLite, each day formatted once."""
    days: dict[Any, str | None] = {None: None}

    def day(v: Any) -> str | None:
        if v not in days:
            days[v] = v.isoformat()
        return days[v]

    return day


def stamp_of(v: dt.datetime) -> str:
    """A timestamp as SQLAlchemy stores it on SQLite (UTC, microseconds)."""
    return v.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def converter(column: Any) -> Callable[[Any], Any] | None:
    """How SQLAlchemy would store a value on SQLite: ISO dates, UTC timestamps, 0/1."""
    from sqlalchemy import Boolean, Date, DateTime

    kind = column.type
    if isinstance(kind, DateTime) or getattr(kind, "impl", None).__class__ is DateTime:
        stamps: dict[Any, str | None] = {None: None}

        def stamp(v: Any) -> Any:
            if v not in stamps:
                stamps[v] = stamp_of(v)
            return stamps[v]

        return stamp
    if isinstance(kind, Date):
        return iso_days()
    if isinstance(kind, Boolean):
        return lambda v: None if v is None else int(v)
    return None


def driver_rows(
    dialect: str, table: Any, rows: list[dict]
) -> tuple[str, list[str], str, list[tuple]]:
    """An INSERT in the driver's own placeholders and the rows as tuples, with the column
    defaults filled in and, on SQLite, values stored the way SQLAlchemy would store them.
    The row-to-tuple function is compiled once per table: millions of rows go through it."""
    keys = set().union(*(r.keys() for r in rows[:50]))
    cols = [c for c in table.columns if c.name in keys or c.default is not None]
    names = [c.name for c in cols]
    sqlite = dialect == "sqlite"
    env: dict[str, Any] = {}
    parts = []
    for n, c in enumerate(cols):
        env[f"d{n}"] = c.default.arg if c.default is not None else None
        value = f"r.get({c.name!r}, d{n})"
        conv = converter(c) if sqlite else None
        if conv is not None:
            env[f"c{n}"] = conv
            value = f"c{n}({value})"
        parts.append(value)
    to_tuple = eval(f"lambda r: ({', '.join(parts)},)", env)  # noqa: S307 - our own text
    mark = "?" if sqlite else "%s"
    quoted = ", ".join(f'"{n}"' for n in names)  # user, before, after are reserved words
    sql = f"INSERT INTO {table.name} ({quoted}) VALUES ({', '.join(mark for _ in names)})"
    return table.name, names, sql, list(map(to_tuple, rows))


def driver_updates(
    dialect: str, table: Any, columns: list[str], key: str, rows: list[dict]
) -> tuple[str, list[tuple]]:
    """An UPDATE of `columns` by `key` in the driver's placeholders, and the rows as
    tuples (values stored as SQLAlchemy would on SQLite)."""
    sqlite = dialect == "sqlite"
    mark = "?" if sqlite else "%s"
    convs = [converter(table.c[c]) if sqlite else None for c in [*columns, key]]
    sets = ", ".join(f'"{c}" = {mark}' for c in columns)
    sql = f'UPDATE {table.name} SET {sets} WHERE "{key}" = {mark}'
    values = [
        tuple(
            (conv(r[c]) if conv else r[c]) for c, conv in zip([*columns, key], convs, strict=True)
        )
        for r in rows
    ]
    return sql, values
