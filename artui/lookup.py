"""Customer lookup: one box, results after every key.

Customers by name, account, any run of phone digits, email or contact name come from the
search index; documents by number or PO from a range query on their indexes (opening
that customer with the document selected). Balances and past-due amounts are read for
the (at most 50) customers found, in one grouped query over open documents.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, exists, func, select

from artui.book import Tx, read_only
from artui.ledger import DEBIT_KINDS, IS_OPEN, C, D
from db.models import Address, Contact, Dispute, Promise
from db.search import search_customer_ids

AD = Address.__table__
K = Contact.__table__
DS = Dispute.__table__
P = Promise.__table__


@dataclass(frozen=True)
class LookupRow:
    customer_id: int
    account: str
    name: str
    city: str
    phone: str
    currency: str
    balance: int
    past_due: int
    flags: tuple[str, ...]
    document_id: int | None = None  # the document the query matched, to select it
    document_number: str = ""


def _range(col, prefix: str):  # noqa: ANN001, ANN202
    """A prefix match the column's index can answer: prefix <= col < prefix + U+FFFF."""
    return (col >= prefix) & (col < prefix + "\uffff")


@read_only
def search(tx: Tx, query: str, limit: int = 50) -> list[LookupRow]:
    """Customers matching what was typed, best first: exact account, then document
    matches, then name matches in alphabetical order."""
    q = query.strip()
    if not q:
        return []
    docs: dict[int, tuple[int, str]] = {}
    if len(q) >= 2 and " " not in q:
        variants = {q, q.upper()}
        for v in variants:
            stmt = (
                select(D.c.customer_id, D.c.id, D.c.number)
                .where(_range(D.c.number, v), D.c.status == "posted")
                .order_by(D.c.number)
                .limit(10)
            )
            for cid, did, num in tx.conn.execute(stmt):
                docs.setdefault(cid, (did, num))
            stmt = (
                select(D.c.customer_id, D.c.id, D.c.reference)
                .where(
                    _range(D.c.reference, v), D.c.status == "posted"
                )  # PO and check numbers alike
                .order_by(D.c.reference)
                .limit(10)
            )
            for cid, did, ref in tx.conn.execute(stmt):
                docs.setdefault(cid, (did, ref))
    ids = list(docs)
    ids += [i for i in search_customer_ids(tx.conn, q, limit) if i not in docs]
    ids = ids[:limit]
    if not ids:
        return []
    return rows_for(tx, ids, q, docs)


def rows_for(
    tx: Tx, ids: list[int], query: str = "", docs: dict[int, tuple[int, str]] | None = None
) -> list[LookupRow]:
    docs = docs or {}
    today = tx.today
    money = (
        select(
            D.c.customer_id,
            func.sum(
                case((D.c.kind.in_(DEBIT_KINDS), D.c.open_amount), else_=-D.c.open_amount)
            ).label("balance"),
            func.sum(
                case((D.c.kind.in_(DEBIT_KINDS) & (D.c.due_date < today), D.c.open_amount), else_=0)
            ).label("past_due"),
        )
        .where(D.c.customer_id.in_(ids), IS_OPEN, D.c.status == "posted")
        .group_by(D.c.customer_id)
    )
    amounts = {r.customer_id: (int(r.balance), int(r.past_due)) for r in tx.conn.execute(money)}
    # One statement for the rest of each row: correlated look-ups on small indexes cost
    # less than four more round trips through the driver.
    city = (
        select(AD.c.city).where(AD.c.customer_id == C.c.id).order_by(AD.c.id).limit(1)
    ).scalar_subquery()
    phone = (
        select(K.c.phone)
        .where(K.c.customer_id == C.c.id, K.c.phone != "")
        .order_by(K.c.is_billing.desc(), K.c.id)
        .limit(1)
    ).scalar_subquery()
    disputed = exists().where(DS.c.customer_id == C.c.id, DS.c.status == "open")
    promised = exists().where(P.c.customer_id == C.c.id, P.c.status == "open")
    out = []
    for r in tx.conn.execute(
        select(
            C.c.id,
            C.c.account,
            C.c.name,
            C.c.currency,
            C.c.on_hold,
            C.c.escalation,
            city.label("city"),
            phone.label("phone"),
            disputed.label("disputed"),
            promised.label("promised"),
        ).where(C.c.id.in_(ids))
    ):
        bal, pd = amounts.get(r.id, (0, 0))
        flags = tuple(
            f
            for f, on in (
                ("HOLD", r.on_hold),
                ("DISPUTE", r.disputed),
                ("PROMISE", r.promised),
                ((r.escalation or "").upper(), bool(r.escalation)),
            )
            if on
        )
        did, num = docs.get(r.id, (None, ""))
        out.append(
            LookupRow(
                r.id,
                r.account,
                r.name,
                r.city or "",
                r.phone or "",
                r.currency,
                bal,
                pd,
                flags,
                did,
                num,
            )
        )
    q = query.strip().lower()
    out.sort(
        key=lambda x: (x.account.lower() != q, x.document_id is None, x.name.lower(), x.account)
    )
    return out


@read_only
def data_version(tx: Tx) -> int:
    """A number that grows whenever anyone commits a change (every write appends an audit
    event), for screens that refresh when another clerk changes what they show."""
    from db.models import AuditEvent

    return int(tx.conn.execute(select(func.max(AuditEvent.__table__.c.id))).scalar() or 0)


def today_label(day: dt.date) -> str:
    return day.strftime("%a %d %b %Y")
