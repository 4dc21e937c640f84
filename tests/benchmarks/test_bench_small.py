"""The benchmark suite at 2,000 customers: runs in `make test` so that a tenfold
regression fails CI (the bounds are ten times the targets; no unit test depends on
wall-clock speed). `make bench-small` prints the same table."""

import datetime as dt

from . import suite

LIMITS_MS = {  # ten times each target
    "lookup": 50,
    "keys_median": 350,
    "account": 1000,
    "aging_today": 5000,
    "receipt_p95": 150,
}


def test_small_suite():
    book, built = suite.bench_book(2000)
    figures = []
    if built is not None:
        figures.append(
            suite.Figure(
                "demo book build, 2,000 customers", built * 1000, None, "ms", "(3 min at 100k)"
            )
        )
    figures += [
        suite.measure_lookup(book, 300),
        suite.measure_keystrokes(book, "apex"),
        suite.measure_account_open(book),
        *suite.measure_account_paint(book),
        suite.measure_aging(book, suite.TODAY, "aging summary as of today", 500),
        suite.measure_aging(
            book, suite.TODAY - dt.timedelta(days=365), "aging summary as of a year ago", 1500
        ),
        *suite.measure_receipts(book),
        *suite.measure_invoice_pdfs(book, 100),
        *suite.measure_statements(book, 300),
    ]
    print("\n" + suite.table("ARTUI benchmarks, 2,000 customers (SQLite)", figures))
    by = {f.name.split(",")[0]: f for f in figures}
    assert by["lookup query"].p95 < LIMITS_MS["lookup"]
    assert by["keystroke to results painted (12 keys)"].median < LIMITS_MS["keys_median"]
    assert by["account screen open and painted"].p95 < LIMITS_MS["account"]
    assert by["aging summary as of today"].median < LIMITS_MS["aging_today"]
    assert by["one receipt"].p95 < LIMITS_MS["receipt_p95"]
    book.dispose()
