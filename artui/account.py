"""One customer's account: what they owe, how old it is, what was promised, whom to call.

The account screen's header, `artui account` and the statement read this one function,
so they always agree with the aging.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, select

from artui.aging import AgingRow, OpenItem, aging_rows, open_items
from artui.book import Tx, read_only
from artui.customers import (
    AddressRecord,
    ContactRecord,
    CustomerRecord,
    addresses,
    contacts,
    get_customer,
)
from artui.ledger import DEBIT_KINDS, A, D
from db.models import Dispute, FollowUp, Promise

P = Promise.__table__
F = FollowUp.__table__
DS = Dispute.__table__


@dataclass(frozen=True)
class PlanState:
    """The customer's payment plan in force: instalments kept of all, and the next."""

    instalments: int
    kept: int
    broken: int
    next_amount: int
    next_on: dt.date | None


@dataclass(frozen=True)
class AccountSummary:
    customer: CustomerRecord
    as_of: dt.date
    aging: AgingRow
    open_items: tuple[OpenItem, ...]
    last_payment_on: dt.date | None
    last_payment_amount: int
    open_promise_amount: int
    open_promise_on: dt.date | None
    broken_promises: int
    next_follow_up: dt.date | None
    disputed: int
    billing_contact: ContactRecord | None
    billing_address: AddressRecord | None
    plan: PlanState | None = None

    @property
    def balance(self) -> int:
        return self.aging.balance

    @property
    def past_due(self) -> int:
        return self.aging.past_due

    @property
    def credit_available(self) -> int | None:
        limit = self.customer.credit_limit
        return None if not limit else limit - self.balance

    @property
    def flags(self) -> tuple[str, ...]:
        out = []
        if self.customer.on_hold:
            out.append("HOLD")
        if self.disputed:
            out.append("DISPUTE")
        if self.open_promise_amount:
            out.append("PLAN" if self.plan else "PROMISE")
        if self.customer.escalation:
            out.append(self.customer.escalation.upper())
        return tuple(out)


@read_only
def account_summary(tx: Tx, customer: int | str, as_of: dt.date | None = None) -> AccountSummary:
    as_of = as_of or tx.today
    rec = get_customer(tx, customer)
    ids = [rec.id]
    found = aging_rows(tx, as_of, customer_ids=ids, include_zero=True)
    row = found[0] if found else AgingRow(rec.id, rec.account, rec.name, rec.currency)
    items = open_items(tx, as_of, customer_ids=ids)
    returned = D.alias("returned")
    last = tx.conn.execute(
        select(D.c.doc_date, D.c.amount)
        .where(
            D.c.customer_id == rec.id,
            D.c.kind == "payment",
            D.c.status == "posted",
            D.c.doc_date <= as_of,
            D.c.id.notin_(  # a payment that bounced was not a payment
                select(returned.c.reverses_id).where(
                    returned.c.customer_id == rec.id,
                    returned.c.kind == "returned_payment",
                    returned.c.doc_date <= as_of,
                    returned.c.reverses_id.is_not(None),
                )
            ),
        )
        .order_by(D.c.doc_date.desc(), D.c.id.desc())
        .limit(1)
    ).first()
    promise = tx.conn.execute(
        select(func.coalesce(func.sum(P.c.amount), 0), func.min(P.c.due_on)).where(
            P.c.customer_id == rec.id, P.c.status == "open"
        )
    ).one()
    broken = tx.conn.execute(
        select(func.count()).where(P.c.customer_id == rec.id, P.c.status == "broken")
    ).scalar()
    next_fu = tx.conn.execute(
        select(F.c.next_action_on)
        .where(F.c.customer_id == rec.id)
        .order_by(F.c.created_at.desc(), F.c.id.desc())
        .limit(1)
    ).scalar()
    disputed = tx.conn.execute(
        select(func.coalesce(func.sum(DS.c.amount), 0)).where(
            DS.c.customer_id == rec.id, DS.c.status == "open"
        )
    ).scalar()
    plan = _plan(tx, rec.id)
    people = contacts(tx, rec.id)
    billing = next((c for c in people if c.is_billing), people[0] if people else None)
    places = addresses(tx, rec.id)
    return AccountSummary(
        customer=rec,
        as_of=as_of,
        aging=row,
        open_items=tuple(items),
        last_payment_on=last.doc_date if last else None,
        last_payment_amount=last.amount if last else 0,
        open_promise_amount=int(promise[0] or 0),
        open_promise_on=promise[1],
        broken_promises=int(broken or 0),
        next_follow_up=next_fu,
        disputed=int(disputed or 0),
        billing_contact=billing,
        billing_address=places[0] if places else None,
        plan=plan,
    )


def _plan(tx: Tx, customer_id: int) -> PlanState | None:
    """The newest plan with an instalment still open."""
    rows = tx.conn.execute(
        select(P.c.plan_id, P.c.amount, P.c.due_on, P.c.status)
        .where(
            P.c.customer_id == customer_id,
            P.c.plan_id.in_(
                select(P.c.plan_id).where(
                    P.c.customer_id == customer_id,
                    P.c.plan_id.is_not(None),
                    P.c.status == "open",
                )
            ),
        )
        .order_by(P.c.plan_id.desc(), P.c.due_on)
    ).all()
    if not rows:
        return None
    newest = [r for r in rows if r.plan_id == rows[0].plan_id]
    waiting = [r for r in newest if r.status == "open"]
    return PlanState(
        len(newest),
        sum(1 for r in newest if r.status == "kept"),
        sum(1 for r in newest if r.status == "broken"),
        waiting[0].amount if waiting else 0,
        waiting[0].due_on if waiting else None,
    )


@dataclass(frozen=True)
class HistoryLine:
    """One line of an account's history: a document, or an application between two."""

    on: dt.date
    kind: str
    number: str
    description: str
    debit: int
    credit: int
    doc_id: int | None = None
    application_id: int | None = None


@dataclass(frozen=True)
class HistoryCursor:
    """Where the next page of an account's history starts, and the balance there."""

    doc_date: dt.date
    doc_id: int
    balance: int  # the balance before the last document of the page before


@read_only
def history_page(
    tx: Tx, customer_id: int, *, after: HistoryCursor | None = None, limit: int = 100
) -> tuple[list[dict], HistoryCursor | None]:
    """Documents of an account, newest first, a page at a time (keyset pagination on
    (doc_date, id)), each with `balance`: the account's balance after it. Returns the
    page and the cursor of the next one (None at the end)."""
    stmt = (
        select(
            D.c.id,
            D.c.kind,
            D.c.number,
            D.c.doc_date,
            D.c.due_date,
            D.c.amount,
            D.c.open_amount,
            D.c.reference,
            D.c.memo,
            D.c.reason,
        )
        .where(D.c.customer_id == customer_id, D.c.status == "posted")
        .order_by(D.c.doc_date.desc(), D.c.id.desc())
        .limit(limit)
    )
    if after is None:
        signed = case((D.c.kind.in_(DEBIT_KINDS), D.c.amount), else_=-D.c.amount)
        running = int(
            tx.conn.execute(
                select(func.coalesce(func.sum(signed), 0)).where(
                    D.c.customer_id == customer_id, D.c.status == "posted"
                )
            ).scalar()
            or 0
        )
    else:
        running = after.balance
        d, i = after.doc_date, after.doc_id
        stmt = stmt.where((D.c.doc_date < d) | ((D.c.doc_date == d) & (D.c.id < i)))
    rows = []
    for r in tx.conn.execute(stmt).mappings():
        row = dict(r)
        row["balance"] = running
        running -= row["amount"] if row["kind"] in DEBIT_KINDS else -row["amount"]
        rows.append(row)
    cursor = None
    if len(rows) == limit:
        cursor = HistoryCursor(rows[-1]["doc_date"], rows[-1]["id"], running)
    return rows, cursor


@read_only
def applications_of(tx: Tx, doc_id: int) -> list[dict]:
    """The applications on one document, with the other side's number."""
    other = D.alias("other")
    rows = tx.conn.execute(
        select(
            A.c.id,
            A.c.amount,
            A.c.applied_on,
            A.c.reason,
            A.c.undoes_id,
            A.c.created_by,
            other.c.kind,
            other.c.number,
        )
        .select_from(
            A.join(
                other,
                ((A.c.debit_id == doc_id) & (other.c.id == A.c.credit_id))
                | ((A.c.credit_id == doc_id) & (other.c.id == A.c.debit_id)),
            )
        )
        .order_by(A.c.applied_on, A.c.id)
    ).mappings()
    return [dict(r) for r in rows]


@read_only
def applications_for(tx: Tx, doc_ids: list[int]) -> dict[int, list[dict]]:
    """The applications on each of several documents, with the other side's number, in
    one query (a history page asks for a few hundred at once)."""
    if not doc_ids:
        return {}
    other = D.alias("other")
    rows = tx.conn.execute(
        select(
            A.c.id,
            A.c.debit_id,
            A.c.credit_id,
            A.c.amount,
            A.c.applied_on,
            A.c.reason,
            A.c.undoes_id,
            A.c.created_by,
            other.c.kind,
            other.c.number,
        )
        .select_from(A.join(other, other.c.id == A.c.debit_id))
        .where(A.c.credit_id.in_(doc_ids))
        .order_by(A.c.applied_on, A.c.id)
    ).mappings()
    out: dict[int, list[dict]] = {}
    for r in rows:
        out.setdefault(r["credit_id"], []).append(dict(r))
    return out
