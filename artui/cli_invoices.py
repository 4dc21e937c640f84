"""`artui invoice NUMBER -o FILE.pdf`: an invoice's PDF, as sent."""

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from artui.cli import app, book
from artui.cli_statements import write_file


@app.command()
def invoice(
    number: Annotated[str, typer.Argument(help="The invoice's number.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="The PDF file to write.")],
) -> None:
    """An invoice as a PDF, as the customer gets it."""
    from artui.invoice_sheet import invoice_sheet
    from artui.pdf.invoice import render

    b = book()
    sheet = invoice_sheet(b, number)
    data, ranges = render([sheet], dt.datetime.combine(sheet.doc_date, dt.time(0), tzinfo=dt.UTC))
    write_file(out, data)
    pages = ranges[0][1] - ranges[0][0] + 1
    typer.echo(
        f"Invoice {sheet.number} for {sheet.customer_name} ({sheet.account}): "
        f"{sheet.currency} {sheet.money(sheet.total)}, {len(sheet.lines)} lines, "
        f"{pages} page{'s' if pages != 1 else ''}, written to {out}."
    )
