"""Import semantics, on SQLite and PostgreSQL, against figures worked out by hand:
odd but valid files, payments and credits by row, all or nothing, --dry-run."""

import datetime as dt
import io

import pytest

from artui import receipts
from artui.account import account_summary
from artui.aging import open_items
from artui.check import check_book
from artui.csvio import ImportRefused, export_kind, import_file, neutralise, restore
from artui.customers import get_customer, set_hold
from artui.invoices import invoice_lines
from artui.ledger import find_document
from artui.receipts import PaymentInput

from .conftest import add_customer, as_user


def refused(book, kind: str, text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(ImportRefused) as exc:
        import_file(book, kind, data)
    return [str(p) for p in exc.value.problems]


def doc(book, number: str) -> dict:
    return book.read(lambda tx: find_document(tx, number))


def export(book, kind: str) -> str:
    buf = io.StringIO()
    export_kind(book, kind, buf)
    return buf.getvalue()


def test_neutralise_and_restore_are_inverse():
    for text in ["=SUM(A1)", "+1 555", "-5 Corp", "@home", "'=x", "''+y", "'plain", "a=b", ""]:
        assert restore(neutralise(text)) == text
    assert neutralise("=SUM(A1)") == "'=SUM(A1)"
    assert neutralise("'plain") == "'plain"
    assert restore("'=SUM(A1)") == "=SUM(A1)"
    assert restore("'plain") == "'plain"


def test_odd_but_valid_customer_file(book):
    """A UTF-8 BOM, CRLF line ends, quoted commas, quotes and newlines, a neutralised
    formula, markup and non-Latin names: all stored exactly as typed."""
    text = (
        "\ufeffAccount , NAME,phone,city,credit_limit\r\n"
        "N1,'=SUM(A1),+1 555 0100,Springfield,1000\r\n"
        'N2,"[bold]Big[/bold], ""the"" best",,"Multi, City",\r\n'
        "\r\n"
        "N3,Ærøskøbing Ühr Café 東京,,,\r\n"
        'N4,=HYPERLINK("x"),\'-20,,\r\n'
    )
    result = import_file(book, "customers", text.encode())
    assert (result.records, result.rows) == (4, 4)  # the blank row is skipped
    assert get_customer(book, "N1").name == "=SUM(A1)"
    assert get_customer(book, "N1").credit_limit == 100000
    assert get_customer(book, "N2").name == '[bold]Big[/bold], "the" best'
    assert get_customer(book, "N3").name == "Ærøskøbing Ühr Café 東京"
    assert get_customer(book, "N4").name == '=HYPERLINK("x")'
    out = export(book, "customers").splitlines()
    assert out[1].startswith("N1,'=SUM(A1),,'+1 555 0100,'=SUM(A1),NET30,1000.00,USD,")
    assert out[2].startswith('N2,"[bold]Big[/bold], ""the"" best",')
    assert out[4].startswith('N4,"\'=HYPERLINK(""x"")",,\'-20,')


def test_invoice_lines_terms_and_the_arithmetic_of_formats(book):
    add_customer(book, "A1", "Alpha", terms="2/10NET30")
    add_customer(book, "B1", "Beta", terms="NET15")
    text = (
        "number,account,date,po,item,description,quantity,unit_price,discount_pct,tax_rate,"
        "shipping,due_date,terms\r\n"
        'X-1,A1,2026-09-01,PO-7,W1,"Blue widget, large",3,19.99,10,7.25,12.50,,\r\n'
        'X-1,A1,2026-09-01,PO-7,,"Grommet\r\nspare",2,5.00,,,12.50,,\r\n'
        "X-2,B1,2026-09-03,,,Thing,1.5,10.01,,,,,\r\n"
        "X-3,B1,2026-09-03,,,Other,1,1,,,,2026-12-31,NET30EOM\r\n"
    )
    result = import_file(book, "invoices", text.encode())
    assert (result.records, result.details) == (3, 4)
    x1 = doc(book, "X-1")
    # 3 x 19.99 = 59.97 less 10 % = 53.973 -> 53.97; tax 7.25 % of 53.97 = 3.91;
    # 2 x 5.00 = 10.00; shipping 12.50: total 80.38
    assert (x1["amount"], x1["tax_total"], x1["shipping"], x1["reference"]) == (
        8038,
        391,
        1250,
        "PO-7",
    )
    assert x1["due_date"] == dt.date(2026, 10, 1)  # the customer's 2/10 Net 30
    assert x1["discount_until"] == dt.date(2026, 9, 11)
    lines = invoice_lines(book, x1["id"])
    assert [ln["description"] for ln in lines] == ["Blue widget, large", "Grommet\nspare"]
    assert lines[0]["item_code"] == "W1"
    # 1.5 x 10.01 = 15.015 -> 15.02 (half up); Net 15
    x2 = doc(book, "X-2")
    assert (x2["amount"], x2["due_date"]) == (1502, dt.date(2026, 9, 18))
    assert doc(book, "X-3")["due_date"] == dt.date(2026, 12, 31)  # a given due date wins
    assert check_book(book) == []


def test_payments_by_reference_on_account_automatic_and_later_invoices(book):
    add_customer(book, "A1", "Alpha")
    import_file(
        book,
        "invoices",
        b"number,account,date,quantity,unit_price\n"
        b"I-1,A1,2026-08-01,1,100\nI-2,A1,2026-09-01,1,50\nI-3,A1,2026-10-01,1,80\n"
        b"I-4,A1,2026-11-20,1,40\n",
    )
    text = (
        "reference,account,date,amount,method,invoice,applied\n"
        # one payment of 100.00: 30.00 to I-2, 60.00 to I-3, 10.00 kept on account
        "CHK-1,A1,2026-10-15,100.00,check,I-2,30.00\n"
        "CHK-1,A1,2026-10-15,100.00,check,I-3,60.00\n"
        "CHK-1,A1,2026-10-15,100.00,check,,10.00\n"
        # names no invoice: applied automatically, oldest due first (I-1, then I-2)
        "WIRE-9,A1,2026-10-20,120.00,wire,,\n"
        # applied to an invoice dated after the payment: on the invoice's date
        "CHK-2,A1,2026-11-01,25.00,check,I-4,\n"
    )
    result = import_file(book, "payments", text.encode())
    assert (result.records, result.details) == (3, 3)
    opens = {n: doc(book, n)["open_amount"] for n in ("I-1", "I-2", "I-3", "I-4")}
    # I-1: 100 - 100 (auto) = 0; I-2: 50 - 30 - 20 (auto) = 0; I-3: 80 - 60 = 20;
    # I-4: 40 - 25 = 15
    assert opens == {"I-1": 0, "I-2": 0, "I-3": 2000, "I-4": 1500}
    s = account_summary(book, "A1")
    # open 20 + 15 = 35.00 less the 10.00 kept on account
    assert s.balance == 2500 and s.aging.unapplied == -1000
    before = {i.number: i.open for i in open_items(book, dt.date(2026, 11, 19))}
    assert "I-4" not in before  # not yet invoiced; CHK-2 still unapplied then
    assert before["PMT-000003"] == 2500
    again = refused(book, "payments", "reference,account,date,amount\nCHK-1,A1,2026-11-02,5\n")
    assert again == [
        "row 2, column reference: payment CHK-1 from A1 is already in the book "
        "(PMT-000001); it would be posted twice."
    ]
    assert check_book(book) == []


def test_credits_applied_on_account_and_the_approval_limit(book):
    add_customer(book, "A1", "Alpha")
    import_file(
        book, "invoices", b"number,account,date,quantity,unit_price\nI-1,A1,2026-09-01,1,100\n"
    )
    text = (
        "number,account,date,amount,reason,invoice\n"
        "CR-1,A1,2026-09-10,30.00,damaged,I-1\n"  # applied 30.00
        "CR-2,A1,2026-09-11,90.00,,I-1\n"  # 70.00 open: 70 applied, 20 on account
        "CR-3,A1,2026-09-12,5.00,goodwill,\n"  # on account
    )
    import_file(book, "credits", text.encode())
    assert doc(book, "I-1")["open_amount"] == 0
    assert doc(book, "CR-2")["open_amount"] == 2000 and doc(book, "CR-2")["reason"] == "Imported"
    assert account_summary(book, "A1").balance == -2500
    clerk = as_user(book, "carl")
    big = refused(clerk, "credits", "number,account,date,amount\nCR-9,A1,2026-10-01,1000.01\n")
    assert big == [
        "row 2, column amount: a credit memo above the approval limit of 1,000.00 needs a "
        "supervisor; you (carl) are a clerk."
    ]
    assert check_book(book) == []


def test_all_or_nothing_and_dry_run(book):
    add_customer(book, "A1", "Alpha")
    good = b"number,account,date,quantity,unit_price\nI-1,A1,2026-09-01,1,100\n"
    bad = good + b"I-2,A1,2026-09-31,1,100\nI-3,ZZ,2026-09-01,1,1\nI-4,A1,2026-09-01,1,5\n"
    before = export(book, "invoices")
    assert refused(book, "invoices", bad) == [
        "row 3, column date: 2026-09-31 is not a date: September 2026 has 30 days.",
        "row 4, column account: there is no customer with account ZZ.",
    ]
    assert export(book, "invoices") == before
    dry = import_file(book, "invoices", good, dry_run=True)
    assert dry.dry_run and (dry.records, dry.totals) == (1, (("USD", 10000),))
    assert export(book, "invoices") == before
    import_file(book, "invoices", good)
    assert refused(book, "invoices", good) == [
        "row 2, column number: invoice I-1 already exists in the book."
    ]


def test_a_customer_on_hold_gets_no_imported_invoices(book):
    cid = add_customer(book, "A1", "Alpha")
    set_hold(book, cid, True, "bounced cheques")
    assert refused(
        book, "invoices", "number,account,date,quantity,unit_price\nI-1,A1,2026-09-01,1,100\n"
    ) == ["row 2, column account: A1 is on credit hold (bounced cheques); it gets no new invoices."]


def test_a_read_only_user_imports_nothing(book):
    from artui.book import Book
    from artui.errors import NotAllowed

    nobody = Book(book.engine, "mallory", today=book.today())
    with pytest.raises(NotAllowed):
        import_file(nobody, "customers", b"account,name\nN1,New\n")


def test_payment_rows_apply_what_is_open_when_applied_is_empty(book):
    add_customer(book, "A1", "Alpha")
    import_file(
        book, "invoices", b"number,account,date,quantity,unit_price\nI-1,A1,2026-09-01,1,100\n"
    )
    receipts.receive_payment(
        book, PaymentInput("A1", 4000, dt.date(2026, 9, 5), applications=[("I-1", 4000)])
    )
    import_file(
        book,
        "payments",
        b"reference,account,date,amount,invoice\nR-1,A1,2026-09-20,75.00,I-1\n",
    )
    # 60.00 was open: 60.00 applied, 15.00 stays on account
    assert doc(book, "I-1")["open_amount"] == 0
    assert account_summary(book, "A1").aging.unapplied == -1500


def test_posting_after_importing_numbers_of_the_books_own_form(sqlite_book):
    from artui.invoices import InvoiceInput, post_invoice
    from artui.pricing import LineInput

    import_file(sqlite_book, "customers", b"account,name\nA1,Alpha\n")
    import_file(
        sqlite_book,
        "invoices",
        b"number,account,date,quantity,unit_price\nINV-000001,A1,2026-09-01,1,10\n",
    )
    posted = post_invoice(
        sqlite_book, InvoiceInput("A1", dt.date(2026, 11, 1), [LineInput("x", 1000, 100)])
    )
    assert posted.doc.number == "INV-000002"  # the imported INV-000001 fills value 1
    from artui.check import check_book

    assert check_book(sqlite_book) == []


def test_the_sequence_passes_over_an_imported_number(sqlite_book):
    from artui.check import check_book
    from artui.invoices import InvoiceInput, post_invoice
    from artui.pricing import LineInput

    import_file(sqlite_book, "customers", b"account,name\nA1,Alpha\n")
    import_file(
        sqlite_book,
        "invoices",
        b"number,account,date,quantity,unit_price\nINV-000003,A1,2026-09-01,1,10\n",
    )
    assert check_book(sqlite_book) == []  # value 3 is held ahead of the sequence
    numbers = [
        post_invoice(
            sqlite_book, InvoiceInput("A1", dt.date(2026, 11, 1), [LineInput("x", 1000, 100)])
        ).doc.number
        for _ in range(3)
    ]
    assert numbers == ["INV-000001", "INV-000002", "INV-000004"]
    assert check_book(sqlite_book) == []
