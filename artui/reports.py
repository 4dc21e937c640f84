"""The reports management and auditors ask for: functions from a read transaction, a
date or period and filters to plain rows. Screens, the CLI and the PDF layouts only
present them (hledger's habit: reports are library functions)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import case, func, select

from artui.aging import ledger_balances
from artui.book import Tx, read_only
from artui.ledger import CREDIT_KINDS, DEBIT_KINDS, C, D
from db.models import AuditEvent, FollowUp, Promise, ReceiptDetail

R = ReceiptDetail.__table__
F = FollowUp.__table__
P = Promise.__table__
EV = AuditEvent.__table__


def _month_end(d: dt.date) -> dt.date:
    nxt = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


@dataclass(frozen=True)
class DsoPoint:
    as_of: dt.date
    currency: str
    balance: int
    days: int  # days sales outstanding, countback method
    partial: bool  # the balance is larger than all sales counted back


@read_only
def dso(tx: Tx, as_of: dt.date | None = None, currency: str | None = None) -> list[DsoPoint]:
    """DSO by the countback method: walk back month by month from the as-of date, taking
    each month's sales in full while the receivable balance exceeds them, then the
    remaining fraction of the last month's days."""
    as_of = as_of or tx.today
    balances = ledger_balances(tx, as_of)
    balances.setdefault(tx.company()["currency"], 0)
    out = []
    for cur, balance in sorted(balances.items()):
        if currency and cur != currency:
            continue
        remaining, days = balance, 0
        end = as_of
        partial = False
        for _ in range(36):
            start = end.replace(day=1)
            sales = _sales(tx, cur, start, end)
            span = (end - start).days + 1
            if remaining <= 0:
                break
            if sales >= remaining:
                days += round(span * remaining / sales) if sales else 0
                remaining = 0
                break
            remaining -= sales
            days += span
            end = start - dt.timedelta(days=1)
        else:
            partial = remaining > 0
        out.append(DsoPoint(as_of, cur, balance, days, partial))
    return out


def _sales(tx: Tx, currency: str, start: dt.date, end: dt.date) -> int:
    return int(
        tx.conn.execute(
            select(func.coalesce(func.sum(D.c.amount), 0)).where(
                D.c.status == "posted",
                D.c.kind.in_(("invoice", "debit_memo", "finance_charge")),
                D.c.currency == currency,
                D.c.doc_date >= start,
                D.c.doc_date <= end,
            )
        ).scalar()
        or 0
    )


@read_only
def dso_trend(tx: Tx, months: int = 12, as_of: dt.date | None = None) -> list[DsoPoint]:
    """DSO at each of the last `months` month ends (the current month: as of today)."""
    as_of = as_of or tx.today
    points = []
    d = as_of
    for _ in range(months):
        points += dso(tx, d)
        d = d.replace(day=1) - dt.timedelta(days=1)
    return sorted(points, key=lambda p: (p.currency, p.as_of))


@dataclass(frozen=True)
class RegisterLine:
    doc_date: dt.date
    kind: str
    number: str
    account: str
    name: str
    currency: str
    amount: int
    open_amount: int
    reference: str
    reason: str
    method: str
    created_by: str


@read_only
def register(
    tx: Tx, kinds: tuple[str, ...], start: dt.date, end: dt.date, *, user: str | None = None
) -> list[RegisterLine]:
    """Documents of the given kinds posted in a period: the invoice register
    (invoice, debit_memo, finance_charge), the cash receipts journal (payment), the
    credit memo and write-off register (credit_memo, write_off, discount, void)."""
    stmt = (
        select(
            D.c.doc_date,
            D.c.kind,
            D.c.number,
            C.c.account,
            C.c.name,
            D.c.currency,
            D.c.amount,
            D.c.open_amount,
            D.c.reference,
            D.c.reason,
            func.coalesce(R.c.method, "").label("method"),
            D.c.created_by,
        )
        .select_from(D.join(C, C.c.id == D.c.customer_id).outerjoin(R, R.c.document_id == D.c.id))
        .where(
            D.c.status == "posted",
            D.c.kind.in_(list(kinds)),
            D.c.doc_date >= start,
            D.c.doc_date <= end,
        )
        .order_by(D.c.doc_date, D.c.kind, D.c.number)
    )
    if user:
        stmt = stmt.where(D.c.created_by == user)
    return [RegisterLine(*r) for r in tx.conn.execute(stmt)]


INVOICE_KINDS = ("invoice", "debit_memo", "finance_charge")
RECEIPT_KINDS = ("payment",)
CREDIT_REGISTER_KINDS = ("credit_memo", "write_off", "discount", "void")


@dataclass(frozen=True)
class RollForward:
    currency: str
    opening: int
    invoices: int  # invoices, debit memos, finance charges
    receipts: int
    credits: int  # credit memos, discounts, voids
    write_offs: int
    other_debits: int  # returned payments and refunds
    closing: int

    @property
    def computed_closing(self) -> int:
        return (
            self.opening
            + self.invoices
            - self.receipts
            - self.credits
            - self.write_offs
            + self.other_debits
        )

    @property
    def difference(self) -> int:
        return self.closing - self.computed_closing


@read_only
def roll_forward(tx: Tx, start: dt.date, end: dt.date) -> list[RollForward]:
    """Month-end: opening balance + invoices - receipts - credits - write-offs (+ returned
    payments and refunds) = closing balance, by currency; the closing balance is read
    independently (posted debits less credits to the end date), so a difference flags a
    broken subledger."""
    opening = ledger_balances(tx, start - dt.timedelta(days=1))
    closing = ledger_balances(tx, end)
    groups = {
        "invoices": INVOICE_KINDS,
        "receipts": ("payment",),
        "credits": ("credit_memo", "discount", "void"),
        "write_offs": ("write_off",),
        "other_debits": ("returned_payment", "refund"),
    }
    cols = [
        func.coalesce(func.sum(case((D.c.kind.in_(kinds), D.c.amount), else_=0)), 0).label(name)
        for name, kinds in groups.items()
    ]
    rows = {
        r.currency: r
        for r in tx.conn.execute(
            select(D.c.currency, *cols)
            .where(D.c.status == "posted", D.c.doc_date >= start, D.c.doc_date <= end)
            .group_by(D.c.currency)
        )
    }
    out = []
    for cur in sorted(set(opening) | set(closing) | set(rows)):
        r = rows.get(cur)
        vals = {k: int(getattr(r, k)) if r else 0 for k in groups}
        out.append(RollForward(cur, opening.get(cur, 0), closing=closing.get(cur, 0), **vals))
    return out


@dataclass(frozen=True)
class CreditHistory:
    customer_id: int
    account: str
    name: str
    currency: str
    invoices_paid: int
    average_days_to_pay: float | None  # not money: a count of days
    share_paid_late: float | None  # not money: a ratio
    largest_balance: int
    bounced_payments: int
    promises_kept: int
    promises_broken: int


@read_only
def credit_history(tx: Tx, customer_ids: list[int] | None = None) -> list[CreditHistory]:
    """Per customer: average days from invoice to payment (settled invoices), the share
    paid after the due date, the largest month-end balance over the last year, bounced
    payments, and promises kept and broken."""
    voids = D.alias("voids")
    paid = (
        select(
            D.c.customer_id,
            func.count().label("n"),
            func.sum(func.julianday(D.c.closed_on) - func.julianday(D.c.doc_date)).label("days")
            if tx.sqlite
            else func.sum(D.c.closed_on - D.c.doc_date).label("days"),
            func.sum(case((D.c.closed_on > D.c.due_date, 1), else_=0)).label("late"),
        )
        .where(
            D.c.kind == "invoice",
            D.c.status == "posted",
            D.c.open_amount == 0,
            D.c.closed_on.is_not(None),
            # a voided invoice was never paid: it does not count
            D.c.id.not_in(
                select(voids.c.reverses_id).where(
                    voids.c.kind == "void", voids.c.reverses_id.is_not(None)
                )
            ),
        )
        .group_by(D.c.customer_id)
    )
    if customer_ids is not None:
        paid = paid.where(D.c.customer_id.in_(customer_ids))
    stats = {r.customer_id: r for r in tx.conn.execute(paid)}
    bounced = dict(
        tx.conn.execute(
            select(D.c.customer_id, func.count())
            .where(D.c.kind == "returned_payment")
            .group_by(D.c.customer_id)
        ).all()
    )
    prom = defaultdict(lambda: [0, 0])
    for cid, status, n in tx.conn.execute(
        select(P.c.customer_id, P.c.status, func.count()).group_by(P.c.customer_id, P.c.status)
    ):
        if status == "kept":
            prom[cid][0] = n
        elif status == "broken":
            prom[cid][1] = n
    largest = _largest_balances(tx, customer_ids)
    cust = select(C.c.id, C.c.account, C.c.name, C.c.currency).order_by(C.c.account)
    if customer_ids is not None:
        cust = cust.where(C.c.id.in_(customer_ids))
    out = []
    for c in tx.conn.execute(cust):
        s = stats.get(c.id)
        n = int(s.n) if s else 0
        out.append(
            CreditHistory(
                c.id,
                c.account,
                c.name,
                c.currency,
                n,
                round(float(s.days) / n, 1) if n else None,  # not money
                round(int(s.late) / n, 3) if n else None,
                largest.get(c.id, 0),
                int(bounced.get(c.id, 0)),
                prom[c.id][0],
                prom[c.id][1],
            )
        )
    return out


def _largest_balances(tx: Tx, customer_ids: list[int] | None) -> dict[int, int]:
    """The largest month-end balance in the last twelve months, from the postings."""
    sign = case((D.c.kind.in_(DEBIT_KINDS), D.c.amount), else_=-D.c.amount)
    best: dict[int, int] = {}
    d = tx.today
    for _ in range(12):
        stmt = (
            select(D.c.customer_id, func.sum(sign))
            .where(D.c.status == "posted", D.c.doc_date <= d)
            .group_by(D.c.customer_id)
        )
        if customer_ids is not None:
            stmt = stmt.where(D.c.customer_id.in_(customer_ids))
        for cid, bal in tx.conn.execute(stmt):
            if bal is not None and bal > best.get(cid, 0):
                best[cid] = int(bal)
        d = d.replace(day=1) - dt.timedelta(days=1)
    return best


@dataclass(frozen=True)
class Activity:
    user: str
    calls: int
    promises: int
    receipts: int
    receipts_amount: int
    invoices: int
    invoices_amount: int
    credits: int
    statements: int


@read_only
def activity(tx: Tx, start: dt.date, end: dt.date, user: str | None = None) -> list[Activity]:
    """Collection activity by clerk (and "my activity today" with user and one day):
    calls logged, promises taken, receipts and invoices posted, statements sent."""
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    per: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for u, n in tx.conn.execute(
        select(F.c.created_by, func.count())
        .where(F.c.created_at >= lo, F.c.created_at < hi)
        .group_by(F.c.created_by)
    ):
        per[u]["calls"] = n
    for u, n in tx.conn.execute(
        select(P.c.created_by, func.count())
        .where(P.c.created_at >= lo, P.c.created_at < hi)
        .group_by(P.c.created_by)
    ):
        per[u]["promises"] = n
    for u, kind, n, amt in tx.conn.execute(
        select(D.c.created_by, D.c.kind, func.count(), func.sum(D.c.amount))
        .where(D.c.status == "posted", D.c.created_at >= lo, D.c.created_at < hi)
        .group_by(D.c.created_by, D.c.kind)
    ):
        if kind == "payment":
            per[u]["receipts"] += n
            per[u]["receipts_amount"] += int(amt)
        elif kind in INVOICE_KINDS:
            per[u]["invoices"] += n
            per[u]["invoices_amount"] += int(amt)
        elif kind in CREDIT_KINDS:
            per[u]["credits"] += n
    for u, n in tx.conn.execute(
        select(EV.c.user, func.count())
        .where(
            EV.c.action.in_(("statement.made", "statement.emailed")), EV.c.at >= lo, EV.c.at < hi
        )
        .group_by(EV.c.user)
    ):
        per[u]["statements"] = n
    fields = (
        "calls",
        "promises",
        "receipts",
        "receipts_amount",
        "invoices",
        "invoices_amount",
        "credits",
        "statements",
    )
    rows = [Activity(u, *(per[u][f] for f in fields)) for u in sorted(per)]
    return [r for r in rows if user is None or r.user == user]


@dataclass(frozen=True)
class DisputeLine:
    opened_on: dt.date
    account: str
    name: str
    currency: str
    number: str  # the disputed document, or "" for the whole account
    amount: int
    reason: str
    owner: str
    status: str
    days_open: int


@read_only
def disputes_report(tx: Tx, as_of: dt.date | None = None) -> list[DisputeLine]:
    """Disputes open on a date (opened by then, not resolved by then), oldest first."""
    from db.models import Dispute

    as_of = as_of or tx.today
    DS = Dispute.__table__
    stmt = (
        select(
            DS.c.opened_on,
            C.c.account,
            C.c.name,
            C.c.currency,
            func.coalesce(D.c.number, ""),
            DS.c.amount,
            DS.c.reason,
            DS.c.owner,
            DS.c.status,
        )
        .select_from(
            DS.join(C, C.c.id == DS.c.customer_id).outerjoin(D, D.c.id == DS.c.document_id)
        )
        .where(
            DS.c.opened_on <= as_of,
            (DS.c.resolved_on.is_(None)) | (DS.c.resolved_on > as_of),
        )
        .order_by(DS.c.opened_on, C.c.account)
    )
    return [
        DisputeLine(*r[:8], "open" if r[8] != "rejected" else r[8], (as_of - r[0]).days)
        for r in tx.conn.execute(stmt)
    ]


@dataclass(frozen=True)
class MonthEnd:
    """The month-end tie-out of a period, by currency: the subledger's roll-forward, and
    the same receivable read from the GL journal export (`artui export journal`)."""

    currency: str
    opening: int
    invoices: int
    receipts: int
    credits: int
    write_offs: int
    other_debits: int
    closing: int
    difference: int  # closing less opening + the movements: 0 when the subledger ties
    gl_opening: int  # receivable in the journal before the period
    gl_closing: int  # receivable in the journal at the period's end
    gl_difference: int  # subledger closing less journal closing: 0 when the GL ties

    @property
    def ties(self) -> bool:
        return self.difference == 0 and self.gl_difference == 0 and self.opening == self.gl_opening


@read_only
def month_end(tx: Tx, start: dt.date, end: dt.date) -> list[MonthEnd]:
    """Roll-forward of the subledger, tied to the receivable postings of the GL journal
    the export produces for the same dates; any difference is flagged by `ties`."""
    from artui.journal import RECEIVABLE, entries

    before: dict[str, int] = defaultdict(int)
    upto: dict[str, int] = defaultdict(int)
    for e in entries(tx, None, end):
        ar = sum(amt for acct, amt in e.postings if acct.startswith(RECEIVABLE + ":"))
        upto[e.currency] += ar
        if e.date < start:
            before[e.currency] += ar
    out = []
    rolled = {r.currency: r for r in roll_forward(tx, start, end)}
    for cur in sorted(set(rolled) | set(upto)):
        r = rolled.get(cur) or RollForward(cur, 0, 0, 0, 0, 0, 0, 0)
        out.append(
            MonthEnd(
                cur,
                r.opening,
                r.invoices,
                r.receipts,
                r.credits,
                r.write_offs,
                r.other_debits,
                r.closing,
                r.difference,
                before[cur],
                upto[cur],
                r.closing - upto[cur],
            )
        )
    return out
