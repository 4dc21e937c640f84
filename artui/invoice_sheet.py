"""What an invoice's PDF says: the company, the bill-to, the dates and terms, the lines,
the tax per rate and the totals, read in one transaction (the sheet is drawn by
`artui.pdf.invoice`)."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from artui import ledger
from artui.book import Tx, read_only
from artui.dates import TermsError, parse_terms
from artui.errors import Refused
from artui.invoices import invoice_lines
from artui.ledger import D
from artui.money import format_amount
from artui.pricing import LineInput, price
from artui.statements import billing_details


@dataclass(frozen=True)
class SheetLine:
    item: str
    description: str
    quantity: int  # thousandths
    unit_price: int
    discount_rate: int
    tax_rate: int
    amount: int


@dataclass(frozen=True)
class InvoiceSheet:
    kind: str
    number: str
    status: str  # posted | draft | voided
    doc_date: dt.date
    due_date: dt.date | None
    terms: str
    po: str
    notes: str
    currency: str
    company_name: str
    remit_to: tuple[str, ...]
    company_contact: str
    account: str
    customer_name: str
    bill_to: tuple[str, ...]
    email: str
    lines: tuple[SheetLine, ...]
    taxes: tuple[tuple[int, int, int], ...]  # rate, base, tax
    subtotal: int
    discount_total: int
    tax_total: int
    shipping: int
    total: int
    open_amount: int

    def money(self, minor: int) -> str:
        return format_amount(minor, self.currency)


@read_only
def invoice_sheet(tx: Tx, doc: int | str) -> InvoiceSheet:
    """An invoice (or debit memo) by id or number, as its PDF shows it."""
    row = (
        ledger.load_doc(tx, doc)
        if isinstance(doc, int)
        else ledger.find_document(tx, doc, ("invoice", "debit_memo", "finance_charge"))
    )
    if row["kind"] not in ("invoice", "debit_memo", "finance_charge"):
        raise Refused(f"{row['number']} is not an invoice.")
    customer = ledger.customer_row(tx, row["customer_id"])
    company = tx.company()
    contact, email, address = billing_details(tx, [customer["id"]])[customer["id"]]
    lines = invoice_lines(tx, row["id"])
    totals = price(
        [
            LineInput(
                ln["description"],
                ln["quantity"],
                ln["unit_price"],
                ln["discount_rate"],
                ln["tax_rate"],
            )
            for ln in lines
        ],
        row["shipping"],
        tax_shipping=company["tax_shipping"],
    )
    try:
        terms = parse_terms(row["terms"]).describe() if row["terms"] else ""
    except TermsError:
        terms = row["terms"]
    voided = (
        row["status"] == "posted"
        and row["open_amount"] == 0
        and tx.conn.execute(
            select(D.c.id).where(D.c.kind == "void", D.c.reverses_id == row["id"])
        ).first()
        is not None
    )
    return InvoiceSheet(
        kind=row["kind"],
        number=row["number"] or "DRAFT",
        status="voided" if voided else row["status"],
        doc_date=row["doc_date"],
        due_date=row["due_date"],
        terms=terms,
        po=row["reference"] or "",
        notes=row["memo"] or "",
        currency=row["currency"],
        company_name=company["name"],
        remit_to=tuple(x.strip() for x in (company["address"] or "").splitlines() if x.strip()),
        company_contact="  ".join(x for x in (company["phone"], company["email"]) if x),
        account=customer["account"],
        customer_name=customer["name"],
        bill_to=(customer["name"], *((f"Attn: {contact}",) if contact else ()), *address),
        email=email,
        lines=tuple(
            SheetLine(
                ln["item_code"] or "",
                ln["description"],
                ln["quantity"],
                ln["unit_price"],
                ln["discount_rate"],
                ln["tax_rate"],
                ln["amount"],
            )
            for ln in lines
        ),
        taxes=tuple((t.rate, t.base, t.tax) for t in totals.taxes),
        subtotal=row["subtotal"],
        discount_total=row["discount_total"],
        tax_total=row["tax_total"],
        shipping=row["shipping"],
        total=row["amount"],
        open_amount=row["open_amount"],
    )
