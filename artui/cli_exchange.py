"""`artui import KIND FILE [--dry-run]` and `artui export KIND [-o FILE]` (FORMATS.md)."""

import os
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated

import typer

from artui.cli import app, book, fail, parse_day
from artui.errors import DomainError


class ImportKind(StrEnum):
    customers = "customers"
    items = "items"
    invoices = "invoices"
    payments = "payments"
    credits = "credits"


class ExportKind(StrEnum):
    customers = "customers"
    items = "items"
    invoices = "invoices"
    payments = "payments"
    credits = "credits"
    journal = "journal"


class JournalFmt(StrEnum):
    hledger = "hledger"
    csv = "csv"


@app.command("import")
def import_cmd(
    kind: Annotated[
        ImportKind, typer.Argument(help="customers, items, invoices, payments or credits")
    ],
    file: Annotated[Path, typer.Argument(help="The CSV file (UTF-8, header row); - reads stdin.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and report; write nothing.")
    ] = False,
) -> None:
    """Import a CSV file: all or nothing. Every problem is listed as `row N, column C:
    ...` (the header is row 1) and nothing is written."""
    from artui.csvio import ImportRefused, import_file

    if str(file) == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            data = file.read_bytes()
        except FileNotFoundError:
            fail(f"{file}: there is no such file.")
        except IsADirectoryError:
            fail(f"{file} is a folder, not a file.")
        except OSError as exc:
            fail(f"{file} cannot be read: {exc.strerror or exc}.")
    b = book()
    try:
        result = import_file(b, kind.value, data, dry_run=dry_run)
    except ImportRefused as exc:
        count = len(exc.problems)
        fail(
            str(exc)
            + f"\n{file}: {count} problem{'s' if count != 1 else ''}; nothing was imported."
        )
    except DomainError as exc:
        fail(f"{exc} Nothing was imported.")
    if dry_run:
        typer.echo(f"Checked {result.describe()}: no problems; nothing was written (--dry-run).")
    else:
        typer.echo(f"Imported {result.describe()}.")


def _open_output(path: Path | None) -> tuple[IO[str], str | None]:
    if path is None or str(path) == "-":
        return sys.stdout, None
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        fail(f"{path}: the folder {folder} does not exist.")
    fd, tmp = tempfile.mkstemp(prefix=".artui-export-", dir=folder)
    return os.fdopen(fd, "w", encoding="utf-8", newline=""), tmp


@app.command("export")
def export_cmd(
    kind: Annotated[
        ExportKind,
        typer.Argument(help="customers, items, invoices, payments, credits or journal"),
    ],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file (default stdout).")
    ] = None,
    fmt: Annotated[
        JournalFmt, typer.Option("--format", help="journal only: hledger or csv.")
    ] = JournalFmt.hledger,
    date_from: Annotated[
        str | None, typer.Option("--from", help="journal only: documents dated from.")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="journal only: documents dated up to.")
    ] = None,
) -> None:
    """Export in the import's own columns (an export re-imports into an empty book), or
    the GL journal (`export journal --format hledger|csv`)."""
    from artui.csvio import export_kind
    from artui.journal import export_journal

    if kind is not ExportKind.journal and (date_from or date_to):
        fail("--from and --to belong to `export journal`.", 2)
    start = parse_day(date_from, "from")
    end = parse_day(date_to, "to")
    if start and end and start > end:
        fail(f"--from {start} is after --to {end}.", 2)
    b = book()
    out, tmp = _open_output(output)
    try:
        if kind is ExportKind.journal:
            count = export_journal(b, out, fmt.value, start, end)
            what = f"{count} transactions"
        else:
            count = export_kind(b, kind.value, out)
            what = f"{count} rows"
        out.flush()
    except BaseException:
        if tmp:
            out.close()
            Path(tmp).unlink(missing_ok=True)
        raise
    if tmp:
        out.close()
        os.replace(tmp, output)
        typer.echo(f"Exported {what} of {kind.value} to {output}.", err=True)
