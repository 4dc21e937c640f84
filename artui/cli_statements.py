"""`artui statement`, `artui statements` and `artui statement-runs`."""

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from artui.cli import app, book, fail, parse_day


class Credits(StrEnum):
    yes = "yes"
    no = "no"
    only = "only"


@app.command()
def statement(
    account: Annotated[str, typer.Argument(help="The customer's account.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="The PDF file to write.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Statement date.")] = None,
    start: Annotated[
        str | None,
        typer.Option("--from", help="Activity (balance forward) from this date; else open items."),
    ] = None,
) -> None:
    """One customer statement as a PDF: open items, or the activity of a period."""
    from artui.pdf.statement import render
    from artui.statements import statement as make

    b = book()
    day = parse_day(as_of, "as-of") or b.today()
    st = make(b, account, day, period_from=parse_day(start, "from"))
    data, _ = render([st], dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC))
    write_file(out, data)
    typer.echo(
        f"Statement for {st.name} ({st.account}) as of {day.isoformat()}: balance "
        f"{st.currency} {st.money(st.balance)}, {len(st.lines)} lines, written to {out}."
    )


def write_file(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        fail(f"Could not write {path}: {exc.strerror or exc}.")


@app.command()
def statements(
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for the PDFs (one per customer).")
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Statement date.")] = None,
    min_balance: Annotated[
        str | None, typer.Option("--min-balance", help="Only balances at least this large.")
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--from", help="Activity (balance forward) from this date; else open items."),
    ] = None,
    past_due_only: Annotated[
        bool, typer.Option("--past-due-only", help="Only customers with something past due.")
    ] = False,
    credits: Annotated[
        Credits, typer.Option("--credits", help="Credit balances: yes, no or only.")
    ] = Credits.yes,
    accounts: Annotated[
        list[str] | None,
        typer.Option("--account", help="Only these customers (repeat the option)."),
    ] = None,
    email: Annotated[
        bool, typer.Option("--email", help="Email each statement to the billing contact.")
    ] = False,
    to_print: Annotated[
        bool, typer.Option("--print", help="Also one merged PDF for the mail room.")
    ] = False,
    resume: Annotated[
        int | None, typer.Option("--resume", help="Go on with a run that stopped.")
    ] = None,
    reprint: Annotated[
        int | None, typer.Option("--reprint", help="Print a run's statements again.")
    ] = None,
) -> None:
    """A statement for every customer with a balance (or those chosen), as a numbered,
    logged run: PDFs in a folder, emailed, or merged for printing."""
    from artui import statement_runs as runs
    from artui.money import MoneyError, parse_amount

    b = book()
    if reprint is not None:
        if out is None:
            fail("--reprint needs --out, the folder to print into.", 2)
        files = runs.reprint(b, reprint, out)  # type: ignore[arg-type]
        typer.echo(f"Statement run {reprint} printed again: {len(files)} statements in {out}.")
        return
    if resume is None:
        if out is None:
            fail("--out is required: the folder for the statements.", 2)
        if email and to_print:
            fail("Choose one delivery: --email or --print.", 2)
        day = parse_day(as_of, "as-of") or b.today()
        minimum = 0
        if min_balance:
            try:
                minimum = parse_amount(min_balance, allow_negative=False)
            except MoneyError as exc:
                fail(f"--min-balance: {exc}")
        criteria = runs.RunCriteria(
            as_of=day,
            period_from=parse_day(start, "from"),
            accounts=tuple(accounts or ()),
            min_balance=minimum,
            past_due_only=past_due_only,
            credits=credits.value,
        )
        delivery = "email" if email else "print" if to_print else "files"
        run_id = runs.create_run(b, criteria, delivery, out)  # type: ignore[arg-type]
    else:
        run_id = resume

    def say(p: runs.Progress) -> None:
        left = p.seconds_left
        tail = f", about {left:.0f} s left" if left is not None and p.done < p.total else ""
        typer.echo(f"statement run {run_id}: {p.done}/{p.total}{tail}", err=True)

    info = runs.continue_run(b, run_id, progress=say)
    line = (
        f"Statement run {info.id} ({info.style}, as of {info.as_of.isoformat()}): "
        f"{info.done} statements in {info.folder}"
    )
    if info.delivery == "email":
        line += f"; {info.emailed} emailed, {info.without_email} without an email address"
    if info.merged:
        line += f"; for printing: {info.merged}"
    typer.echo(line + ".")


@app.command("statement-runs")
def statement_runs() -> None:
    """The statement runs, newest first."""
    from artui import statement_runs as runs

    for r in runs.runs(book()):
        typer.echo(
            f"{r.id:>5}  {r.created_at:%Y-%m-%d %H:%M}  {r.created_by:<10} as of "
            f"{r.as_of.isoformat()}  {r.style:<9} {r.delivery:<6} {r.done}/{r.total} "
            f"{r.status}  {r.folder}"
        )
