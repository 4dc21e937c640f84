"""End to end over real SSH: an OpenSSH server on loopback, a key login as a clerk, the
real `artui` in the session's pseudo-terminal (driven through tmux, which plays the
clerk's terminal), with the terminal types clerks have: PuTTY's default `xterm` (16
colours), `xterm-256color`, and `screen-256color` (tmux or screen on the clerk's side),
at 80x24 and 132x43. Then the link drops mid-invoice: the draft is kept, the next login
offers it, and `artui check` passes."""

import datetime as dt
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from artui.account import account_summary
from artui.book import open_book
from artui.customers import contacts
from artui.invoices import drafts, invoice_lines
from artui.lookup import search
from artui.money import format_amount

from .sshd import SshServer, SshUnavailable, remote
from .tmux import ARTUI, Tmux

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ssh")]
TODAY = "2026-11-24"
BACKGROUNDS_16 = {str(n) for n in [*range(40, 48), *range(100, 108)]}


@pytest.fixture(scope="module")
def sshd():
    try:
        server = SshServer()
    except SshUnavailable as exc:
        pytest.skip(f"no SSH server: {exc}")
    yield server
    server.stop()


def make_book(server: SshServer, customers: int, seed: int) -> tuple[Path, str]:
    """A demo book in a folder of the login user's, who is a clerk of the book."""
    folder = Path(tempfile.mkdtemp(prefix="artui-ssh-"))
    db = str(folder / "book.db")
    env = {"ARTUI_USER": "alice", "ARTUI_TODAY": TODAY, "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [ARTUI, "--db", db, "demo", "--customers", str(customers), "--seed", str(seed)],
        check=True,
        capture_output=True,
        env=env,
    )
    subprocess.run(
        [ARTUI, "--db", db, "user", "add", server.user, "--role", "clerk"],
        check=True,
        capture_output=True,
        env=env,
    )
    (folder / "data").mkdir()
    server.give(folder)
    return folder, db


def login(server: SshServer, folder: Path, db: str, term: str, size: tuple[int, int]) -> Tmux:
    """The clerk's terminal (a tmux pane of `size`, TERM=`term`) logged in, in ARTUI."""
    line = remote(
        [ARTUI, "--db", db],
        {"ARTUI_TODAY": TODAY, "XDG_DATA_HOME": str(folder / "data"), "LANG": "C.UTF-8"},
    )
    return Tmux(server.ssh_command(line), width=size[0], height=size[1], env={"TERM": term})


@pytest.fixture(scope="module")
def lookup_book(sshd):
    folder, db = make_book(sshd, 40, 3)
    book = open_book(db, "alice", today=dt.date.fromisoformat(TODAY))
    # a customer whose phone's last four digits find only them
    for cid in range(1, 41):
        digits = re.sub(r"\D", "", contacts(book, cid)[0].phone)[-4:]
        if [h.customer_id for h in search(book, digits)] == [cid]:
            break
    summary = account_summary(book, cid)
    book.dispose()
    sshd.give(folder)
    yield folder, db, digits, summary
    shutil.rmtree(folder, ignore_errors=True)


def colours(app: Tmux) -> set[str]:
    """The SGR colour parameters on the pane as tmux holds them (capture-pane -e)."""
    styled = subprocess.run(
        ["tmux", "-S", app.socket, "capture-pane", "-e", "-p", "-t", app.name],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found: set[str] = set()
    for params in re.findall(r"\x1b\[([\d;]*)m", styled):
        found.update(p for p in params.split(";") if p)
    return found


@pytest.mark.parametrize(
    ("term", "size"),
    [
        ("xterm", (80, 24)),
        ("xterm-256color", (80, 24)),
        ("screen-256color", (80, 24)),
        ("xterm-256color", (132, 43)),
    ],
)
def test_lookup_and_account_over_ssh(sshd, lookup_book, term, size):
    folder, db, digits, summary = lookup_book
    app = login(sshd, folder, db, term, size)
    try:
        app.wait_for("Type to search", timeout=30)
        app.keys(digits, literal=True)
        app.wait_for(summary.customer.account)
        if term == "xterm":
            # 16 colours: no 256-colour or true-colour codes reach the terminal
            used = colours(app)
            assert not {"38", "48"} & used, "xterm got more than 16 colours"
            # bars and headers, the body, the highlight: told apart by background
            backgrounds = {c for c in used if c in BACKGROUNDS_16}
            assert len(backgrounds) >= 3, f"16 colours: rows not told apart ({backgrounds})"
        app.keys("Down")  # into the results, then open the one found
        app.keys("Enter")
        screen = app.wait_for("Last payment")
        first = screen.splitlines()[0]
        assert summary.customer.account in first
        shown = re.search(r"Balance (-?[\d,]+\.\d\d)", screen).group(1)
        assert shown == format_amount(summary.balance)
        app.keys("2")  # the history tab, by key; a few rows down
        app.keys("Down", "Down", "Down")
        screen = app.wait_for("Charge")  # a column only the history has
        assert "Traceback" not in screen
        lines = screen.splitlines()
        assert len(lines) == size[1] and max(len(x) for x in lines) <= size[0]
        app.keys("C-q")
    finally:
        app.close()


def test_a_dropped_link_keeps_the_invoice_and_the_next_login_offers_it(sshd):
    folder, db = make_book(sshd, 20, 2)
    try:
        app = login(sshd, folder, db, "xterm-256color", (80, 24))
        try:
            app.wait_for("Type to search", timeout=30)
            app.keys("F3")
            app.wait_for("New invoice")
            app.keys("C10005", "Enter")
            app.wait_for("Balance")
            app.keys("Enter", "Enter", "Enter", "PO-SSH", "Enter")
            app.keys("Enter", "Rush job", "Enter", "2", "Enter", "45", "Enter", "Enter", "Enter")
            app.wait_for("Total 90.00")
            # the link drops: the clerk's ssh client dies without a word to the server
            shell = subprocess.run(
                ["tmux", "-S", app.socket, "list-panes", "-F", "#{pane_pid}"],
                capture_output=True, text=True, check=True,
            ).stdout.split()[0]  # fmt: skip
            client = subprocess.run(
                ["pgrep", "-P", shell, "-x", "ssh"], capture_output=True, text=True, check=True
            ).stdout.split()[0]
            subprocess.run(["kill", "-KILL", client], check=True)
            wait_gone(db)
        finally:
            app.close()
        book = open_book(db, "alice", today=dt.date.fromisoformat(TODAY))
        [draft] = drafts(book)
        assert draft.amount == 9000 and draft.reference == "PO-SSH"
        assert [ln["description"] for ln in invoice_lines(book, draft.id)] == ["Rush job"]
        assert not posted_with(book, "PO-SSH")  # nothing half-posted
        book.dispose()
        sshd.give(folder)
        again = login(sshd, folder, db, "xterm-256color", (80, 24))
        try:
            screen = again.wait_for("When the connection dropped", timeout=30)
            assert "kept as a draft" in screen
            again.keys("Enter")
            again.keys("C-q")
            wait_gone(db)
        finally:
            again.close()
        check = sshd.run(remote([ARTUI, "--db", db, "check"], {"ARTUI_TODAY": TODAY}))
        assert check.returncode == 0, check.stdout + check.stderr
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def wait_gone(db: str, timeout: float = 15.0) -> None:
    """Until no `artui` runs on this book (the server hung it up, or it quit)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if subprocess.run(["pgrep", "-f", running(db)], capture_output=True).returncode == 1:
            return
        time.sleep(0.1)
    raise AssertionError("artui still runs after its SSH session ended")


def running(db: str) -> str:
    """A pgrep pattern for the Python process of `artui --db db` (not the shells and the
    ssh client whose command lines also name the book)."""
    return "^[^ ]*python[^ ]* [^ ]*artui --db " + db.replace(".", "[.]") + "$"


def posted_with(book, reference: str) -> list:  # noqa: ANN001
    from sqlalchemy import text

    return book.read(
        lambda tx: tx.conn.execute(
            text("SELECT number FROM document WHERE reference = :r AND status != 'draft'"),
            {"r": reference},
        ).all()
    )
