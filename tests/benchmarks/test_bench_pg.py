"""The suite against PostgreSQL (`make bench` and `make bench-small`): the same figures
on the same generated 2,000-customer book, built on the test server, beside SQLite's of
this run; lookup and aging there must be within twice SQLite's. (At 100,000 customers
the build alone takes about 24 minutes on this machine: the 2,000-customer book is the
one compared.)"""

import pytest

from . import pg_suite, suite

pytestmark = pytest.mark.postgres


def test_pg_suite(pg_url):
    sqlite_book, _ = suite.bench_book(2000)
    base = [
        suite.measure_lookup(sqlite_book, 300),
        suite.measure_aging(sqlite_book, suite.TODAY, "aging summary as of today", 500),
        suite.measure_aging(
            sqlite_book,
            suite.TODAY - suite.dt.timedelta(days=365),
            "aging summary as of a year ago",
            1500,
        ),
    ]
    sqlite_book.dispose()
    book, built = pg_suite.pg_bench_book(pg_url, 2000)
    figures = []
    if built is not None:
        figures.append(suite.Figure("demo book build, 2,000 customers", built, None, "s", ""))
    figures += pg_suite.pg_figures(book, base)
    print("\n" + suite.table("ARTUI benchmarks, 2,000 customers (PostgreSQL 15)", figures))
    book.dispose()
