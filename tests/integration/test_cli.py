"""The command line, run as a clerk's script would: exit codes, stderr sentences, the
columns of FORMATS.md, against a hand-computed book."""

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from artui.book import open_book
from artui.customers import CustomerInput, create_customer
from artui.invoices import InvoiceInput, post_invoice
from artui.pricing import LineInput
from artui.receipts import PaymentInput, receive_payment

ARTUI = str(Path(sys.executable).with_name("artui"))
TODAY = "2026-11-24"


def run(*args: str, db: str | None = None, user: str = "alice"):
    env = {**os.environ, "ARTUI_USER": user, "ARTUI_TODAY": TODAY}
    env.pop("ARTUI_DB", None)
    cmd = [ARTUI, *(["--db", db] if db else []), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)


def hand_book(path: str):
    """Customer A: invoices of 100.00 (due 2026-10-01) and 50.00 (due 2026-11-30),
    paid 30.00 on 2026-10-15 against the first. Customer B: a 20.00 payment on account."""
    b = open_book(path, "alice", create=True, today=dt.date(2026, 11, 24))
    create_customer(b, CustomerInput("A1", 'Alpha, "the" =Best'))
    create_customer(b, CustomerInput("B1", "Beta"))
    first = post_invoice(b, InvoiceInput("A1", dt.date(2026, 9, 1), [LineInput("x", 1000, 10000)]))
    post_invoice(b, InvoiceInput("A1", dt.date(2026, 10, 31), [LineInput("y", 1000, 5000)]))
    receive_payment(
        b, PaymentInput("A1", 3000, dt.date(2026, 10, 15), applications=[(first.doc.number, 3000)])
    )
    receive_payment(b, PaymentInput("B1", 2000, dt.date(2026, 11, 1), auto=False))
    return b


def test_aging_csv_columns_and_hand_figures(tmp_path):
    db = str(tmp_path / "b.db")
    hand_book(db).dispose()
    out = run("aging", "--format", "csv", db=db)
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(out.stdout)))
    assert rows[0] == [
        "account",
        "name",
        "currency",
        "current",
        "days_1_30",
        "days_31_60",
        "days_61_90",
        "days_over_90",
        "unapplied",
        "balance",
    ]
    # A: 70.00 open, due 1 Oct: 54 days past due; 50.00 current. B: -20.00 unapplied.
    assert rows[1] == [
        "A1",
        'Alpha, "the" =Best',
        "USD",
        "50.00",
        "0.00",
        "70.00",
        "0.00",
        "0.00",
        "0.00",
        "120.00",
    ]
    assert rows[2] == [
        "B1",
        "Beta",
        "USD",
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "-20.00",
        "-20.00",
    ]
    assert rows[3] == [
        "TOTAL",
        "",
        "USD",
        "50.00",
        "0.00",
        "70.00",
        "0.00",
        "0.00",
        "-20.00",
        "100.00",
    ]
    # as of 10 October: the payment had not come, the second invoice did not exist
    past = list(
        csv.reader(
            io.StringIO(run("aging", "--format", "csv", "--as-of", "2026-10-10", db=db).stdout)
        )
    )
    assert past[1][3:] == ["0.00", "100.00", "0.00", "0.00", "0.00", "0.00", "100.00"]
    assert len(past) == 3  # B had no documents yet
    detail = list(
        csv.reader(io.StringIO(run("aging", "--detail", "--format", "csv", db=db).stdout))
    )
    assert detail[0] == [
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
    ]
    assert [
        detail[1][0],
        *detail[1][3:],
    ] == ["A1", "invoice", "INV-000001", "2026-09-01", "2026-10-01", "54", "100.00", "70.00"]


def test_formula_names_are_neutralised_in_csv(tmp_path):
    db = str(tmp_path / "b.db")
    b = open_book(db, "alice", create=True)
    create_customer(b, CustomerInput("F1", "=SUM(A1)"))
    post_invoice(b, InvoiceInput("F1", dt.date(2026, 11, 1), [LineInput("x", 1000, 100)]))
    b.dispose()
    rows = list(csv.reader(io.StringIO(run("aging", "--format", "csv", db=db).stdout)))
    assert rows[1][1] == "'=SUM(A1)"


def test_aging_json_and_table_carry_the_tie_out(tmp_path):
    db = str(tmp_path / "b.db")
    hand_book(db).dispose()
    data = json.loads(run("aging", "--format", "json", db=db).stdout)
    assert data["tie_out"] == [
        {"currency": "USD", "aging": "100.00", "ledger": "100.00", "difference": "0.00"}
    ]
    table = run("aging", db=db).stdout
    assert "Tie-out USD: aging 100.00 = ledger 100.00: ties out" in table


def test_account_json(tmp_path):
    db = str(tmp_path / "b.db")
    hand_book(db).dispose()
    data = json.loads(run("account", "A1", "--format", "json", db=db).stdout)
    assert data["balance"] == "120.00" and data["currency"] == "USD"
    assert data["aging"]["days_31_60"] == "70.00" and data["aging"]["unapplied"] == "0.00"
    assert [i["number"] for i in data["open_items"]] == ["INV-000001", "INV-000002"]
    assert data["open_items"][0] == {
        "kind": "invoice",
        "number": "INV-000001",
        "date": "2026-09-01",
        "due_date": "2026-10-01",
        "amount": "100.00",
        "open": "70.00",
    }
    old = json.loads(
        run("account", "A1", "--format", "json", "--as-of", "2026-10-14", db=db).stdout
    )
    assert old["balance"] == "100.00"


def test_refusals_exit_codes_and_sentences(tmp_path):
    db = str(tmp_path / "b.db")
    missing = run("aging", db=str(tmp_path / "none.db"))
    assert missing.returncode == 1 and "There is no book" in missing.stderr
    assert run("init", "--company", "Test", db=db).returncode == 0
    again = run("init", db=db)
    assert again.returncode == 1 and "already a book" in again.stderr
    nobody = run("account", "ZZZ", db=db)
    assert nobody.returncode == 1 and nobody.stderr.strip() == (
        "There is no customer with account ZZZ."
    )
    bad_date = run("aging", "--as-of", "2026-02-30", db=db)
    assert bad_date.returncode == 2 and "February 2026 has 28 days" in bad_date.stderr
    usage = run("aging", "--format", "xml", db=db)
    assert usage.returncode == 2
    for out in (missing, again, nobody, bad_date, usage):
        assert "Traceback" not in out.stderr
    assert run("db", "upgrade", db=db).stdout.startswith("book at revision")
    assert run("check", db=db).returncode == 0


def test_check_fails_with_a_list(tmp_path):
    db = str(tmp_path / "b.db")
    b = hand_book(db)
    with b.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE document SET open_amount = 1 WHERE number = 'INV-000002'")
    b.dispose()
    out = run("check", db=db)
    assert out.returncode == 1 and "[1 open amount]" in out.stderr


def test_user_roles_from_the_command_line(tmp_path):
    db = str(tmp_path / "b.db")
    run("init", db=db)
    assert run("user", "add", "sam", "--role", "supervisor", db=db).returncode == 0
    refused = run("user", "add", "eve", db=db, user="mallory")  # a stranger: refused
    assert refused.returncode == 1 and "not a user of this book" in refused.stderr
    assert run("user", "add", "eve", db=db, user="sam").returncode == 1  # admins only


def test_backup_while_clerks_post(tmp_path):
    db = str(tmp_path / "b.db")
    b = hand_book(db)
    stop = threading.Event()

    def clerk():
        n = 0
        while not stop.is_set() and n < 300:
            post_invoice(b, InvoiceInput("A1", dt.date(2026, 11, 20), [LineInput("z", 1000, 100)]))
            n += 1

    t = threading.Thread(target=clerk)
    t.start()
    try:
        out = run("backup", str(tmp_path / "copy.db"), db=db)
    finally:
        stop.set()
        t.join()
    assert out.returncode == 0, out.stderr
    assert run("check", db=str(tmp_path / "copy.db")).returncode == 0
    again = run("backup", str(tmp_path / "copy.db"), db=db)
    assert again.returncode == 1 and "already exists" in again.stderr
    b.dispose()


def test_audit_anchor_and_check_against_it(tmp_path):
    db = str(tmp_path / "b.db")
    hand_book(db).dispose()
    head = run("audit", "anchor", db=db).stdout.split()[0]
    assert run("check", "--anchor", head, db=db).returncode == 0
    b = open_book(db, "alice")
    with b.engine.begin() as conn:  # rewrite the whole chain behind the app's back
        conn.exec_driver_sql("DELETE FROM audit_event WHERE id = (SELECT max(id) FROM audit_event)")
    b.dispose()
    out = run("check", "--anchor", head, db=db)
    assert out.returncode == 1 and "anchored head" in out.stderr
