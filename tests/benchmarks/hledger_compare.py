"""The peer comparison (issue #10): `hledger balance` per customer beside `artui aging`,
as of the same date, on the same book, both as processes (same start-up costs), both
agreeing to the cent.

The book is exported with `artui export journal` (each customer's receivable is its own
account, `assets:receivable:<ACCOUNT>`, holding exactly the customer's balance: see
artui/journal.py); hledger reads the whole journal each run, as it does in use. A SQLite
book is first copied with `artui backup`, so a clerk or another benchmark posting into
the shared cached book between the export and the aging cannot make them differ.

    python -m tests.benchmarks.hledger_compare [CUSTOMERS]
"""

import csv
import datetime as dt
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from artui.book import Book
from artui.money import minor_digits

from .suite import Figure

RUNS = 3
ARTUI = str(Path(sys.executable).with_name("artui"))
RECEIVABLE = "assets:receivable:"


def hledger_path() -> str | None:
    return shutil.which("hledger")


def _run(cmd: list[str], env: dict[str, str], out: Path) -> tuple[float, int]:
    """Run to completion with stdout in `out`: the wall-clock ms and the peak memory (KiB)
    of that one process (wait4 gives its own rusage, not all children's)."""
    with open(out, "wb") as f:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        ms = (time.perf_counter() - start) * 1000
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    assert proc.returncode == 0, f"{' '.join(cmd)} exited {proc.returncode}: {err}"
    return ms, usage.ru_maxrss


def _minor(text: str, currency: str) -> int:
    """A decimal string as integer minor units, exactly (never through a float)."""
    scaled = Decimal(text) * 10 ** minor_digits(currency)
    assert scaled == scaled.to_integral_value(), f"{text} {currency} is not whole minor units"
    return int(scaled)


def parse_hledger(text: str) -> dict[tuple[str, str], int]:
    """`hledger balance -O csv` rows: ("assets:receivable:C10001", "12.50 USD[, 3.00 CAD]")
    -> {(account, currency): minor units}."""
    out: dict[tuple[str, str], int] = {}
    rows = list(csv.reader(io.StringIO(text)))
    assert rows and rows[0] == ["account", "balance"], rows[:1]
    for account, balance in rows[1:]:
        if not account.startswith(RECEIVABLE):
            continue  # the parent or a total row
        for part in balance.split(","):
            part = part.strip()
            if part in ("", "0"):
                continue
            amount, currency = part.split()
            out[(account.removeprefix(RECEIVABLE), currency)] = _minor(amount, currency)
    return out


def parse_aging(text: str) -> dict[tuple[str, str], int]:
    """`artui aging --format csv` rows (FORMATS.md) -> {(account, currency): balance}."""
    out: dict[tuple[str, str], int] = {}
    for row in csv.DictReader(io.StringIO(text)):
        if row["account"] == "TOTAL" and not row["name"]:
            continue
        out[(row["account"], row["currency"])] = _minor(row["balance"], row["currency"])
    return out


def differences(ours: dict[tuple[str, str], int], theirs: dict[tuple[str, str], int]) -> list[str]:
    keys = sorted(ours.keys() | theirs.keys())
    return [
        f"{acct} {cur}: artui {ours.get((acct, cur), 0)} hledger {theirs.get((acct, cur), 0)}"
        for acct, cur in keys
        if ours.get((acct, cur), 0) != theirs.get((acct, cur), 0)
    ]


def measure_hledger(book: Book, as_of: dt.date, runs: int = RUNS) -> list[Figure]:
    """hledger's per-customer balance and artui's aging, timed as processes (median of
    `runs`), their ratio, and how many customers agree to the cent (all must)."""
    hledger = hledger_path()
    if hledger is None:
        return [
            Figure(
                "hledger comparison skipped: hledger not installed",
                None,
                None,
                "",
                "(apt-get install hledger)",
            )
        ]
    with tempfile.TemporaryDirectory(prefix="artui-hledger-") as folder:
        tmp = Path(folder)
        env = dict(os.environ, ARTUI_USER=book.user)
        if book.sqlite:
            copy = tmp / "book.db"
            env["ARTUI_DB"] = book.url
            _run([ARTUI, "backup", str(copy)], env, tmp / "backup.out")
            env["ARTUI_DB"] = str(copy)
        else:  # through the environment, so a password is not on a command line
            env["ARTUI_DB"] = book.engine.url.render_as_string(hide_password=False)
        journal = tmp / "ar.journal"
        export_ms, _ = _run([ARTUI, "export", "journal", "-o", str(journal)], env, tmp / "x.out")

        end = (as_of + dt.timedelta(days=1)).isoformat()  # hledger's end date is exclusive
        h_cmd = [hledger, "-f", str(journal), "balance", "assets:receivable", "-e", end]
        h_cmd += ["-O", "csv", "--no-total"]
        a_cmd = [ARTUI, "aging", "--as-of", as_of.isoformat(), "--format", "csv"]
        h_ms, a_ms, h_kib = [], [], []
        for _ in range(runs):  # interleaved, so a busy moment falls on both sides
            ms, kib = _run(h_cmd, env, tmp / "hledger.csv")
            h_ms.append(ms)
            h_kib.append(kib)
            a_ms.append(_run(a_cmd, env, tmp / "aging.csv")[0])
        theirs = parse_hledger((tmp / "hledger.csv").read_text())
        ours = parse_aging((tmp / "aging.csv").read_text())
        journal_mb = journal.stat().st_size / 1e6

    wrong = differences(ours, theirs)
    assert not wrong, (
        f"artui aging and hledger disagree on {len(wrong)} customers as of {as_of}: "
        + "; ".join(wrong[:5])
    )
    n = len(ours.keys() | theirs.keys())
    h, a = statistics.median(h_ms), statistics.median(a_ms)
    return [
        Figure(
            f"journal export for hledger ({journal_mb:.0f} MB)", export_ms, None, "ms", "(once)"
        ),
        Figure(f"hledger balance per customer, as of {as_of}", h, max(h_ms), "ms", "(peer)"),
        Figure(f"  hledger peak memory ({runs} runs)", max(h_kib) / 1024, None, "MiB", ""),
        Figure(f"artui aging (CLI process), as of {as_of}", a, max(a_ms), "ms", "(ours)"),
        Figure("  ratio hledger / artui", h / a, None, "x", ""),
        Figure(f"customers agreeing to the cent: {n:,} of {n:,}", None, None, "", "all", True),
    ]


if __name__ == "__main__":  # by hand: python -m tests.benchmarks.hledger_compare [2000]
    from . import suite

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    b, _ = suite.bench_book(size)
    print(suite.table(f"hledger beside artui, {size:,} customers", measure_hledger(b, suite.TODAY)))
    b.dispose()
