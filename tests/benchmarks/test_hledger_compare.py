"""The peer comparison beside the suites (`make bench`, `make bench-small`): hledger's
per-customer balance and `artui aging` on the 2,000-customer book, timed and tied to the
cent (hledger needs ~1.4 GB and ~11 s a run at this size, so it stays out of `make test`)."""

import os

import pytest

from . import suite
from .hledger_compare import hledger_path, measure_hledger

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("ARTUI_BENCH"), reason="the peer comparison runs with make bench"
    ),
    pytest.mark.skipif(
        hledger_path() is None, reason="hledger is not installed (.ci/run installs it)"
    ),
]


def test_hledger_peer_comparison():
    book, _ = suite.bench_book(2000)
    try:
        figures = measure_hledger(book, suite.TODAY)
    finally:
        book.dispose()
    print("\n" + suite.table("hledger beside artui, 2,000 customers (SQLite)", figures))
    assert figures[-1].name.startswith("customers agreeing to the cent")
