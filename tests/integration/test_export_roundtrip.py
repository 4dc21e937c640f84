"""Round trip: a book built with the core is exported in every kind and imported into an
empty book, which then has the same aging to the cent (as of several dates), passes
every check, and exports byte for byte the same files again. On SQLite and PostgreSQL."""

import datetime as dt
import io

import pytest

from artui import adjustments, invoices, receipts
from artui.aging import aging
from artui.book import Book, open_book
from artui.check import check_book
from artui.csvio import KINDS, export_kind, import_file
from artui.customers import CustomerInput, create_customer
from artui.invoices import InvoiceInput
from artui.pricing import LineInput
from artui.receipts import PaymentInput
from artui.users import add_user

from .conftest import TODAY, _fresh_pg_url

D = dt.date


@pytest.fixture(params=["sqlite", "postgresql"])
def two_books(request, tmp_path):
    if request.param == "sqlite":
        urls = [str(tmp_path / "a.db"), str(tmp_path / "b.db")]
    else:
        pg = request.getfixturevalue("pg_url")
        urls = [_fresh_pg_url(pg), _fresh_pg_url(pg)]
    books = [open_book(u, "alice", create=True, company="Test Co", today=TODAY) for u in urls]
    yield books
    for b in books:
        b.dispose()


def customers(b: Book) -> None:
    create_customer(
        b,
        CustomerInput(
            "C1",
            "=SUM(A1) Traders",
            phone="+1 555 0100",
            contact="@ann",
            email="ann@example.com",
            address1="-1 Minus Street",
            city="Springfield",
            postal_code="12345",
            country="US",
        ),
    )
    create_customer(b, CustomerInput("C2", "[bold]Beta[/] & Co, Ltd"))
    create_customer(b, CustomerInput("C3", "'Quoted' Euro GmbH", currency="EUR", terms="NET15"))
    create_customer(b, CustomerInput("C4", "Delta", terms="2/10NET30", credit_limit=500000))


def inv(b, account, on, *lines, **kw):
    return invoices.post_invoice(b, InvoiceInput(account, on, list(lines), **kw)).doc


def core_book(b: Book) -> None:
    """Invoices, payments (partial, over, on account, automatic, to two invoices) and
    credit memos (applied, on account, larger than what is open)."""
    customers(b)
    import_file(
        b, "items", b"code,description,unit_price,tax_rate\nW1,Widget,19.99,7.25\nG1,Gadget,5,\n"
    )
    i1 = inv(
        b,
        "C1",
        D(2026, 6, 1),
        LineInput("Widget", 3000, 1999, 10000, 7250, "W1"),
        LineInput('Multi\nline, "quoted"', 2500, 500),
        shipping=1250,
        reference="PO-1",
    )  # 53.97 + 12.50 + 3.91 tax + 12.50 shipping = 82.88
    i2 = inv(b, "C1", D(2026, 8, 15), LineInput("Service", 1000, 20000))
    i3 = inv(b, "C2", D(2026, 9, 1), LineInput("=cmd|' /C calc'!A0", 1000, 10000))
    inv(b, "C3", D(2026, 9, 10), LineInput("Teil", 4000, 2550, tax_rate=19000))
    i5 = inv(b, "C4", D(2026, 10, 1), LineInput("Big", 1000, 150000), due_date=D(2026, 11, 15))
    inv(b, "C4", D(2026, 11, 20), LineInput("Small", 1000, 4000))
    receipts.receive_payment(
        b,
        PaymentInput(
            "C1", 3000, D(2026, 7, 1), reference="CHK-1", applications=[(i1.number, 3000)]
        ),
    )  # partial
    receipts.receive_payment(
        b, PaymentInput("C2", 12000, D(2026, 9, 20), reference="W-77", method="wire")
    )  # over: 100.00 applied, 20.00 on account
    receipts.receive_payment(b, PaymentInput("C4", 7500, D(2026, 10, 5), auto=False))  # on account
    receipts.receive_payment(
        b,
        PaymentInput(
            "C1",
            10000,
            D(2026, 9, 1),
            reference="CHK-2",
            applications=[(i1.number, 2000), (i2.number, 8000)],
        ),
    )
    receipts.receive_payment(b, PaymentInput("C3", 5000, D(2026, 10, 1), method="ach"))  # auto
    adjustments.credit_memo(b, "C4", 20000, "damaged", D(2026, 10, 20), apply_to=i5.number)
    adjustments.credit_memo(b, "C2", 1500, "goodwill", D(2026, 10, 2))  # on account
    adjustments.credit_memo(b, "C1", 50000, "returned", D(2026, 10, 3), apply_to=i2.number)
    assert i3.number


def more_kinds(b: Book) -> None:
    """Everything else: a void, a write-off, a discount, a bounced cheque with a fee, a
    refund, a debit memo, a finance charge, a later application."""
    if Book(b.engine, "sam").role() != "supervisor":
        add_user(b, "sam", "supervisor")
    sup = Book(b.engine, "sam", today=TODAY)
    d1 = inv(b, "C2", D(2026, 10, 10), LineInput("Void me", 1000, 3000))
    invoices.void_invoice(sup, d1.id, "wrong customer", D(2026, 10, 12))
    d2 = inv(b, "C2", D(2026, 10, 10), LineInput("Short", 1000, 10300))
    receipts.receive_payment(
        b, PaymentInput("C2", 10000, D(2026, 10, 25), applications=[(d2.number, 10000)])
    )
    adjustments.write_off(sup, d2.id, "short pay", 300, D(2026, 10, 26))
    d3 = inv(b, "C4", D(2026, 11, 1), LineInput("Early", 1000, 10000))
    adjustments.discount_taken(b, d3.id, on=D(2026, 11, 5))
    bounced = receipts.receive_payment(
        b,
        PaymentInput(
            "C4", 9800, D(2026, 11, 6), reference="CHK-NSF", applications=[(d3.number, 9800)]
        ),
    )
    receipts.reverse_payment(sup, bounced.doc.id, D(2026, 11, 12), fee=2500)
    cm, _ = adjustments.credit_memo(b, "C3", 1000, "price", D(2026, 11, 2))
    receipts.refund(sup, cm.id, 600, D(2026, 11, 3))
    memo = adjustments.debit_memo(b, "C1", 1234, "restocking", D(2026, 11, 4))
    adjustments.finance_charge(b, "C1", 321, D(2026, 11, 5))
    late = receipts.receive_payment(b, PaymentInput("C1", 5000, D(2026, 11, 6), auto=False))
    receipts.apply_credit(b, late.doc.id, memo.id, 1234, D(2026, 11, 10))


def export_all(b: Book) -> dict[str, str]:
    out = {}
    for kind in KINDS:
        buf = io.StringIO()
        export_kind(b, kind, buf)
        out[kind] = buf.getvalue()
    return out


def import_all(b: Book, files: dict[str, str]) -> None:
    for kind in KINDS:
        import_file(b, kind, files[kind].encode())


def rows_of(b: Book, day: dt.date, by: str = "due"):
    result = aging(b, day, by=by)
    return [
        (r.account, r.name, r.currency, *r.buckets().values(), r.unapplied) for r in result.rows
    ], [(t.currency, t.balance, t.unapplied) for t in result.totals]


DATES = [
    D(2026, 5, 31),
    D(2026, 6, 1),
    D(2026, 7, 1),
    D(2026, 8, 31),
    D(2026, 9, 15),
    D(2026, 10, 4),
    D(2026, 10, 21),
    TODAY,
    D(2027, 3, 1),
]


def test_round_trip_gives_the_same_aging_on_every_date(two_books):
    src, dst = two_books
    core_book(src)
    files = export_all(src)
    import_all(dst, files)
    for day in DATES:
        for by in ("due", "doc"):
            assert rows_of(dst, day, by) == rows_of(src, day, by), (day, by)
    assert check_book(dst, as_of_dates=tuple(DATES)) == []
    assert export_all(dst) == files  # and the export of the copy is the same, byte for byte
    # what the file holds, by hand: the partial payment and its remainder rows
    assert "CHK-1,C1,2026-07-01,30.00,check,INV-000001,30.00\n" in files["payments"]
    assert "W-77,C2,2026-09-20,120.00,wire,INV-000003,100.00\n" in files["payments"]
    assert "W-77,C2,2026-09-20,120.00,wire,,20.00\n" in files["payments"]
    assert (
        files["customers"]
        .splitlines()[1]
        .startswith(
            "C1,'=SUM(A1) Traders,ann@example.com,'+1 555 0100,'@ann,NET30,0.00,USD,'-1 Minus"
        )
    )
    assert "C3,'Quoted' Euro GmbH," in files["customers"]  # a quote not before =+-@ stays


def test_round_trip_of_every_kind_is_the_same_as_of_today(two_books):
    src, dst = two_books
    core_book(src)
    more_kinds(src)
    assert check_book(src) == []
    files = export_all(src)
    import_all(dst, files)
    for day in (TODAY, D(2027, 1, 31)):
        assert rows_of(dst, day) == rows_of(src, day)
    assert check_book(dst) == []
    assert export_all(dst) == files
    # the void and the write-off came across as credits; the bounced cheque's return and
    # the refund as charges, each settled as before
    assert "VD-000001,C2,2026-10-12,30.00,wrong customer,INV-000007,30.00" in files["credits"]
    assert "RP-000001,C4,2026-11-12,DUE,2026-11-12," in files["invoices"]
