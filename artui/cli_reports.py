"""`artui aging`, `artui account`, `artui backup`, `artui audit anchor`, `artui close`."""

import csv
import datetime as dt
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from artui.cli import app, book, dump_json, fail, parse_day
from artui.errors import DomainError

audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")

BUCKET_COLUMNS = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")


class Fmt(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class AccountFmt(StrEnum):
    table = "table"
    json = "json"


class By(StrEnum):
    due = "due"
    doc = "doc"


def plain(amount: int, currency: str) -> str:
    from artui.money import format_amount

    return format_amount(amount, currency, thousands=False)


def shown(amount: int, currency: str) -> str:
    from artui.money import format_amount

    return format_amount(amount, currency)


def _safe(value: str) -> str:
    """Neutralise a text cell a spreadsheet would take for a formula."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


@app.command()
def aging(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="As-of date (default today).")
    ] = None,
    by: Annotated[By, typer.Option(help="Age by due date or document date.")] = By.due,
    detail: Annotated[bool, typer.Option(help="One row per open document.")] = False,
    fmt: Annotated[Fmt, typer.Option("--format", help="table, csv or json.")] = Fmt.table,
) -> None:
    """The AR aging: one row per customer with a balance, totals per currency."""
    from artui.aging import aging as run_aging
    from artui.aging import open_items

    b = book()
    day = parse_day(as_of, "as-of") or b.today()
    if fmt is not Fmt.table:
        # CSV and JSON are written as they are read, in one read transaction.
        b.read(lambda tx: _aging_file(tx, day, by.value, detail, fmt))
        return

    def read(tx):  # noqa: ANN001, ANN202
        result = run_aging(tx, day, by=by.value)
        items = open_items(tx, day) if detail else []
        return result, items

    result, items = b.read(read)
    tie = result.tie_out()
    typer.echo(f"AR aging as of {day.isoformat()} by {by.value} date")
    for line in aging_table(result, items if detail else None, by.value):
        typer.echo(line)
    for cur, (a, led, d) in tie.items():
        state = "ties out" if d == 0 else f"DIFFERS by {shown(d, cur)}"
        typer.echo(f"Tie-out {cur}: aging {shown(a, cur)} = ledger {shown(led, cur)}: {state}")


DETAIL_COLUMNS = (
    "account",
    "name",
    "currency",
    "kind",
    "number",
    "date",
    "due_date",
    "days_past_due",
    "amount",
    "open",
)


def _aging_file(tx, day: dt.date, by: str, detail: bool, fmt: Fmt) -> None:  # noqa: ANN001
    """`artui aging` as CSV or JSON, streamed: the customers' rows and the open items
    come from the database in chunks and go out as they come (a whole book has 80,000
    customers with a balance and a quarter of a million open items)."""
    from artui.aging import Aging, aging_stream, aging_totals, ledger_balances
    from artui.report_tables import Gathered, open_items_with_rows
    from artui.report_tables import plain_amount as plain  # the same text, quicker

    rows = aging_stream(tx, day, by=by)
    if fmt is Fmt.csv:
        with Gathered(sys.stdout) as out:
            _aging_csv(out, tx, day, by, detail, rows)
        return
    items = open_items_with_rows(tx, day, by)  # an item whose customer has no aging row:
    # left out below (none has: its open amount puts a figure in its customer's row)
    from artui.cli_report import write_json_streams

    totals = aging_totals(tx, day, by=by)
    tie = Aging(day, by, (), totals, ledger_balances(tx, day)).tie_out()
    head = {
        "as_of": day.isoformat(),
        "by": by,
        "rows": [],
        "totals": [
            {
                "currency": t.currency,
                "customers": t.customers,
                **{c: plain(getattr(t, c), t.currency) for c in BUCKET_COLUMNS},
                "unapplied": plain(t.unapplied, t.currency),
                "balance": plain(t.balance, t.currency),
            }
            for t in totals
        ],
        "tie_out": [
            {
                "currency": cur,
                "aging": plain(a, cur),
                "ledger": plain(led, cur),
                "difference": plain(d, cur),
            }
            for cur, (a, led, d) in tie.items()
        ],
        "detail": [],
    }
    customer_rows = (
        {
            "account": r.account,
            "name": r.name,
            "currency": r.currency,
            **{c: plain(getattr(r, c), r.currency) for c in BUCKET_COLUMNS},
            "unapplied": plain(r.unapplied, r.currency),
            "balance": plain(r.balance, r.currency),
        }
        for r in rows
    )
    detail_rows = (
        {
            "account": r.account,
            "kind": it.kind,
            "number": it.number,
            "date": it.doc_date.isoformat(),
            "due_date": it.due_date.isoformat() if it.due_date else None,
            "days_past_due": it.days_past_due,
            "amount": plain(it.amount if it.is_debit else -it.amount, r.currency),
            "open": plain(it.signed_open, r.currency),
        }
        for it, r in (items if detail else ())
        if r is not None
    )
    write_json_streams(head, {"rows": customer_rows, "detail": detail_rows}, sys.stdout)


def _aging_csv(out, tx, day: dt.date, by: str, detail: bool, rows) -> None:  # noqa: ANN001
    """`artui aging --format csv`: the customers' rows and TOTAL rows, or (--detail)
    the open items."""
    from artui.aging import aging_totals
    from artui.report_tables import plain_amount as plain  # the same text, quicker

    w = csv.writer(out, lineterminator="\n")
    if detail:
        w.writerow(DETAIL_COLUMNS)
        _write_detail(out, tx, day)
        return
    w.writerow(["account", "name", "currency", *BUCKET_COLUMNS, "unapplied", "balance"])
    for r in rows:
        w.writerow(
            [
                _safe(r.account),
                _safe(r.name),
                r.currency,
                *(plain(getattr(r, c), r.currency) for c in BUCKET_COLUMNS),
                plain(r.unapplied, r.currency),
                plain(r.balance, r.currency),
            ]
        )
    for t in aging_totals(tx, day, by=by):
        w.writerow(
            [
                "TOTAL",
                "",
                t.currency,
                *(plain(getattr(t, c), t.currency) for c in BUCKET_COLUMNS),
                plain(t.unapplied, t.currency),
                plain(t.balance, t.currency),
            ]
        )


def _write_detail(out, tx, day: dt.date) -> None:  # noqa: ANN001
    """The `--detail` CSV's rows, a few thousand at a time: each lot of items made
    into rows (the customer's cells made once per customer, an amount's text without a
    call), written by a writer into a string buffer (C writes, no call a row) and
    passed to `out` in one piece. A whole book has a quarter of a million items."""
    import io

    from artui.aging import open_item_cells
    from artui.ledger import DEBIT_KINDS
    from artui.report_tables import customer_cells
    from artui.report_tables import plain_amount as plain

    debit = frozenset(DEBIT_KINDS)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    # every customer with an open item has an aging row (its open debits make a bucket
    # positive, its open credits `unapplied` negative): no row of theirs is left out
    customers = customer_cells(tx)
    c = (0, "", "", "")
    cid_then, who, cents = None, ("", "", ""), True
    for part in open_item_cells(tx, day):
        lines = []
        add = lines.append
        for cid, kind, number, date, due, days, amount, left in part:
            if cid != cid_then:
                while c[0] < cid:
                    c = next(customers)
                cid_then, who = cid, (_safe(c[1]), _safe(c[2]), c[3])
                cents = plain(1, c[3]) == "0.01"  # two decimals: written out below
            if cents and amount > 0 and left > 0:  # plain_amount's text, without a call
                sign = "" if kind in debit else "-"
                a = f"{sign}{amount // 100}.{amount % 100:02d}"
                o = f"{sign}{left // 100}.{left % 100:02d}"
            elif kind in debit:
                a, o = plain(amount, who[2]), plain(left, who[2])
            else:
                a, o = plain(-amount, who[2]), plain(-left, who[2])
            add((*who, kind, number, date, due, days, a, o))
        w.writerows(lines)
        out.write(buf.getvalue())
        buf.seek(0)
        buf.truncate(0)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
WIDTH = 80


def printable(text: str) -> str:
    """Stored text as one terminal line: no control characters or line breaks."""
    return _CONTROL.sub(" ", text or "")


def _fit(text: str, width: int) -> str:
    text = printable(text)
    return text if len(text) <= width else text[: max(width - 1, 0)] + "\u2026"


def aging_table(result, items, by: str) -> list[str]:  # noqa: ANN001
    """The aging as lines of at most 80 columns (while amounts allow): columns as wide
    as their contents, the name taking what is left."""
    from artui.aging import bucket_of
    from artui.dates import BUCKET_LABELS

    heads = ["Current", "1-30", "31-60", "61-90", "90+", "Unapplied", "Balance"]
    cols = [*BUCKET_COLUMNS, "unapplied", "balance"]
    multi = len({r.currency for r in result.rows} | {t.currency for t in result.totals}) > 1
    body: list[tuple[str, str, str, list[str], int | None]] = []
    for r in result.rows:
        cells = [shown(getattr(r, c), r.currency) for c in cols]
        body.append((r.account, r.name, r.currency, cells, r.customer_id))
    for t in result.totals:
        cells = [shown(getattr(t, c), t.currency) for c in cols]
        who = f"{t.customers} customer{'s' if t.customers != 1 else ''}"
        body.append(("TOTAL", f"{t.currency}, {who}", t.currency, cells, None))
    widths = [max([len(h)] + [len(b[3][i]) for b in body]) for i, h in enumerate(heads)]
    acct_w = max([len("Account")] + [len(printable(b[0])) for b in body])
    cur_w = 4 if multi else 0
    fixed = acct_w + 1 + cur_w + sum(w + 1 for w in widths)
    longest = max([len("Name")] + [len(printable(b[1])) for b in body])
    name_w = max(8, min(longest, WIDTH - fixed))

    def line(acct: str, name: str, cur: str, cells: list[str]) -> str:
        text = f"{acct:<{acct_w}} {_fit(name, name_w):<{name_w}}"
        if multi:
            text += f" {cur:<3}"
        return (text + "".join(f" {c:>{w}}" for c, w in zip(cells, widths, strict=True))).rstrip()

    out = [line("Account", "Name", "Cur", heads)]
    by_customer: dict[int, list] = {}
    for it in items or []:
        by_customer.setdefault(it.customer_id, []).append(it)
    for acct, name, cur, cells, cid in body:
        if acct == "TOTAL" and (not out or not out[-1].startswith("-")):
            out.append("-" * min(WIDTH, len(out[0])))
        out.append(line(printable(acct), name, cur, cells))
        for it in by_customer.get(cid, []) if cid is not None else []:
            bucket = BUCKET_LABELS.get(bucket_of(it, result.as_of, by), "unapplied")
            due = it.due_date.isoformat() if it.due_date and it.is_debit else ""
            left = f"  {_fit(it.number or '', 14):<14} {it.doc_date.isoformat()} {due:<10} {bucket}"
            amount = shown(it.signed_open, cur)
            out.append(left + amount.rjust(max(len(out[0]) - len(left), len(amount) + 1)))
    return out


@app.command()
def account(
    account_no: Annotated[str, typer.Argument(metavar="ACCOUNT", help="The account number.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="As-of date (default today).")
    ] = None,
    fmt: Annotated[AccountFmt, typer.Option("--format", help="table or json.")] = AccountFmt.table,
) -> None:
    """One customer's balance, aging and open items."""
    from artui.account import account_summary

    b = book()
    day = parse_day(as_of, "as-of") or b.today()
    try:
        s = account_summary(b, account_no, day)
    except DomainError as exc:
        fail(str(exc))
    cur = s.customer.currency
    if fmt is AccountFmt.json:
        dump_json(
            {
                "account": s.customer.account,
                "name": s.customer.name,
                "currency": cur,
                "as_of": day.isoformat(),
                "balance": plain(s.balance, cur),
                "aging": {
                    **{c: plain(getattr(s.aging, c), cur) for c in BUCKET_COLUMNS},
                    "unapplied": plain(s.aging.unapplied, cur),
                },
                "open_items": [
                    {
                        "kind": i.kind,
                        "number": i.number,
                        "date": i.doc_date.isoformat(),
                        "due_date": i.due_date.isoformat() if i.due_date else None,
                        "amount": plain(i.amount if i.is_debit else -i.amount, cur),
                        "open": plain(i.signed_open, cur),
                    }
                    for i in s.open_items
                ],
            }
        )
        return
    c = s.customer
    typer.echo(
        f"{printable(c.name)} ({c.account}) {cur} as of {day.isoformat()}"
        + (f"  ON HOLD: {c.hold_reason}" if c.on_hold else "")
    )
    typer.echo(
        f"Balance {shown(s.balance, cur)}  past due {shown(s.past_due, cur)}  "
        f"unapplied {shown(s.aging.unapplied, cur)}"
    )
    typer.echo(
        "  ".join(
            f"{lbl} {shown(getattr(s.aging, col), cur)}"
            for lbl, col in zip(
                ("Current", "1-30", "31-60", "61-90", "90+"), BUCKET_COLUMNS, strict=True
            )
        )
    )
    typer.echo(f"{'Kind':<17}{'Number':<12}{'Date':<11}{'Due':<11}{'Amount':>12}{'Open':>12}")
    for i in s.open_items:
        typer.echo(
            f"{i.kind:<17}{_fit(i.number or '', 11):<12}{i.doc_date.isoformat():<11}"
            f"{i.due_date.isoformat() if i.due_date else '':<11}"
            f"{shown(i.amount, cur):>12}{shown(i.signed_open, cur):>12}"
        )


@app.command()
def backup(file: Annotated[Path, typer.Argument(help="Where to write the copy.")]) -> None:
    """A consistent copy of a live SQLite book, taken while clerks keep posting."""
    from artui.backup import BackupError, backup_sqlite

    b = book()
    try:
        pages = backup_sqlite(b, file)
    except BackupError as exc:
        fail(str(exc))
    typer.echo(
        f"Backed up {b.url} to {file} ({pages} pages); check it with `artui --db {file} check`."
    )


@audit_app.command("anchor")
def audit_anchor() -> None:
    """Print the audit chain's head: keep it outside the book, verify with check --anchor."""
    from artui.audit import anchor

    count, head = book().read(lambda tx: anchor(tx.conn))
    typer.echo(f"{head} {count} {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}")


@app.command("close")
def close_period_cmd(
    through: Annotated[str, typer.Argument(help="Close the book through this date.")],
) -> None:
    """Close the book through a date (a supervisor's action)."""
    from artui.period import close_period

    day = parse_day(through, "through")
    try:
        close_period(book(), day)
    except DomainError as exc:
        fail(str(exc))
    typer.echo(f"The book is closed through {day.isoformat()}.")
