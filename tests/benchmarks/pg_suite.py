"""The benchmark suite against PostgreSQL (issue #10: "the same suite against PostgreSQL
prints the same table; targets for lookup and aging there: within twice SQLite's").

The book is the same generated one as suite.py's (same generator, seed and big customer),
built once in a database of its own on the given server and reused while the generator's
version stays the same. The figures come from suite.py's own measuring functions.

    python -m tests.benchmarks.pg_suite postgresql://postgres@host/postgres [--customers N]
"""

import datetime as dt
import time

from sqlalchemy import create_engine, text

from artui import demo
from artui.book import Book, is_initialized, open_book
from db.engine import make_engine, normalize_url

from . import suite

TWICE = ("lookup query", "aging summary as of today", "aging summary as of a year ago")


def _server(url: str, database: str) -> str:
    return normalize_url(url).rsplit("/", 1)[0] + "/" + database


def pg_bench_book(
    server_url: str, customers: int = 2000, seed: int = 1
) -> tuple[Book, float | None]:
    """The benchmark book in database `bench_<customers>_s<seed>_v<version>` on the server
    of `server_url` (built when missing), and the seconds the build took, if built."""
    name = f"bench_{customers}_s{seed}_v{suite.DEMO_VERSION}"
    url = _server(server_url, name)
    admin = create_engine(normalize_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
        if exists:
            engine = make_engine(url)
            ready = is_initialized(engine)
            engine.dispose()
            if ready:
                return open_book(url, "bench", today=suite.TODAY), None
        building = name + "_building"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{building}"')
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            conn.exec_driver_sql(f'CREATE DATABASE "{building}"')
        tmp = _server(server_url, building)
        b = open_book(tmp, "bench", create=True, company="Bench Co", today=suite.TODAY)
        t = time.perf_counter()
        demo.build(b, customers=customers, seed=seed, today=suite.TODAY)
        built = time.perf_counter() - t
        suite.add_big_customer(b)
        with b.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")  # statistics, and the visibility map
        b.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    finally:
        admin.dispose()
    return open_book(url, "bench", today=suite.TODAY), built


def pg_figures(book: Book, sqlite: list[suite.Figure] | None = None) -> list[suite.Figure]:
    """Lookup, aging (today, a year ago), one receipt, receipts in one transaction and the
    deposit batch, measured on a PostgreSQL book. Given the SQLite figures of the same
    run, lookup and aging carry the target "within twice SQLite's"."""
    figures = [
        suite.measure_lookup(book, 300),
        suite.measure_aging(book, suite.TODAY, "aging summary as of today", 500),
        suite.measure_aging(
            book, suite.TODAY - dt.timedelta(days=365), "aging summary as of a year ago", 1500
        ),
        *suite.measure_receipts(book),
    ]
    if sqlite:
        by = {f.name: f for f in sqlite}
        for f in figures:
            base = by.get(f.name)
            if base is None or not f.name.startswith(TWICE):
                continue
            use_p95 = f.name.startswith("lookup")
            mine, theirs = (f.p95, base.p95) if use_p95 else (f.median, base.median)
            if mine is not None and theirs is not None:
                f.target = f"<= 2x SQLite ({2 * theirs:,.1f})"
                f.ok = mine <= 2 * theirs
    return figures


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="any database on the server, e.g. .../postgres")
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--compare", action="store_true", help="also measure SQLite's book")
    args = parser.parse_args()
    base = None
    if args.compare:
        sq, _ = suite.bench_book(args.customers)
        base = [
            suite.measure_lookup(sq, 300),
            suite.measure_aging(sq, suite.TODAY, "aging summary as of today", 500),
            suite.measure_aging(
                sq, suite.TODAY - dt.timedelta(days=365), "aging summary as of a year ago", 1500
            ),
        ]
        sq.dispose()
        print(suite.table(f"ARTUI benchmarks, {args.customers:,} customers (SQLite)", base))
    book, built = pg_bench_book(args.url, args.customers)
    figs = pg_figures(book, base)
    if built is not None:
        figs.insert(0, suite.Figure("demo book build", built * 1000, None, "ms", ""))
    print(suite.table(f"ARTUI benchmarks, {args.customers:,} customers (PostgreSQL)", figs))
    book.dispose()
