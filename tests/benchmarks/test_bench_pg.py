"""The suite against PostgreSQL (`make bench` and `make bench-small`): the same figures
on the same generated 2,000-customer book, built on the test server; lookup and aging
there must be within twice SQLite's, the two measured in alternate rounds on the two
books. (At 100,000 customers the build alone takes about 24 minutes on this machine:
the 2,000-customer book is the one compared.)"""

import pytest

from . import pg_suite, suite

pytestmark = pytest.mark.postgres


def test_pg_suite(pg_url):
    sqlite_book, _ = suite.bench_book(2000)
    book, built = pg_suite.pg_bench_book(pg_url, 2000)
    figures = []
    if built is not None:
        figures.append(suite.Figure("demo book build, 2,000 customers", built, None, "s", ""))
    base, mine = pg_suite.pg_figures(book, sqlite_book)
    figures += mine
    print("\n" + suite.table("SQLite's side of the comparison, 2,000 customers", base))
    print("\n" + suite.table("ARTUI benchmarks, 2,000 customers (PostgreSQL 15)", figures))
    sqlite_book.dispose()
    book.dispose()
