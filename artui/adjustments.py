"""Credit memos, write-offs, discounts taken, debit memos and finance charges."""

import datetime as dt

from artui import ledger
from artui.book import Tx, unit_of_work
from artui.errors import Refused
from artui.ledger import Applied, Doc
from artui.sensitive import refuse_card_numbers


def reason_given(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise Refused("Give a reason.", field="reason")
    refuse_card_numbers(reason, "reason")
    return reason


@unit_of_work
def credit_memo(
    tx: Tx,
    customer: int | str,
    amount: int,
    reason: str,
    on: dt.date | None = None,
    *,
    apply_to: int | str | None = None,
    number: str | None = None,
    memo: str = "",
    command_id: str | None = None,
) -> tuple[Doc, Applied | None]:
    """A credit memo, on account or applied to one charge (never more than is open on
    it: the rest stays on account). Above the approval limit it needs a supervisor."""
    on = on or tx.today
    ledger.check_command(tx, command_id)
    reason = reason_given(reason)
    refuse_card_numbers(memo, "memo")
    row = ledger.customer_row(tx, customer, lock=True)
    if amount > tx.company()["approval_limit"]:
        tx.require("supervisor", "A credit memo above the approval limit")
    target = None
    if apply_to is not None:
        target = (
            ledger.load_doc(tx, apply_to)
            if isinstance(apply_to, int)
            else ledger.find_document(tx, apply_to, ledger.DEBIT_KINDS)
        )
        if target["customer_id"] != row["id"]:
            raise Refused(f"{target['number']} belongs to another customer.", field="invoice")
    doc = ledger.insert_document(
        tx,
        kind="credit_memo",
        customer=row,
        doc_date=on,
        amount=amount,
        number=number,
        reason=reason,
        memo=memo,
        command_id=command_id,
        reverses_id=target["id"] if target else None,
    )
    applied = None
    if target is not None and target["open_amount"] > 0:
        part = min(amount, target["open_amount"])
        applied = ledger.apply(
            tx, target["id"], doc["id"], part, max(on, target["doc_date"]), reason
        )
    return Doc.of(doc), applied


@unit_of_work
def write_off(
    tx: Tx, debit_id: int, reason: str, amount: int | None = None, on: dt.date | None = None
) -> Doc:
    """Write off (part of) what is open on a charge. Above the clerk's limit it needs a
    supervisor."""
    on = on or tx.today
    reason = reason_given(reason)
    debit = ledger.load_doc(tx, debit_id)
    if not ledger.is_debit(debit["kind"]):
        raise Refused("Only a charge can be written off; refund a credit instead.")
    amount = debit["open_amount"] if amount is None else amount
    if debit["open_amount"] == 0:
        raise Refused(f"{debit['number']} is already settled; there is nothing to write off.")
    limit = writeoff_allowance(tx)
    if amount > limit:
        tx.require("supervisor", f"A write-off above {ledger.money(limit, debit['currency'])}")
    customer = ledger.customer_row(tx, debit["customer_id"])
    ledger.check_amount(amount, debit["currency"], "A write-off")
    if amount > debit["open_amount"]:
        raise Refused(
            f"{ledger.money(amount, debit['currency'])} is more than the "
            f"{ledger.money(debit['open_amount'], debit['currency'])} still open on "
            f"{debit['number']}.",
            field="amount",
        )
    doc = ledger.insert_document(
        tx,
        kind="write_off",
        customer=customer,
        doc_date=on,
        amount=amount,
        reason=reason,
        reverses_id=debit_id,
        memo=f"Write-off on {debit['number']}",
    )
    ledger.apply(
        tx, debit_id, doc["id"], amount, max(on, debit["doc_date"]), reason, audit_it=False
    )
    return Doc.of(doc)


def writeoff_allowance(tx: Tx) -> int:
    """The most this user writes off without a supervisor: the company's tolerance or the
    user's own limit, whichever is lower."""
    return min(tx.company()["writeoff_tolerance"], _user_limit(tx))


def _user_limit(tx: Tx) -> int:
    from sqlalchemy import select

    from db.models import AppUser

    limit = tx.conn.execute(select(AppUser.writeoff_limit).where(AppUser.name == tx.user)).scalar()
    return limit if limit is not None else 0


@unit_of_work
def discount_taken(
    tx: Tx, debit_id: int, amount: int | None = None, on: dt.date | None = None
) -> Doc:
    """The early-payment discount the customer took. Past the discount window, or above
    the discount the terms offer, it needs a supervisor."""
    on = on or tx.today
    debit = ledger.load_doc(tx, debit_id)
    if not ledger.is_debit(debit["kind"]):
        raise Refused("A discount is taken on a charge.")
    amount = debit["discount_amount"] if amount is None else amount
    ledger.check_amount(amount, debit["currency"], "A discount")
    until = debit["discount_until"]
    if until is None or on > until or amount > debit["discount_amount"]:
        tx.require("supervisor", "A discount past its window or above what the terms offer")
    customer = ledger.customer_row(tx, debit["customer_id"])
    if amount > debit["open_amount"]:
        raise Refused(
            f"{ledger.money(amount, debit['currency'])} is more than the "
            f"{ledger.money(debit['open_amount'], debit['currency'])} still open on "
            f"{debit['number']}.",
            field="amount",
        )
    doc = ledger.insert_document(
        tx,
        kind="discount",
        customer=customer,
        doc_date=on,
        amount=amount,
        reason="discount taken",
        reverses_id=debit_id,
        memo=f"Discount on {debit['number']}",
    )
    ledger.apply(
        tx,
        debit_id,
        doc["id"],
        amount,
        max(on, debit["doc_date"]),
        "discount taken",
        audit_it=False,
    )
    return Doc.of(doc)


@unit_of_work
def debit_memo(
    tx: Tx,
    customer: int | str,
    amount: int,
    reason: str,
    on: dt.date | None = None,
    *,
    due: dt.date | None = None,
    memo: str = "",
) -> Doc:
    on = on or tx.today
    reason = reason_given(reason)
    refuse_card_numbers(memo, "memo")
    row = ledger.customer_row(tx, customer)
    doc = ledger.insert_document(
        tx,
        kind="debit_memo",
        customer=row,
        doc_date=on,
        amount=amount,
        due_date=due or on,
        reason=reason,
        memo=memo,
    )
    return Doc.of(doc)


@unit_of_work
def finance_charge(
    tx: Tx, customer: int | str, amount: int, on: dt.date | None = None, memo: str = ""
) -> Doc:
    on = on or tx.today
    refuse_card_numbers(memo, "memo")
    row = ledger.customer_row(tx, customer)
    doc = ledger.insert_document(
        tx,
        kind="finance_charge",
        customer=row,
        doc_date=on,
        amount=amount,
        due_date=on,
        reason="finance charge",
        memo=memo or "Finance charge on past-due balance",
    )
    return Doc.of(doc)
