"""`artui report NAME`: the reports of `artui/reports.py` as a table, CSV or JSON."""

import csv
import datetime as dt
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from artui.cli import app, book, dump_json, fail, parse_day


class Name(StrEnum):
    dso = "dso"
    receipts = "receipts"
    register = "register"
    credits = "credits"
    credit_history = "credit-history"
    disputes = "disputes"
    activity = "activity"
    month_end = "month-end"


class Fmt(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


# Per report: its columns; a column named in MONEY is an amount in the row's currency.
MONEY = {
    "balance",
    "amount",
    "open_amount",
    "largest_balance",
    "receipts_amount",
    "invoices_amount",
    "opening",
    "invoices",
    "receipts",
    "credits",
    "write_offs",
    "other_debits",
    "closing",
    "difference",
    "gl_opening",
    "gl_closing",
    "gl_difference",
}
COUNTS = {"invoices", "receipts", "credits"}  # in activity these are counts, not money


@app.command()
def report(
    name: Annotated[Name, typer.Argument(help="Which report.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="As-of date (default today).")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="Period start (default: the month's first).")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="Period end (default: as-of).")] = None,
    user: Annotated[str | None, typer.Option("--clerk", help="Only this clerk's.")] = None,
    fmt: Annotated[Fmt, typer.Option("--format", help="table, csv or json.")] = Fmt.table,
) -> None:
    """dso, receipts, register, credits, credit-history, disputes, activity, month-end.
    month-end ties the subledger for the period (opening + invoices - receipts - credits
    - write-offs = closing, by currency), ties it to the receivable of the GL journal
    export, and exits 1 when either does not tie."""
    from artui import reports as r

    b = book()
    day = parse_day(as_of, "as-of") or b.today()
    to = parse_day(end, "to") or day
    frm = parse_day(start, "from") or to.replace(day=1)
    if frm > to:
        fail("--from is after --to.", 2)
    rows: list[Any]
    if name is Name.dso:
        rows = r.dso(b, day)
    elif name is Name.receipts:
        rows = r.register(b, r.RECEIPT_KINDS, frm, to, user=user)
    elif name is Name.register:
        rows = r.register(b, r.INVOICE_KINDS, frm, to, user=user)
    elif name is Name.credits:
        rows = r.register(b, r.CREDIT_REGISTER_KINDS, frm, to, user=user)
    elif name is Name.credit_history:
        rows = r.credit_history(b)
    elif name is Name.disputes:
        rows = r.disputes_report(b, day)
    elif name is Name.activity:
        rows = r.activity(b, frm, to, user=user)
    else:
        rows = r.month_end(b, frm, to)
    records = [_record(row, name) for row in rows]
    if fmt is Fmt.json:
        dump_json(
            {
                "report": name.value,
                "from": frm.isoformat(),
                "to": to.isoformat(),
                "as_of": day.isoformat(),
                "rows": records,
            }
        )
    elif fmt is Fmt.csv:
        fields = list(records[0]) if records else []
        w = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        for rec in records:
            w.writerow({k: _safe(v) for k, v in rec.items()})
    else:
        _table(records, name)
    if name is Name.month_end:
        bad = [r.currency for r in rows if not r.ties]
        if bad:
            fail(
                "The receivable does not tie for " + ", ".join(bad) + ": see the difference "
                "and gl_difference columns."
            )


def _record(row: Any, name: Name) -> dict[str, Any]:
    from dataclasses import asdict

    from artui.money import format_amount

    d = asdict(row)
    cur = d.get("currency", "USD")
    out: dict[str, Any] = {}
    for k, v in d.items():
        if k in ("customer_id",):
            continue
        if k in MONEY and isinstance(v, int) and not (name is Name.activity and k in COUNTS):
            out[k] = format_amount(v, cur, thousands=False)
        elif isinstance(v, dt.date):
            out[k] = v.isoformat()
        elif isinstance(v, float):
            out[k] = round(v, 4)
        else:
            out[k] = v
    return out


def _safe(value: Any) -> Any:
    """A text cell a spreadsheet would take for a formula is neutralised."""
    if isinstance(value, str) and value and value[0] in "=+-@\t\r":
        try:
            float(value)
            return value  # a negative amount stays a number
        except ValueError:
            return "'" + value
    return value


def _table(records: list[dict[str, Any]], name: Name) -> None:
    if not records:
        typer.echo(f"{name.value}: nothing in this period.")
        return
    cols = list(records[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in records)) for c in cols}
    widths = {c: min(w, 30) for c, w in widths.items()}

    def cell(c: str, v: Any) -> str:
        text = str(v if v is not None else "")[: widths[c]]
        numeric = isinstance(v, int | float) or (c in MONEY and isinstance(v, str))
        return text.rjust(widths[c]) if numeric else text.ljust(widths[c])

    typer.echo("  ".join(cell(c, c) for c in cols))
    for r in records:
        typer.echo("  ".join(cell(c, r[c]) for c in cols))
