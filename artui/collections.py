"""Collections: the call log, promises to pay, disputes and the follow-up worklist.

A logged contact is never edited, only annotated. Promises are decided by the core:
kept when receipts dated from the promise to its due date cover it (instalments are
covered in date order), broken once the date has passed without that.
Disputed amounts stay on the account but leave the worklist's score (and dunning).
"""

import datetime as dt
import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import func, insert, or_, select, update

from artui import audit, ledger
from artui.book import Tx, read_only, unit_of_work
from artui.errors import NotFound, Refused
from artui.ledger import DEBIT_KINDS, IS_OPEN, C, D
from artui.sensitive import refuse_card_numbers
from db.models import Contact, Dispute, FollowUp, Promise

F = FollowUp.__table__
P = Promise.__table__
DS = Dispute.__table__
K = Contact.__table__

CHANNELS = ("call", "email", "letter", "visit")
OUTCOMES = (
    "reached",
    "voicemail",
    "no_answer",
    "wrong_number",
    "promised",
    "disputed",
    "paid",
    "refused",
    "letter_sent",
)
DISPUTE_REASONS = ("pricing", "quantity", "damaged", "not_received", "quality", "billing", "other")


@dataclass(frozen=True)
class PromiseInput:
    amount: int
    due_on: dt.date


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter."""
    import calendar

    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def split_promise(
    total: int, count: int, first_on: dt.date, every: str = "month"
) -> tuple[PromiseInput, ...]:
    """A payment plan: `total` in `count` instalments from `first_on`, every month or
    every N days (`every` = "month" or a number of days); the cents left by the division
    fall on the last instalment, so the instalments add up to the total exactly."""
    if count < 1 or count > 60:
        raise Refused("A plan has between 1 and 60 instalments.", field="instalments")
    if total < count:
        raise Refused("Each instalment must be at least one cent.", field="promise")
    part = total // count
    days = None if every == "month" else int(every)
    if days is not None and days < 1:
        raise Refused("Instalments are at least a day apart.", field="every")
    out = []
    for i in range(count):
        on = add_months(first_on, i) if days is None else first_on + dt.timedelta(days=days * i)
        out.append(PromiseInput(part if i < count - 1 else total - part * (count - 1), on))
    return tuple(out)


@dataclass(frozen=True)
class CallInput:
    customer_id: int
    outcome: str
    note: str = ""
    channel: str = "call"
    contact_id: int | None = None
    next_action_on: dt.date | None = None
    promises: tuple[PromiseInput, ...] = ()
    annotates_id: int | None = None


@unit_of_work
def log_call(tx: Tx, inp: CallInput) -> int:
    """Log a contact with the customer (with promises to pay, if any); returns its id."""
    if inp.channel not in CHANNELS:
        raise Refused(
            f"'{inp.channel}' is not a channel; use {', '.join(CHANNELS)}.", field="channel"
        )
    if inp.outcome not in OUTCOMES:
        raise Refused(
            f"'{inp.outcome}' is not an outcome; use {', '.join(OUTCOMES)}.", field="outcome"
        )
    refuse_card_numbers(inp.note, "note")
    customer = ledger.customer_row(tx, inp.customer_id)
    if inp.next_action_on is not None and inp.next_action_on < tx.today:
        raise Refused("The next action cannot be in the past.", field="next_action_on")
    if inp.outcome == "promised" and not inp.promises and inp.annotates_id is None:
        raise Refused("A promise to pay needs an amount and a date.", field="promise")
    fid = tx.conn.execute(
        insert(F).values(
            customer_id=customer["id"],
            contact_id=inp.contact_id,
            channel=inp.channel,
            outcome=inp.outcome,
            note=inp.note.strip(),
            next_action_on=inp.next_action_on,
            annotates_id=inp.annotates_id,
            created_by=tx.user,
            created_at=tx.now,
        )
    ).inserted_primary_key[0]
    plan_id = fid if len(inp.promises) > 1 else None
    for p in inp.promises:
        ledger.check_amount(p.amount, customer["currency"], "A promise")
        if p.due_on < tx.today:
            raise Refused("A promise to pay is dated today or later.", field="promise_date")
        tx.conn.execute(
            insert(P).values(
                customer_id=customer["id"],
                follow_up_id=fid,
                plan_id=plan_id,
                amount=p.amount,
                due_on=p.due_on,
                made_on=tx.today,
                status="open",
                created_by=tx.user,
                created_at=tx.now,
            )
        )
    audit.record(
        tx,
        "collections.call",
        entity="follow_up",
        entity_id=fid,
        customer_id=customer["id"],
        after={
            "outcome": inp.outcome,
            "channel": inp.channel,
            "next": inp.next_action_on,
            "promises": [[p.amount, p.due_on] for p in inp.promises],
        },
    )
    settle_promises(tx, customer["id"])
    return fid


def _made_on(promise: Any) -> dt.date:
    return promise["made_on"] or promise["created_at"].date()


def settle_promises(tx: Tx, customer_id: int) -> None:
    """Decide open promises: receipts dated from a promise's day to its due date cover
    promises in date order; a promise not covered once its date has passed is broken."""
    open_rows = (
        tx.conn.execute(
            select(P)
            .where(P.c.customer_id == customer_id, P.c.status == "open")
            .order_by(P.c.due_on, P.c.id)
        )
        .mappings()
        .all()
    )
    if not open_rows:
        return
    start = min(_made_on(r) for r in open_rows)
    # Promises kept since then already used their receipts: they take their share first.
    rows = (
        tx.conn.execute(
            select(P)
            .where(
                P.c.customer_id == customer_id,
                (P.c.status == "open") | ((P.c.status == "kept") & (P.c.settled_on >= start)),
            )
            .order_by(P.c.due_on, P.c.id)
        )
        .mappings()
        .all()
    )
    start = min(_made_on(r) for r in rows)
    receipts = tx.conn.execute(
        select(D.c.doc_date, D.c.amount)
        .where(
            D.c.customer_id == customer_id,
            D.c.kind == "payment",
            D.c.status == "posted",
            D.c.doc_date >= start,
            D.c.id.not_in(
                select(D.c.reverses_id).where(
                    D.c.kind == "returned_payment", D.c.reverses_id.is_not(None)
                )
            ),
        )
        .order_by(D.c.doc_date, D.c.id)
    ).all()
    pool = [[r.doc_date, r.amount] for r in receipts]
    for row in rows:
        need = row["amount"]
        made_on = None
        for item in pool:
            if need == 0:
                break
            if item[0] > row["due_on"] or item[1] == 0:
                continue
            take = min(need, item[1])
            item[1] -= take
            need -= take
            made_on = item[0]
        status = None
        if row["status"] != "open":
            continue
        if need == 0:
            status, on = "kept", made_on
        elif tx.today > row["due_on"]:
            status, on = "broken", row["due_on"] + dt.timedelta(days=1)
        if status:
            tx.conn.execute(
                update(P).where(P.c.id == row["id"]).values(status=status, settled_on=on)
            )
            audit.record(
                tx,
                f"promise.{status}",
                entity="promise",
                entity_id=row["id"],
                customer_id=customer_id,
                after={"amount": row["amount"], "due_on": row["due_on"]},
            )


@unit_of_work
def settle_all_promises(tx: Tx) -> int:
    """The daily pass: decide every customer's open promises; returns customers seen."""
    ids = [
        r[0]
        for r in tx.conn.execute(select(P.c.customer_id).where(P.c.status == "open").distinct())
    ]
    for cid in ids:
        settle_promises(tx, cid)
    return len(ids)


@unit_of_work
def open_dispute(
    tx: Tx,
    customer_id: int,
    reason: str,
    amount: int | None = None,
    *,
    document_id: int | None = None,
    note: str = "",
    owner: str = "",
) -> int:
    if reason not in DISPUTE_REASONS:
        raise Refused(
            f"'{reason}' is not a reason code; use {', '.join(DISPUTE_REASONS)}.", field="reason"
        )
    refuse_card_numbers(note, "note")
    customer = ledger.customer_row(tx, customer_id)
    if document_id is not None:
        doc = ledger.load_doc(tx, document_id)
        if doc["customer_id"] != customer_id or doc["kind"] not in DEBIT_KINDS:
            raise Refused("A dispute is on one of this customer's charges.", field="document")
        amount = doc["open_amount"] if amount is None else amount
        if amount > doc["open_amount"]:
            raise Refused(
                f"{ledger.money(amount, doc['currency'])} is more than the "
                f"{ledger.money(doc['open_amount'], doc['currency'])} open on {doc['number']}.",
                field="amount",
            )
    if amount is None:
        raise Refused("Say how much is disputed.", field="amount")
    ledger.check_amount(amount, customer["currency"], "A disputed amount")
    did = tx.conn.execute(
        insert(DS).values(
            customer_id=customer_id,
            document_id=document_id,
            amount=amount,
            reason=reason,
            owner=owner or tx.user,
            note=note.strip(),
            status="open",
            opened_on=tx.today,
            created_by=tx.user,
        )
    ).inserted_primary_key[0]
    audit.record(
        tx,
        "dispute.open",
        entity="dispute",
        entity_id=did,
        customer_id=customer_id,
        document_id=document_id,
        after={"amount": amount, "reason": reason},
    )
    return did


@unit_of_work
def resolve_dispute(tx: Tx, dispute_id: int, outcome: str, note: str = "") -> None:
    """Close a dispute: `credited` (after a credit memo), `written_off` or `rejected`."""
    if outcome not in ("credited", "written_off", "rejected"):
        raise Refused("A dispute is resolved as credited, written_off or rejected.")
    row = tx.conn.execute(select(DS).where(DS.c.id == dispute_id)).mappings().first()
    if row is None:
        raise NotFound(f"There is no dispute {dispute_id}.")
    if row["status"] != "open":
        raise Refused(f"Dispute {dispute_id} is already {row['status']}.")
    tx.conn.execute(
        update(DS)
        .where(DS.c.id == dispute_id)
        .values(status=outcome, resolved_on=tx.today, note=(row["note"] + "\n" + note).strip())
    )
    audit.record(
        tx,
        f"dispute.{outcome}",
        entity="dispute",
        entity_id=dispute_id,
        customer_id=row["customer_id"],
        after={"note": note},
    )


SETTLEMENTS = ("credit_memo", "write_off", "rejected")


@unit_of_work
def settle_dispute(tx: Tx, dispute_id: int, how: str, note: str = "") -> str | None:
    """Resolve a dispute the way it was agreed, in one transaction: a credit memo applied
    to the disputed invoice, a write-off of the disputed amount, or a rejection (the
    customer owes it after all). Above the clerk's limits the credit memo or write-off
    raises NotAllowed: run it through `approvals.perform` to file it for a supervisor.
    Returns the number of the document posted, if any."""
    from artui.adjustments import credit_memo, write_off

    if how not in SETTLEMENTS:
        raise Refused("A dispute is settled by a credit_memo, a write_off, or rejected.")
    row = tx.conn.execute(select(DS).where(DS.c.id == dispute_id)).mappings().first()
    if row is None:
        raise NotFound(f"There is no dispute {dispute_id}.")
    if row["status"] != "open":
        raise Refused(f"Dispute {dispute_id} is already {row['status']}.")
    reason = f"dispute {dispute_id}: {row['reason']}"
    number = None
    if how == "credit_memo":
        doc, _ = credit_memo(
            tx, row["customer_id"], row["amount"], reason, apply_to=row["document_id"]
        )
        number = doc.number
    elif how == "write_off":
        if row["document_id"] is None:
            raise Refused("Only a dispute on an invoice can be written off; issue a credit memo.")
        number = write_off(tx, row["document_id"], reason, row["amount"]).number
    outcome = {"credit_memo": "credited", "write_off": "written_off"}.get(how, "rejected")
    resolve_dispute(tx, dispute_id, outcome, (f"{number}: " if number else "") + note)
    return number


@unit_of_work
def escalate(tx: Tx, customer_id: int, to: str, note: str) -> None:
    """Send an account to a supervisor or an outside agency; it leaves the worklist."""
    if to not in ("supervisor", "agency", ""):
        raise Refused("Escalate to a supervisor or an agency.", field="to")
    old = ledger.customer_row(tx, customer_id)
    tx.conn.execute(
        update(C)
        .where(C.c.id == customer_id)
        .values(escalation=to, version=old["version"] + 1, updated_by=tx.user, updated_at=tx.now)
    )
    audit.record(
        tx,
        "customer.escalate",
        entity="customer",
        entity_id=customer_id,
        customer_id=customer_id,
        before={"escalation": old["escalation"]},
        after={"escalation": to, "note": note},
    )


@unit_of_work
def assign_collector(tx: Tx, customer_ids: list[int], collector: str) -> None:
    for cid in customer_ids:
        old = ledger.customer_row(tx, cid)
        tx.conn.execute(
            update(C)
            .where(C.c.id == cid)
            .values(
                collector=collector,
                version=old["version"] + 1,
                updated_by=tx.user,
                updated_at=tx.now,
            )
        )
        audit.record(
            tx,
            "customer.assign",
            entity="customer",
            entity_id=cid,
            customer_id=cid,
            before={"collector": old["collector"]},
            after={"collector": collector},
        )


@dataclass(frozen=True)
class WorkItem:
    customer_id: int
    account: str
    name: str
    currency: str
    collector: str
    past_due: int  # net of disputed amounts
    oldest_days: int
    broken_promises: int
    days_since_contact: int | None
    next_action_on: dt.date | None
    score: int
    due_now: bool  # a planned action is due today or earlier


def score(past_due: int, oldest_days: int, broken: int, days_since_contact: int | None) -> int:
    """The worklist's rank (higher first): past-due amount in whole units weighted by the
    age of the oldest past-due item, plus 500 per broken promise, plus 5 a day since the
    last contact (30 days when never contacted)."""
    since = 30 if days_since_contact is None else min(days_since_contact, 90)
    return past_due // 100 * (30 + min(oldest_days, 180)) // 30 + 500 * broken + 5 * since


@read_only
def worklist(tx: Tx, collector: str | None = None, limit: int = 200) -> list[WorkItem]:
    """Accounts whose next action is due today or earlier, then past-due accounts with no
    action planned, each group ranked by `score`. Escalated accounts are left out."""
    today = tx.today
    pd = (
        select(
            D.c.customer_id,
            func.sum(D.c.open_amount).label("past_due"),
            func.min(D.c.due_date).label("oldest_due"),
        )
        .where(
            IS_OPEN,
            D.c.status == "posted",
            D.c.kind.in_(DEBIT_KINDS),
            D.c.due_date < today,
        )
        .group_by(D.c.customer_id)
        .subquery("pd")
    )
    disputed = (
        select(DS.c.customer_id, func.sum(DS.c.amount).label("amt"))
        .where(DS.c.status == "open")
        .group_by(DS.c.customer_id)
        .subquery("dsp")
    )
    last_fu = (
        select(F.c.customer_id, func.max(F.c.id).label("fid"))
        .group_by(F.c.customer_id)
        .subquery("lf")
    )
    broken = (
        select(P.c.customer_id, func.count().label("n"))
        .where(P.c.status == "broken")
        .group_by(P.c.customer_id)
        .subquery("bp")
    )
    stmt = (
        select(
            C.c.id,
            C.c.account,
            C.c.name,
            C.c.currency,
            C.c.collector,
            func.coalesce(pd.c.past_due, 0).label("past_due"),
            pd.c.oldest_due,
            func.coalesce(disputed.c.amt, 0).label("disputed"),
            F.c.next_action_on,
            F.c.created_at.label("last_contact"),
            func.coalesce(broken.c.n, 0).label("broken"),
        )
        .select_from(
            C.outerjoin(pd, pd.c.customer_id == C.c.id)
            .outerjoin(disputed, disputed.c.customer_id == C.c.id)
            .outerjoin(last_fu, last_fu.c.customer_id == C.c.id)
            .outerjoin(F, F.c.id == last_fu.c.fid)
            .outerjoin(broken, broken.c.customer_id == C.c.id)
        )
        .where(
            C.c.escalation == "",
            or_(F.c.next_action_on <= today, pd.c.past_due > 0),
        )
    )
    if collector:
        stmt = stmt.where(C.c.collector == collector)

    def ranked() -> Iterator[tuple[tuple[bool, int, str], Any]]:
        """(rank, row) of each account on the list, as the rows are read."""
        for r in tx.conn.execute(stmt, execution_options={"yield_per": 2000}):
            net = max(int(r.past_due) - int(r.disputed), 0)
            due_now = r.next_action_on is not None and r.next_action_on <= today
            planned_later = r.next_action_on is not None and r.next_action_on > today
            if not due_now and (planned_later or net == 0):
                continue
            oldest = (today - r.oldest_due).days if r.oldest_due else 0
            since = (today - r.last_contact.date()).days if r.last_contact else None
            rank = score(net, oldest, int(r.broken), since)
            yield (not due_now, -rank, r.account), (r, net, oldest, since, rank, due_now)

    # The first `limit` by rank, kept as the rows stream past: a whole book puts tens of
    # thousands of accounts on everyone's list (30 MB of items to show 200).
    top = heapq.nsmallest(limit, ranked(), key=itemgetter(0))
    return [
        WorkItem(
            r.id,
            r.account,
            r.name,
            r.currency,
            r.collector,
            net,
            oldest,
            int(r.broken),
            since,
            r.next_action_on,
            rank,
            due_now,
        )
        for _key, (r, net, oldest, since, rank, due_now) in top
    ]


@read_only
def follow_ups(tx: Tx, customer_id: int, limit: int = 200) -> list[dict]:
    rows = tx.conn.execute(
        select(F, K.c.name.label("contact_name"))
        .select_from(F.outerjoin(K, K.c.id == F.c.contact_id))
        .where(F.c.customer_id == customer_id)
        .order_by(F.c.created_at.desc(), F.c.id.desc())
        .limit(limit)
    ).mappings()
    return [dict(r) for r in rows]


@read_only
def promises(tx: Tx, customer_id: int) -> list[dict]:
    rows = tx.conn.execute(
        select(P).where(P.c.customer_id == customer_id).order_by(P.c.due_on.desc(), P.c.id)
    ).mappings()
    return [dict(r) for r in rows]


@read_only
def disputes(tx: Tx, customer_id: int) -> list[dict]:
    rows = tx.conn.execute(
        select(DS, D.c.number.label("document_number"))
        .select_from(DS.outerjoin(D, D.c.id == DS.c.document_id))
        .where(DS.c.customer_id == customer_id)
        .order_by(DS.c.status != "open", DS.c.opened_on.desc(), DS.c.id.desc())
    ).mappings()
    return [dict(r) for r in rows]
