"""`artui aging`, `artui account` and `artui backup` against a book worked out by hand,
as of dates before and after a payment, a credit memo, a bounced payment and a void."""

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from artui import adjustments, invoices, receipts
from artui.book import open_book
from artui.customers import CustomerInput, create_customer
from artui.invoices import InvoiceInput
from artui.pricing import LineInput
from artui.receipts import PaymentInput

ARTUI = str(Path(sys.executable).with_name("artui"))
TODAY = "2026-11-24"
D = dt.date


def run(*args: str, db: str):
    env = {**os.environ, "ARTUI_USER": "alice", "ARTUI_TODAY": TODAY}
    env.pop("ARTUI_DB", None)
    return subprocess.run(
        [ARTUI, "--db", db, *args], capture_output=True, text=True, env=env, timeout=120
    )


def inv(b, account, on, cents, **kw):
    lines = [LineInput("goods", 1000, cents)]
    return invoices.post_invoice(b, InvoiceInput(account, on, lines, **kw)).doc


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    """A1 (Net 30): INV-1 100.00 of 1 Sep (due 1 Oct); paid 30.00 on 15 Oct; credit memo
    10.00 on 5 Nov against INV-1; INV-2 50.00 of 31 Oct (due 30 Nov).
    B1 (Net 30): INV-3 200.00 of 1 Oct (due 31 Oct), paid in full on 20 Oct, the cheque
    bounced on 10 Nov; INV-4 40.00 of 1 Nov (due 1 Dec), voided on 15 Nov."""
    path = str(tmp_path_factory.mktemp("reports") / "hand.db")
    b = open_book(path, "alice", create=True, today=D(2026, 11, 24))
    create_customer(b, CustomerInput("A1", "Alpha Engineering Partners International"))
    create_customer(b, CustomerInput("B1", "Beta"))
    i1 = inv(b, "A1", D(2026, 9, 1), 10000)
    inv(b, "A1", D(2026, 10, 31), 5000)
    i3 = inv(b, "B1", D(2026, 10, 1), 20000)
    i4 = inv(b, "B1", D(2026, 11, 1), 4000)
    receipts.receive_payment(
        b, PaymentInput("A1", 3000, D(2026, 10, 15), applications=[(i1.number, 3000)])
    )
    adjustments.credit_memo(b, "A1", 1000, "damaged", D(2026, 11, 5), apply_to=i1.number)
    paid = receipts.receive_payment(
        b, PaymentInput("B1", 20000, D(2026, 10, 20), applications=[(i3.number, 20000)])
    )
    receipts.reverse_payment(b, paid.doc.id, D(2026, 11, 10))
    invoices.void_invoice(b, i4.id, "billed twice", D(2026, 11, 15))
    b.dispose()
    return path


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))[1:]


N = "Alpha Engineering Partners International"
# as of -> rows: account, current, 1-30, 31-60, 61-90, 90+, unapplied, balance
BY_DATE = {
    # only INV-1 exists, not yet due
    "2026-09-30": [["A1", "100.00", "0.00", "0.00", "0.00", "0.00", "0.00", "100.00"]],
    # INV-1 70.00 left after the payment, 15 days late; INV-3 not yet due
    "2026-10-16": [
        ["A1", "0.00", "70.00", "0.00", "0.00", "0.00", "0.00", "70.00"],
        ["B1", "200.00", "0.00", "0.00", "0.00", "0.00", "0.00", "200.00"],
    ],
    # B1 paid in full: no row for B1
    "2026-10-21": [["A1", "0.00", "70.00", "0.00", "0.00", "0.00", "0.00", "70.00"]],
    # the credit memo takes INV-1 to 60.00 (36 days late); INV-2 and INV-4 current
    "2026-11-06": [
        ["A1", "50.00", "0.00", "60.00", "0.00", "0.00", "0.00", "110.00"],
        ["B1", "40.00", "0.00", "0.00", "0.00", "0.00", "0.00", "40.00"],
    ],
    # the bounced cheque reopens INV-3 (12 days late)
    "2026-11-12": [
        ["A1", "50.00", "0.00", "60.00", "0.00", "0.00", "0.00", "110.00"],
        ["B1", "40.00", "200.00", "0.00", "0.00", "0.00", "0.00", "240.00"],
    ],
    # INV-4 voided; INV-3 24 days late, INV-1 54 days late
    "2026-11-24": [
        ["A1", "50.00", "0.00", "60.00", "0.00", "0.00", "0.00", "110.00"],
        ["B1", "0.00", "200.00", "0.00", "0.00", "0.00", "0.00", "200.00"],
    ],
}


@pytest.mark.parametrize("as_of", sorted(BY_DATE))
def test_aging_csv_as_of_dates(db, as_of):
    out = run("aging", "--as-of", as_of, "--format", "csv", db=db)
    assert out.returncode == 0, out.stderr
    rows = csv_rows(out.stdout)
    expected = BY_DATE[as_of]
    assert [[r[0], *r[3:]] for r in rows[:-1]] == expected
    assert all(r[2] == "USD" for r in rows)
    total = sum(int(r[-1].replace(".", "")) for r in expected)
    assert rows[-1][:3] == ["TOTAL", "", "USD"]
    assert rows[-1][-1] == f"{total // 100}.{total % 100:02d}"


def test_aging_by_document_date_and_detail(db):
    out = run("aging", "--by", "doc", "--format", "csv", db=db)
    # by age: INV-1 84 days old (61-90), INV-2 24 days (current), INV-3 54 days (31-60)
    assert [[r[0], *r[3:]] for r in csv_rows(out.stdout)[:-1]] == [
        ["A1", "50.00", "0.00", "0.00", "60.00", "0.00", "0.00", "110.00"],
        ["B1", "0.00", "0.00", "200.00", "0.00", "0.00", "0.00", "200.00"],
    ]
    out = run("aging", "--detail", "--format", "csv", "--as-of", "2026-11-12", db=db)
    assert [r[0:1] + r[3:] for r in csv_rows(out.stdout)] == [
        ["A1", "invoice", "INV-000001", "2026-09-01", "2026-10-01", "42", "100.00", "60.00"],
        ["A1", "invoice", "INV-000002", "2026-10-31", "2026-11-30", "-18", "50.00", "50.00"],
        ["B1", "invoice", "INV-000003", "2026-10-01", "2026-10-31", "12", "200.00", "200.00"],
        ["B1", "invoice", "INV-000004", "2026-11-01", "2026-12-01", "-19", "40.00", "40.00"],
    ]


def test_aging_json_and_table(db):
    data = json.loads(run("aging", "--format", "json", "--as-of", "2026-11-12", db=db).stdout)
    assert data["as_of"] == "2026-11-12"
    assert data["totals"][0]["balance"] == "350.00"
    assert data["tie_out"] == [
        {"currency": "USD", "aging": "350.00", "ledger": "350.00", "difference": "0.00"}
    ]
    table = run("aging", "--detail", db=db).stdout.splitlines()
    assert max(len(line) for line in table) <= 80
    assert table[0] == "AR aging as of 2026-11-24 by due date"
    assert table[1].split() == [
        "Account", "Name", "Current", "1-30", "31-60", "61-90", "90+", "Unapplied", "Balance"
    ]  # fmt: skip
    a1 = next(line for line in table if line.startswith("A1 "))
    assert a1.split()[-7:] == ["50.00", "0.00", "60.00", "0.00", "0.00", "0.00", "110.00"]
    assert "Alpha Engineering" in a1 and N not in a1  # shortened to fit
    assert table[-1] == "Tie-out USD: aging 310.00 = ledger 310.00: ties out"


def test_account_json_before_and_after(db):
    def acct(account, as_of):
        out = run("account", account, "--format", "json", "--as-of", as_of, db=db)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    a = acct("A1", "2026-11-06")
    assert (a["account"], a["name"], a["currency"], a["as_of"], a["balance"]) == (
        "A1",
        N,
        "USD",
        "2026-11-06",
        "110.00",
    )
    assert a["aging"] == {
        "current": "50.00",
        "days_1_30": "0.00",
        "days_31_60": "60.00",
        "days_61_90": "0.00",
        "days_over_90": "0.00",
        "unapplied": "0.00",
    }
    assert [(i["number"], i["amount"], i["open"]) for i in a["open_items"]] == [
        ("INV-000001", "100.00", "60.00"),
        ("INV-000002", "50.00", "50.00"),
    ]
    assert acct("A1", "2026-10-14")["balance"] == "100.00"  # before the payment
    b = acct("B1", "2026-10-25")  # paid: nothing open
    assert (b["balance"], b["open_items"]) == ("0.00", [])
    b = acct("B1", "2026-11-12")  # bounced: INV-3 open again, INV-4 not yet voided
    assert [i["number"] for i in b["open_items"]] == ["INV-000003", "INV-000004"]
    assert b["balance"] == "240.00"
    assert acct("B1", "2026-11-24")["balance"] == "200.00"  # after the void


def test_account_table_fits_80_columns(db):
    out = run("account", "A1", db=db)
    lines = out.stdout.splitlines()
    assert out.returncode == 0 and max(len(line) for line in lines) <= 80
    assert lines[0] == f"{N} (A1) USD as of 2026-11-24"
    assert lines[1].startswith("Balance 110.00  past due 60.00")


def test_backup_of_a_postgresql_book_says_what_to_run(pg_url, tmp_path):
    from .conftest import _fresh_pg_url

    url = _fresh_pg_url(pg_url)
    b = open_book(url, "alice", create=True)
    b.dispose()
    target = tmp_path / "ar.dump"
    out = run("backup", str(target), db=url)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "pg_dump --format=custom --file=" in out.stderr
    assert "postgresql://" in out.stderr and "+psycopg" not in out.stderr
    assert not target.exists()
