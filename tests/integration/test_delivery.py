"""Invoices as PDF and their delivery: email to a real SMTP server on loopback, the
mail room's print file, the portal; the delivery log; the invoices to chase."""

import datetime as dt

import pytest
from pypdf import PdfReader

from artui import delivery
from artui.book import Book
from artui.customers import ContactInput, get_customer, save_contact, update_customer
from artui.errors import Refused
from artui.invoice_sheet import invoice_sheet
from artui.invoices import InvoiceInput, post_invoice
from artui.outbox import MailSettings
from artui.pdf.invoice import render
from artui.pricing import LineInput

from .conftest import TODAY, add_customer, free_port


def invoice(book, account="C100", lines=None, **kw):
    lines = lines or [
        LineInput("Blue widget", 3000, 1999, discount_rate=10000, tax_rate=7250, item_code="W-1"),
        LineInput("Installation", 1000, 15000),
    ]
    return post_invoice(book, InvoiceInput(account, TODAY, lines, reference="PO-9", **kw)).doc


def test_the_invoice_pdf_says_what_the_invoice_is(book, tmp_path):
    cid = add_customer(book, "C100", "Café Lumière 東京")
    save_contact(book, cid, ContactInput("Zoë", email="ap@lumiere.test", is_billing=True))
    doc = invoice(book, shipping=1250)
    sheet = invoice_sheet(book, doc.number)
    data, ranges = render([sheet], dt.datetime(2026, 11, 24, tzinfo=dt.UTC))
    path = tmp_path / "inv.pdf"
    path.write_bytes(data)
    text = PdfReader(path).pages[0].extract_text()
    wanted = [doc.number, "Café Lumière 東京", "Attn: Zoë", "PO-9", "Blue widget", "53.97"]
    wanted += ["150.00", "Tax 7.25 % on 53.97", "3.91", "12.50", "220.38"]
    for expected in wanted:
        assert expected in text, expected
    assert doc.amount == 22038 and ranges == [(1, 1)]


def test_a_long_invoice_pages_with_its_header_repeated(book, tmp_path):
    add_customer(book)
    lines = [LineInput(f"Part {n}", 1000, 100 + n, item_code=f"P{n}") for n in range(1, 91)]
    doc = invoice(book, lines=lines)
    data, ranges = render([invoice_sheet(book, doc.number)], dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    path = tmp_path / "long.pdf"
    path.write_bytes(data)
    pages = PdfReader(path).pages
    assert len(pages) >= 2 and ranges == [(1, len(pages))]
    assert f"INVOICE {doc.number}, continued" in pages[1].extract_text()
    assert "Part 90" in pages[-1].extract_text()


def test_email_delivery_to_a_real_server_with_the_pdf(book, smtp, tmp_path):
    catcher, settings = smtp
    cid = add_customer(book)
    save_contact(book, cid, ContactInput("Ann", email="ap@acme.test", is_billing=True))
    doc = invoice(book)
    sent = delivery.send_invoice(book, doc.number, folder=tmp_path, mail=settings)
    assert (sent.channel, sent.status, sent.address) == ("email", "sent", "ap@acme.test")
    [(to, msg)] = catcher.messages
    assert to == ["ap@acme.test"] and msg["Subject"] == f"Invoice {doc.number} from Test Co"
    [part] = [p for p in msg.walk() if p.get_content_type() == "application/pdf"]
    attached = tmp_path / "got.pdf"
    attached.write_bytes(part.get_payload(decode=True))
    assert doc.number in PdfReader(attached).pages[0].extract_text()
    # confirmed received: the log says so, and it is no longer one to chase
    delivery.confirm_received(book, sent.id, "AP confirmed by phone")
    [line] = delivery.deliveries(book, doc.number)
    assert line.status == "confirmed"
    later = Book(book.engine, book.user, today=TODAY + dt.timedelta(days=30))
    assert delivery.unconfirmed(later, 7) == []


def test_a_refused_recipient_and_an_unreachable_server_fail_with_the_reason(book, smtp, tmp_path):
    catcher, settings = smtp
    cid = add_customer(book)
    save_contact(book, cid, ContactInput("Nobody", email="nobody@acme.test", is_billing=True))
    doc = invoice(book)
    refused = delivery.send_invoice(book, doc.number, folder=tmp_path, mail=settings)
    assert refused.status == "failed" and "550" in refused.detail
    dead = MailSettings(host="127.0.0.1", port=free_port(), timeout=2)
    down = delivery.send_invoice(book, doc.number, to="ap@acme.test", folder=tmp_path, mail=dead)
    assert down.status == "failed" and "could not be reached" in down.detail
    assert catcher.messages == []
    assert [x.status for x in delivery.deliveries(book, doc.number)] == ["failed", "failed"]
    # nothing else changed: the invoice is as it was, and it is one to chase later
    later = Book(book.engine, book.user, today=TODAY + dt.timedelta(days=8))
    [chase] = delivery.unconfirmed(later, 7)
    assert chase["number"] == doc.number and chase["open_amount"] == doc.amount


def test_mail_goes_in_the_days_print_file_and_the_portal_needs_its_number(book, tmp_path):
    cid = add_customer(book)
    a, b = invoice(book), invoice(book)
    for doc in (a, b):
        line = delivery.send_invoice(book, doc.number, "mail", folder=tmp_path)
        assert line.status == "queued"
    n, path = delivery.print_file(book, tmp_path / "print.pdf")
    assert n == 2 and len(PdfReader(path).pages) == 2
    assert [x.status for x in delivery.deliveries(book, a.number)] == ["sent"]
    assert delivery.print_file(book, tmp_path / "again.pdf") == (0, None)
    record = get_customer(book, cid)
    update_customer(book, cid, record.version, {"portal": "Coupa"})
    with pytest.raises(Refused, match="confirmation number"):
        delivery.send_invoice(book, a.number, "portal", folder=tmp_path)
    line = delivery.send_invoice(book, a.number, "portal", confirmation="CP-77812", folder=tmp_path)
    assert (line.status, line.address, line.detail) == ("sent", "Coupa", "CP-77812")
