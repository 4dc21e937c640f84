"""End to end: the collector opens the worklist in the real `artui` in tmux at 80x24,
logs a call with a promise to pay in a few keystrokes beyond the note, and is on the
next account; the promise is in the book."""

import datetime as dt
import subprocess
import time

import pytest

from artui import collections as col
from artui.book import open_book

from .tmux import ARTUI, Tmux

pytestmark = pytest.mark.slow
TODAY = "2026-11-24"
ENV = {"ARTUI_USER": "alice", "ARTUI_TODAY": TODAY, "PATH": "/usr/bin:/bin"}


def test_log_a_call_with_a_promise_and_move_to_the_next_account(tmp_path):
    db = str(tmp_path / "book.db")
    subprocess.run(
        [ARTUI, "--db", db, "demo", "--customers", "60", "--seed", "4"],
        check=True,
        capture_output=True,
        env=ENV,
    )
    book = open_book(db, "alice", today=dt.date.fromisoformat(TODAY))
    first, second = col.worklist(book, "alice")[:2]
    app = Tmux(f"{ARTUI} --db {db}", env={k: v for k, v in ENV.items() if k != "PATH"})
    try:
        app.wait_for("Type to search")
        app.keys("F5")
        screen = app.wait_for("with nothing planned")
        assert screen.splitlines()[3].split()[0] == first.account  # the first row
        app.keys("l")
        app.wait_for("press a letter")  # the dialog, as the clerk sees it open
        # then, in one burst: the outcome's letter, the note, Ctrl+S
        app.keys("p")
        app.keys("Will mail a check on Friday", literal=True)  # the note: not counted
        app.keys("C-s")
        keystrokes = ["l", "p", "C-s"]
        app.wait_for("Call logged: promised, promise of")
        assert len(keystrokes) <= 8
        deadline = time.time() + 10
        while time.time() < deadline:  # the list reloads after the call is saved
            screen = app.screen()
            if first.account not in screen:
                break
            time.sleep(0.1)
        rows = screen.splitlines()[3:]
        assert first.account not in "\n".join(rows[:-3])  # its next action is planned
        assert rows[0].split()[0] == second.account  # the next account, under the cursor
        assert "Traceback" not in screen
        app.keys("C-q")
    finally:
        app.close()
    [promise] = col.promises(book, first.customer_id)
    assert promise["amount"] == first.past_due
    assert promise["due_on"] == dt.date(2026, 12, 1)
    [call] = col.follow_ups(book, first.customer_id)[:1]
    assert (call["outcome"], call["note"]) == ("promised", "Will mail a check on Friday")
