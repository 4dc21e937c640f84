"""Reports against hand-computed books."""

import datetime as dt

from artui import collections as col
from artui import reports

from .conftest import add_customer
from .test_ledger import inv, pay


def small_book(book):
    add_customer(book)
    inv(book, amount=2000000, on=dt.date(2026, 10, 5))
    inv(book, amount=1500000, on=dt.date(2026, 11, 10))
    pay(book, 800000, on=dt.date(2026, 11, 20))


def test_dso_countback_worked_example(book):
    small_book(book)
    [p] = reports.dso(book, dt.date(2026, 11, 30))
    # balance 27,000.00; November's sales 15,000.00 cover 30 days, leaving 12,000.00 of
    # October's 20,000.00: 31 x 12/20 = 18.6 -> 19 days; DSO = 30 + 19 = 49
    assert (p.balance, p.days, p.partial) == (2700000, 49, False)
    trend = reports.dso_trend(book, months=3, as_of=dt.date(2026, 11, 30))
    assert [t.as_of for t in trend] == [
        dt.date(2026, 9, 30),
        dt.date(2026, 10, 31),
        dt.date(2026, 11, 30),
    ]
    # 31 October: 20,000.00 balance, October's sales 20,000.00: 31 days
    assert trend[1].days == 31 and trend[0].balance == 0


def test_roll_forward_ties(book):
    small_book(book)
    [r] = reports.roll_forward(book, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert (r.opening, r.invoices, r.receipts, r.closing) == (2000000, 1500000, 800000, 2700000)
    assert r.difference == 0


def test_registers(book):
    small_book(book)
    invoices = reports.register(
        book, reports.INVOICE_KINDS, dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    )
    assert [(r.number, r.amount) for r in invoices] == [("INV-000002", 1500000)]
    [receipt] = reports.register(
        book, reports.RECEIPT_KINDS, dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    )
    assert receipt.method == "check" and receipt.amount == 800000


def test_credit_history_and_activity(book):
    cid = add_customer(book)
    inv(book, amount=10000, on=dt.date(2026, 9, 1))  # due 1 Oct
    inv(book, amount=10000, on=dt.date(2026, 9, 10))  # due 10 Oct
    pay(book, 10000, on=dt.date(2026, 9, 21))  # 20 days, on time
    pay(book, 10000, on=dt.date(2026, 10, 20))  # 40 days, late
    col.log_call(book, col.CallInput(cid, "reached", "ok"))
    [h] = reports.credit_history(book)
    assert h.invoices_paid == 2 and h.average_days_to_pay == 30.0 and h.share_paid_late == 0.5
    assert h.largest_balance == 10000
    # Activity is by the clock (when the clerk did it), not by the book's working date.
    clock = dt.datetime.now(dt.UTC).date()
    [me] = reports.activity(book, clock, clock, user="alice")
    assert me.calls == 1 and me.receipts == 2 and me.invoices == 2
