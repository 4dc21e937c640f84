"""Deposit batches: receipts are typed into an open batch (editable, not yet posted) and
posted together, in one transaction, when the batch balances against its control total
and count. A supervisor may post an unbalanced batch, with a reason. A posted batch is
closed: corrections are reversals of its payments.
"""

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update

from artui import audit, autoapply, ledger
from artui.adjustments import write_off, writeoff_allowance
from artui.batch_post import is_plain, post_plain
from artui.book import Tx, next_number, read_only, unit_of_work
from artui.cash_application import check_allocations, check_remittance, pair, spend_credits
from artui.collections import open_dispute
from artui.errors import Conflict, NotFound, Refused
from artui.receipts import METHODS, PaymentInput, receive_payment
from artui.sensitive import refuse_card_numbers
from db.models import BatchReceipt, DepositBatch

B = DepositBatch.__table__
R = BatchReceipt.__table__
SHORT_REASONS = ("dispute", "discount", "deduction")


@dataclass(frozen=True)
class ReceiptLine:
    customer: int | str
    amount: int
    method: str = "check"
    reference: str = ""
    card_brand: str = ""
    card_last4: str = ""
    payer: str = ""
    remittance: tuple[str, ...] = ()
    # (document id, amount, why); None = auto-apply when the batch posts
    allocations: tuple[tuple[int, int, str], ...] | None = None
    short_reason: str = ""
    write_off: int = 0


@dataclass(frozen=True)
class BatchTotals:
    batch_id: int
    number: str | None
    status: str
    deposit_date: dt.date
    currency: str
    expected_total: int
    expected_count: int
    entered: int
    count: int
    applied: int  # planned applications of the lines that have them

    @property
    def unapplied(self) -> int:
        return self.entered - self.applied

    @property
    def difference(self) -> int:
        return self.expected_total - self.entered

    @property
    def balanced(self) -> bool:
        return self.difference == 0 and self.count == self.expected_count


@unit_of_work
def open_batch(
    tx: Tx,
    deposit_date: dt.date,
    expected_total: int,
    expected_count: int,
    *,
    bank_account: str = "",
    currency: str | None = None,
) -> int:
    if expected_total <= 0 or expected_count <= 0:
        raise Refused(
            "A batch needs its control total and the number of receipts.", field="expected_total"
        )
    ledger.check_open_period(tx, deposit_date, "A deposit")
    bid = tx.conn.execute(
        insert(B).values(
            deposit_date=deposit_date,
            bank_account=bank_account,
            currency=currency or tx.company()["currency"],
            expected_total=expected_total,
            expected_count=expected_count,
            status="open",
            created_by=tx.user,
            created_at=tx.now,
        )
    ).inserted_primary_key[0]
    audit.record(
        tx,
        "batch.open",
        entity="batch",
        entity_id=bid,
        after={"date": deposit_date, "total": expected_total, "count": expected_count},
    )
    return bid


@unit_of_work
def change_batch(
    tx: Tx,
    batch_id: int,
    deposit_date: dt.date,
    expected_total: int,
    expected_count: int,
    *,
    bank_account: str = "",
) -> None:
    """Correct an open batch's header (a mistyped control total is the usual case)."""
    batch = editable_batch(tx, batch_id)
    if expected_total <= 0 or expected_count <= 0:
        raise Refused(
            "A batch needs its control total and the number of receipts.", field="expected_total"
        )
    ledger.check_open_period(tx, deposit_date, "A deposit")
    values = {
        "deposit_date": deposit_date,
        "expected_total": expected_total,
        "expected_count": expected_count,
        "bank_account": bank_account.strip(),
    }
    tx.conn.execute(update(B).where(B.c.id == batch_id).values(**values))
    audit.record(
        tx,
        "batch.change",
        entity="batch",
        entity_id=batch_id,
        before={k: batch[k] for k in values},
        after=values,
    )


@read_only
def open_batches(tx: Tx) -> list[dict]:
    """Batches not yet posted, newest first."""
    rows = tx.conn.execute(select(B).where(B.c.status == "open").order_by(B.c.id.desc())).mappings()
    return [dict(r) for r in rows]


@read_only
def recent_batches(tx: Tx, posted: int = 10) -> list[dict]:
    """Open batches, then the last `posted` posted ones (newest first)."""
    done = tx.conn.execute(
        select(B).where(B.c.status == "posted").order_by(B.c.id.desc()).limit(posted)
    ).mappings()
    return open_batches(tx) + [dict(r) for r in done]


@read_only
def batch_row(tx: Tx, batch_id: int) -> dict:
    row = tx.conn.execute(select(B).where(B.c.id == batch_id)).mappings().first()
    if row is None:
        raise NotFound(f"There is no deposit batch {batch_id}.")
    return dict(row)


def editable_batch(tx: Tx, batch_id: int) -> dict:
    """An open batch's row; a posted one is refused (corrections are reversals)."""
    row = tx.conn.execute(select(B).where(B.c.id == batch_id)).mappings().first()
    if row is None:
        raise NotFound(f"There is no deposit batch {batch_id}.")
    if row["status"] != "open":
        raise Refused(f"Batch {row['number']} is posted and closed; reverse its payments instead.")
    return dict(row)


def _validate(tx: Tx, batch: dict, line: ReceiptLine) -> dict:
    customer = ledger.customer_row(tx, line.customer)
    if customer["currency"] != batch["currency"]:
        raise Refused(
            f"{customer['name']} pays in {customer['currency']}; this batch is "
            f"{batch['currency']}.",
            field="customer",
        )
    ledger.check_amount(line.amount, customer["currency"], "A receipt")
    if line.method not in METHODS:
        raise Refused(f"'{line.method}' is not a payment method.", field="method")
    if (
        line.method == "card"
        and line.card_last4
        and not (len(line.card_last4) == 4 and line.card_last4.isdigit())
    ):
        raise Refused("Keep only the card's last four digits.", field="card_last4")
    for text, name in ((line.reference, "reference"), (line.payer, "payer")):
        refuse_card_numbers(text, name)
    if line.short_reason and line.short_reason not in SHORT_REASONS:
        raise Refused(
            f"A short payment's reason is {', '.join(SHORT_REASONS)}.", field="short_reason"
        )
    allocations = line.allocations or ()
    check_allocations(tx, customer["id"], allocations)
    check_remittance(tx, customer["id"], line.remittance)
    planned = _cash_applied(allocations)
    if planned > line.amount:
        raise Refused(
            f"The applications ({ledger.money(planned, customer['currency'])}) come to more "
            f"than the receipt ({ledger.money(line.amount, customer['currency'])}).",
            field="allocations",
        )
    if line.write_off:
        if not line.short_reason:
            raise Refused("A short payment written off needs a reason.", field="short_reason")
        short = _shortfall(tx, line.allocations or ())
        if short == 0:
            raise Refused(
                "Nothing is short: apply part of an invoice before writing off the rest.",
                field="write_off",
            )
        cur = customer["currency"]
        if line.write_off > short:
            raise Refused(
                f"The write-off ({ledger.money(line.write_off, cur)}) is more than the "
                f"{ledger.money(short, cur)} left short.",
                field="write_off",
            )
        allowance = writeoff_allowance(tx)
        if line.write_off > allowance and not tx.can("supervisor"):
            raise Refused(
                f"You may write off up to {ledger.money(allowance, cur)}; ask a supervisor "
                "for more, or leave the rest open.",
                field="write_off",
            )
    return customer


def _cash_applied(allocations: Sequence[Sequence]) -> int:
    """The receipt's part of the allocations: charges less the credits spent on them."""
    return sum(a[1] for a in allocations)


def _shortfall(tx: Tx, allocations: Sequence[Sequence]) -> int:
    """What the partly applied charges would keep open after these applications."""
    charges = [a for a in allocations if a[1] > 0]
    docs = ledger.load_docs(tx, [a[0] for a in charges])
    return sum(
        docs[doc_id]["open_amount"] - amount
        for doc_id, amount, _why in charges
        if amount < docs[doc_id]["open_amount"]
    )


def _values(line: ReceiptLine, customer: dict) -> dict:
    return {
        "customer_id": customer["id"],
        "amount": line.amount,
        "method": line.method,
        "reference": line.reference.strip(),
        "card_brand": line.card_brand,
        "card_last4": line.card_last4,
        "payer": line.payer.strip(),
        "remittance": " ".join(line.remittance),
        "allocations": ""
        if line.allocations is None
        else json.dumps([list(a) for a in line.allocations]),
        "short_reason": line.short_reason,
        "write_off": line.write_off,
    }


@unit_of_work
def add_receipt(tx: Tx, batch_id: int, line: ReceiptLine) -> int:
    batch = editable_batch(tx, batch_id)
    customer = _validate(tx, batch, line)
    n = tx.conn.execute(select(func.count()).where(R.c.batch_id == batch_id)).scalar() or 0
    rid = tx.conn.execute(
        insert(R).values(
            batch_id=batch_id,
            line_no=n + 1,
            created_by=tx.user,
            created_at=tx.now,
            **_values(line, customer),
        )
    ).inserted_primary_key[0]
    audit.record(
        tx,
        "batch.add",
        entity="batch_receipt",
        entity_id=rid,
        customer_id=customer["id"],
        after=_values(line, customer),
    )
    return rid


@unit_of_work
def update_receipt(tx: Tx, receipt_id: int, version: int, line: ReceiptLine) -> int:
    row = tx.conn.execute(select(R).where(R.c.id == receipt_id)).mappings().first()
    if row is None:
        raise NotFound("That receipt is no longer in the batch.")
    batch = editable_batch(tx, row["batch_id"])
    if row["version"] != version:
        raise Conflict(f"{row['created_by']} changed this receipt after you opened it.")
    customer = _validate(tx, batch, line)
    values = _values(line, customer)
    tx.conn.execute(
        update(R).where(R.c.id == receipt_id).values(**values, note="", version=version + 1)
    )
    audit.record(
        tx,
        "batch.change",
        entity="batch_receipt",
        entity_id=receipt_id,
        customer_id=customer["id"],
        before={k: row[k] for k in values},
        after=values,
    )
    return version + 1


@unit_of_work
def remove_receipt(tx: Tx, receipt_id: int) -> None:
    row = tx.conn.execute(select(R).where(R.c.id == receipt_id)).mappings().first()
    if row is None:
        raise NotFound("That receipt is no longer in the batch.")
    editable_batch(tx, row["batch_id"])
    tx.conn.execute(R.delete().where(R.c.id == receipt_id))
    audit.record(
        tx,
        "batch.remove",
        entity="batch_receipt",
        entity_id=receipt_id,
        customer_id=row["customer_id"],
        before={"amount": row["amount"]},
    )


@read_only
def totals(tx: Tx, batch_id: int) -> BatchTotals:
    b = tx.conn.execute(select(B).where(B.c.id == batch_id)).mappings().first()
    if b is None:
        raise NotFound(f"There is no deposit batch {batch_id}.")
    entered = count = applied = 0
    for r in tx.conn.execute(select(R.c.amount, R.c.allocations).where(R.c.batch_id == batch_id)):
        entered += r.amount
        count += 1
        if r.allocations:
            applied += _cash_applied(json.loads(r.allocations))
    return BatchTotals(
        batch_id,
        b["number"],
        b["status"],
        b["deposit_date"],
        b["currency"],
        b["expected_total"],
        b["expected_count"],
        entered,
        count,
        applied,
    )


@read_only
def receipts_of(tx: Tx, batch_id: int) -> list[dict]:
    """The batch's lines, with the customer, the planned applications decoded
    (`planned`: None when auto-applied at posting) and the cash they apply (`applied`)."""
    rows = tx.conn.execute(
        select(R, ledger.C.c.account, ledger.C.c.name)
        .select_from(R.outerjoin(ledger.C, ledger.C.c.id == R.c.customer_id))
        .where(R.c.batch_id == batch_id)
        .order_by(R.c.line_no)
    ).mappings()
    out = []
    for r in rows:
        line = dict(r)
        line["planned"] = json.loads(r["allocations"]) if r["allocations"] else None
        line["applied"] = None if line["planned"] is None else _cash_applied(line["planned"])
        out.append(line)
    return out


@read_only
def suggest(
    tx: Tx, customer: int | str, amount: int, remittance: Sequence[str] = ()
) -> list[autoapply.Allocation]:
    """What auto-apply would do with this receipt now (for the application grid)."""
    row = ledger.customer_row(tx, customer)
    items = [
        autoapply.OpenItem(d["id"], d["number"], d["due_date"], d["open_amount"])
        for d in ledger.open_debits(tx, row["id"])
    ]
    return autoapply.plan(amount, items, remittance)


def _short_item(tx: Tx, doc_ids: Sequence[int], amount: int) -> int:
    """The short-paid item a write-off settles: the one left open by exactly that much,
    else the last one still open by at least that much."""
    docs = ledger.load_docs(tx, doc_ids)
    still = [i for i in doc_ids if docs[i]["open_amount"] >= amount]
    exact = [i for i in still if docs[i]["open_amount"] == amount]
    return (exact or still or list(doc_ids))[-1]


@unit_of_work
def post_batch(tx: Tx, batch_id: int, reason: str = "", *, bulk: bool = True) -> str:
    """Post every receipt of the batch, in one transaction; returns the batch number.
    Runs of plain receipts go through the set-based path (`bulk`; the one-by-one path
    gives the same book and is kept for the equivalence test)."""
    batch = editable_batch(tx, batch_id)
    t = totals(tx, batch_id)
    if t.count == 0:
        raise Refused("The batch has no receipts.")
    waiting = tx.conn.execute(
        select(R.c.line_no, R.c.payer, R.c.amount)
        .where(R.c.batch_id == batch_id, R.c.customer_id.is_(None))
        .order_by(R.c.line_no)
    ).first()
    if waiting is not None:
        raise Refused(
            f"Line {waiting.line_no} ({waiting.payer or 'no payer'}, "
            f"{ledger.money(waiting.amount, t.currency)}) has no customer yet; find it or "
            "remove the line."
        )
    if not t.balanced:
        tx.require("supervisor", "Posting a batch that does not balance")
        if not reason.strip():
            raise Refused(
                f"The batch is out by {ledger.money(t.difference, t.currency)} and "
                f"{t.expected_count - t.count} receipts; say why it posts anyway.",
                field="reason",
            )
    number, _ = next_number(tx, "batch")
    plain: list = []  # a run of plain receipts, posted together (batch_post)
    for row in receipts_of(tx, batch_id):
        allocs = row["planned"]
        if bulk and is_plain(row, allocs):
            plain.append((row, allocs))
            continue
        post_plain(tx, batch, plain)
        plain = []
        _post_line(tx, batch, row, allocs)
    post_plain(tx, batch, plain)
    tx.conn.execute(
        update(B)
        .where(B.c.id == batch_id)
        .values(
            number=number,
            status="posted",
            posted_at=tx.now,
            posted_by=tx.user,
            out_of_balance_reason=reason.strip(),
        )
    )
    audit.record(
        tx,
        "batch.post",
        entity="batch",
        entity_id=batch_id,
        after={"number": number, "entered": t.entered, "count": t.count, "reason": reason.strip()},
    )
    return number


def _post_line(tx: Tx, batch: dict, row: dict, allocs: list | None) -> None:
    """One receipt of a batch, the way a clerk posts one alone: credits used first, then
    the payment, a dispute for what a disputed short payment leaves, the write-off."""
    batch_id = batch["id"]
    cash = None
    if allocs is not None:
        spend_credits(tx, allocs, batch["deposit_date"])
        cash = pair(allocs)[1]
    result = receive_payment(
        tx,
        PaymentInput(
            customer=row["customer_id"],
            amount=row["amount"],
            doc_date=batch["deposit_date"],
            method=row["method"],
            reference=row["reference"],
            card_brand=row["card_brand"],
            card_last4=row["card_last4"],
            payer=row["payer"],
            batch_id=batch_id,
            applications=cash,
            remittance=tuple(row["remittance"].split()),
            command_id=f"batch-{batch_id}-line-{row['id']}",
        ),
    )
    charges = [a[0] for a in allocs or () if a[1] > 0]
    docs = ledger.load_docs(tx, charges)
    short_left = sum(docs[i]["open_amount"] for i in charges)  # after this receipt
    disputed = short_left - row["write_off"]
    if row["short_reason"] == "dispute" and disputed > 0:
        # the short-paid charge goes on the disputes list for what is not written off
        item = _short_item(tx, charges, disputed)
        open_dispute(
            tx,
            row["customer_id"],
            "other",
            min(disputed, docs[item]["open_amount"]),
            document_id=item,
            note=f"Short paid by {result.doc.number} {row['reference']}".strip(),
        )
    if row["write_off"] and allocs:
        write_off(
            tx,
            _short_item(tx, charges, row["write_off"]),
            f"short payment: {row['short_reason']}",
            row["write_off"],
            batch["deposit_date"],
        )
    tx.conn.execute(update(R).where(R.c.id == row["id"]).values(posted_document_id=result.doc.id))
