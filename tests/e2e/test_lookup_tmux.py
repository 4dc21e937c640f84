"""End to end: the real `artui` in tmux at 80x24 on a demo book. Type four digits of a
customer's phone, open the account, read the balance off the screen and compare it with
`artui account --format json`... or, until that command exists, the core's summary."""

import datetime as dt
import json
import re
import subprocess

import pytest

from artui.account import account_summary
from artui.book import open_book
from artui.customers import contacts
from artui.lookup import search
from artui.money import format_amount

from .tmux import ARTUI, Tmux

pytestmark = pytest.mark.slow
TODAY = "2026-11-24"


def account_json(db: str, account: str) -> dict | None:
    result = subprocess.run(
        [ARTUI, "--db", db, "account", account, "--format", "json"],
        capture_output=True,
        text=True,
        env={"ARTUI_TODAY": TODAY, "PATH": "/usr/bin:/bin"},
    )
    return json.loads(result.stdout) if result.returncode == 0 else None


def test_phone_digits_to_account_balance(tmp_path):
    db = str(tmp_path / "book.db")
    subprocess.run(
        [ARTUI, "--db", db, "demo", "--customers", "50", "--seed", "3"],
        check=True,
        capture_output=True,
        env={"ARTUI_USER": "alice", "ARTUI_TODAY": TODAY, "PATH": "/usr/bin:/bin"},
    )
    book = open_book(db, "alice", today=dt.date.fromisoformat(TODAY))
    # a customer whose phone's last four digits find only them
    for cid in range(1, 51):
        digits = re.sub(r"\D", "", contacts(book, cid)[0].phone)[-4:]
        hits = search(book, digits)
        if [h.customer_id for h in hits] == [cid]:
            break
    summary = account_summary(book, cid)
    app = Tmux(f"{ARTUI} --db {db}", env={"ARTUI_USER": "alice", "ARTUI_TODAY": TODAY})
    try:
        app.wait_for("Type to search")
        app.keys(digits, literal=True)
        app.wait_for(summary.customer.account)
        app.keys("Enter")
        screen = app.wait_for("Last payment")
        shown = re.search(r"Balance (-?[\d,]+\.\d\d)", screen).group(1)
        assert shown == format_amount(summary.balance)
        data = account_json(db, summary.customer.account)
        if data is not None:
            assert shown.replace(",", "") == data["balance"]
        assert "Traceback" not in screen
        app.keys("C-q")
    finally:
        app.close()


def test_type_ahead_lands_in_the_right_fields(tmp_path):
    """A fast typist's burst (or keys bunched up by an SSH link): every Enter moves on
    before the next characters arrive, and Enter in the lookup opens what was typed."""
    db = str(tmp_path / "book.db")
    env = {"ARTUI_USER": "alice", "ARTUI_TODAY": TODAY, "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [ARTUI, "--db", db, "demo", "--customers", "30", "--seed", "5"],
        check=True,
        capture_output=True,
        env=env,
    )
    app = Tmux(f"{ARTUI} --db {db}", env={"ARTUI_USER": "alice", "ARTUI_TODAY": TODAY})
    try:
        app.wait_for("Type to search")
        app.keys("C-n")
        app.wait_for("Credit limit  0")  # the form as the clerk sees it
        app.keys("N-1", "Enter", "Burst Typing Ltd", "Enter", "Enter", "2,500", "Enter")
        app.keys("C-s")
        screen = app.wait_for("Limit 2,500.00")
        assert "Burst Typing Ltd  N-1" in screen
        app.keys("F2")
        app.wait_for("Type to search")
        app.keys("C10012", "Enter")  # in one burst: no time for the search to answer first
        screen = app.wait_for("Last payment")
        assert "C10012" in screen.splitlines()[0]
    finally:
        app.close()
