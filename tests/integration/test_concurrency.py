"""Two OS processes apply receipts to the same open invoices at once: nothing is
over-applied, no "database is locked" reaches the caller, `artui check` passes."""

import datetime as dt
import json
import os
import subprocess
import sys

import pytest

from artui.account import account_summary
from artui.check import check_book
from artui.customers import CustomerInput, create_customer
from artui.invoices import InvoiceInput, post_invoice
from artui.pricing import LineInput

from .conftest import TODAY

OPS = 5000 if os.environ.get("ARTUI_DEEP") else 1500
INVOICES = 60
RESULTS: dict[str, int] = {}


def test_two_processes_apply_to_the_same_invoices(book, book_url):
    create_customer(book, CustomerInput("C1", "Contended Co"))
    numbers = [
        post_invoice(
            book, InvoiceInput("C1", dt.date(2026, 11, 1), [LineInput("x", 1000, 3000)])
        ).doc.number
        for _ in range(INVOICES)
    ]  # 60 x 30.00 = 1,800.00 open; 2 x OPS receipts of 3.00 want far more
    env = {**os.environ, "ARTUI_TODAY": TODAY.isoformat()}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.integration.workers",
                "apply",
                book_url,
                str(OPS),
                str(seed),
                ",".join(numbers),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for seed in (1, 2)
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert "locked" not in err.lower() and "serializ" not in err.lower()
    results = [json.loads(out) for out, _ in outs]
    applied = sum(r["applied"] for r in results)
    assert sum(r["done"] + r["refused"] for r in results) == 2 * OPS
    assert applied == INVOICES * 3000  # every invoice paid exactly, never more
    summary = account_summary(book, "C1")
    assert summary.aging.current + summary.past_due == 0
    assert check_book(book) == []
    RESULTS[book.engine.dialect.name] = 2 * OPS
    print(
        f"\nconcurrency on {book.engine.dialect.name}: {2 * OPS} operations, "
        f"{sum(r['done'] for r in results)} posted, {sum(r['refused'] for r in results)} "
        "refused as over-applications"
    )


@pytest.fixture(autouse=True)
def _pythonpath(monkeypatch):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    monkeypatch.setenv("PYTHONPATH", root + os.pathsep + os.environ.get("PYTHONPATH", ""))
