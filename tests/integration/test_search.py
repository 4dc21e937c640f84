"""The search index is kept in the same transaction as the data, on SQLite (FTS5) and
PostgreSQL (trigram), and finds customers by every way a clerk knows them."""

import pytest

from artui.customers import ContactInput, save_contact, update_customer
from artui.errors import Refused
from artui.lookup import search

from .conftest import add_customer
from .test_ledger import inv, pay


def accounts(book, q):
    return [r.account for r in search(book, q)]


def test_found_by_name_account_phone_email_contact_document_po(book):
    cid = add_customer(
        book,
        "C-10042",
        "Müller & Söhne GmbH",
        contact="Grace O'Brien",
        email="ap@mueller.test",
        phone="(713) 555-0142",
        city="Houston",
    )
    add_customer(book, "C-20000", "Other Co")
    doc = inv(book, "C-10042", reference="PO-7781")
    for q in (
        "mull",
        "MÜLLER",
        "söhne",
        "C-100",
        "c10042",
        "0142",
        "5550",
        "ap@muel",
        "mueller",
        "o'brien",
        "grace",
        "houston",
        doc.number,
        "PO-778",
    ):
        assert accounts(book, q)[:1] == ["C-10042"], q
    hit = search(book, doc.number)[0]
    assert hit.document_id == doc.id
    for q in ("(", "AND", '"', "*", "NEAR"):
        search(book, q)  # FTS syntax is quoted, never an error
    # the index follows edits in the same transaction
    update_customer(book, cid, 1, {"name": "Schmidt Werkzeuge"})
    assert accounts(book, "schmidt") == ["C-10042"] and accounts(book, "müller") == []
    save_contact(book, cid, ContactInput("Zoe Quinn", phone="212-555-9876"))
    assert accounts(book, "9876") == ["C-10042"] and accounts(book, "zoe") == ["C-10042"]


def test_balance_and_flags_in_results(book):
    add_customer(book)
    inv(book, amount=10000)
    pay(book, 2500)
    [row] = search(book, "acme")
    assert row.balance == 7500 and row.flags == ()


def test_a_draft_cannot_be_applied(book):
    from artui import invoices, receipts
    from artui.invoices import InvoiceInput
    from artui.pricing import LineInput

    from .test_ledger import D0

    add_customer(book)
    draft = invoices.save_draft(book, InvoiceInput("C100", D0, [LineInput("x", 1000, 100)]))
    credit = pay(book, 100, auto=False).doc
    with pytest.raises(Refused, match="draft"):
        receipts.apply_credit(book, credit.id, draft.id, 100, D0)


def test_history_pages_carry_the_running_balance(book):
    from artui.account import history_page

    cid = add_customer(book)
    inv(book, amount=10000)  # balance 100.00
    inv(book, amount=5000)  # 150.00
    pay(book, 2000)  # 130.00
    page, nxt = history_page(book, cid, limit=2)
    assert [(r["kind"], r["balance"]) for r in page] == [("payment", 13000), ("invoice", 15000)]
    rest, end = history_page(book, cid, after=nxt, limit=2)
    assert [(r["kind"], r["balance"]) for r in rest] == [("invoice", 10000)] and end is None
