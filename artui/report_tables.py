"""Every report as one table: what the screen shows, the CSV and JSON hold and the PDF
prints come from here, so the three always say the same thing.

Each report is a function of `reports.py` (or the aging); this module only names the
columns and formats the cells: amounts shown with thousands separators on screen and
in the PDF, plain (`1234.50`) in CSV and JSON.
"""

import csv
import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, fields
from typing import IO, Any

from artui import reports as r
from artui.aging import aging, open_items
from artui.book import Tx, read_only
from artui.dates import BUCKET_LABELS, BUCKETS
from artui.money import format_amount

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


@dataclass(frozen=True)
class ReportTable:
    name: str
    title: str
    subtitle: str
    columns: tuple[str, ...]
    values: tuple[tuple[Any, ...], ...]  # plain values: amounts as 1234.50 text, ISO dates
    amounts: tuple[bool, ...]  # which columns hold amounts (shown with thousands)
    numeric: tuple[bool, ...]
    footer: tuple[str, ...] = ()  # the tie-out lines
    chart: tuple[tuple[str, int], ...] = ()  # aging: bucket totals of the main currency
    chart_currency: str = ""
    untied: tuple[str, ...] = ()  # aging and month-end: the currencies that do not tie

    @property
    def ties(self) -> bool:
        return not self.untied

    @property
    def shown(self) -> list[tuple[str, ...]]:
        """Every row as a person reads it (1,234.50)."""
        return self.shown_rows()

    def shown_rows(self, limit: int | None = None) -> list[tuple[str, ...]]:
        """The first `limit` rows (all by default) as a person reads them: made when
        asked, so that a whole-book report holds its rows once, not twice."""
        cols = tuple(zip(self.columns, self.amounts, strict=True))
        return [
            tuple(_shown(v, c, amount) for v, (c, amount) in zip(row, cols, strict=True))
            for row in self.values[:limit]
        ]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, v, strict=True)) for v in self.values]


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
) -> ReportTable:
    """The report `name` as of a date (or for a period: `start` to `end`, by default the
    month of the as-of date up to it)."""
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
    maker = _MAKERS[name]
    return maker(tx, name, subtitle, as_of, start, end, user)


def _table(
    name: str,
    subtitle: str,
    rows: Iterable[dict[str, Any]],
    columns: tuple[str, ...] | None = None,
    money: frozenset[str] = frozenset(),
    **kw: Any,
) -> ReportTable:
    """Rows of plain values to a table; `money` names amount columns beyond AMOUNTS.
    `rows` may be a generator: each row is let go once its values are taken."""
    it = iter(rows)
    first = next(it, None)
    cols = columns or (tuple(first) if first is not None else EMPTY_COLUMNS.get(name, ()))
    amounts = tuple(c in AMOUNTS or c in money for c in cols)
    kinds = tuple(zip(cols, amounts, strict=True))
    values = []
    for row in itertools.chain([first], it) if first is not None else ():
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
        values.append(tuple(v))
    numeric = tuple(
        first is not None
        and isinstance(first.get(c), int | float)
        and not isinstance(first.get(c), bool)
        for c in cols
    )
    return ReportTable(name, TITLES[name], subtitle, cols, tuple(values), amounts, numeric, **kw)


def _aging(tx: Tx, name: str, subtitle: str, as_of: dt.date, *_: Any) -> ReportTable:
    result = aging(tx, as_of)
    footer, untied = [], []
    for cur, (total, ledger, diff) in sorted(result.tie_out().items()):
        if diff:
            untied.append(cur)
        footer.append(
            f"Tie-out {cur}: aging {format_amount(total, cur)}, ledger "
            f"{format_amount(ledger, cur)}, difference {format_amount(diff, cur)}"
            + ("" if diff == 0 else "  DOES NOT TIE")
        )
    book_cur = tx.company()["currency"]
    main = next((t for t in result.totals if t.currency == book_cur), None) or (
        result.totals[0] if result.totals else None
    )
    chart = tuple((BUCKET_LABELS[b], getattr(main, b)) for b in BUCKETS) if main else ()
    if name == "aging":
        rows = [
            {
                "account": a.account,
                "name": a.name,
                "currency": a.currency,
                **{b: getattr(a, b) for b in BUCKETS},
                "unapplied": a.unapplied,
                "balance": a.balance,
            }
            for a in result.rows
        ]
        for t in result.totals:
            rows.append(
                {
                    "account": "TOTAL",
                    "name": f"{t.customers} customers",
                    "currency": t.currency,
                    **{b: getattr(t, b) for b in BUCKETS},
                    "unapplied": t.unapplied,
                    "balance": t.balance,
                }
            )
    else:
        names = {a.customer_id: a for a in result.rows}
        rows = (  # one at a time: a whole book has a quarter of a million open items
            {
                "account": a.account if a else "",
                "name": a.name if a else "",
                "currency": a.currency if a else "USD",
                "number": i.number,
                "kind": i.kind,
                "date": i.doc_date,
                "due": i.due_date,
                "days_past_due": max(i.days_past_due, 0),
                "open": i.signed_open,
            }
            for i in open_items(tx, as_of)
            for a in (names.get(i.customer_id),)
        )
    return _table(
        name,
        subtitle,
        rows,
        footer=tuple(footer),
        chart=chart,
        chart_currency=main.currency if main else "",
        untied=tuple(untied),
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


def csv_cell(value: Any) -> Any:
    """A text cell a spreadsheet would take for a formula is neutralised with a leading
    quote; an amount such as -20.00 stays a number."""
    if isinstance(value, str) and value and value[0] in "=+-@\t\r" and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_csv(t: ReportTable, out: IO[str]) -> None:
    """The report's columns and plain values, formula text neutralised."""
    w = csv.writer(out, lineterminator="\n")
    w.writerow(t.columns)
    w.writerows([csv_cell(x) for x in v] for v in t.values)
