"""`artui report NAME`: the reports of `artui/reports.py` as a table, CSV or JSON."""

import datetime as dt
import json
import sys
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from artui.cli import app, book, fail, parse_day


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

    def run(tx: Any) -> Any:
        # One read transaction: the rows streamed out agree with the totals and tie-out.
        t = build(
            tx,
            name.value,
            as_of=day,
            start=frm,
            end=to,
            user=user,
            counted=fmt is not Fmt.csv and fmt is not Fmt.json,
        )
        if fmt is Fmt.json:
            head = {
                "report": name.value,
                "title": t.title,
                "subtitle": t.subtitle,
                "from": frm.isoformat(),
                "to": to.isoformat(),
                "as_of": day.isoformat(),
                "rows": [],
                "footer": list(t.footer),
            }
            write_json(head, "rows", map(t.record, t.rows.stream(tx)), sys.stdout)
        elif fmt is Fmt.csv:
            write_csv(t, sys.stdout, tx)
        elif fmt is Fmt.pdf:
            assert out is not None
            write_pdf(t, tx, day, out)
        else:
            _table(t, tx)
        return t

    t = b.read(run)
    if not t.ties:
        fail(
            f"{t.title}: the receivable does not tie for {', '.join(t.untied)} "
            "(see the tie-out lines)."
        )


def write_json(head: dict[str, Any], key: str, items: Iterable[Any], out: IO[str]) -> None:
    """`dump_json(head)` with `head[key]` holding `items`, written as they come: the same
    text, byte for byte, without holding the list."""
    write_json_streams(head, {key: items}, out)


def write_json_streams(head: dict[str, Any], lists: dict[str, Iterable[Any]], out: IO[str]) -> None:
    """`dump_json(head)` with each `head[key]` holding the items of `lists[key]` (flat
    dicts, written as they come)."""
    from artui.report_tables import Gathered

    markers = {key: f"\x00streamed {n}\x00" for n, key in enumerate(lists)}
    text = json.dumps({**head, **markers}, indent=2, ensure_ascii=False)
    with Gathered(out) as gathered:
        for key, marker in markers.items():
            before, text = text.split(json.dumps(marker), 1)
            gathered.write(before)
            sep = "[\n    "
            for item in lists[key]:
                gathered.write(sep + _record(item))
                sep = ",\n    "
            gathered.write("[]" if sep.startswith("[") else "\n  ]")
        gathered.write(text + "\n")


_TEXT = json.encoder.encode_basestring  # what json.dumps uses with ensure_ascii=False


def _scalar(v: Any) -> str:
    """`json.dumps(v)` of a cell, the common kinds without building an encoder each."""
    if isinstance(v, str):
        return _TEXT(v)
    if v is None:
        return "null"
    if isinstance(v, int) and not isinstance(v, bool):
        return int.__repr__(v)
    return json.dumps(v, ensure_ascii=False)


def _record(item: dict[str, Any]) -> str:
    """`json.dumps(item, indent=2)` indented for its place in the list, for a flat dict:
    JSON's indenting encoder is pure Python, and a whole-book report has 268,000 rows."""
    if not item or any(isinstance(v, list | tuple | dict) for v in item.values()):
        return json.dumps(item, indent=2, ensure_ascii=False).replace("\n", "\n    ")
    fields = ",\n      ".join(f"{_TEXT(k)}: {_scalar(v)}" for k, v in item.items())
    return "{\n      " + fields + "\n    }"


def write_pdf(t: Any, tx: Any, day: dt.date, out: Path) -> None:
    from artui.pdf.report import render_table

    data = render_table(
        t.title,
        t.subtitle,
        t.columns,
        t.shown(t.rows.stream(tx)),  # the PDF holds every row itself: so may this list
        t.numeric,
        dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC),
        t.footer,
    )
    try:
        out.write_bytes(data)
    except OSError as exc:
        fail(f"Could not write {out}: {exc.strerror or exc}.")
    typer.echo(f"{t.title} ({t.subtitle}): {t.count} rows, written to {out}.")


def _table(t: Any, tx: Any) -> None:
    """The rows as text columns as wide as their widest cell: read twice (widths, then
    lines) rather than held."""
    typer.echo(f"{t.title}, {t.subtitle}")
    if not t.count:
        typer.echo("Nothing to report.")
    else:
        cols = t.columns
        widths = [len(c) for c in cols]
        for row in t.shown_iter(t.rows.stream(tx)):
            widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
        widths = [min(30, w) for w in widths]

        def line(cells: Any) -> str:
            return "  ".join(
                (str(c)[:w].rjust(w) if n else str(c)[:w].ljust(w))
                for c, w, n in zip(cells, widths, t.numeric, strict=True)
            ).rstrip()

        typer.echo(line(cols))
        for row in t.shown_iter(t.rows.stream(tx)):
            typer.echo(line(row))
    for f in t.footer:
        typer.echo(f)
