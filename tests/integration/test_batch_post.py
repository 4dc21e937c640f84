"""The set-based posting of a batch's plain receipts gives the same book as posting them
one by one: documents, applications, open amounts, control totals, promises, audit."""

import datetime as dt

import pytest
from sqlalchemy import text

from artui import adjustments, batches
from artui import collections as col
from artui.batches import ReceiptLine
from artui.book import open_book
from artui.check import check_book
from artui.customers import CustomerInput, create_customer
from artui.invoices import InvoiceInput, post_invoice
from artui.pricing import LineInput

TODAY = dt.date(2026, 11, 24)


def build(book):
    """Five customers, invoices, a credit memo, a promise; a batch of every kind of line."""
    docs = {}
    for n in range(1, 6):
        create_customer(book, CustomerInput(account=f"E{n}", name=f"Equal {n}"))
        for k, amount in enumerate((10000, 25050, 4999), 1):
            on = TODAY - dt.timedelta(days=40 - k)
            docs[(n, k)] = post_invoice(
                book, InvoiceInput(f"E{n}", on, [LineInput("Work", 1000, amount * n)])
            ).doc
    memo, _ = adjustments.credit_memo(book, "E5", 3000, "goodwill")
    col.log_call(
        book,
        col.CallInput(
            docs[(2, 1)].customer_id,
            "promised",
            "will pay",
            promises=(col.PromiseInput(20000, TODAY + dt.timedelta(days=3)),),
        ),
    )
    bid = batches.open_batch(book, TODAY, 1, 1)

    def a(n, k, amount):
        return (docs[(n, k)].id, amount, "x")

    lines = [
        # plain: two invoices in full
        ReceiptLine("E1", 35050, allocations=(a(1, 1, 10000), a(1, 2, 25050))),
        # plain, part of one invoice, keeps the rest on account
        ReceiptLine("E2", 30000, allocations=((docs[(2, 1)].id, 20000, "x"),)),
        # plain, nothing applied: all on account (a deposit)
        ReceiptLine("E3", 1234, allocations=()),
        # auto-applied when the batch posts: the one-by-one path
        ReceiptLine("E3", 30000),
        # plain again, after the break
        ReceiptLine("E4", 9998, allocations=((docs[(4, 3)].id, 9998, "x"),)),
        # short paid, written off
        ReceiptLine("E4", 39900, allocations=((docs[(4, 1)].id, 39900, "x"),),
                    short_reason="deduction", write_off=100),
        # a credit memo used with the cash
        ReceiptLine("E5", 47000, allocations=(a(5, 1, 50000), (memo.id, -3000, "c"))),
        # short paid and disputed
        ReceiptLine("E5", 100000, allocations=(a(5, 2, 100000),), short_reason="dispute"),
        # plain: the rest of an invoice another line touched
        ReceiptLine("E2", 10000, allocations=((docs[(2, 2)].id, 10000, "x"),)),
    ]  # fmt: skip
    for line in lines:
        batches.add_receipt(book, bid, line)
    t = batches.totals(book, bid)
    batches.change_batch(book, bid, TODAY, t.entered, t.count)
    return bid


def snapshot(book) -> dict:
    q = {
        "documents": "SELECT d.kind, d.number, c.account, d.doc_date, d.amount, d.open_amount,"
        " d.closed_on, d.reference, d.command_id, d.seq FROM document d"
        " JOIN customer c ON c.id = d.customer_id ORDER BY d.kind, d.number",
        "applications": "SELECT dd.number, cd.number, a.amount, a.applied_on, a.reason,"
        " a.undoes_id FROM application a JOIN document dd ON dd.id = a.debit_id"
        " JOIN document cd ON cd.id = a.credit_id ORDER BY 1, 2, 3",
        "totals": "SELECT currency, day, debits, credits FROM daily_total ORDER BY 1, 2",
        "promises": "SELECT customer_id, amount, status, settled_on FROM promise ORDER BY id",
        "disputes": "SELECT customer_id, amount, reason, status, note FROM dispute ORDER BY id",
        "details": "SELECT d.number, r.method, r.reference FROM receipt_detail r"
        " JOIN document d ON d.id = r.document_id ORDER BY 1",
        "lines": "SELECT r.line_no, d.number FROM batch_receipt r"
        " JOIN document d ON d.id = r.posted_document_id ORDER BY 1",
        "audit": "SELECT action, entity, customer_id FROM audit_event ORDER BY id",
    }
    with book.engine.connect() as conn:
        return {k: [tuple(r) for r in conn.execute(text(v))] for k, v in q.items()}


def test_bulk_and_one_by_one_give_the_same_book(tmp_path):
    books = []
    for name, bulk in (("bulk", True), ("single", False)):
        book = open_book(str(tmp_path / f"{name}.db"), "alice", create=True, today=TODAY)
        bid = build(book)
        batches.post_batch(book, bid, bulk=bulk)
        assert check_book(book) == []
        books.append(book)
    bulk, single = (snapshot(b) for b in books)
    # the same events; a promise kept is logged after the run's payments, not between them
    bulk["audit"].sort()
    single["audit"].sort()
    for key in bulk:
        assert bulk[key] == single[key], key
    assert len(bulk["documents"]) > 20 and len(bulk["applications"]) > 8
    assert [p[2] for p in bulk["promises"]] == ["kept"]


def test_bulk_posting_on_the_test_database(book):
    bid = build(book)
    number = batches.post_batch(book, bid)
    assert number.startswith("DEP-")
    assert check_book(book) == []


def test_a_stale_plan_is_refused_whole(book):
    """Open amounts changed after the lines were typed: the batch is refused with the line
    named, and nothing of it is posted."""
    bid = build(book)
    from artui.receipts import PaymentInput, receive_payment

    receive_payment(
        book,
        PaymentInput("E1", 5000, TODAY, applications=[("INV-000001", 5000)]),
    )
    before = snapshot(book)
    with pytest.raises(Exception, match="Line 1: 100.00 is more than the 50.00 still open"):
        batches.post_batch(book, bid)
    assert snapshot(book) == before
