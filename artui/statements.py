"""Customer statements: what goes on one, computed by the same core as the aging.

Two styles:
- open item: every document open on the as-of date, with its original and open amount;
- activity (balance forward): the balance before the period, every document in the
  period with a running balance (payments and credits say what they were applied to),
  and the closing balance.
Both carry the aging by bucket (from `aging.aging`, so a statement and the aging always
agree), open credits, disputed amounts marked, the company's remit-to block and a
message that differs for current and past-due accounts. A statement as of a past date
depends only on what was dated on or before it, so it reads the same after later
postings.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select

from artui.account import applications_for
from artui.aging import AgingRow, aging, open_items
from artui.book import Tx, read_only
from artui.ledger import DEBIT_KINDS, KIND_LABEL, customer_row
from artui.money import format_amount
from artui.settings import get_settings
from db.models import Address, Contact, Customer, Dispute, Document

D = Document.__table__
C = Customer.__table__
DS = Dispute.__table__

MESSAGE_CURRENT = "Thank you for your business. Please pay each invoice by its due date."
MESSAGE_PAST_DUE = (
    "Your account is past due by {past_due}. Please pay it now, or call us to talk about it."
)


@dataclass(frozen=True)
class StatementLine:
    on: dt.date
    kind: str
    number: str
    reference: str
    due_date: dt.date | None
    amount: int  # signed: debits raise the balance, credits lower it
    open: int  # open-item: signed open amount as of the date; activity: running balance
    days_past_due: int = 0
    disputed: bool = False
    note: str = ""  # activity: what a payment or credit was applied to

    @property
    def label(self) -> str:
        return KIND_LABEL.get(self.kind, self.kind)


@dataclass(frozen=True)
class Statement:
    style: str
    as_of: dt.date
    period_from: dt.date | None
    company_name: str
    remit_to: tuple[str, ...]
    company_contact: str
    customer_id: int
    account: str
    name: str
    currency: str
    bill_to: tuple[str, ...]  # the lines of the address block, name first
    email: str  # the billing contact's, where there is one
    aging: AgingRow
    lines: tuple[StatementLine, ...]
    opening_balance: int  # activity: before the period; open item: 0
    disputed: int
    message: str

    @property
    def balance(self) -> int:
        return self.aging.balance

    @property
    def past_due(self) -> int:
        return self.aging.past_due

    def money(self, minor: int) -> str:
        return format_amount(minor, self.currency)


@read_only
def statement(
    tx: Tx,
    customer: int | str,
    as_of: dt.date | None = None,
    *,
    period_from: dt.date | None = None,
) -> Statement:
    """One customer's statement: activity from `period_from` when given, else open item."""
    cid = customer_row(tx, customer)["id"]
    return statements_for(tx, [cid], as_of, period_from=period_from)[0]


@read_only
def statements_for(
    tx: Tx,
    customer_ids: Sequence[int],
    as_of: dt.date | None = None,
    *,
    period_from: dt.date | None = None,
) -> list[Statement]:
    """Statements for several customers, read in a handful of queries (a run asks for a
    hundred at a time), in the order of `customer_ids`."""
    as_of = as_of or tx.today
    if period_from is not None and period_from > as_of:
        from artui.errors import Refused

        raise Refused("The period starts after the statement date.", field="from")
    ids = list(customer_ids)
    if not ids:
        return []
    company = tx.company()
    remit = tuple(line.strip() for line in (company["address"] or "").splitlines() if line.strip())
    contact = "  ".join(x for x in (company["phone"], company["email"]) if x)
    messages = _messages(tx)
    customers = {r.id: r for r in tx.conn.execute(select(C).where(C.c.id.in_(ids)))}
    rows = {r.customer_id: r for r in aging(tx, as_of, customer_ids=ids, include_zero=True).rows}
    disputed_docs = _disputed(tx, ids, as_of)
    billing = billing_details(tx, ids)
    if period_from is None:
        per: dict[int, list[StatementLine]] = {i: [] for i in ids}
        for item in open_items(tx, as_of, customer_ids=ids):
            per[item.customer_id].append(
                StatementLine(
                    item.doc_date,
                    item.kind,
                    item.number,
                    item.reference,
                    item.due_date,
                    item.amount if item.is_debit else -item.amount,
                    item.signed_open,
                    max(item.days_past_due, 0),
                    item.id in disputed_docs,
                )
            )
        opening = dict.fromkeys(ids, 0)
    else:
        per, opening = _activity(tx, ids, period_from, as_of, disputed_docs)
    out = []
    for cid in ids:
        cust = customers[cid]
        row = rows.get(cid) or AgingRow(cid, cust.account, cust.name, cust.currency)
        contact_name, email, address = billing.get(cid, ("", "", ()))
        bill_to = (cust.name, *((f"Attn: {contact_name}",) if contact_name else ()), *address)
        past_due = row.past_due > 0
        text = messages["past_due" if past_due else "current"]
        message = text.format(past_due=format_amount(row.past_due, cust.currency))
        out.append(
            Statement(
                style="open_item" if period_from is None else "activity",
                as_of=as_of,
                period_from=period_from,
                company_name=company["name"],
                remit_to=remit,
                company_contact=contact,
                customer_id=cid,
                account=cust.account,
                name=cust.name,
                currency=cust.currency,
                bill_to=bill_to,
                email=email,
                aging=row,
                lines=tuple(per[cid]),
                opening_balance=opening[cid],
                disputed=_disputed_total(disputed_docs, cid),
                message=message,
            )
        )
    return out


def _messages(tx: Tx) -> dict[str, str]:
    s = get_settings(tx, "statement.message_")
    return {
        "current": s.get("statement.message_current") or MESSAGE_CURRENT,
        "past_due": s.get("statement.message_past_due") or MESSAGE_PAST_DUE,
    }


def _disputed(tx: Tx, ids: list[int], as_of: dt.date) -> dict:
    """Disputes open on the date: {document id (or ("account", customer id) for one on
    the whole account): (customer id, amount)}."""
    open_then = and_(
        DS.c.customer_id.in_(ids),
        DS.c.opened_on <= as_of,
        or_(DS.c.resolved_on.is_(None), DS.c.resolved_on > as_of),
        DS.c.status != "rejected",
    )
    out: dict = {}
    for r in tx.conn.execute(
        select(DS.c.document_id, DS.c.customer_id, func.sum(DS.c.amount))
        .where(open_then)
        .group_by(DS.c.document_id, DS.c.customer_id)
    ):
        out[r[0] if r[0] is not None else ("account", r[1])] = (r[1], int(r[2] or 0))
    return out


def _disputed_total(disputed: dict, cid: int) -> int:
    return sum(amount for c, amount in disputed.values() if c == cid)


def billing_details(tx: Tx, ids: list[int]) -> dict[int, tuple[str, str, tuple[str, ...]]]:
    """(contact name, email, address lines) of each customer's billing contact/address."""
    ct, ad = Contact.__table__, Address.__table__
    people: dict[int, tuple[str, str]] = {}
    for r in tx.conn.execute(
        select(ct.c.customer_id, ct.c.name, ct.c.email, ct.c.is_billing)
        .where(ct.c.customer_id.in_(ids))
        .order_by(ct.c.customer_id, ct.c.is_billing.desc(), ct.c.id)
    ):
        people.setdefault(r.customer_id, (r.name, r.email))
    places: dict[int, tuple[str, ...]] = {}
    for r in tx.conn.execute(
        select(ad)
        .where(ad.c.customer_id.in_(ids))
        .order_by(ad.c.customer_id, case((ad.c.kind == "billing", 0), else_=1), ad.c.id)
    ):
        if r.customer_id in places:
            continue
        city = " ".join(x for x in (f"{r.city}," if r.city else "", r.region, r.postal_code) if x)
        lines = (r.line1, r.line2, city.rstrip(","), r.country if r.country != "US" else "")
        places[r.customer_id] = tuple(x for x in lines if x)
    return {
        i: (*people.get(i, ("", "")), places.get(i, ()))  # type: ignore[misc]
        for i in ids
    }


def _activity(
    tx: Tx,
    ids: list[int],
    start: dt.date,
    end: dt.date,
    disputed: dict,
) -> tuple[dict[int, list[StatementLine]], dict[int, int]]:
    signed = case((D.c.kind.in_(DEBIT_KINDS), D.c.amount), else_=-D.c.amount)
    opening = dict.fromkeys(ids, 0)
    for cid, total in tx.conn.execute(
        select(D.c.customer_id, func.sum(signed))
        .where(D.c.customer_id.in_(ids), D.c.status == "posted", D.c.doc_date < start)
        .group_by(D.c.customer_id)
    ):
        opening[cid] = int(total or 0)
    docs = tx.conn.execute(
        select(
            D.c.id,
            D.c.customer_id,
            D.c.kind,
            D.c.number,
            D.c.reference,
            D.c.doc_date,
            D.c.due_date,
            D.c.amount,
        )
        .where(
            D.c.customer_id.in_(ids),
            D.c.status == "posted",
            D.c.doc_date >= start,
            D.c.doc_date <= end,
        )
        .order_by(D.c.customer_id, D.c.doc_date, D.c.id)
    ).all()
    credits = [d.id for d in docs if d.kind not in DEBIT_KINDS]
    applied = applications_for(tx, credits) if credits else {}
    per: dict[int, list[StatementLine]] = {i: [] for i in ids}
    running = dict(opening)
    for d in docs:
        amount = d.amount if d.kind in DEBIT_KINDS else -d.amount
        running[d.customer_id] += amount
        note = ""
        if d.id in applied:
            net: dict[str, int] = {}
            for a in applied[d.id]:
                if a["applied_on"] <= end:
                    net[a["number"]] = net.get(a["number"], 0) + a["amount"]
            named = [n for n, amt in net.items() if amt > 0]
            if named:
                note = "applied to " + ", ".join(named[:4]) + (" ..." if len(named) > 4 else "")
        per[d.customer_id].append(
            StatementLine(
                d.doc_date,
                d.kind,
                d.number,
                d.reference,
                d.due_date,
                amount,
                running[d.customer_id],
                0,
                d.id in disputed,
                note,
            )
        )
    return per, opening
