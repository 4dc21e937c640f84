"""Recurring billing: cycle dates, a run that drafts what is due, posts it together, and
a second run for the same cycle that makes nothing."""

import datetime as dt

import pytest

from artui import recurring
from artui.account import account_summary
from artui.check import check_book
from artui.customers import set_hold
from artui.errors import Refused
from artui.invoices import drafts
from artui.pricing import LineInput

from .conftest import TODAY, add_customer


def test_cycle_dates():
    d = dt.date
    assert recurring.cycle_dates(d(2026, 1, 20), 1, "monthly", None, d(2026, 4, 30)) == [
        d(2026, 2, 1), d(2026, 3, 1), d(2026, 4, 1)
    ]  # fmt: skip
    assert recurring.cycle_dates(d(2026, 1, 1), 15, "quarterly", d(2026, 9, 1), d(2027, 1, 1)) == [
        d(2026, 1, 15), d(2026, 4, 15), d(2026, 7, 15)
    ]  # fmt: skip


def test_a_run_drafts_posts_and_never_bills_a_cycle_twice(book):
    a = add_customer(book, "C1", "Alpha")
    add_customer(book, "C2", "Beta")
    hosting = [LineInput("Hosting", 1000, 4900, tax_rate=7250, item_code="HOST")]
    recurring.create_contract(
        book, recurring.ContractInput("C1", "Hosting", "monthly", 1, dt.date(2026, 9, 15), hosting)
    )
    recurring.create_contract(
        book,
        recurring.ContractInput(
            "C2",
            "Support",
            "quarterly",
            10,
            dt.date(2026, 10, 1),
            [LineInput("Support", 1000, 30000)],
        ),
    )
    with pytest.raises(Refused, match="from 1 to 28"):
        recurring.create_contract(
            book, recurring.ContractInput("C1", "x", "monthly", 31, TODAY, hosting)
        )
    lines = recurring.prepare_run(book, TODAY)  # Oct 1, Nov 1 for C1; Oct 10 for C2
    assert [(x.account, x.cycle_date.isoformat(), x.amount) for x in lines] == [
        ("C1", "2026-10-01", 5255),
        ("C1", "2026-11-01", 5255),
        ("C2", "2026-10-10", 30000),
    ]
    assert len(drafts(book)) == 3 and account_summary(book, "C1").balance == 0
    # the same run again makes nothing new
    assert [x.billing_id for x in recurring.prepare_run(book, TODAY)] == [
        x.billing_id for x in lines
    ]
    assert len(drafts(book)) == 3
    done = recurring.post_run(book, TODAY, skip=[lines[1].billing_id])
    assert (done.posted, done.skipped, done.held) == (2, 1, ())
    assert account_summary(book, "C1").balance == 5255
    assert account_summary(book, "C2").balance == 30000
    # posted and skipped cycles are never billed again
    assert recurring.prepare_run(book, TODAY) == []
    assert drafts(book) == []
    # a customer whose hold blocks invoices keeps the draft for later
    set_hold(book, a, True, "over 90 days")
    later = dt.date(2026, 12, 2)
    from artui.book import Book

    run = recurring.prepare_run(Book(book.engine, book.user, today=later), later)
    assert [x.cycle_date for x in run] == [dt.date(2026, 12, 1)]
    done = recurring.post_run(book, later)
    assert (done.posted, done.held) == (0, ("C1",))
    assert check_book(book) == []
