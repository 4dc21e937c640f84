"""The PostgreSQL figures of issue #10 come from fewer round trips: several applications
written at once, document numbers looked up together, a lookup in two statements. Here:
those paths give the same book and the same rows as the plain ones, on both backends,
and the statement counts do not creep back up."""

import datetime as dt

import pytest
from sqlalchemy import event, text

from artui import batches, ledger
from artui.book import open_book
from artui.check import check_book
from artui.customers import CustomerInput, create_customer
from artui.errors import NotFound, Refused
from artui.invoices import InvoiceInput, post_invoice
from artui.lookup import search
from artui.pricing import LineInput
from artui.receipts import PaymentInput, receive_payment

from .conftest import TODAY
from .test_batch_post import build, snapshot


class Statements:
    """Statements sent through SQLAlchemy while the block runs."""

    def __init__(self, book) -> None:
        self.engine = book.engine
        self.sent: list[str] = []

    def _on(self, conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        self.sent.append(statement)

    def __enter__(self) -> "Statements":
        event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc) -> None:  # noqa: ANN002
        event.remove(self.engine, "before_cursor_execute", self._on)


def _invoices(book, account: str, amounts: list[int], on: dt.date = TODAY) -> list:
    return [
        post_invoice(book, InvoiceInput(account, on, [LineInput("x", 1000, a)])).doc
        for a in amounts
    ]


def test_one_receipt_with_three_applications_in_few_statements(book):
    create_customer(book, CustomerInput("R1", "Receipts"))
    docs = _invoices(book, "R1", [1000, 1000, 1000])
    with Statements(book) as s:
        receive_payment(
            book,
            PaymentInput("R1", 3000, TODAY, applications=[(d.number, 1000) for d in docs]),
        )
    # 32 statements before on PostgreSQL (each one a round trip), 31 on SQLite
    assert len(s.sent) <= (25 if book.sqlite else 15), s.sent
    assert check_book(book) == []


def _ledger_rows(book) -> dict:
    q = {
        "documents": "SELECT number, amount, open_amount, closed_on FROM document ORDER BY number",
        "applications": "SELECT dd.number, cd.number, a.amount, a.applied_on, a.reason,"
        " a.customer_id, a.debit_date, a.debit_due, a.credit_date FROM application a"
        " JOIN document dd ON dd.id = a.debit_id JOIN document cd ON cd.id = a.credit_id"
        " ORDER BY a.id",
        "audit": "SELECT action, entity, after FROM audit_event WHERE action <> 'customer.create'"
        " ORDER BY id",
    }
    with book.engine.connect() as conn:
        return {k: [tuple(r) for r in conn.execute(text(v))] for k, v in q.items()}


def _scenario(book, many: bool) -> list:
    """Applications several at a time (apply_many) or one by one (apply): a debit paid
    in two parts by one credit, a debit already applied later than this date (it closes
    on that later date), a credit used up exactly."""
    create_customer(book, CustomerInput("A1", "Apply Many"))
    early = TODAY - dt.timedelta(days=20)
    d1, d2, d3 = _invoices(book, "A1", [5000, 3000, 4000], on=early)
    later = receive_payment(book, PaymentInput("A1", 1000, TODAY, applications=[]))
    ledger_apply = ledger.apply_many if many else None

    def work(tx):  # noqa: ANN001, ANN202
        ledger.apply(tx, d3.id, later.doc.id, 1000, TODAY)  # d3 has a later application
        credit = ledger.insert_document(
            tx,
            kind="credit_memo",
            customer=ledger.customer_row(tx, "A1"),
            doc_date=early,
            amount=9000,
        )
        items = [(d1.id, 2000, "first"), (d2.id, 3000, "second"), (d1.id, 1000, "again")]
        items.append((d3.id, 3000, "rest"))
        on = early + dt.timedelta(days=1)
        if ledger_apply:
            return ledger_apply(tx, credit["id"], items, on)
        return [ledger.apply(tx, d, credit["id"], a, on, why) for d, a, why in items]

    return book.write(work)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_apply_many_gives_the_book_apply_gives(backend, tmp_path, request):
    books = []
    for name in ("many", "one"):
        if backend == "sqlite":
            url = str(tmp_path / f"{name}.db")
        else:
            from .conftest import _fresh_pg_url

            url = _fresh_pg_url(request.getfixturevalue("pg_url"))
        books.append(open_book(url, "alice", create=True, today=TODAY))
    results = [_scenario(b, many) for b, many in zip(books, (True, False), strict=True)]
    many, one = ([(a.debit_id, a.amount, a.applied_on, a.reason) for a in r] for r in results)
    assert many == one
    rows = [_ledger_rows(b) for b in books]
    assert rows[0] == rows[1]
    closed = {r[0]: r[3] for r in rows[0]["documents"]}
    assert str(closed["INV-000003"]) == str(TODAY)  # its later application dates it
    assert closed["CM-000001"] is not None
    for b in books:
        assert check_book(b) == []
        b.dispose()


def test_apply_many_refused_midway_writes_nothing(book):
    create_customer(book, CustomerInput("A2", "Refused"))
    d1, d2 = _invoices(book, "A2", [1000, 1000])
    before = _ledger_rows(book)
    with pytest.raises(Refused, match="more than the 10.00 still open on Invoice INV-000002"):
        receive_payment(
            book,
            PaymentInput("A2", 3000, TODAY, applications=[(d1.number, 1000), (d2.number, 2000)]),
        )
    with pytest.raises(NotFound, match="no document numbered INV-999999"):
        receive_payment(
            book,
            PaymentInput("A2", 3000, TODAY, applications=[(d1.number, 1), ("INV-999999", 1)]),
        )
    create_customer(book, CustomerInput("A3", "Other"))
    [other] = _invoices(book, "A3", [1000])
    with pytest.raises(Refused, match="belongs to another customer"):
        receive_payment(
            book, PaymentInput("A2", 10, TODAY, applications=[(f" {other.number} ", 10)])
        )
    after = _ledger_rows(book)
    assert after["applications"] == before["applications"]
    assert [r for r in after["documents"] if r[0] in (d1.number, d2.number)] == [
        r for r in before["documents"] if r[0] in (d1.number, d2.number)
    ]


def test_bulk_batch_gives_the_one_by_one_book(book_url, tmp_path, request):
    """test_batch_post's equivalence, on PostgreSQL as well (arrays there)."""
    from .conftest import _fresh_pg_url

    urls = [book_url]
    if book_url.startswith("postgresql"):
        urls.append(_fresh_pg_url(request.getfixturevalue("pg_url")))
    else:
        urls.append(str(tmp_path / "single.db"))
    books = []
    for url, bulk in zip(urls, (True, False), strict=True):
        book = open_book(url, "alice", create=True, today=TODAY)
        bid = build(book)
        batches.post_batch(book, bid, bulk=bulk)
        assert check_book(book) == []
        books.append(book)
    bulk, single = (snapshot(b) for b in books)
    bulk["audit"].sort()
    single["audit"].sort()
    for key in bulk:
        assert bulk[key] == single[key], key
    for b in books:
        b.dispose()


def test_lookup_rows_are_the_same_on_both_backends(pg_url, sqlite_book):
    """The PostgreSQL lookup (documents in one statement, balances with the rows) finds
    what SQLite's does, with the same amounts and flags."""
    from .conftest import _fresh_pg_url

    book = open_book(_fresh_pg_url(pg_url), "alice", create=True, today=TODAY)
    for b in (book, sqlite_book):
        create_customer(b, CustomerInput("C-300", "Trinity Oakridge Supply", city="Dallas"))
        create_customer(b, CustomerInput("C-301", "Oak Valley Farms", phone="(214) 555-0199"))
        create_customer(b, CustomerInput("C-302", "Silver Trinity Mills"))
        old = TODAY - dt.timedelta(days=90)
        post_invoice(b, InvoiceInput("C-300", old, [LineInput("x", 1000, 12345)]))
        post_invoice(b, InvoiceInput("C-300", TODAY, [LineInput("x", 1000, 500)]))
        post_invoice(
            b, InvoiceInput("C-302", TODAY, [LineInput("x", 1000, 700)], reference="po-inv-9")
        )
        receive_payment(b, PaymentInput("C-301", 999, TODAY, applications=[]))

    def rows(b, q):  # noqa: ANN001, ANN202
        return sorted(
            (r.account, r.name, r.balance, r.past_due, r.flags, r.document_number)
            for r in search(b, q)
        )

    queries = ("o", "oa", "oak", "trin", "trinity oak", "0199", "inv-0", "INV-00000", "po-", "c-3")
    for q in (*queries, "--", "c-300", "oak%", "o_k"):
        assert rows(book, q) == rows(sqlite_book, q), q
    # the documents and the customers' search in one statement, the rows in another
    search(book, "warm")  # the user's role, read once a session
    for q in ("oak", "inv-0", "0199"):
        with Statements(book) as sent:
            search(book, q)
        assert len(sent.sent) == 2, sent.sent
    [hit] = [r for r in search(book, "oakridge")]
    assert (hit.balance, hit.past_due) == (12845, 12345)
    assert {r.account for r in search(book, "inv-0000")} == {"C-300", "C-302"}
    book.dispose()
