"""Invoices: drafts, posting, voiding.

A draft has no number and counts in no balance; posting takes the gapless number. A
posted invoice is never edited: voiding posts a void document applied to it.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, case, delete, func, insert, select, update

from artui import audit, ledger
from artui.book import Tx, next_number, read_only, unit_of_work
from artui.dates import TermsError, discount_until, due_date, parse_terms
from artui.errors import Conflict, CreditHold, NotFound, Refused
from artui.ledger import IS_OPEN, D, Doc
from artui.money import apply_rate
from artui.pricing import LineInput, Totals, line_fields, price
from artui.sensitive import refuse_card_numbers
from db.models import InvoiceLine

L = InvoiceLine.__table__
_OPEN_BALANCE = select(
    func.coalesce(
        func.sum(case((D.c.kind.in_(ledger.DEBIT_KINDS), D.c.open_amount), else_=-D.c.open_amount)),
        0,
    )
).where(D.c.customer_id == bindparam("cid"), IS_OPEN, D.c.status == "posted")


@dataclass(frozen=True)
class InvoiceInput:
    customer: int | str  # id or account
    doc_date: dt.date
    lines: Sequence[LineInput]
    terms: str | None = None  # the customer's when None
    due_date: dt.date | None = None  # from the terms when None
    reference: str = ""  # PO
    memo: str = ""
    shipping: int = 0
    number: str | None = None  # an outside number (import); else the sequence's
    command_id: str | None = None
    kind: str = "invoice"  # invoice | debit_memo | finance_charge


@dataclass(frozen=True)
class CreditCheck:
    on_hold: bool
    hold_reason: str
    over_limit: bool
    credit_limit: int
    balance_after: int
    blocks: bool
    message: str = ""


@dataclass(frozen=True)
class PostedInvoice:
    doc: Doc
    totals: Totals
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _terms_dates(
    terms_code: str, doc_date: dt.date, total: int, due: dt.date | None
) -> tuple[dt.date, dt.date | None, int]:
    try:
        terms = parse_terms(terms_code)
    except TermsError as exc:
        raise Refused(str(exc), field="terms") from exc
    due = due or due_date(doc_date, terms)
    until = discount_until(doc_date, terms)
    disc = apply_rate(total, terms.discount_milli) if until else 0
    return due, until, disc


def credit_check(tx: Tx, customer: Mapping[str, Any], amount: int) -> CreditCheck:
    """Whether a new charge of `amount` may go to this customer, as the settings say."""
    company = tx.company()
    limit = customer["credit_limit"]
    # The balance matters only against a limit: without one, no query.
    balance = (
        int(tx.conn.execute(_OPEN_BALANCE, {"cid": customer["id"]}).scalar() or 0) if limit else 0
    )
    after = balance + amount
    over = bool(limit) and after > limit
    blocks = (customer["on_hold"] and company["hold_blocks_invoices"]) or (
        over and company["over_limit_blocks_invoices"]
    )
    msg = ""
    cur = customer["currency"]
    if customer["on_hold"]:
        msg = (
            f"{customer['name']} is on credit hold: {customer['hold_reason'] or 'no reason given'}."
        )
    elif over:
        msg = (
            f"This takes {customer['name']} to {ledger.money(after, cur)}, over the credit "
            f"limit of {ledger.money(limit, cur)}."
        )
    return CreditCheck(
        customer["on_hold"], customer["hold_reason"], over, limit, after, blocks, msg
    )


@read_only
def credit_check_for(tx: Tx, customer: int | str, amount: int) -> CreditCheck:
    """`credit_check` for a customer by id or account (before posting, to warn)."""
    return credit_check(tx, ledger.customer_row(tx, customer), amount)


def _validate(inp: InvoiceInput) -> None:
    if not inp.lines:
        raise Refused("An invoice needs at least one line.", field="lines")
    for n, ln in enumerate(inp.lines, 1):
        if ln.quantity < 0 or ln.unit_price < 0:
            raise Refused(f"Line {n}: quantity and price cannot be negative.", field="lines")
        if not (0 <= ln.discount_rate <= 100000) or not (0 <= ln.tax_rate <= 100000):
            raise Refused(f"Line {n}: a rate must be between 0 and 100 %.", field="lines")
        refuse_card_numbers(ln.description, "description")
    if inp.shipping < 0:
        raise Refused("Shipping cannot be negative.", field="shipping")
    refuse_card_numbers(inp.memo, "memo")
    refuse_card_numbers(inp.reference, "reference")


_INSERT_LINES = insert(L)


def insert_lines(tx: Tx, doc_id: int, lines: Sequence[LineInput], totals: Totals) -> None:
    tx.conn.execute(
        _INSERT_LINES,
        [
            {
                "document_id": doc_id,
                "line_no": n,
                **line_fields(ln),
                "amount": amt,
                "credits_line_id": ln.credits_line_id,
            }
            for n, (ln, amt) in enumerate(zip(lines, totals.line_amounts, strict=True), 1)
        ],
    )


@unit_of_work
def post_invoice(tx: Tx, inp: InvoiceInput, *, force: bool = False) -> PostedInvoice:
    """Post an invoice from its lines. A customer on hold (or over the limit) is refused
    where the settings say so; otherwise the warning comes back with the invoice."""
    ledger.check_command(tx, inp.command_id)
    _validate(inp)
    customer = ledger.customer_row(tx, inp.customer, lock=True)
    totals = price(inp.lines, inp.shipping, tax_shipping=tx.company()["tax_shipping"])
    check = credit_check(tx, customer, totals.total)
    if check.blocks and not force:
        raise CreditHold(check.message, field="customer")
    terms = inp.terms or customer["terms"]
    due, until, disc = _terms_dates(terms, inp.doc_date, totals.total, inp.due_date)
    doc = ledger.insert_document(
        tx,
        kind=inp.kind,
        customer=customer,
        doc_date=inp.doc_date,
        amount=totals.total,
        number=inp.number,
        due_date=due,
        discount_until=until,
        discount_amount=disc,
        terms=terms,
        subtotal=totals.subtotal,
        discount_total=totals.discount_total,
        tax_total=totals.tax_total,
        shipping=totals.shipping,
        reference=inp.reference,
        memo=inp.memo,
        command_id=inp.command_id,
    )
    insert_lines(tx, doc["id"], inp.lines, totals)
    return PostedInvoice(Doc.of(doc), totals, (check.message,) if check.message else ())


@unit_of_work
def save_draft(
    tx: Tx, inp: InvoiceInput, draft_id: int | None = None, version: int | None = None
) -> Doc:
    """Create or replace a draft (no number; counts in no balance). `version` is the one
    the clerk started from: a save that lost a race with another clerk is refused."""
    _validate(inp)
    customer = ledger.customer_row(tx, inp.customer)
    totals = price(inp.lines, inp.shipping, tax_shipping=tx.company()["tax_shipping"])
    terms = inp.terms or customer["terms"]
    due, until, disc = _terms_dates(terms, inp.doc_date, totals.total, inp.due_date)
    values = {
        "kind": inp.kind,
        "customer_id": customer["id"],
        "currency": customer["currency"],
        "doc_date": inp.doc_date,
        "due_date": due,
        "discount_until": until,
        "discount_amount": disc,
        "terms": terms,
        "amount": totals.total,
        "open_amount": 0,
        "status": "draft",
        "subtotal": totals.subtotal,
        "discount_total": totals.discount_total,
        "tax_total": totals.tax_total,
        "shipping": totals.shipping,
        "reference": inp.reference,
        "memo": inp.memo,
    }
    if draft_id is None:
        values.update(created_by=tx.user, created_at=tx.now, version=1)
        draft_id = tx.conn.execute(insert(D).values(**values)).inserted_primary_key[0]
        action = "draft.create"
    else:
        old = tx.conn.execute(select(D).where(D.c.id == draft_id)).mappings().first()
        if old is None or old["status"] != "draft":
            raise NotFound("That draft is gone: it was posted or deleted.")
        if version is not None and old["version"] != version:
            raise Conflict(
                f"{old['created_by'] or 'Another clerk'} changed this draft after you opened "
                "it; reopen it to see their changes."
            )
        values["version"] = old["version"] + 1
        tx.conn.execute(update(D).where(D.c.id == draft_id).values(**values))
        tx.conn.execute(delete(L).where(L.c.document_id == draft_id))
        action = "draft.save"
    insert_lines(tx, draft_id, inp.lines, totals)
    audit.record(
        tx,
        action,
        entity="document",
        entity_id=draft_id,
        customer_id=customer["id"],
        document_id=draft_id,
        after={"amount": totals.total, "lines": len(inp.lines)},
    )
    row = tx.conn.execute(select(D).where(D.c.id == draft_id)).mappings().one()
    return Doc.of(row)


@unit_of_work
def post_draft(tx: Tx, draft_id: int, *, version: int | None = None, force: bool = False) -> Doc:
    """Post a saved draft: it takes its gapless number now."""
    row = tx.conn.execute(select(D).where(D.c.id == draft_id)).mappings().first()
    if row is None or row["status"] != "draft":
        raise NotFound("That draft is gone: it was posted or deleted.")
    if version is not None and row["version"] != version:
        raise Conflict("This draft changed after you opened it; reopen it before posting.")
    customer = ledger.customer_row(tx, row["customer_id"], lock=True)
    check = credit_check(tx, customer, row["amount"])
    if check.blocks and not force:
        raise CreditHold(check.message, field="customer")
    ledger.check_amount(row["amount"], row["currency"], "The invoice total")
    ledger.check_open_period(tx, row["doc_date"], "An invoice")
    number, seq = next_number(tx, row["kind"])
    tx.conn.execute(
        update(D)
        .where(D.c.id == draft_id)
        .values(
            number=number,
            seq=seq,
            status="posted",
            open_amount=row["amount"],
            created_by=tx.user,
            created_at=tx.now,
            version=row["version"] + 1,
        )
    )
    ledger.add_to_control(tx, row["currency"], row["doc_date"], row["kind"], row["amount"])
    audit.record(
        tx,
        f"{row['kind']}.post",
        entity="document",
        entity_id=draft_id,
        customer_id=customer["id"],
        document_id=draft_id,
        after={"number": number, "amount": row["amount"], "date": row["doc_date"]},
    )
    return Doc.of(tx.conn.execute(select(D).where(D.c.id == draft_id)).mappings().one())


@unit_of_work
def delete_draft(tx: Tx, draft_id: int) -> None:
    row = tx.conn.execute(select(D).where(D.c.id == draft_id)).mappings().first()
    if row is None or row["status"] != "draft":
        raise NotFound("That draft is gone: it was posted or deleted.")
    tx.conn.execute(delete(L).where(L.c.document_id == draft_id))
    tx.conn.execute(delete(D).where(D.c.id == draft_id))
    audit.record(
        tx, "draft.delete", entity="document", entity_id=draft_id, customer_id=row["customer_id"]
    )


@unit_of_work
def void_invoice(tx: Tx, doc_id: int, reason: str, on: dt.date | None = None) -> Doc:
    """Void a posted charge: undo what was applied to it (that money goes back on
    account), then post a void document for the whole amount, applied to it. A void of
    an invoice that had applications needs a supervisor."""
    on = on or tx.today
    doc = ledger.load_doc(tx, doc_id)
    if doc["kind"] not in ("invoice", "debit_memo", "finance_charge"):
        raise Refused(f"{ledger.KIND_LABEL[doc['kind']]} documents are reversed, not voided.")
    if doc["status"] != "posted":
        raise Refused("A draft is deleted, not voided.")
    if not reason.strip():
        raise Refused("Say why the invoice is voided.", field="reason")
    already = tx.conn.execute(
        select(D.c.number).where(D.c.kind == "void", D.c.reverses_id == doc_id)
    ).first()
    if already is not None:
        raise Refused(f"{doc['number']} was already voided by {already.number}.")
    apps = ledger.net_applications(tx, doc_id)
    if apps:
        tx.require("supervisor", "Voiding an invoice that has payments or credits applied")
    for app in apps:
        ledger.unapply(tx, app["id"], on, f"void of {doc['number']}")
    customer = ledger.customer_row(tx, doc["customer_id"])
    void = ledger.insert_document(
        tx,
        kind="void",
        customer=customer,
        doc_date=on,
        amount=doc["amount"],
        reverses_id=doc_id,
        reason=reason.strip(),
        memo=f"Void of {doc['number']}",
    )
    ledger.apply(tx, doc_id, void["id"], doc["amount"], on, "void", audit_it=False)
    return Doc.of(void)


@read_only
def invoice_lines(tx: Tx, doc_id: int) -> list[dict[str, Any]]:
    rows = tx.conn.execute(select(L).where(L.c.document_id == doc_id).order_by(L.c.line_no))
    return [dict(r) for r in rows.mappings()]


@read_only
def with_lines(tx: Tx, doc_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A document's row and its lines (to reopen a draft, copy or credit an invoice)."""
    row = tx.conn.execute(select(D).where(D.c.id == doc_id)).mappings().first()
    if row is None:
        raise NotFound(f"There is no document with id {doc_id}.")
    return dict(row), invoice_lines(tx, doc_id)


@read_only
def draft_list(tx: Tx) -> list[Any]:
    """Every draft with its customer's account and name, newest first (to reopen one)."""
    from artui.ledger import C

    stmt = (
        select(
            D.c.id, D.c.doc_date, D.c.amount, D.c.currency, D.c.created_by, C.c.account, C.c.name
        )
        .select_from(D.join(C, C.c.id == D.c.customer_id))
        .where(D.c.status == "draft")
        .order_by(D.c.id.desc())
    )
    return list(tx.conn.execute(stmt))


@read_only
def drafts(tx: Tx, customer_id: int | None = None) -> list[Doc]:
    stmt = select(D).where(D.c.status == "draft").order_by(D.c.id.desc())
    if customer_id is not None:
        stmt = stmt.where(D.c.customer_id == customer_id)
    return [Doc.of(r) for r in tx.conn.execute(stmt).mappings()]


def get_document(tx: Tx, doc_id: int) -> Doc:
    row = tx.conn.execute(select(D).where(D.c.id == doc_id)).mappings().first()
    if row is None:
        raise NotFound(f"There is no document with id {doc_id}.")
    return Doc.of(row)
