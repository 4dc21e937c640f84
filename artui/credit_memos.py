"""Credit memos entered like invoices: lines (priced and taxed the same way), or one
amount with a reason; on account, or against an invoice whose lines are offered for
crediting. Never more than was billed: a line is credited at most its billed quantity
and amount, less what earlier credit memos took; an invoice at most its total, less
what was credited before. Above the approval limit a credit memo needs a supervisor.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from artui import ledger
from artui.adjustments import reason_given
from artui.book import Tx, read_only, unit_of_work
from artui.errors import Refused
from artui.invoices import insert_lines
from artui.ledger import D, Doc
from artui.pricing import LineInput, price
from db.models import InvoiceLine

L = InvoiceLine.__table__
INVOICE_KINDS = ("invoice", "debit_memo", "finance_charge")


@dataclass(frozen=True)
class CreditInput:
    customer: int | str
    doc_date: dt.date
    reason: str
    lines: Sequence[LineInput] = ()  # credits_line_id: the invoice line each one credits
    amount: int = 0  # one amount instead of lines
    against: int | str | None = None  # the invoice (id or number) it credits
    memo: str = ""


@dataclass(frozen=True)
class Creditable:
    """An invoice line and what is left of it to credit."""

    line_id: int
    line_no: int
    item_code: str
    description: str
    unit_price: int
    discount_rate: int
    tax_rate: int
    quantity: int  # billed, thousandths
    amount: int  # billed, after the line's discount
    credited_quantity: int
    credited_amount: int

    @property
    def quantity_left(self) -> int:
        return self.quantity - self.credited_quantity

    @property
    def amount_left(self) -> int:
        return self.amount - self.credited_amount


def _credited_lines(tx: Tx, line_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Per invoice line: quantity and amount already credited by posted credit memos."""
    if not line_ids:
        return {}
    rows = tx.conn.execute(
        select(L.c.credits_line_id, func.sum(L.c.quantity), func.sum(L.c.amount))
        .select_from(L.join(D, D.c.id == L.c.document_id))
        .where(
            L.c.credits_line_id.in_(list(line_ids)),
            D.c.kind == "credit_memo",
            D.c.status == "posted",
        )
        .group_by(L.c.credits_line_id)
    )
    return {r[0]: (int(r[1] or 0), int(r[2] or 0)) for r in rows}


def _invoice(tx: Tx, ref: int | str) -> dict:
    doc = ledger.load_doc(tx, ref) if isinstance(ref, int) else ledger.find_document(tx, ref)
    if doc["kind"] not in INVOICE_KINDS or doc["status"] != "posted":
        raise Refused(f"{doc['number']} is not a posted invoice.", field="against")
    return doc


@read_only
def creditable(tx: Tx, invoice: int | str) -> list[Creditable]:
    """The invoice's lines with what each still has to credit."""
    doc = _invoice(tx, invoice)
    lines = list(
        tx.conn.execute(select(L).where(L.c.document_id == doc["id"]).order_by(L.c.line_no))
    )
    done = _credited_lines(tx, [ln.id for ln in lines])
    return [
        Creditable(
            ln.id,
            ln.line_no,
            ln.item_code,
            ln.description,
            ln.unit_price,
            ln.discount_rate,
            ln.tax_rate,
            ln.quantity,
            ln.amount,
            *done.get(ln.id, (0, 0)),
        )  # fmt: skip
        for ln in lines
    ]


def credited_total(tx: Tx, invoice_id: int) -> int:
    """What credit memos posted against the invoice already came to."""
    return int(
        tx.conn.execute(
            select(func.coalesce(func.sum(D.c.amount), 0)).where(
                D.c.kind == "credit_memo", D.c.status == "posted", D.c.reverses_id == invoice_id
            )
        ).scalar()
        or 0
    )


@unit_of_work
def post_credit_memo(tx: Tx, inp: CreditInput) -> Doc:
    reason = reason_given(inp.reason)
    customer = ledger.customer_row(tx, inp.customer, lock=True)
    if bool(inp.lines) == bool(inp.amount):
        raise Refused("A credit memo has lines, or one amount: one of the two.", field="lines")
    target = _invoice(tx, inp.against) if inp.against is not None else None
    if target is not None and target["customer_id"] != customer["id"]:
        raise Refused(f"{target['number']} belongs to another customer.", field="against")
    company = tx.company()
    totals = None
    if inp.lines:
        totals = price(inp.lines, 0, tax_shipping=company["tax_shipping"])
        _check_lines(tx, inp.lines, totals.line_amounts, target)
        total = totals.total
    else:
        total = inp.amount
    ledger.check_amount(total, customer["currency"], "A credit memo")
    if total > company["approval_limit"]:
        tx.require("supervisor", "A credit memo above the approval limit")
    if target is not None:
        left = target["amount"] - credited_total(tx, target["id"])
        if total > left:
            raise Refused(
                f"{ledger.money(total, customer['currency'])} is more than the "
                f"{ledger.money(left, customer['currency'])} of {target['number']} not yet "
                "credited.",
                field="amount",
            )
    values = {}
    if totals is not None:
        values = {
            "subtotal": totals.subtotal,
            "discount_total": totals.discount_total,
            "tax_total": totals.tax_total,
        }
    doc = ledger.insert_document(
        tx,
        kind="credit_memo",
        customer=customer,
        doc_date=inp.doc_date,
        amount=total,
        reason=reason,
        memo=inp.memo.strip(),
        reverses_id=target["id"] if target else None,
        **values,
    )
    if totals is not None:
        insert_lines(tx, doc["id"], inp.lines, totals)
    if target is not None and target["open_amount"] > 0:
        ledger.apply(
            tx,
            target["id"],
            doc["id"],
            min(total, target["open_amount"]),
            max(inp.doc_date, target["doc_date"]),
            reason,
        )
    return Doc.of(ledger.load_doc(tx, doc["id"]))


def _check_lines(
    tx: Tx, lines: Sequence[LineInput], amounts: Sequence[int], target: dict | None
) -> None:
    linked = [ln.credits_line_id for ln in lines if ln.credits_line_id is not None]
    if linked and target is None:
        raise Refused("Lines that credit an invoice's lines need that invoice.", field="against")
    if not linked:
        return
    billed = {
        r.id: r
        for r in tx.conn.execute(
            select(L).where(L.c.id.in_(linked), L.c.document_id == target["id"])
        )
    }
    done = _credited_lines(tx, linked)
    asked: dict[int, list[int]] = {}
    for n, (ln, amount) in enumerate(zip(lines, amounts, strict=True), 1):
        if ln.credits_line_id is None:
            continue
        src = billed.get(ln.credits_line_id)
        if src is None:
            raise Refused(f"Line {n} credits a line that is not on {target['number']}.")
        q, a = asked.setdefault(src.id, [0, 0])
        asked[src.id] = [q + ln.quantity, a + amount]
    for line_id, (quantity, amount) in asked.items():
        src = billed[line_id]
        had_q, had_a = done.get(line_id, (0, 0))
        if quantity > src.quantity - had_q or amount > src.amount - had_a:
            raise Refused(
                f"Line {src.line_no} of {target['number']} ({src.description}) has "
                f"{ledger.money(src.amount - had_a, target['currency'])} left to credit.",
                field="lines",
            )


@unit_of_work
def post_credit_memo_lines(
    tx: Tx,
    customer: int | str,
    doc_date: dt.date,
    reason: str,
    lines: Sequence[dict],
    against: int | str | None = None,
    amount: int = 0,
) -> Doc:
    """`post_credit_memo` from plain values (lines as dicts of LineInput's fields), so
    that a credit memo above the limit can wait in the approvals queue as it was typed."""
    return post_credit_memo(
        tx,
        CreditInput(customer, doc_date, reason, [LineInput(**ln) for ln in lines], amount, against),
    )
