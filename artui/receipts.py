"""Receipts: taking a payment, applying it, reversing one that bounced, refunding."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import bindparam, insert, select

from artui import audit, autoapply, ledger
from artui.book import Tx, unit_of_work
from artui.cash_application import check_remittance
from artui.collections import settle_promises
from artui.errors import NotFound, Refused
from artui.ledger import Applied, Doc
from artui.sensitive import refuse_card_numbers
from db.models import ReceiptDetail

R = ReceiptDetail.__table__
METHODS = ("check", "ach", "wire", "card", "cash")
CARD_BRANDS = ("visa", "mastercard", "amex", "discover", "other")


@dataclass(frozen=True)
class PaymentInput:
    customer: int | str
    amount: int
    doc_date: dt.date
    method: str = "check"
    reference: str = ""  # check number, wire or processor reference
    card_brand: str = ""
    card_last4: str = ""
    payer: str = ""
    batch_id: int | None = None
    memo: str = ""
    # (document number or id, amount) to apply; None means auto-apply
    applications: Sequence[tuple[str | int, int]] | None = None
    remittance: Sequence[str] = ()  # invoice numbers on the remittance advice
    auto: bool = True  # with applications=None: auto-apply (else all on account)
    command_id: str | None = None
    number: str | None = None  # an outside receipt number (import)


@dataclass(frozen=True)
class PaymentResult:
    doc: Doc
    applied: tuple[Applied, ...] = field(default_factory=tuple)
    why: tuple[str, ...] = field(default_factory=tuple)

    @property
    def unapplied(self) -> int:
        return self.doc.amount - sum(a.amount for a in self.applied)


def _validate(inp: PaymentInput) -> None:
    if inp.method not in METHODS:
        raise Refused(
            f"'{inp.method}' is not a payment method; use one of {', '.join(METHODS)}.",
            field="method",
        )
    if inp.method == "card":
        if inp.card_last4 and not (len(inp.card_last4) == 4 and inp.card_last4.isdigit()):
            raise Refused("Keep only the card's last four digits.", field="card_last4")
    elif inp.card_brand or inp.card_last4:
        raise Refused("Card brand and last four belong to card payments only.", field="method")
    for text, name in ((inp.reference, "reference"), (inp.memo, "memo"), (inp.payer, "payer")):
        refuse_card_numbers(text, name)


_INSERT_DETAIL = insert(R)  # built once: building it cost more than running it
# the charges named by number, whole (and locked on PostgreSQL, in id order, as
# ledger.load_docs locks them), so that applying them reads nothing more
_BY_NUMBERS = (
    select(ledger.D)
    .where(
        ledger.D.c.number.in_(bindparam("numbers", expanding=True)),
        ledger.D.c.status == "posted",
        ledger.D.c.kind.in_(ledger.DEBIT_KINDS),
    )
    .order_by(ledger.D.c.id)
)
_BY_NUMBERS_LOCKED = _BY_NUMBERS.with_for_update()


def _resolve(tx: Tx, customer_id: int, refs: Sequence[str | int]) -> list[int]:
    """The charges' ids for document numbers (or ids) as given, the numbers looked up
    together: one statement, where one each and a read of each cost a round trip apiece
    on PostgreSQL."""
    numbers = sorted({r.strip() for r in refs if not isinstance(r, int)})
    found: dict[str, list] = {}
    if numbers:
        stmt = _BY_NUMBERS if tx.sqlite else _BY_NUMBERS_LOCKED
        rows = [dict(r) for r in tx.conn.execute(stmt, {"numbers": numbers}).mappings()]
        ledger.remember_docs(tx, rows)
        for row in rows:
            found.setdefault(row["number"], []).append(row)
    ids = []
    for ref in refs:
        if isinstance(ref, int):
            ids.append(ref)
            continue
        rows = found.get(ref.strip(), [])
        if not rows:
            raise NotFound(f"There is no document numbered {ref}.", field="number")
        if len(rows) > 1:
            raise Refused(f"More than one document is numbered {ref}; say which kind.")
        if rows[0]["customer_id"] != customer_id:
            raise Refused(f"{ref} belongs to another customer.", field="applications")
        ids.append(rows[0]["id"])
    return ids


@unit_of_work
def receive_payment(tx: Tx, inp: PaymentInput) -> PaymentResult:
    """Post a receipt and apply it: to the items given, else automatically (remittance
    numbers, an exact match, an exact combination, oldest due first); what is left stays
    on account as unapplied cash."""
    ledger.check_command(tx, inp.command_id)
    _validate(inp)
    customer = ledger.customer_row(tx, inp.customer, lock=True)
    doc = ledger.insert_document(
        tx,
        kind="payment",
        customer=customer,
        doc_date=inp.doc_date,
        amount=inp.amount,
        number=inp.number,
        reference=inp.reference,
        memo=inp.memo,
        batch_id=inp.batch_id,
        command_id=inp.command_id,
        audit_it=False,  # one event below covers the receipt and its applications
    )
    tx.conn.execute(
        _INSERT_DETAIL,
        {
            "document_id": doc["id"],
            "method": inp.method,
            "reference": inp.reference,
            "card_brand": inp.card_brand,
            "card_last4": inp.card_last4,
            "payer": inp.payer,
        },
    )
    applied: list[Applied] = []
    why: list[str] = []
    if inp.applications is not None:
        ids = _resolve(tx, customer["id"], [ref for ref, _ in inp.applications])
        amounts = [amount for _, amount in inp.applications]
        items = [(i, amount, "as given") for i, amount in zip(ids, amounts, strict=True)]
        applied += ledger.apply_many(tx, doc["id"], items, inp.doc_date, audit_it=False)
        why += ["as given"] * len(items)
    elif inp.auto:
        made = apply_automatically(tx, doc["id"], inp.doc_date, inp.remittance, audit_it=False)
        applied += made
        why += [a.reason for a in made]
    settle_promises(tx, customer["id"])
    audit.record(
        tx,
        "payment.post",
        entity="document",
        entity_id=doc["id"],
        customer_id=customer["id"],
        document_id=doc["id"],
        after={
            "number": doc["number"],
            "amount": inp.amount,
            "currency": customer["currency"],
            "date": inp.doc_date,
            "method": inp.method,
            "reference": inp.reference,
            "card": f"{inp.card_brand} {inp.card_last4}".strip(),
            "batch": inp.batch_id,
            "applied": [[a.debit_number, a.amount, a.reason] for a in applied],
        },
    )
    return PaymentResult(Doc.of(ledger.load_doc(tx, doc["id"])), tuple(applied), tuple(why))


def apply_automatically(
    tx: Tx, credit_id: int, on: dt.date, remittance: Sequence[str] = (), *, audit_it: bool = True
) -> list[Applied]:
    credit = ledger.load_doc(tx, credit_id)
    check_remittance(tx, credit["customer_id"], remittance)
    items = [
        autoapply.OpenItem(d["id"], d["number"], d["due_date"], d["open_amount"])
        for d in ledger.open_debits(tx, credit["customer_id"])
        if d["doc_date"] <= on
    ]
    plan = autoapply.plan(credit["open_amount"], items, remittance)
    return ledger.apply_many(
        tx, credit_id, [(a.item_id, a.amount, a.why) for a in plan], on, audit_it=audit_it
    )


@unit_of_work
def auto_apply(
    tx: Tx, credit_id: int, on: dt.date | None = None, remittance: Sequence[str] = ()
) -> list[Applied]:
    """Apply an open credit (unapplied cash, a credit memo) by the auto-apply rules."""
    return apply_automatically(tx, credit_id, on or tx.today, remittance)


@unit_of_work
def apply_credit(
    tx: Tx,
    credit_id: int,
    debit_id: int,
    amount: int,
    on: dt.date | None = None,
    reason: str = "",
) -> Applied:
    """Apply an open credit to a charge, without a new receipt."""
    return ledger.apply(tx, debit_id, credit_id, amount, on or tx.today, reason or "applied")


@unit_of_work
def unapply(tx: Tx, application_id: int, on: dt.date | None = None, reason: str = "") -> Applied:
    return ledger.unapply(tx, application_id, on or tx.today, reason)


@dataclass(frozen=True)
class Reversal:
    returned: Doc
    fee: Doc | None
    reopened: tuple[Applied, ...]


@unit_of_work
def reverse_payment(
    tx: Tx,
    payment_id: int,
    on: dt.date | None = None,
    *,
    fee: int = 0,
    reason: str = "returned",
    hold: bool = False,
) -> Reversal:
    """A bounced payment: its applications are undone on the reversal date (reopening the
    exact invoices it paid), a returned-payment document cancels the payment itself, an
    optional bank fee is charged as a debit memo, and the customer may go on hold."""
    on = on or tx.today
    pay = ledger.load_doc(tx, payment_id)
    if pay["kind"] != "payment":
        raise Refused(f"{ledger.KIND_LABEL[pay['kind']]} {pay['number']} is not a payment.")
    done = tx.conn.execute(
        select(ledger.D.c.number).where(
            ledger.D.c.kind == "returned_payment", ledger.D.c.reverses_id == payment_id
        )
    ).first()
    if done is not None:
        raise Refused(f"Payment {pay['number']} was already reversed by {done.number}.")
    reopened = []
    for app in ledger.net_applications(tx, payment_id):
        other = ledger.load_doc(tx, app["debit_id"])
        if other["kind"] == "refund":
            raise Refused(
                f"Payment {pay['number']} was refunded ({other['number']}); it cannot bounce."
            )
        reopened.append(ledger.unapply(tx, app["id"], on, f"{reason}: {pay['number']}"))
    customer = ledger.customer_row(tx, pay["customer_id"], lock=True)
    returned = ledger.insert_document(
        tx,
        kind="returned_payment",
        customer=customer,
        doc_date=on,
        amount=pay["amount"],
        reverses_id=payment_id,
        reason=reason,
        memo=f"Returned payment {pay['number']} {pay['reference']}".strip(),
    )
    ledger.apply(tx, returned["id"], payment_id, pay["amount"], on, reason, audit_it=False)
    fee_doc = None
    if fee:
        fee_doc = ledger.insert_document(
            tx,
            kind="debit_memo",
            customer=customer,
            doc_date=on,
            amount=fee,
            reason="returned payment fee",
            memo=f"Fee for returned payment {pay['number']}",
        )
    if hold and not customer["on_hold"]:
        from artui.customers import set_hold_in

        set_hold_in(tx, customer["id"], True, f"Returned payment {pay['number']}")
    return Reversal(Doc.of(returned), Doc.of(fee_doc) if fee_doc else None, tuple(reopened))


@unit_of_work
def refund(
    tx: Tx,
    credit_id: int,
    amount: int | None = None,
    on: dt.date | None = None,
    reason: str = "refund",
    reference: str = "",
) -> Doc:
    """Pay back an open credit (unapplied cash or a credit memo): a refund document,
    applied to the credit. Above the approval limit it needs a supervisor."""
    on = on or tx.today
    credit = ledger.load_doc(tx, credit_id)
    if ledger.is_debit(credit["kind"]):
        raise Refused("Only a credit (unapplied cash or a credit memo) can be refunded.")
    amount = credit["open_amount"] if amount is None else amount
    if credit["open_amount"] == 0:
        raise Refused(f"{credit['number']} has nothing left to refund.")
    if amount > tx.company()["approval_limit"]:
        tx.require("supervisor", "A refund above the approval limit")
    refuse_card_numbers(reference, "reference")
    customer = ledger.customer_row(tx, credit["customer_id"])
    if amount > credit["open_amount"]:
        raise Refused(
            f"{ledger.money(amount, credit['currency'])} is more than the "
            f"{ledger.money(credit['open_amount'], credit['currency'])} left on "
            f"{credit['number']}.",
            field="amount",
        )
    doc = ledger.insert_document(
        tx,
        kind="refund",
        customer=customer,
        doc_date=on,
        amount=amount,
        reverses_id=credit_id,
        reason=reason,
        reference=reference,
        memo=f"Refund of {credit['number']}",
    )
    ledger.apply(tx, doc["id"], credit_id, amount, on, "refund", audit_it=False)
    return Doc.of(doc)


def receipt_detail(tx: Tx, doc_id: int) -> dict | None:
    row = tx.conn.execute(select(R).where(R.c.document_id == doc_id)).mappings().first()
    if row is None:
        raise NotFound("That document is not a receipt.")
    return dict(row)
