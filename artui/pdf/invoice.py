"""The invoice PDF: company block, bill-to in the envelope window, invoice and due
dates, terms, PO, the lines (their header repeated on every page of a long invoice),
the tax per rate, the totals and where to send payment."""

import datetime as dt
from collections.abc import Sequence

from artui.invoice_sheet import InvoiceSheet
from artui.money import format_quantity, format_rate
from artui.pdf.base import Page, needs_cjk, new_page_set
from artui.pdf.statement import WIDTH, WINDOW

TITLE = {"invoice": "INVOICE", "debit_memo": "DEBIT MEMO", "finance_charge": "FINANCE CHARGE"}
COLUMNS = (
    ("Item", 22, "L"),
    ("Description", 67.9, "L"),
    ("Qty", 16, "R"),
    ("Unit price", 22, "R"),
    ("Disc %", 14, "R"),
    ("Tax %", 14, "R"),
    ("Amount", 30, "R"),
)


def render(sheets: Sequence[InvoiceSheet], created: dt.datetime) -> tuple[bytes, list]:
    """The invoices in one PDF, each from a new page; the bytes and each one's pages."""
    texts = [t for s in sheets for t in (s.customer_name, *s.bill_to, s.notes, s.company_name)]
    texts += [ln.description for s in sheets for ln in s.lines]
    pdf = new_page_set(created, cjk=needs_cjk(texts))
    ranges = []
    for sheet in sheets:
        first = pdf.page_no() + 1
        _draw(pdf, sheet)
        ranges.append((first, pdf.page_no()))
    pdf.continuation = None
    return bytes(pdf.output()), ranges


def _head(pdf: Page) -> None:
    pdf.set_fill_color(230)
    pdf.row(list(COLUMNS), 5, bold=True, fill=True)


def _draw(pdf: Page, s: InvoiceSheet) -> None:
    title = TITLE.get(s.kind, "INVOICE")
    pdf.start_document(
        lambda: f"{title} {s.number}  ·  {s.customer_name}  ·  page {pdf.page_in_document()}"
    )
    pdf.set_xy(15, 12)
    pdf.font(14, bold=True)
    pdf.cell(110, 7, pdf.fit(s.company_name, 108))
    pdf.font(16, bold=True)
    pdf.cell(WIDTH - 110, 7, title, align="R")
    pdf.ln(7)
    pdf.font(8)
    for line in (*s.remit_to[:4], s.company_contact):
        if line:
            pdf.cell(110, 4, pdf.fit(line, 108))
            pdf.ln(4)
    facts = [
        ("Number", s.number),
        ("Date", s.doc_date.isoformat()),
        ("Due", s.due_date.isoformat() if s.due_date else ""),
        ("Terms", s.terms),
        ("Account", s.account),
        ("PO", s.po),
    ]
    y = 24.0
    for name, value in facts:
        if not value:
            continue
        pdf.set_xy(135, y)
        pdf.font(8)
        pdf.cell(22, 5, name)
        pdf.font(9, bold=True)
        pdf.cell(WIDTH + 15 - 157, 5, pdf.fit(value, 42), align="R")
        y += 5
    x, y0, w, lines = WINDOW
    for n, line in enumerate(s.bill_to[:lines]):
        pdf.set_xy(x, y0 + n * 5)
        pdf.font(9, bold=n == 0)
        pdf.cell(w, 5, pdf.fit(line, w))
    if s.status in ("draft", "voided"):
        pdf.set_xy(135, 60)
        pdf.font(14, bold=True)
        pdf.cell(65, 8, s.status.upper(), align="R")
    pdf.set_y(88)
    _head(pdf)
    pdf.continuation = lambda: (
        pdf.row([(f"{title} {s.number}, continued", WIDTH, "L")], 5, bold=True),
        _head(pdf),
    )
    for ln in s.lines:
        pdf.row(
            [
                (ln.item, 22, "L"),
                (ln.description, 67.9, "L"),
                (format_quantity(ln.quantity), 16, "R"),
                (s.money(ln.unit_price), 22, "R"),
                (format_rate(ln.discount_rate) if ln.discount_rate else "", 14, "R"),
                (format_rate(ln.tax_rate) if ln.tax_rate else "", 14, "R"),
                (s.money(ln.amount), 30, "R"),
            ],
            4.6,
        )
    pdf.continuation = None
    pdf.ln(3)
    totals = [("Subtotal", s.subtotal)]
    if s.discount_total:
        totals.insert(0, ("Discounts included", s.discount_total))
    totals += [
        (f"Tax {format_rate(rate)} % on {s.money(base)}", tax) for rate, base, tax in s.taxes
    ]
    if s.shipping:
        totals.append(("Shipping", s.shipping))
    for name, amount in totals:
        pdf.row([("", 95.9, "L"), (name, 60, "R"), (s.money(amount), 30, "R")], 5)
    pdf.row(
        [("", 95.9, "L"), (f"Total {s.currency}", 60, "R"), (s.money(s.total), 30, "R")],
        6,
        bold=True,
        size=10,
    )
    if s.notes:
        pdf.ln(3)
        pdf.font(8)
        pdf.multi_cell(WIDTH, 4, " ".join(s.notes.split()))
    if s.remit_to:
        pdf.ln(3)
        pdf.row([("Please send payment to: " + ", ".join(s.remit_to), WIDTH, "L")], 5, size=8)
