"""End to end: a clerk enters a deposit batch of five checks in the real `artui` in tmux
at 80x24 (one short-paid and written off, one over-paid), posts it, and the book checks
clean with the balances the checks leave."""

import json
import subprocess

import pytest

from .tmux import ARTUI, Tmux

pytestmark = pytest.mark.slow
TODAY = "2026-11-24"
ENV = {"ARTUI_USER": "alice", "ARTUI_TODAY": TODAY, "PATH": "/usr/bin:/bin"}

INVOICES = {"K1": "100.00", "K2": "250.00", "K3": "300.00", "K4": "400.00", "K5": "75.50"}
CHECKS = [
    # account, amount, check number, extra keys after auto-apply, balance left
    ("K1", "100.00", "5001", [], "0.00"),
    ("K2", "250.00", "5002", [], "0.00"),
    ("K3", "297.00", "5003", ["w"], "0.00"),  # short 3.00, written off as a deduction
    ("K4", "450.00", "5004", [], "-50.00"),  # over-paid: 50.00 on account
    ("K5", "75.50", "5005", [], "0.00"),
]


def run(db: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ARTUI, "--db", db, *args], capture_output=True, text=True, env=ENV, check=check
    )


def test_a_batch_of_five_checks_typed_and_posted(tmp_path):
    db = str(tmp_path / "book.db")
    run(db, "init", "--company", "Checks Co")
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "account,name\n" + "".join(f"{a},Customer {a}\n" for a in INVOICES), encoding="utf-8"
    )
    invoices = tmp_path / "invoices.csv"
    invoices.write_text(
        "number,account,date,quantity,unit_price\n"
        + "".join(f"I-{a},{a},2026-10-01,1,{amt}\n" for a, amt in INVOICES.items()),
        encoding="utf-8",
    )
    run(db, "import", "customers", str(customers))
    run(db, "import", "invoices", str(invoices))
    total = sum(float(c[1]) for c in CHECKS)

    app = Tmux(f"{ARTUI} --db {db}", env={k: v for k, v in ENV.items() if k != "PATH"})
    try:
        app.wait_for("Type to search")
        app.keys("F4")
        app.wait_for("A new batch")
        app.keys(f"{total:.2f}", "Tab", "5", "Enter")
        app.wait_for("Ctrl+N takes the first receipt")
        app.keys("C-n")
        for account, amount, ref, extra, _left in CHECKS:
            app.wait_for("Receipt 0.00 · Applied 0.00")  # the next receipt, blank
            # one burst per check, as a fast typist enters it
            app.keys(account, "Enter", amount, "Enter", ref, "Enter", "Enter", "C-a")
            app.wait_for("Receipt " + amount)
            if extra:
                app.wait_for("oldest due first")
                app.keys(*extra)
                app.wait_for("Write off 3.00")
            app.keys("C-s")
            app.wait_for(f"Receipt {amount} saved in the batch")
        screen = app.wait_for("BALANCED")
        assert "Entered 1,172.50 5/5" in screen
        app.keys("F10")
        app.wait_for("Post the batch: 5 receipts, 1,172.50?")
        app.keys("y")
        screen = app.wait_for("POSTED DEP-000001")
        assert "Traceback" not in screen
        app.keys("C-q")
    finally:
        app.close()

    done = run(db, "check", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    for account, _amount, _ref, _extra, left in CHECKS:
        data = json.loads(run(db, "account", account, "--format", "json").stdout)
        assert data["balance"] == left.replace(",", ""), account
