"""`artui report NAME`: the reports of `artui/reports.py` as a table, CSV or JSON."""

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from artui.cli import app, book, dump_json, fail, parse_day


class Name(StrEnum):
    aging = "aging"
    aging_detail = "aging-detail"
    dso = "dso"
    receipts = "receipts"
    register = "register"
    credits = "credits"
    credit_history = "credit-history"
    disputes = "disputes"
    activity = "activity"
    my_activity = "my-activity"
    month_end = "month-end"


class Fmt(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    pdf = "pdf"


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
    fmt: Annotated[Fmt, typer.Option("--format", help="table, csv, json or pdf.")] = Fmt.table,
    out: Annotated[Path | None, typer.Option("-o", "--out", help="The PDF file.")] = None,
) -> None:
    """aging, aging-detail, dso (12-month trend), receipts, register, credits,
    credit-history, disputes, activity, my-activity, month-end. month-end ties the
    subledger for the period (opening + invoices - receipts - credits - write-offs =
    closing, by currency) to the receivable of the GL journal export, and exits 1 when
    either does not tie."""
    from artui.report_tables import build, write_csv

    b = book()
    day = parse_day(as_of, "as-of") or b.today()
    to = parse_day(end, "to") or day
    frm = parse_day(start, "from") or to.replace(day=1)
    if frm > to:
        fail("--from is after --to.", 2)
    if fmt is Fmt.pdf and out is None:
        fail("--format pdf needs -o FILE.pdf.", 2)
    t = build(b, name.value, as_of=day, start=frm, end=to, user=user)
    if fmt is Fmt.json:
        dump_json(
            {
                "report": name.value,
                "title": t.title,
                "subtitle": t.subtitle,
                "from": frm.isoformat(),
                "to": to.isoformat(),
                "as_of": day.isoformat(),
                "rows": t.records(),
                "footer": list(t.footer),
            }
        )
    elif fmt is Fmt.csv:
        write_csv(t, sys.stdout)
    elif fmt is Fmt.pdf:
        from artui.pdf.report import render_table

        assert out is not None
        data = render_table(
            t.title,
            t.subtitle,
            t.columns,
            t.shown,
            t.numeric,
            dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC),
            t.footer,
        )
        try:
            out.write_bytes(data)
        except OSError as exc:
            fail(f"Could not write {out}: {exc.strerror or exc}.")
        typer.echo(f"{t.title} ({t.subtitle}): {len(t.values)} rows, written to {out}.")
    else:
        _table(t)
    if not t.ties:
        fail(
            f"{t.title}: the receivable does not tie for {', '.join(t.untied)} "
            "(see the tie-out lines)."
        )


def _table(t: Any) -> None:
    typer.echo(f"{t.title}, {t.subtitle}")
    if not t.values:
        typer.echo("Nothing to report.")
    else:
        cols = t.columns
        shown = t.shown
        widths = [min(30, max(len(c), *(len(row[i]) for row in shown))) for i, c in enumerate(cols)]

        def line(cells: Any) -> str:
            return "  ".join(
                (str(c)[:w].rjust(w) if n else str(c)[:w].ljust(w))
                for c, w, n in zip(cells, widths, t.numeric, strict=True)
            ).rstrip()

        typer.echo(line(cols))
        for row in shown:
            typer.echo(line(row))
    for f in t.footer:
        typer.echo(f)
