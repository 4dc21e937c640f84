"""The benchmark suite against PostgreSQL (issue #10: "the same suite against PostgreSQL
prints the same table; targets for lookup and aging there: within twice SQLite's").

The book is the same generated one as suite.py's (same generator, seed and big customer),
built once in a database of its own on the given server and reused while the generator's
version stays the same. The figures come from suite.py's own measuring functions.

    python -m tests.benchmarks.pg_suite postgresql://postgres@host/postgres [--customers N]
"""

import contextlib
import datetime as dt
import random
import statistics
import time

from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import DBAPIError

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
            # the build's pages written out now, not by the checkpointer in the middle of
            # the figures (measured straight after a build, the deposit batch ran at
            # 1,700 a second against 2,300 on the same book at rest)
            with contextlib.suppress(DBAPIError):  # no pg_checkpoint: figures as they come
                conn.exec_driver_sql("CHECKPOINT")
        b.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    finally:
        admin.dispose()
    return open_book(url, "bench", today=suite.TODAY), built


class _Executions:
    """Statements the server ran while the block ran (an executemany counts each of its
    rows: psycopg runs it once per row): on loopback each costs a round trip's share
    and its own parse, plan and run, so their number is the figure that does not vary
    with the machine's load."""

    def __init__(self, book: Book) -> None:
        self.engine, self.count = book.engine, 0

    def _on(self, conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        # insertmanyvalues (one statement of many rows) shows as executemany too
        rows = executemany and context.execute_style.name == "EXECUTEMANY"
        self.count += len(parameters) if rows else 1

    def __enter__(self) -> "_Executions":
        event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on)


def statement_counts(book: Book) -> list[suite.Figure]:
    """Statements per lookup (mean over 100 of the suite's queries), per receipt with
    three applications, and per deposit batch of 20 such receipts (BEGIN and COMMIT,
    which psycopg sends itself, not counted)."""
    from artui import batches
    from artui.customers import CustomerInput, create_customer
    from artui.invoices import InvoiceInput, post_invoice
    from artui.lookup import search
    from artui.pricing import LineInput
    from artui.receipts import PaymentInput, receive_payment

    with _Executions(book) as lookups:
        for q in suite.queries(book, 100):
            search(book, q)
    account = f"S{random.randrange(10**6)}"
    create_customer(book, CustomerInput(account, "Statement Count"))
    docs = book.write(
        lambda tx: [
            post_invoice(tx, InvoiceInput(account, suite.TODAY, [LineInput("x", 1000, 1000)])).doc
            for _ in range(63)
        ]
    )
    with _Executions(book) as one:
        receive_payment(
            book,
            PaymentInput(
                account, 3000, suite.TODAY, applications=[(d.number, 1000) for d in docs[:3]]
            ),
        )
    bid = batches.open_batch(book, suite.TODAY, 20 * 3000, 20)
    for n in range(20):
        allocs = tuple((d.id, 1000, "as given") for d in docs[3 + 3 * n : 6 + 3 * n])
        batches.add_receipt(book, bid, batches.ReceiptLine(account, 3000, allocations=allocs))
    with _Executions(book) as batch:
        batches.post_batch(book, bid)
    return [
        suite.Figure("  statements per lookup (mean)", lookups.count / 100, None, "", ""),
        suite.Figure("  statements per receipt, 3 applications", one.count, None, "", ""),
        suite.Figure("  statements per deposit batch of 20 receipts", batch.count, None, "", ""),
    ]


def side_by_side(
    sqlite: Book, pg: Book, queries: int = 300, rounds: int = 5
) -> tuple[list[suite.Figure], list[suite.Figure]]:
    """Lookup and aging (today, a year ago) on SQLite's book and PostgreSQL's, in
    alternate rounds: the two sides of "within twice SQLite's" measured under the same
    load of this machine. Measured one after the other, a slow minute on either side
    made the ratio (the same code gave 1.4x and 2.3x within the hour)."""
    from artui.aging import aging
    from artui.lookup import search

    books = {"sqlite": sqlite, "pg": pg}
    typed = {side: suite.queries(b, queries) for side, b in books.items()}
    year_ago = suite.TODAY - dt.timedelta(days=365)
    ms: dict[str, dict[str, list[float]]] = {k: {"sqlite": [], "pg": []} for k in "lty"}
    for b in books.values():  # the first of each, as measure_lookup warms up
        search(b, "warm")
    per = queries // rounds
    for r in range(rounds):
        for side, b in books.items():
            for q in typed[side][r * per : (r + 1) * per]:
                t = time.perf_counter()
                search(b, q)
                ms["l"][side].append((time.perf_counter() - t) * 1000)
            ms["t"][side] += suite.timed(lambda b=b: aging(b, suite.TODAY), 1)
            ms["y"][side] += suite.timed(lambda b=b: aging(b, year_ago), 1)

    def figures(side: str) -> list[suite.Figure]:
        lookup, today, year = ms["l"][side], ms["t"][side], ms["y"][side]
        p95 = suite.pct(lookup, 0.95)
        return [
            suite.Figure(f"lookup query, 1-6 characters ({queries} queries)",
                         statistics.median(lookup), p95, "ms", "p95 < 5 ms", p95 < 5),
            suite.Figure("aging summary as of today", statistics.median(today), max(today),
                         "ms", "< 0.5 s", statistics.median(today) < 500),
            suite.Figure("aging summary as of a year ago", statistics.median(year), max(year),
                         "ms", "< 1.5 s", statistics.median(year) < 1500),
        ]  # fmt: skip

    base, mine = figures("sqlite"), figures("pg")
    for f, b in zip(mine, base, strict=True):
        use_p95 = f.name.startswith("lookup")
        theirs = b.p95 if use_p95 else b.median
        ours = f.p95 if use_p95 else f.median
        f.target = f"<= 2x SQLite ({2 * theirs:,.1f})"
        f.ok = ours <= 2 * theirs
    return base, mine


def pg_figures(book: Book, sqlite: Book | None = None) -> tuple[list[suite.Figure], ...]:
    """SQLite's figures of the comparison (none without `sqlite`'s book) and PostgreSQL's:
    lookup and aging (today, a year ago), side by side with SQLite's when its book is
    given (their target then "within twice SQLite's"), one receipt, receipts in one
    transaction, the deposit batch and the statement counts."""
    if sqlite is not None:
        base, figures = side_by_side(sqlite, book)
    else:
        base, figures = (
            [],
            [
                suite.measure_lookup(book, 300),
                suite.measure_aging(book, suite.TODAY, "aging summary as of today", 500),
                suite.measure_aging(
                    book,
                    suite.TODAY - dt.timedelta(days=365),
                    "aging summary as of a year ago",
                    1500,
                ),
            ],
        )
    figures += [*suite.measure_receipts(book), *statement_counts(book)]
    return base, figures


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="any database on the server, e.g. .../postgres")
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--compare", action="store_true", help="also measure SQLite's book")
    args = parser.parse_args()
    sq = suite.bench_book(args.customers)[0] if args.compare else None
    book, built = pg_bench_book(args.url, args.customers)
    base, figs = pg_figures(book, sq)
    if base:
        print(suite.table(f"ARTUI benchmarks, {args.customers:,} customers (SQLite)", base))
    if built is not None:
        figs.insert(0, suite.Figure("demo book build", built * 1000, None, "ms", ""))
    print(suite.table(f"ARTUI benchmarks, {args.customers:,} customers (PostgreSQL)", figs))
    book.dispose()
    if sq is not None:
        sq.dispose()
