"""Balances and aging as of any date (FORMATS.md semantics).

Only documents dated on or before the as-of date count, and only applications dated on
or before it. Today's figures read the open amounts kept on each document; for a past
date we start from those and add back what was applied after it. A document can only
have been open then if it is open now or closed after that date, which the partial
index on open documents and the closed-on index find without reading the whole book.
"""

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import (
    Date,
    Integer,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    union,
    union_all,
)

from artui.book import Tx, read_only
from artui.bulk import bulk
from artui.dates import BUCKETS
from artui.ledger import CREDIT_KINDS, DEBIT_KINDS, IS_OPEN, A, C, D, T
from db.fetch import plain_chunks, plain_rows

_EMPTY = dict.fromkeys(BUCKETS, 0)


class AgingRow(NamedTuple):
    """One customer's aging (a tuple: the whole-book aging makes one per customer, and a
    tuple is made several times faster than a frozen dataclass)."""

    customer_id: int
    account: str
    name: str
    currency: str
    current: int = 0
    days_1_30: int = 0
    days_31_60: int = 0
    days_61_90: int = 0
    days_over_90: int = 0
    unapplied: int = 0  # open credits, as a negative amount

    @property
    def balance(self) -> int:
        return (
            self.current
            + self.days_1_30
            + self.days_31_60
            + self.days_61_90
            + self.days_over_90
            + self.unapplied
        )

    @property
    def past_due(self) -> int:
        return self.days_1_30 + self.days_31_60 + self.days_61_90 + self.days_over_90

    def buckets(self) -> dict[str, int]:
        return {b: getattr(self, b) for b in BUCKETS}


@dataclass(frozen=True)
class AgingTotal:
    currency: str
    current: int = 0
    days_1_30: int = 0
    days_31_60: int = 0
    days_61_90: int = 0
    days_over_90: int = 0
    unapplied: int = 0
    customers: int = 0

    @property
    def balance(self) -> int:
        return (
            self.current
            + self.days_1_30
            + self.days_31_60
            + self.days_61_90
            + self.days_over_90
            + self.unapplied
        )


class OpenItem(NamedTuple):
    """A document open on a date (a tuple: the aging detail of a whole book holds a
    quarter of a million, and a tuple is smaller and quicker to make than a dataclass)."""

    id: int
    customer_id: int
    kind: str
    number: str
    doc_date: dt.date
    due_date: dt.date | None
    amount: int
    open: int  # as of the date asked; positive for debits and credits alike
    days_past_due: int
    reference: str = ""

    @property
    def is_debit(self) -> bool:
        return self.kind in DEBIT_KINDS

    @property
    def signed_open(self) -> int:
        return self.open if self.is_debit else -self.open


@dataclass(frozen=True)
class Aging:
    as_of: dt.date
    by: str
    rows: tuple[AgingRow, ...]
    totals: tuple[AgingTotal, ...]
    ledger_balances: dict[str, int] = field(default_factory=dict)  # per currency

    def tie_out(self) -> dict[str, tuple[int, int, int]]:
        """Per currency: (aging total, ledger balance, difference); the difference is 0
        when the aging agrees with the sum of posted debits less credits."""
        out = {}
        for t in self.totals:
            led = self.ledger_balances.get(t.currency, 0)
            out[t.currency] = (t.balance, led, t.balance - led)
        for cur, led in self.ledger_balances.items():
            out.setdefault(cur, (0, led, -led))
        return out


def _date(name: str) -> Any:
    return bindparam(name, type_=Date)


# An open item's columns, in OpenItem's order, and what "open now, as of the date" means
_ITEM = (D.c.id, D.c.customer_id, D.c.kind, D.c.number, D.c.doc_date, D.c.due_date, D.c.amount,
         D.c.reference)  # fmt: skip
_OPEN_NOW = (IS_OPEN, D.c.status == "posted", D.c.doc_date <= _date("as_of"))


def _addback() -> Any:
    """Per document, what applications dated after the date took off it: added back,
    it gives the open amount on the date."""
    later = (
        union_all(
            select(A.c.debit_id.label("doc_id"), A.c.amount).where(A.c.applied_on > _date("as_of")),
            select(A.c.credit_id.label("doc_id"), A.c.amount).where(
                A.c.applied_on > _date("as_of")
            ),
        )
    ).subquery("later")
    sums = select(later.c.doc_id, func.sum(later.c.amount).label("back")).group_by(later.c.doc_id)
    return sums.subquery("addback")


def _bucket_sums(date_col: Any, amount: Any, ranges: dict, by: str, *only: Any) -> list[Any]:
    """SUM(`amount`) FILTER (WHERE `only` and `date_col` in the bucket), for each bucket.

    A filtered sum asks its question only of its own rows; five CASE expressions a row
    were most of the whole-book aging's time."""
    cols = []
    for name, (lo, hi) in ranges.items():
        if by == "doc" and name == "days_1_30":  # by document date, 0-30 days is current
            cols.append(literal(0).label(name))
            continue
        conds = []
        if lo is not None:
            conds.append(date_col <= _date(f"e_lo_{lo}"))
        if hi is not None:
            conds.append(date_col >= _date(f"e_hi_{hi}"))
        # `only` last: a row out of the bucket's dates (most rows, for each bucket) is
        # then never asked its kind (-20% of the grouped pass)
        cols.append(func.sum(amount).filter(and_(*conds, *only)).label(name))
    return cols


def _aging_sums(
    ranges: dict, by: str, customer_ids: Sequence[int] | None, *, added_back: bool, sqlite: bool
) -> Any:
    """Per customer: the five buckets and the unapplied credits (negative) on the date;
    a sum with no rows is NULL.

    What was open on a date is what is open now plus what was applied after it (an
    un-application, applied negative, takes its part back). So the figures are the sums
    of the open documents (the partial index on open documents, read in customer order)
    plus the sums of the applications dated after the date, each of which carries its
    documents' customer and dates (an index that covers them, read in customer order:
    never a document lookup, never a sort). A document dated after the date counts for
    neither. Each source is read once, grouped by customer. `added_back` is False when
    nothing was applied after the date (as of today): the open documents alone answer."""
    as_of = _date("as_of")
    ids = None if customer_ids is None else list(customer_ids)

    def part(cid: Any, *figures: Any, where: tuple) -> Any:
        """One customer's sums from one source (grouped by `cid`)."""
        stmt = select(cid.label("cid"), *figures).where(*where)
        if ids is not None:
            stmt = stmt.where(cid.in_(ids))
        return stmt.group_by(cid)

    debit = D.c.kind.in_(DEBIT_KINDS)
    docs = part(
        D.c.customer_id,
        *_bucket_sums(
            D.c.due_date if by == "due" else D.c.doc_date, D.c.open_amount, ranges, by, debit
        ),
        (-func.sum(D.c.open_amount).filter(D.c.kind.in_(CREDIT_KINDS))).label("unapplied"),
        where=_OPEN_NOW,
    )
    if not added_back:
        return docs.subquery("sums")
    # On SQLite `+applied_on` keeps the planner off the applied_on index here: the
    # covering index in customer order answers without sorting the rows to group them.
    later = (literal_column("+application.applied_on") if sqlite else A.c.applied_on) > as_of
    debit_then, credit_then = A.c.debit_date <= as_of, A.c.credit_date <= as_of
    applied = part(
        A.c.customer_id,
        *_bucket_sums(
            A.c.debit_due if by == "due" else A.c.debit_date, A.c.amount, ranges, by, debit_then
        ),
        (-func.sum(A.c.amount).filter(credit_then)).label("unapplied"),
        where=(later, or_(debit_then, credit_then)),
    )
    both = union_all(docs, applied).subquery("parts")
    names = [*ranges, "unapplied"]
    return (
        select(both.c.cid, *(func.sum(both.c[n]).label(n) for n in names))
        .group_by(both.c.cid)
        .subquery("sums")
    )


def _applied_after(tx: Tx, as_of: dt.date) -> bool:
    """Whether anything was applied (or undone) after `as_of`: nothing, as of today."""
    stmt = select(A.c.id).where(A.c.applied_on > _date("as_of")).limit(1)
    return tx.conn.execute(stmt, {"as_of": as_of}).first() is not None


def _open_as_of(as_of: dt.date, today: dt.date, customer_ids: Sequence[int] | None) -> Any:
    """(document columns, open as of `as_of`) for every document open on that date."""
    cond = [D.c.status == "posted", D.c.doc_date <= _date("as_of")]
    if customer_ids is not None:
        cond.append(D.c.customer_id.in_(list(customer_ids)))
    addback = _addback()
    open_then = (D.c.open_amount + func.coalesce(addback.c.back, 0)).label("open_then")
    # Open then means open now or closed after the date: two index searches (the partial
    # index on open documents, the closed-on index), never a scan of the whole table.
    now_open = select(D.c.id).where(IS_OPEN)
    closed_later = select(D.c.id).where(D.c.closed_on > _date("as_of"))
    if customer_ids is not None:
        now_open = now_open.where(D.c.customer_id.in_(list(customer_ids)))
        closed_later = closed_later.where(D.c.customer_id.in_(list(customer_ids)))
    candidates = union(now_open, closed_later).subquery("cand")
    stmt = (
        select(
            *_ITEM,
            D.c.currency,
            open_then,
        )
        .select_from(
            candidates.join(D, D.c.id == candidates.c.id).outerjoin(
                addback, addback.c.doc_id == D.c.id
            )
        )
        .where(*cond)
    )
    return stmt


_RANGES_DUE = {
    "current": (None, 0),
    "days_1_30": (1, 30),
    "days_31_60": (31, 60),
    "days_61_90": (61, 90),
    "days_over_90": (91, None),
}
_RANGES_DOC = {
    "current": (None, 30),
    "days_1_30": (1, 0),  # never: by document date, 0-30 days is current
    "days_31_60": (31, 60),
    "days_61_90": (61, 90),
    "days_over_90": (91, None),
}


def _edges(as_of: dt.date, ranges: dict[str, tuple[int | None, int | None]]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for lo, hi in ranges.values():
        if lo is not None:
            params[f"e_lo_{lo}"] = as_of - dt.timedelta(days=lo)
        if hi is not None:
            params[f"e_hi_{hi}"] = as_of - dt.timedelta(days=hi)
    return params


@read_only
def aging(
    tx: Tx,
    as_of: dt.date | None = None,
    *,
    by: str = "due",
    customer_ids: Sequence[int] | None = None,
    include_zero: bool = False,
) -> Aging:
    """The aging summary: one row per customer with a non-zero balance (by account),
    totals per currency and the ledger balances they must tie out to."""
    as_of = as_of or tx.today
    rows = aging_rows(tx, as_of, by=by, customer_ids=customer_ids, include_zero=include_zero)
    totals = currency_totals(rows)
    return Aging(as_of, by, tuple(rows), totals, ledger_balances(tx, as_of, customer_ids))


@read_only
def aging_rows(
    tx: Tx,
    as_of: dt.date,
    *,
    by: str = "due",
    customer_ids: Sequence[int] | None = None,
    include_zero: bool = False,
) -> list[AgingRow]:
    """`aging(...).rows` alone: no totals, no ledger balances (one customer's account)."""
    if by not in ("due", "doc"):
        raise ValueError("by is 'due' or 'doc'")
    ranges = _RANGES_DUE if by == "due" else _RANGES_DOC
    sums = _aging_sums(
        ranges, by, customer_ids, added_back=_applied_after(tx, as_of), sqlite=tx.sqlite
    )
    names = [*ranges, "unapplied"]
    figures = [func.coalesce(sums.c[n], 0) for n in names]
    stmt = (
        select(C.c.id, C.c.account, C.c.name, C.c.currency, *figures)
        .select_from(sums.join(C, C.c.id == sums.c.cid))
        .order_by(C.c.account)
    )
    params = {"as_of": as_of, **_edges(as_of, ranges)}
    with bulk():
        # the driver's own tuples (every column is a number or text): a whole book has
        # 80,000 rows, and a Row object for each was a fifth of the time
        found = plain_rows(tx.conn, stmt, params)
        if not tx.sqlite:  # PostgreSQL sums are numeric
            found = [(*r[:4], *map(int, r[4:])) for r in found]
        if not include_zero:  # left out here: in SQL it costs twice as much
            found = [r for r in found if r[4] or r[5] or r[6] or r[7] or r[8] or r[9]]
        return list(map(partial(tuple.__new__, AgingRow), found))  # made in C


def currency_totals(rows: Iterable[AgingRow]) -> tuple[AgingTotal, ...]:
    """Bucket totals and customer counts per currency."""
    rows = rows if isinstance(rows, list) else list(rows)
    currencies = sorted(set(map(itemgetter(3), rows)))
    out = []
    for cur in currencies:
        group = rows if len(currencies) == 1 else [r for r in rows if r[3] == cur]
        # column by column in C (itemgetter, map, sum): a whole book has 80,000 rows
        figures = (sum(map(itemgetter(i), group)) for i in range(4, len(AgingRow._fields)))
        out.append(AgingTotal(cur, *figures, customers=len(group)))
    return tuple(out)


def ledger_balances(
    tx: Tx, as_of: dt.date, customer_ids: Sequence[int] | None = None
) -> dict[str, int]:
    """Posted debits less posted credits dated on or before `as_of`, by currency: the
    figure the aging must tie out to, read without open amounts (from the daily control
    totals for the whole book, from the documents for a few customers)."""
    if customer_ids is None:
        stmt = (
            select(T.c.currency, func.sum(T.c.debits - T.c.credits))
            .where(T.c.day <= _date("as_of"))
            .group_by(T.c.currency)
        )
        return {cur: int(total or 0) for cur, total in tx.conn.execute(stmt, {"as_of": as_of})}
    sign = case((D.c.kind.in_(DEBIT_KINDS), D.c.amount), else_=-D.c.amount)
    stmt = (
        select(D.c.currency, func.sum(sign))
        .where(
            D.c.status == "posted",
            D.c.doc_date <= _date("as_of"),
            D.c.customer_id.in_(list(customer_ids)),
        )
        .group_by(D.c.currency)
    )
    return {cur: int(total or 0) for cur, total in tx.conn.execute(stmt, {"as_of": as_of})}


@read_only
def open_items(
    tx: Tx,
    as_of: dt.date | None = None,
    *,
    customer_ids: Sequence[int] | None = None,
) -> list[OpenItem]:
    """Every document open on `as_of` (debits and credits), by customer then date."""
    as_of = as_of or tx.today
    if customer_ids is not None and not _applied_after(tx, as_of):
        # as of today: what is open is what the documents say, no add-back to work out
        stmt = select(
            *_ITEM,
            D.c.currency,
            D.c.open_amount,
        ).where(*_OPEN_NOW, D.c.customer_id.in_(list(customer_ids)))
    else:
        stmt = _open_as_of(as_of, tx.today, customer_ids)
    out = []
    append = out.append
    debit = frozenset(DEBIT_KINDS)
    # Fetched at once and unpacked by position: per-row attribute access was half the time.
    for did, cid, kind, number, doc_date, due, amount, ref, _cur, open_then in tx.conn.execute(
        stmt, {"as_of": as_of}
    ).all():
        if open_then <= 0:
            continue
        dpd = (as_of - due).days if due and kind in debit else 0
        append(OpenItem(did, cid, kind, number, doc_date, due, amount, int(open_then), dpd, ref))
    out.sort(key=lambda i: (i.customer_id, i.due_date or i.doc_date, i.doc_date, i.id))
    return out


def bucket_of(item: OpenItem, as_of: dt.date, by: str = "due") -> str:
    """Which bucket an open debit falls in (credits go to 'unapplied')."""
    from artui.dates import bucket_for_age, bucket_for_days_past_due

    if not item.is_debit:
        return "unapplied"
    if by == "doc":
        return bucket_for_age((as_of - item.doc_date).days)
    return bucket_for_days_past_due(item.days_past_due)


# -- Whole-book reports in bounded memory: rows streamed in order, totals from SQL --------


def _aging_select(tx: Tx, as_of: dt.date, by: str, order: str) -> tuple[Any, dict[str, Any]]:
    """The whole-book statement of `aging` (every customer's figures, zero or not), in
    account order or by customer id, with its parameters."""
    if by not in ("due", "doc"):
        raise ValueError("by is 'due' or 'doc'")
    ranges = _RANGES_DUE if by == "due" else _RANGES_DOC
    sums = _aging_sums(ranges, by, None, added_back=_applied_after(tx, as_of), sqlite=tx.sqlite)
    stmt = (
        select(
            C.c.id,
            C.c.account,
            C.c.name,
            C.c.currency,
            *(func.coalesce(sums.c[n], 0) for n in [*ranges, "unapplied"]),
        )
        .select_from(sums.join(C, C.c.id == sums.c.cid))
        .order_by(C.c.account if order == "account" else C.c.id)
    )
    return stmt, {"as_of": as_of, **_edges(as_of, ranges)}


def aging_stream(
    tx: Tx, as_of: dt.date, *, by: str = "due", order: str = "account", chunk: int = 2000
) -> Iterator[AgingRow]:
    """The rows of `aging(tx, as_of, by=by).rows` one at a time, fetched `chunk` at a
    time (by account, or by customer id with `order="id"`): a whole-book export holds
    none of them for long."""
    stmt, params = _aging_select(tx, as_of, by, order)
    make = AgingRow._make
    result = tx.conn.execute(stmt, params, execution_options={"yield_per": chunk})
    for part in result.partitions():
        for r in part:
            if any(r[4:]):
                yield make(r if tx.sqlite else (*r[:4], *map(int, r[4:])))


@read_only
def aging_totals(tx: Tx, as_of: dt.date, *, by: str = "due") -> tuple[AgingTotal, ...]:
    """`aging(tx, as_of, by=by).totals` summed in the database: no row reaches Python."""
    stmt, params = _aging_select(tx, as_of, by, "id")
    rows = stmt.order_by(None).subquery("rows")
    figures = [rows.c[i] for i in range(4, len(rows.c))]
    some = or_(*(f != 0 for f in figures))
    totals = select(
        rows.c.currency,
        *(func.sum(f) for f in figures),
        func.sum(case((some, 1), else_=0)),
    ).group_by(rows.c.currency)
    out = [
        AgingTotal(cur, *map(int, sums[:-1]), customers=int(sums[-1]))
        for cur, *sums in tx.conn.execute(totals, params)
        if sums[-1]
    ]
    return tuple(sorted(out, key=lambda t: t.currency))


def _open_items_ordered(as_of: dt.date, today: dt.date, *, sqlite: bool) -> Any:
    """`open_items`' statement in its order (customer, due or document date, document
    date, id), sorted by the database. On SQLite `+customer_id` keeps the planner on the
    open documents: walking the customer index to save the sort read the whole table
    (7.4 s against 1.8 s on the 100,000-customer book)."""
    customer = literal_column("+document.customer_id") if sqlite else D.c.customer_id
    return _open_as_of(as_of, today, None).order_by(
        customer, func.coalesce(D.c.due_date, D.c.doc_date), D.c.doc_date, D.c.id
    )


def open_items_stream(tx: Tx, as_of: dt.date, *, chunk: int = 2000) -> Iterator[OpenItem]:
    """`open_items(tx, as_of)` one at a time, in the same order, fetched `chunk` at a
    time: the whole book's open items are never all held."""
    debit = frozenset(DEBIT_KINDS)
    if not _applied_after(tx, as_of):
        yield from _open_now_stream(tx, as_of, chunk, debit)
        return
    stmt = _open_items_ordered(as_of, tx.today, sqlite=tx.sqlite)
    result = tx.conn.execute(stmt, {"as_of": as_of}, execution_options={"yield_per": chunk})
    for part in result.partitions():
        for did, cid, kind, number, doc_date, due, amount, ref, _cur, open_then in part:
            if open_then <= 0:
                continue
            dpd = (as_of - due).days if due and kind in debit else 0
            yield OpenItem(did, cid, kind, number, doc_date, due, amount, int(open_then), dpd, ref)


def _open_now_stream(
    tx: Tx, as_of: dt.date, chunk: int, debit: frozenset[str]
) -> Iterator[OpenItem]:
    """`open_items_stream` when nothing was applied after `as_of` (as of today): what
    was open then is what is open now, read in customer order from the partial index
    on open documents, each customer's few sorted here (no sort of the whole book)."""
    stmt = (
        select(
            *_ITEM,
            D.c.open_amount,
            func.coalesce(D.c.due_date, D.c.doc_date),  # sorts as it compares: ISO text
        )
        .where(*_OPEN_NOW)
        .order_by(D.c.customer_id)
    )
    result = tx.conn.execute(stmt, {"as_of": as_of}, execution_options={"yield_per": chunk})
    rows = (r for part in result.partitions() for r in part)
    order = itemgetter(9, 4, 0)  # open_items' order within a customer, keyed in C
    make = partial(tuple.__new__, OpenItem)
    for _cid, group in groupby(rows, key=itemgetter(1)):
        for did, cid, kind, number, doc_date, due, amount, ref, left, _ in sorted(group, key=order):
            dpd = (as_of - due).days if due and kind in debit else 0
            yield make((did, cid, kind, number, doc_date, due, amount, int(left), dpd, ref))


@read_only
def open_item_count(tx: Tx, as_of: dt.date) -> int:
    """How many documents `open_items(tx, as_of)` returns, counted by the database."""
    items = _open_as_of(as_of, tx.today, None).subquery("items")
    stmt = select(func.count()).select_from(items).where(items.c.open_then > 0)
    return int(tx.conn.execute(stmt, {"as_of": as_of}).scalar_one())


@read_only
def open_items_of(tx: Tx, as_of: dt.date, customer_ids: Sequence[int]) -> list[OpenItem]:
    """`open_items(tx, as_of, customer_ids=...)` for a page's few customers, found
    through each one's documents and each document's own later applications: as of a
    past date, `open_items`' statement reads every document closed and every
    application made since then, whoever's they are (seconds a page, not milliseconds)."""
    as_of_p = _date("as_of")

    def later(side: Any) -> Any:
        return (
            select(func.coalesce(func.sum(A.c.amount), 0))
            .where(side == D.c.id, A.c.applied_on > as_of_p)
            .scalar_subquery()
        )

    stmt = select(
        *_ITEM,
        (D.c.open_amount + later(A.c.debit_id) + later(A.c.credit_id)).label("open_then"),
    ).where(
        D.c.customer_id.in_(list(customer_ids)),
        D.c.doc_date <= as_of_p,
        D.c.status == "posted",
        or_(IS_OPEN, D.c.closed_on > as_of_p),  # open then: open now or closed since
    )
    debit = frozenset(DEBIT_KINDS)
    out = []
    for did, cid, kind, number, doc_date, due, amount, ref, open_then in tx.conn.execute(
        stmt, {"as_of": as_of}
    ):
        if open_then > 0:
            dpd = (as_of - due).days if due and kind in debit else 0
            out.append(
                OpenItem(did, cid, kind, number, doc_date, due, amount, int(open_then), dpd, ref)
            )
    out.sort(key=lambda i: (i.customer_id, i.due_date or i.doc_date, i.doc_date, i.id))
    return out


# An item's cells for a file: (customer_id, kind, number, date, due_date, days_past_due,
# amount, open), dates as ISO text (due_date '' when none), days past due None for a
# credit, amounts positive as in OpenItem.
ItemCells = tuple[int, str, str, str, str, int | None, int, int]


def open_item_cells(tx: Tx, as_of: dt.date, *, chunk: int = 4096) -> Iterator[list[ItemCells]]:
    """`open_items_stream(tx, as_of)` as lists of plain cells, in the same order: the
    whole-book aging detail file. As of today the database works out the text and the
    days past due and the driver's tuples are sorted in C, a chunk at a time, so that a
    quarter of a million items cost no Python call each (a date read from text into a
    date object only to be written back as text was a fifth of the file's time)."""
    if _applied_after(tx, as_of):
        yield from _cells_of_items(open_items_stream(tx, as_of, chunk=chunk), chunk)
        return
    debit = D.c.kind.in_(DEBIT_KINDS)
    if tx.sqlite:
        doc, due = D.c.doc_date, func.coalesce(D.c.due_date, "")
        days = cast(func.julianday(_date("as_of")) - func.julianday(D.c.due_date), Integer)
    else:
        doc = func.to_char(D.c.doc_date, "YYYY-MM-DD")
        due = func.coalesce(func.to_char(D.c.due_date, "YYYY-MM-DD"), "")
        days = _date("as_of") - D.c.due_date
    stmt = (
        select(
            D.c.customer_id,
            func.coalesce(D.c.due_date, D.c.doc_date),  # open_items' order within a customer
            D.c.doc_date,
            D.c.id,
            D.c.kind,
            D.c.number,
            doc,
            due,
            case((debit, func.coalesce(days, 0)), else_=None),
            D.c.amount,
            D.c.open_amount,
        )
        .where(*_OPEN_NOW)
        .order_by(D.c.customer_id)  # the partial index on open documents: no sort
    )
    cells, order, held = itemgetter(0, *range(4, 11)), itemgetter(0, 1, 2, 3), []
    for part in plain_chunks(tx.conn, stmt, {"as_of": as_of}, chunk):
        # the last customer's items may go on in the next part: held back till then
        rows = held + part
        last, cut = rows[-1][0], len(rows)
        while cut and rows[cut - 1][0] == last:
            cut -= 1
        ready, held = rows[:cut], rows[cut:]
        if ready:
            ready.sort(key=order)
            yield list(map(cells, ready))
    if held:
        held.sort(key=order)
        yield list(map(cells, held))


def _cells_of_items(items: Iterator[OpenItem], chunk: int) -> Iterator[list[ItemCells]]:
    """Open items (as of a past date) as `open_item_cells` gives them."""
    debit = frozenset(DEBIT_KINDS)
    out: list[ItemCells] = []
    for it in items:
        d = it.kind in debit
        due = it.due_date.isoformat() if it.due_date else ""
        cells = (it.customer_id, it.kind, it.number, it.doc_date.isoformat(), due)
        out.append((*cells, it.days_past_due if d else None, it.amount, it.open))
        if len(out) >= chunk:
            yield out
            out = []
    if out:
        yield out
