"""The GL journal: every posting a balanced transaction; checked by the real hledger
(`hledger check`, and each customer's receivable balance equal to `artui aging` to the
cent on several dates), and in CSV form by hand."""

import csv
import datetime as dt
import io
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from artui.aging import aging
from artui.book import open_book
from artui.journal import export_journal
from artui.money import format_amount

from .conftest import TODAY
from .test_export_roundtrip import DATES, core_book, more_kinds

ARTUI = str(Path(sys.executable).with_name("artui"))
HLEDGER = shutil.which("hledger")
needs_hledger = pytest.mark.skipif(
    HLEDGER is None,
    reason="hledger is not installed (apt-get install hledger); the journal is checked "
    "by hand in CSV form only",
)


@pytest.fixture
def full_book(book):
    core_book(book)
    more_kinds(book)
    return book


def journal(book, fmt="hledger", start=None, end=None) -> str:
    buf = io.StringIO()
    export_journal(book, buf, fmt, start, end)
    return buf.getvalue()


def aging_balances(book, day) -> dict[str, str]:
    return {
        f"assets:receivable:{r.account}": f"{format_amount(r.balance, r.currency, thousands=False)}"
        f" {r.currency}"
        for r in aging(book, day).rows
        if r.balance
    }


def hledger(*args: str) -> str:
    out = subprocess.run([HLEDGER, *args], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


@needs_hledger
def test_hledger_checks_the_journal_and_ties_to_the_aging(full_book, tmp_path):
    path = tmp_path / "ar.journal"
    path.write_text(journal(full_book))
    hledger("-f", str(path), "check")
    hledger("-f", str(path), "check", "accounts", "commodities", "ordereddates")
    for day in [*DATES, dt.date(2026, 11, 12)]:
        end = (day + dt.timedelta(days=1)).isoformat()  # hledger's end date is exclusive
        text = hledger(
            "-f", str(path), "balance", "assets:receivable", "-e", end, "-O", "csv", "--no-total"
        )
        rows = list(csv.reader(io.StringIO(text)))[1:]
        got = {acct: bal for acct, bal in rows if bal not in ("0", "")}
        assert got == aging_balances(full_book, day), day


def test_every_transaction_balances_per_currency_in_csv(full_book):
    rows = list(csv.DictReader(io.StringIO(journal(full_book, "csv"))))
    sums: dict[tuple[str, str], int] = defaultdict(int)
    receivable: dict[str, int] = defaultdict(int)
    for r in rows:
        cents = round(float(r["debit"] or 0) * 100) - round(float(r["credit"] or 0) * 100)
        sums[(r["transaction"], r["currency"])] += cents
        if r["account"].startswith("assets:receivable:"):
            receivable[r["account"]] += cents
    assert set(sums.values()) == {0}
    expect = {a: b for a, b in aging_balances(full_book, TODAY).items()}
    assert {
        a: f"{format_amount(c, 'USD', thousands=False)}" for a, c in receivable.items() if c
    } == {a: b.split()[0] for a, b in expect.items()}


def test_hand_computed_entries(full_book):
    text = journal(full_book)
    # INV-000001: lines 53.97 + 12.50 = 66.47, tax 3.91, shipping 12.50: 82.88
    assert (
        "2026-06-01 * =SUM(A1) Traders | Invoice INV-000001\n"
        "    ; kind:invoice, customer:C1\n"
        "    assets:receivable:C1            82.88 USD\n"
        "    revenue                        -66.47 USD\n"
        "    liabilities:sales tax           -3.91 USD\n"
        "    revenue:shipping               -12.50 USD\n"
    ) in text
    # the void reverses the voided invoice's revenue
    assert (
        "2026-10-12 * [bold]Beta[/] & Co, Ltd | Void VD-000001\n"
        "    ; kind:void, customer:C2\n"
        "    revenue                        30.00 USD\n"
        "    assets:receivable:C2          -30.00 USD\n"
    ) in text
    for kind, account in [
        ("write_off", "expenses:bad debts"),
        ("discount", "expenses:discounts"),
        ("returned_payment", "assets:bank"),
        ("refund", "assets:bank"),
        ("finance_charge", "revenue:finance charges"),
        ("debit_memo", "revenue:debit memos"),
        ("credit_memo", "revenue:returns and allowances"),
    ]:
        block = next(b for b in text.split("\n\n") if f"; kind:{kind}," in b)
        assert f"    {account} " in block, kind
    assert "EUR" in text and "commodity 1000.00 EUR" in text


def test_from_and_to_on_the_command_line(tmp_path):
    db = str(tmp_path / "j.db")
    b = open_book(db, "alice", create=True, today=TODAY)
    core_book(b)
    b.dispose()
    env = {**os.environ, "ARTUI_USER": "alice", "ARTUI_TODAY": TODAY.isoformat()}
    env.pop("ARTUI_DB", None)

    def run(*args):
        return subprocess.run(
            [ARTUI, "--db", db, *args], capture_output=True, text=True, env=env, timeout=120
        )

    out = run("export", "journal", "--format", "csv", "--from", "2026-09-01", "--to", "2026-09-30")
    assert out.returncode == 0, out.stderr
    dates = {r["date"] for r in csv.DictReader(io.StringIO(out.stdout))}
    assert dates == {"2026-09-01", "2026-09-10", "2026-09-20"}
    target = tmp_path / "out.journal"
    out = run("export", "journal", "-o", str(target))
    assert out.returncode == 0 and target.read_text().startswith("; My Company: ")
    assert "Exported" in out.stderr and target.stat().st_size > 0
    bad = run("export", "invoices", "--from", "2026-01-01")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    bad = run("export", "journal", "--from", "2026-10-01", "--to", "2026-09-01")
    assert bad.returncode == 2
    bad = run("export", "journal", "--format", "xml")
    assert bad.returncode == 2
