"""Every report as one table: what the screen shows, the CSV and JSON hold and the PDF
prints come from here, so the three always say the same thing.

Each report is a function of `reports.py` (or the aging); this module only names the
columns and formats the cells: amounts shown with thousands separators on screen and
in the PDF, plain (`1234.50`) in CSV and JSON.

A table holds its totals, tie-out and chart, never the rows of a whole-book report: its
`rows` hand them out a page at a time (the screen, as the clerk scrolls) or streamed in
order through one read transaction (CSV, JSON, PDF). The aging summary's pages are
ranges of customers by account, the aging detail's ranges of customers by id; the small
reports keep their few rows and page through them.
"""

import csv
import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, fields, replace
from typing import IO, Any, Protocol

from sqlalchemy import select

from artui import reports as r
from artui.aging import (
    Aging,
    AgingRow,
    AgingTotal,
    OpenItem,
    aging,
    aging_stream,
    aging_totals,
    ledger_balances,
    open_item_count,
    open_items_of,
    open_items_stream,
)
from artui.book import Tx, read_only
from artui.dates import BUCKET_LABELS, BUCKETS
from artui.ledger import DEBIT_KINDS, C
from artui.money import MINOR_DIGITS, format_amount
from db.fetch import plain_chunks

TITLES = {
    "aging": "Aging summary",
    "aging-detail": "Aging detail",
    "dso": "Days sales outstanding (countback), by month",
    "receipts": "Cash receipts journal",
    "register": "Invoice register",
    "credits": "Credit memo and write-off register",
    "disputes": "Open disputes",
    "credit-history": "Credit history",
    "activity": "Collection activity by clerk",
    "my-activity": "My activity",
    "month-end": "Month-end tie-out",
}
# Period reports use from/to; the others are as of a date.
PERIOD = {"receipts", "register", "credits", "activity", "my-activity", "month-end"}
AMOUNTS = {
    "balance",
    "amount",
    "open",
    "open_amount",
    "largest_balance",
    "receipts_amount",
    "invoices_amount",
    "opening",
    "closing",
    "write_offs",
    "other_debits",
    "difference",
    "gl_opening",
    "gl_closing",
    "gl_difference",
    "unapplied",
    *BUCKETS,
}


def _names(cls: type, drop: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.name not in drop)


# The columns of a report with no rows (the CSV still has its header).
EMPTY_COLUMNS = {
    "dso": _names(r.DsoPoint),
    "disputes": _names(r.DisputeLine),
    "credit-history": _names(r.CreditHistory, ("customer_id",)),
    "activity": _names(r.Activity),
    "my-activity": _names(r.Activity),
    "month-end": _names(r.MonthEnd),
    "aging": ("account", "name", "currency", *BUCKETS, "unapplied", "balance"),
    "aging-detail": (
        "account",
        "name",
        "currency",
        "number",
        "kind",
        "date",
        "due",
        "days_past_due",
        "open",
    ),
}


PAGE = 300  # rows a page holds (at least: an aging detail page ends with a customer)
Row = tuple[Any, ...]  # plain values: amounts as 1234.50 text, ISO dates


@dataclass(frozen=True)
class Page:
    values: tuple[Row, ...]
    after: Any  # where the next page starts; None after the last page


class Rows(Protocol):
    """Where a report's rows come from: a page at a time or all, in order, streamed."""

    def page(self, tx: Tx, after: Any = None, size: int = PAGE) -> Page: ...

    def stream(self, tx: Tx) -> Iterator[Row]: ...

    def count(self, tx: Tx) -> int: ...


@dataclass(frozen=True)
class Held:
    """The rows of a small report, held (a month's register, a dozen DSO points)."""

    values: tuple[Row, ...]

    def page(self, tx: Tx | None, after: Any = None, size: int = PAGE) -> Page:
        start = after or 0
        end = start + size
        return Page(self.values[start:end], end if end < len(self.values) else None)

    def stream(self, tx: Tx | None) -> Iterator[Row]:
        return iter(self.values)

    def count(self, tx: Tx | None) -> int:
        return len(self.values)


@dataclass(frozen=True)
class ReportTable:
    name: str
    title: str
    subtitle: str
    columns: tuple[str, ...]
    rows: Rows  # the rows' plain values, by page or streamed
    count: int | None  # how many rows (None: not counted, see `build`)
    amounts: tuple[bool, ...]  # which columns hold amounts (shown with thousands)
    numeric: tuple[bool, ...]
    footer: tuple[str, ...] = ()  # the tie-out lines
    chart: tuple[tuple[str, int], ...] = ()  # aging: bucket totals of the main currency
    chart_currency: str = ""
    untied: tuple[str, ...] = ()  # aging and month-end: the currencies that do not tie
    amount_width: int = 0  # aging: the widest amount shown (a total's): any row's fits

    @property
    def ties(self) -> bool:
        return not self.untied

    def values(self, tx: Tx | None = None) -> list[Row]:
        """Every row's plain values (a small report's, or a test's: a whole-book report
        is read with `rows.stream` or by page)."""
        return list(self.rows.stream(tx))  # type: ignore[arg-type]

    def shown(self, values: Iterable[Row]) -> list[tuple[str, ...]]:
        """Rows as a person reads them (1,234.50): made when asked, so that a report
        holds its rows once, not twice."""
        return list(self.shown_iter(values))

    def shown_iter(self, values: Iterable[Row]) -> Iterator[tuple[str, ...]]:
        cols = tuple(zip(self.columns, self.amounts, strict=True))
        for row in values:
            yield tuple(_shown(v, c, amount) for v, (c, amount) in zip(row, cols, strict=True))

    def record(self, values: Row) -> dict[str, Any]:
        return dict(zip(self.columns, values, strict=True))


_FILE_AMOUNT = re.compile(r"-?\d+(\.\d+)?")


def _shown(v: Any, column: str, amount: bool) -> str:
    """A plain value (see _table) as a person reads it."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else ""
    if isinstance(v, float):
        return f"{v:.1%}" if column.startswith("share") else f"{v:,.1f}"
    if isinstance(v, int):
        return f"{v:,}"
    if amount and isinstance(v, str) and _FILE_AMOUNT.fullmatch(v):
        whole, dot, frac = v.partition(".")
        sign = "-" if whole.startswith("-") else ""
        return f"{sign}{int(whole.lstrip('-')):,}{dot}{frac}"
    return str(v)


@read_only
def build(
    tx: Tx,
    name: str,
    *,
    as_of: dt.date | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    user: str | None = None,
    counted: bool = True,
) -> ReportTable:
    """The report `name` as of a date (or for a period: `start` to `end`, by default the
    month of the as-of date up to it). `counted=False` leaves a whole-book aging
    detail's rows uncounted (`count` None): an export that streams them needs no count."""
    if name not in TITLES:
        raise ValueError(f"There is no report called {name}.")
    as_of = as_of or tx.today
    end = end or as_of
    start = start or end.replace(day=1)
    if start > end:
        from artui.errors import Refused

        raise Refused("The period starts after it ends.", field="from")
    subtitle = (
        f"{start.isoformat()} to {end.isoformat()}"
        if name in PERIOD
        else f"as of {as_of.isoformat()}"
    )
    if user and name in ("receipts", "register", "credits", "activity"):
        subtitle += f", {user}"
    t = _MAKERS[name](tx, name, subtitle, as_of, start, end, user)
    return with_count(t, t.rows.count(tx)) if t.count is None and counted else t


def with_count(t: ReportTable, count: int) -> ReportTable:
    """The table with its rows counted (no rows: no column to align as a number)."""
    return replace(t, count=count, numeric=t.numeric if count else (False,) * len(t.columns))


def _table(
    name: str,
    subtitle: str,
    rows: Iterable[dict[str, Any]],
    columns: tuple[str, ...] | None = None,
    money: frozenset[str] = frozenset(),
    **kw: Any,
) -> ReportTable:
    """Rows of plain values to a table that holds them; `money` names amount columns
    beyond AMOUNTS."""
    it = iter(rows)
    first = next(it, None)
    cols = columns or (tuple(first) if first is not None else EMPTY_COLUMNS.get(name, ()))
    amounts = tuple(c in AMOUNTS or c in money for c in cols)
    kinds = tuple(zip(cols, amounts, strict=True))
    values = tuple(
        _plain(row, kinds) for row in (itertools.chain([first], it) if first is not None else ())
    )
    numeric = tuple(
        first is not None
        and isinstance(first.get(c), int | float)
        and not isinstance(first.get(c), bool)
        for c in cols
    )
    return ReportTable(
        name, TITLES[name], subtitle, cols, Held(values), len(values), amounts, numeric, **kw
    )


def _plain(row: dict[str, Any], kinds: tuple[tuple[str, bool], ...]) -> Row:
    """A row's plain values: amounts as 1234.50 text, dates ISO, ratios to 4 places."""
    v = []
    for c, amount in kinds:
        x = row.get(c)
        if amount and isinstance(x, int) and not isinstance(x, bool):
            v.append(format_amount(x, row.get("currency", "USD"), thousands=False))
        elif isinstance(x, dt.date):
            v.append(x.isoformat())
        elif isinstance(x, float):
            v.append(round(x, 4))
        else:
            v.append(x)
    return tuple(v)


# -- The aging: totals from the database, rows by page or streamed -------------------


_OTHER_DIGITS = frozenset(c for c, d in MINOR_DIGITS.items() if d != 2)


def plain_amount(minor: int, currency: str) -> str:
    """`format_amount(minor, currency, thousands=False)`, quicker for the currencies of
    two decimals: a whole-book aging detail formats a quarter of a million."""
    if (currency or "USD").upper() in _OTHER_DIGITS:
        return format_amount(minor, currency, thousands=False)
    whole, frac = divmod(-minor if minor < 0 else minor, 100)
    return f"-{whole}.{frac:02d}" if minor < 0 else f"{whole}.{frac:02d}"


def _summary_row(a: AgingRow) -> Row:
    cur = a.currency
    return (
        a.account,
        a.name,
        cur,
        *(plain_amount(x, cur) for x in a[4:]),  # the buckets, then unapplied
        plain_amount(a.balance, cur),
    )


def _total_row(t: AgingTotal) -> Row:
    cur = t.currency
    return (
        "TOTAL",
        f"{t.customers} customers",
        cur,
        *(plain_amount(getattr(t, b), cur) for b in BUCKETS),
        plain_amount(t.unapplied, cur),
        plain_amount(t.balance, cur),
    )


def _detail_rows(pairs: Iterable[tuple[OpenItem, AgingRow | None]]) -> Iterator[Row]:
    """Open items beside their customers' aging rows, as rows. An item whose customer
    the aging has no row for (every figure nil) is shown without account or name, as
    it always was. One loop, by position: a whole book has a quarter of a million."""
    debit = frozenset(DEBIT_KINDS)
    plain = plain_amount
    for i, a in pairs:
        # OpenItem: id, customer_id, kind, number, doc_date, due_date, amount, open, dpd
        account, name, cur = (a[1], a[2], a[3]) if a is not None else ("", "", "USD")
        kind, due, left, dpd = i[2], i[5], i[7], i[8]
        yield (
            account,
            name,
            cur,
            i[3],
            kind,
            i[4].isoformat(),
            due.isoformat() if due else None,
            dpd if dpd > 0 else 0,
            plain(left if kind in debit else -left, cur),
        )


def _customers_after(tx: Tx, column: Any, after: Any, limit: int) -> list[tuple[int, Any]]:
    """(id, key) of the next `limit` customers by `column` (account or id) after `after`."""
    stmt = select(C.c.id, column).order_by(column).limit(limit)
    if after is not None:
        stmt = stmt.where(column > after)
    return [(cid, key) for cid, key in tx.conn.execute(stmt)]


@dataclass(frozen=True)
class AgingSummaryRows:
    """The aging summary's rows: customers by account, then a TOTAL row per currency.
    A page is the customers after an account, aged together (an IN list of ids)."""

    as_of: dt.date
    totals: tuple[AgingTotal, ...]
    by: str = "due"

    def page(self, tx: Tx, after: Any = None, size: int = PAGE) -> Page:
        out: list[Row] = []
        while len(out) < size:
            # Most customers of a whole book have a balance: a few more than needed.
            found = _customers_after(tx, C.c.account, after, size - len(out) + size // 4)
            if not found:
                return Page((*out, *(_total_row(t) for t in self.totals)), None)
            after = found[-1][1]
            rows = aging(tx, self.as_of, by=self.by, customer_ids=[cid for cid, _ in found]).rows
            out.extend(_summary_row(a) for a in rows)
        return Page(tuple(out), after)

    def stream(self, tx: Tx) -> Iterator[Row]:
        for a in aging_stream(tx, self.as_of, by=self.by):
            yield _summary_row(a)
        for t in self.totals:
            yield _total_row(t)

    def count(self, tx: Tx | None) -> int:
        return sum(t.customers for t in self.totals) + len(self.totals)


@dataclass(frozen=True)
class AgingDetailRows:
    """The aging detail's rows: open items by customer id, then due date. A page is the
    open items of the customers after an id (it ends with a customer's last item)."""

    as_of: dt.date

    def page(self, tx: Tx, after: Any = None, size: int = PAGE) -> Page:
        out: list[Row] = []
        while len(out) < size:
            # A customer has two or three open items: a page's worth of customers, and
            # more when the first have none.
            found = _customers_after(tx, C.c.id, after, max((size - len(out)) // 2, 1))
            if not found:
                return Page(tuple(out), None)
            ids = [cid for cid, _ in found]
            after = ids[-1]
            names = {a.customer_id: a for a in aging(tx, self.as_of, customer_ids=ids).rows}
            items = open_items_of(tx, self.as_of, ids)
            out.extend(_detail_rows((i, names.get(i.customer_id)) for i in items))
        return Page(tuple(out), after)

    def stream(self, tx: Tx) -> Iterator[Row]:
        return _detail_rows(open_items_with_rows(tx, self.as_of))

    def count(self, tx: Tx) -> int:
        """Counted by the database: a second or so as of today, ten as of a year ago."""
        return open_item_count(tx, self.as_of)


def open_items_with_rows(
    tx: Tx, as_of: dt.date, by: str = "due"
) -> Iterator[tuple[OpenItem, AgingRow | None]]:
    """Every open item on `as_of` (in `open_items`' order) beside its customer's aging
    row (None for a customer the aging has no row for): two streams in customer order,
    merged, so neither is held."""
    customers = aging_stream(tx, as_of, by=by, order="id")
    a = next(customers, None)
    for i in open_items_stream(tx, as_of):
        while a is not None and a.customer_id < i.customer_id:
            a = next(customers, None)
        yield i, (a if a is not None and a.customer_id == i.customer_id else None)


def customer_cells(tx: Tx, chunk: int = 4096) -> Iterator[tuple[int, str, str, str]]:
    """(id, account, name, currency) of every customer, by id, a chunk at a time."""
    stmt = select(C.c.id, C.c.account, C.c.name, C.c.currency).order_by(C.c.id)
    for part in plain_chunks(tx.conn, stmt, None, chunk):
        yield from part


SUMMARY_NUMERIC = tuple(c in (*BUCKETS, "unapplied", "balance") for c in EMPTY_COLUMNS["aging"])
DETAIL_NUMERIC = tuple(c in ("days_past_due", "open") for c in EMPTY_COLUMNS["aging-detail"])


def _aging(tx: Tx, name: str, subtitle: str, as_of: dt.date, *_: Any) -> ReportTable:
    totals = aging_totals(tx, as_of)
    tie = Aging(as_of, "due", (), totals, ledger_balances(tx, as_of)).tie_out()
    footer, untied = [], []
    for cur, (total, ledger, diff) in sorted(tie.items()):
        if diff:
            untied.append(cur)
        footer.append(
            f"Tie-out {cur}: aging {format_amount(total, cur)}, ledger "
            f"{format_amount(ledger, cur)}, difference {format_amount(diff, cur)}"
            + ("" if diff == 0 else "  DOES NOT TIE")
        )
    book_cur = tx.company()["currency"]
    main = next((t for t in totals if t.currency == book_cur), None) or (
        totals[0] if totals else None
    )
    chart = tuple((BUCKET_LABELS[b], getattr(main, b)) for b in BUCKETS) if main else ()
    rows: Rows
    if name == "aging":
        rows = AgingSummaryRows(as_of, totals)
        count = sum(t.customers for t in totals) + len(totals)
        numeric = SUMMARY_NUMERIC
    else:
        rows = AgingDetailRows(as_of)
        count = None  # counted by `build` when asked: the whole book's open items
        numeric = DETAIL_NUMERIC
    columns = EMPTY_COLUMNS[name]
    return ReportTable(
        name,
        TITLES[name],
        subtitle,
        columns,
        rows,
        count,
        tuple(c in AMOUNTS for c in columns),
        numeric if count != 0 else (False,) * len(columns),  # no rows: nothing to align
        footer=tuple(footer),
        chart=chart,
        chart_currency=main.currency if main else "",
        untied=tuple(untied),
        amount_width=max(
            (
                len(format_amount(x, t.currency))
                for t in totals
                for x in (*(getattr(t, b) for b in BUCKETS), t.unapplied, t.balance)
            ),
            default=0,
        ),
    )


def _dso(tx: Tx, name: str, subtitle: str, as_of: dt.date, *_: Any) -> ReportTable:
    rows = [asdict(p) for p in r.dso_trend(tx, 12, as_of)]
    return _table(name, subtitle, rows)


def _register(kinds: tuple[str, ...]) -> Callable[..., ReportTable]:
    def make(
        tx: Tx, name: str, subtitle: str, as_of: dt.date, start: dt.date, end: dt.date, user: Any
    ) -> ReportTable:
        rows = [asdict(x) for x in r.register(tx, kinds, start, end, user=user)]
        cols = ("doc_date", "kind", "number", "account", "name", "currency", "amount")
        extra = {
            "receipts": ("method", "reference", "created_by"),
            "register": ("open_amount", "reference", "created_by"),
            "credits": ("reason", "created_by"),
        }[name]
        return _table(name, subtitle, rows, cols + extra)

    return make


def _disputes(tx: Tx, name: str, subtitle: str, as_of: dt.date, *_: Any) -> ReportTable:
    return _table(name, subtitle, [asdict(x) for x in r.disputes_report(tx, as_of)])


def _history(tx: Tx, name: str, subtitle: str, *_: Any) -> ReportTable:
    rows = []
    for x in r.credit_history(tx):
        d = asdict(x)
        d.pop("customer_id")
        rows.append(d)
    return _table(name, subtitle, rows)


def _activity(
    tx: Tx, name: str, subtitle: str, as_of: dt.date, start: dt.date, end: dt.date, user: Any
) -> ReportTable:
    if name == "my-activity":
        user = user or tx.user
        if start == end.replace(day=1) and end == as_of:
            start = end  # "my activity" is a day unless a period is asked for
            subtitle = f"{end.isoformat()}, {user}"
    rows = [asdict(x) for x in r.activity(tx, start, end, user=user)]
    return _table(name, subtitle, rows)  # invoices, receipts, credits: counts here


def _month_end(
    tx: Tx, name: str, subtitle: str, as_of: dt.date, start: dt.date, end: dt.date, _: Any
) -> ReportTable:
    rows = r.month_end(tx, start, end)
    footer = [
        f"{m.currency}: opening {format_amount(m.opening, m.currency)} + invoices "
        f"{format_amount(m.invoices, m.currency)} - receipts "
        f"{format_amount(m.receipts, m.currency)} - credits "
        f"{format_amount(m.credits, m.currency)} - write-offs "
        f"{format_amount(m.write_offs, m.currency)} + other "
        f"{format_amount(m.other_debits, m.currency)} = closing "
        f"{format_amount(m.closing, m.currency)}; GL "
        f"{format_amount(m.gl_closing, m.currency)}" + ("" if m.ties else "  DOES NOT TIE")
        for m in rows
    ]
    return _table(
        name,
        subtitle,
        [asdict(m) for m in rows],
        money=frozenset({"invoices", "receipts", "credits"}),
        footer=tuple(footer),
        untied=tuple(m.currency for m in rows if not m.ties),
    )


_MAKERS: dict[str, Callable[..., ReportTable]] = {
    "aging": _aging,
    "aging-detail": _aging,
    "dso": _dso,
    "receipts": _register(r.RECEIPT_KINDS),
    "register": _register(r.INVOICE_KINDS),
    "credits": _register(r.CREDIT_REGISTER_KINDS),
    "disputes": _disputes,
    "credit-history": _history,
    "activity": _activity,
    "my-activity": _activity,
    "month-end": _month_end,
}


_NUMBER = re.compile(r"-?\d+(\.\d+)?")


_RISKY = frozenset("=+-@\t\r")  # a cell beginning so is a formula to a spreadsheet


def csv_cell(value: Any) -> Any:
    """A text cell a spreadsheet would take for a formula is neutralised with a leading
    quote; an amount such as -20.00 stays a number."""
    if isinstance(value, str) and value and value[0] in "=+-@\t\r" and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class Gathered:
    """Writes gathered into pieces of 64 KB for `out`: standard output may be unbuffered
    (PYTHONUNBUFFERED), and a write a row is then a system call a row."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= 65536:
            self.flush()

    def flush(self) -> None:
        self.out.write("".join(self.parts))
        self.parts.clear()
        self.size = 0

    def __enter__(self) -> "Gathered":
        return self

    def __exit__(self, *exc: object) -> None:
        self.flush()


def write_csv(t: ReportTable, out: IO[str], tx: Tx | None = None) -> int:
    """The report's columns and plain values, formula text neutralised, written as
    they are read (`tx`: the read transaction a whole-book report streams from).
    Returns how many rows were written."""
    with Gathered(out) as gathered:
        w = csv.writer(gathered, lineterminator="\n")
        w.writerow(t.columns)
        rows = t.rows.stream(tx)  # type: ignore[arg-type]
        n = 0
        risky, number = _RISKY, _NUMBER.fullmatch
        while chunk := list(itertools.islice(rows, 1000)):
            # csv_cell, written out: a call a cell was a tenth of a whole-book export
            w.writerows(
                [
                    "'" + x if isinstance(x, str) and x[:1] in risky and not number(x) else x
                    for x in v
                ]
                for v in chunk
            )
            n += len(chunk)
    return n
