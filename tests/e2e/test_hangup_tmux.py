"""End to end: the terminal goes away (SIGHUP, as a dropped SSH link sends) while an
invoice is being typed in the real `artui`: nothing committed is lost, the invoice is
kept as a draft, and the next start says so."""

import datetime as dt
import subprocess
import time

import pytest

from artui.book import open_book
from artui.invoices import drafts, invoice_lines

from .tmux import ARTUI, Tmux

pytestmark = pytest.mark.slow
TODAY = "2026-11-24"


def test_a_dropped_connection_keeps_the_invoice_being_typed(tmp_path):
    db = str(tmp_path / "book.db")
    env = {"ARTUI_USER": "alice", "ARTUI_TODAY": TODAY, "XDG_DATA_HOME": str(tmp_path / "data")}
    subprocess.run(
        [ARTUI, "--db", db, "demo", "--customers", "20", "--seed", "2"],
        check=True,
        capture_output=True,
        env={**env, "PATH": "/usr/bin:/bin"},
    )
    app = Tmux(f"{ARTUI} --db {db}", env=env)
    try:
        app.wait_for("Type to search")
        app.keys("F3")
        app.wait_for("New invoice")
        app.keys("C10005", "Enter")
        app.wait_for("Balance")
        app.keys("Enter", "Enter", "Enter", "PO-HUP", "Enter")
        app.keys("Enter", "Rush job", "Enter", "2", "Enter", "45", "Enter", "Enter", "Enter")
        app.wait_for("Total 90.00")
        # the link drops: tmux's server goes, and the shell's process gets SIGHUP
        pid = subprocess.run(
            ["tmux", "-S", app.socket, "list-panes", "-F", "#{pane_pid}"],
            capture_output=True, text=True, check=True,
        ).stdout.split()[0]  # fmt: skip
        artui = subprocess.run(
            ["pgrep", "-P", pid], capture_output=True, text=True, check=True
        ).stdout.split()[0]
        subprocess.run(["kill", "-HUP", artui], check=True)
        deadline = time.time() + 10
        while time.time() < deadline:
            if subprocess.run(["kill", "-0", artui], capture_output=True).returncode != 0:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("artui did not end on SIGHUP")
    finally:
        app.close()
    book = open_book(db, "alice", today=dt.date.fromisoformat(TODAY))
    [draft] = drafts(book)
    assert draft.amount == 9000 and draft.reference == "PO-HUP"
    assert [ln["description"] for ln in invoice_lines(book, draft.id)] == ["Rush job"]
    book.dispose()
    # the next start says what was kept
    again = Tmux(f"{ARTUI} --db {db}", env=env)
    try:
        screen = again.wait_for("When the connection dropped")
        assert "kept as a draft" in screen
    finally:
        again.close()


def test_the_program_ends_when_its_terminal_is_killed(tmp_path):
    """The kernel sends SIGCONT with the SIGHUP of a terminal that goes away. Textual
    took it for the end of a Ctrl+Z and restarted its output on the dead terminal;
    closing then waited for ever on a full queue and the program hung, holding the book
    open (2 of 3 runs before the fix). Each run kills the terminal on a full account."""
    db = str(tmp_path / "book.db")
    env = {"ARTUI_USER": "alice", "ARTUI_TODAY": TODAY}
    subprocess.run(
        [ARTUI, "--db", db, "demo", "--customers", "30", "--seed", "5"],
        check=True,
        capture_output=True,
        env={**env, "PATH": "/usr/bin:/bin"},
    )
    for n in range(3):
        app = Tmux(f"{ARTUI} --db {db}", env=env)
        try:
            app.wait_for("Type to search")
            app.keys("C10012", "Enter")
            app.wait_for("Last payment")
        finally:
            app.close()  # kill-server: the terminal is gone
        deadline = time.time() + 10
        left = ""
        while time.time() < deadline:
            left = subprocess.run(["pgrep", "-f", db], capture_output=True, text=True).stdout
            if not left.strip():
                break
            time.sleep(0.2)
        if left.strip():
            subprocess.run(["pkill", "-9", "-f", db], check=False)
        assert not left.strip(), f"run {n}: artui still running after its terminal went away"
