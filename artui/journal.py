"""The general-ledger journal: every posting as a balanced double-entry transaction.

`artui export journal --format hledger|csv [--from DATE] [--to DATE]`. Each posted
document becomes one transaction dated with the document:

| document          | debit                               | credit                          |
|-------------------|-------------------------------------|---------------------------------|
| invoice           | assets:receivable:ACCOUNT (total)   | revenue (lines after discounts) |
|                   |                                     | liabilities:sales tax           |
|                   |                                     | revenue:shipping                |
| debit memo        | assets:receivable:ACCOUNT           | revenue:debit memos             |
| finance charge    | assets:receivable:ACCOUNT           | revenue:finance charges         |
| returned payment  | assets:receivable:ACCOUNT           | assets:bank                     |
| refund            | assets:receivable:ACCOUNT           | assets:bank                     |
| payment           | assets:bank                         | assets:receivable:ACCOUNT       |
| credit memo       | revenue:returns and allowances      | assets:receivable:ACCOUNT       |
| write-off         | expenses:bad debts                  | assets:receivable:ACCOUNT       |
| discount taken    | expenses:discounts                  | assets:receivable:ACCOUNT       |
| void              | the voided charge's credits, reversed | assets:receivable:ACCOUNT     |

Applications move no money between GL accounts (both sides sit in the customer's
receivable account), so they make no transactions: each customer's receivable account
holds exactly the customer's balance, and its balance on any date equals `artui aging`
for that date. Amounts carry their currency as the commodity.
"""

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from sqlalchemy import select

from artui.book import Book, Tx
from artui.csvio import neutralise
from artui.ledger import KIND_LABEL, C, D
from artui.money import format_amount, minor_digits

RECEIVABLE = "assets:receivable"
BANK = "assets:bank"
REVENUE = "revenue"
SALES_TAX = "liabilities:sales tax"
SHIPPING = "revenue:shipping"
DEBIT_MEMOS = "revenue:debit memos"
FINANCE_CHARGES = "revenue:finance charges"
RETURNS = "revenue:returns and allowances"
BAD_DEBTS = "expenses:bad debts"
DISCOUNTS = "expenses:discounts"

ACCOUNT_TYPES = {
    "assets": "A",
    "assets:bank": "C",
    RECEIVABLE: "A",
    "liabilities": "L",
    SALES_TAX: "L",
    "revenue": "R",
    SHIPPING: "R",
    DEBIT_MEMOS: "R",
    FINANCE_CHARGES: "R",
    RETURNS: "R",
    "expenses": "X",
    BAD_DEBTS: "X",
    DISCOUNTS: "X",
}
FORMATS = ("hledger", "csv")
CSV_COLUMNS = (
    "date",
    "transaction",
    "kind",
    "number",
    "customer",
    "name",
    "account",
    "debit",
    "credit",
    "currency",
)


@dataclass(frozen=True)
class Entry:
    """One balanced transaction; postings are (GL account, amount), debits positive."""

    date: dt.date
    kind: str
    number: str
    customer: str
    name: str
    currency: str
    postings: tuple[tuple[str, int], ...]


def _charge_credits(
    kind: str, amount: int, subtotal: int, tax: int, shipping: int
) -> list[tuple[str, int]]:
    """What a charge credits (as positive amounts): revenue, tax, shipping."""
    if kind == "invoice":
        parts = [(REVENUE, subtotal), (SALES_TAX, tax), (SHIPPING, shipping)]
        rest = amount - subtotal - tax - shipping
        if rest:
            parts[0] = (REVENUE, subtotal + rest)
        return [(acct, amt) for acct, amt in parts if amt]
    if kind == "debit_memo":
        return [(DEBIT_MEMOS, amount)]
    if kind == "finance_charge":
        return [(FINANCE_CHARGES, amount)]
    return [(BANK, amount)]  # returned payment, refund: money going back out


_OFFSET = {
    "payment": BANK,
    "credit_memo": RETURNS,
    "write_off": BAD_DEBTS,
    "discount": DISCOUNTS,
}


def entries(
    tx: Tx, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> Iterator[Entry]:
    """Every posted document in the date range as a transaction, by date."""
    rev = D.alias("rev")
    stmt = (
        select(
            D.c.id,
            D.c.kind,
            D.c.number,
            D.c.doc_date,
            D.c.amount,
            D.c.currency,
            D.c.subtotal,
            D.c.tax_total,
            D.c.shipping,
            C.c.account,
            C.c.name,
            rev.c.kind.label("rev_kind"),
            rev.c.amount.label("rev_amount"),
            rev.c.subtotal.label("rev_subtotal"),
            rev.c.tax_total.label("rev_tax"),
            rev.c.shipping.label("rev_shipping"),
        )
        .select_from(
            D.join(C, C.c.id == D.c.customer_id).outerjoin(rev, rev.c.id == D.c.reverses_id)
        )
        .where(D.c.status == "posted")
        .order_by(D.c.doc_date, D.c.id)
    )
    if date_from is not None:
        stmt = stmt.where(D.c.doc_date >= date_from)
    if date_to is not None:
        stmt = stmt.where(D.c.doc_date <= date_to)
    for r in tx.conn.execute(stmt.execution_options(yield_per=5000)):
        ar = f"{RECEIVABLE}:{r.account}"
        if r.kind in ("invoice", "debit_memo", "finance_charge", "returned_payment", "refund"):
            credits = _charge_credits(r.kind, r.amount, r.subtotal, r.tax_total, r.shipping)
            postings = [(ar, r.amount), *((acct, -amt) for acct, amt in credits)]
        elif r.kind == "void":
            if r.rev_kind is not None and r.rev_amount == r.amount:
                undone = _charge_credits(
                    r.rev_kind, r.amount, r.rev_subtotal, r.rev_tax, r.rev_shipping
                )
            else:
                undone = [(REVENUE, r.amount)]
            postings = [*undone, (ar, -r.amount)]
        else:
            postings = [(_OFFSET.get(r.kind, REVENUE), r.amount), (ar, -r.amount)]
        yield Entry(
            r.doc_date,
            r.kind,
            r.number or "",
            r.account,
            r.name,
            r.currency,
            tuple(postings),
        )


_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029;|]")


def _text(value: str) -> str:
    """Text safe in a journal line: no control characters, comments or payee bars."""
    return re.sub(r"\s{2,}", " ", _UNSAFE.sub(" ", value or "")).strip()


def _hledger_amount(amount: int, currency: str) -> str:
    return f"{format_amount(amount, currency, thousands=False)} {currency}"


def write_hledger(tx: Tx, out: IO[str], date_from: dt.date | None, date_to: dt.date | None) -> int:
    company = tx.company()
    out.write(f"; {_text(company['name'])}: accounts receivable journal from ARTUI\n")
    if date_from or date_to:
        out.write(
            f"; documents dated {date_from.isoformat() if date_from else 'from the start'}"
            f" to {date_to.isoformat() if date_to else 'the end'}\n"
        )
    out.write("\n")
    currencies = sorted(
        {c for (c,) in tx.conn.execute(select(C.c.currency).distinct())} | {company["currency"]}
    )
    for cur in currencies:
        digits = minor_digits(cur)
        sample = "1000" + ("." + "0" * digits if digits else "")
        out.write(f"commodity {sample} {cur}\n")
    out.write("\n")
    for acct, kind in ACCOUNT_TYPES.items():
        out.write(f"account {acct}  ; type: {kind}\n")
    for (account,) in tx.conn.execute(select(C.c.account).order_by(C.c.account)):
        out.write(f"account {RECEIVABLE}:{account}\n")
    out.write("\n")
    n = 0
    for e in entries(tx, date_from, date_to):
        label = KIND_LABEL.get(e.kind, e.kind)
        out.write(f"{e.date.isoformat()} * {_text(e.name)} | {label} {_text(e.number)}\n")
        out.write(f"    ; kind:{e.kind}, customer:{e.customer}\n")
        width = max(len(a) for a, _ in e.postings) + 4
        for acct, amt in e.postings:
            out.write(f"    {acct:<{width}}{_hledger_amount(amt, e.currency):>16}\n")
        out.write("\n")
        n += 1
    return n


def write_csv(tx: Tx, out: IO[str], date_from: dt.date | None, date_to: dt.date | None) -> int:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    n = 0
    for e in entries(tx, date_from, date_to):
        n += 1
        for acct, amt in e.postings:
            plain = format_amount(abs(amt), e.currency, thousands=False)
            w.writerow(
                [
                    e.date.isoformat(),
                    n,
                    e.kind,
                    neutralise(e.number),
                    e.customer,
                    neutralise(e.name),
                    acct,
                    plain if amt > 0 else "",
                    plain if amt < 0 else "",
                    e.currency,
                ]
            )
    return n


def export_journal(
    book: Book,
    out: IO[str],
    fmt: str = "hledger",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> int:
    """Write the journal in one read transaction; returns the transactions written."""
    writer = write_hledger if fmt == "hledger" else write_csv
    return book.read(lambda tx: writer(tx, out, date_from, date_to))
