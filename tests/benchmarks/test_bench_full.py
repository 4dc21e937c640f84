"""`make bench`: the suite on the 100,000-customer demo book (built once, under 3 minutes,
and kept in ~/.cache/artui-bench keyed by the generator's version and seed)."""

import datetime as dt
import os

import pytest

from . import suite, ui_figures

pytestmark = pytest.mark.skipif(
    os.environ.get("ARTUI_BENCH") != "full", reason="the full benchmark runs with make bench"
)


def test_full_suite(tmp_path):
    book, built = suite.bench_book(100_000)
    figures = []
    if built is not None:
        figures.append(
            suite.Figure(
                "demo book build, 100,000 customers", built, None, "s", "< 180 s", built < 180
            )
        )
    figures += [
        suite.measure_lookup(book, 600),
        suite.measure_keystrokes(book, "northwind"),
        suite.measure_account_open(book),
        *suite.measure_account_paint(book),
        suite.measure_aging(book, suite.TODAY, "aging summary as of today, whole book", 500),
        suite.measure_aging(
            book,
            suite.TODAY - dt.timedelta(days=365),
            "aging summary as of a year ago, whole book",
            1500,
        ),
        suite.measure_aging_detail_csv(str(suite.bench_path(100_000))),
        *suite.measure_receipts(book),
        *suite.measure_invoice_pdfs(book, 100),
        *suite.measure_statements(book),
        _import_figure(tmp_path),
        suite.measure_cold_start(str(suite.bench_path(100_000))),
        *ui_figures.measure_cursor_parts(book),
        ui_figures.measure_memory(str(suite.bench_path(100_000))),
    ]
    print("\n" + suite.table("ARTUI benchmarks, 100,000 customers (SQLite)", figures))
    book.dispose()


def _import_figure(tmp_path) -> suite.Figure:
    from .test_bench_small_import import measure

    _, seconds = measure(tmp_path / "import.db", 100_000)
    return suite.Figure(
        "import 100,000 invoice lines (25,000 invoices)", seconds, None, "s", "< 30 s", seconds < 30
    )
