"""SIGHUP through a pseudo-terminal while an invoice is being typed, many times: the real
`artui` in a pty of its own (its controlling terminal), F3, a customer and a line typed
to a random depth, then the hang-up a dropped SSH link sends (SIGHUP to the terminal's
process group; every other run the master side closed, as sshd does). Each time: no
traceback on the terminal (where it can still be read), `artui check` passes, what was
typed is kept (a draft in the book, or its fields in a file beside it when it cannot be
a draft yet), and the next start says so.

20 runs in `make test`, 200 with ARTUI_DEEP=1: three chains at a time, each on its own
copy of a small demo book, each start showing the notice of the hang-up before it.
`artui check` runs in this process after every run (the same pass, without a second
interpreter start) and as the command itself after every tenth and each chain's last."""

import datetime as dt
import fcntl
import os
import pty
import random
import re
import select
import shutil
import signal
import struct
import subprocess
import termios
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from artui.book import Book
from artui.check import check_book
from artui.invoices import drafts
from db.engine import make_engine

from .tmux import ARTUI

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("faults")]

RUNS = 200 if os.environ.get("ARTUI_DEEP") else 20
AT_ONCE = 3
TODAY = "2026-11-24"
F3 = "\x1bOR"  # what an xterm sends for F3
ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    r"|\x1b[PX^_][^\x1b]*\x1b\\"  # DCS and the like
    r"|\x1b[@-Z\\-_]|\x1b[()][0-9A-Za-z]"
)
# what a clerk types on the invoice screen: the customer, then the header fields and a
# line (as in test_hangup_tmux.py); every run stops somewhere in it
CUSTOMER = list("C10005") + ["\r"]
REST = ["\r"] * 3 + list("PO-HUP") + ["\r", "\r"] + list("Rush job") + ["\r", "2", "\r", "4", "5"]
KEYS = CUSTOMER + REST


class Term:
    """A program in a pseudo-terminal of its own (80x24), read as a terminal would."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: its session leader, the pty its controlling terminal
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.raw = bytearray()
        self.eof = False
        self.status: int | None = None

    def read(self, timeout: float) -> bool:
        """Take what arrived within `timeout`; False when nothing did."""
        if self.eof:
            return False
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: every process holding the terminal is gone
            chunk = b""
        if not chunk:
            self.eof = True
            return False
        self.raw += chunk
        return True

    def text(self, start: int = 0) -> str:
        return ANSI.sub("", self.raw[start:].decode("utf-8", errors="replace"))

    def wait_for(self, needle: str, start: int = 0, timeout: float = 30) -> None:
        deadline = time.time() + timeout
        while needle not in self.text(start):
            if self.eof or time.time() > deadline:
                raise AssertionError(f"{needle!r} never appeared:\n{self.text()[-2000:]}")
            self.read(0.2)

    def settle(self, quiet: float = 0.4, limit: float = 5) -> None:
        """Wait until the screen has stopped changing."""
        deadline = time.time() + limit
        while time.time() < deadline and self.read(quiet):
            pass

    def send(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def hang_up(self, timeout: float = 20, *, drop: bool = False) -> bool:
        """The link goes: SIGHUP to the terminal's process group, reading on to the end;
        with `drop`, the terminal's other side is closed instead, as sshd does when the
        connection is lost (the kernel sends the SIGHUP; nothing more can be read).
        True when the program then ended by itself."""
        if drop:
            os.close(self.fd)
            self.eof = True
        else:
            os.killpg(self.pid, signal.SIGHUP)
        by_itself = True
        deadline = time.time() + timeout
        while time.time() < deadline:
            self.read(0.1)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
                break
            time.sleep(0.02 if self.eof else 0)
        else:
            by_itself = False
            os.killpg(self.pid, signal.SIGKILL)
            _, self.status = os.waitpid(self.pid, 0)
        while self.read(0.05):  # what was written last
            pass
        if not drop:
            os.close(self.fd)
        return by_itself

    def close(self) -> None:
        if self.status is None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            os.close(self.fd)


@dataclass
class Outcome:
    depth: int
    kept: bool = False  # as a draft in the book or as its fields in a file
    as_draft: bool = False
    traceback: bool = False
    check_ok: bool = False
    notice: bool = False
    exited: bool = False  # ended by itself after the hang-up
    dropped: bool = False  # the pty's master closed rather than SIGHUP sent
    detail: str = ""


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hangup-pty")
    db = folder / "demo.db"
    subprocess.run(
        [ARTUI, "--db", str(db), "demo", "--customers", "20", "--seed", "2"],
        check=True,
        capture_output=True,
        env={"ARTUI_USER": "alice", "ARTUI_TODAY": TODAY, "PATH": "/usr/bin:/bin",
             "XDG_DATA_HOME": str(folder / "data"), "HOME": str(folder)},
    )  # fmt: skip
    return db


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TMUX")}
    env.pop("SSH_CONNECTION", None)
    env.pop("SSH_TTY", None)
    env.update(
        TERM="xterm-256color",
        LANG="C.UTF-8",
        ARTUI_USER="alice",
        ARTUI_TODAY=TODAY,
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
    )
    return env


def one_chain(chain: int, runs: list[int], demo: Path, root: Path) -> list[Outcome]:
    """Runs one after another on one copy of the book: each start first shows what the
    hang-up before it kept (so a start serves two runs), then is hung up itself."""
    home = root / f"chain-{chain}"
    home.mkdir()
    db = home / "book.db"
    shutil.copy(demo, db)
    env = environment(home)
    kept_dir = home / "data" / "artui"
    outcomes: list[Outcome] = []
    previous: Outcome | None = None
    for n in runs:
        rng = random.Random(n)
        # anywhere in the typing; a third of the runs to the end, where it can be a draft
        depth = len(KEYS) if rng.random() < 1 / 3 else rng.randint(1, len(KEYS))
        out = Outcome(depth)
        drafts_before, files_before = count_drafts(db), typed_files(kept_dir)
        term = Term([ARTUI, "--db", str(db)], env)
        try:
            if previous is not None:
                previous.notice = notice_shown(term, previous)
                term.send("\r")  # Enter closes the notice
                term.settle(0.3)
            term.wait_for("Type to search")
            mark = len(term.raw)
            term.send(F3)
            term.wait_for("New invoice", mark)
            typed = KEYS[:depth]
            first, rest = typed[: len(CUSTOMER)], typed[len(CUSTOMER) :]
            mark = len(term.raw)
            term.send("".join(first))
            if len(first) == len(CUSTOMER):  # the customer chosen: its balance shows
                term.wait_for("Balance", mark)
            term.send("".join(rest))
            term.settle()
            out.dropped = n % 2 == 1  # every other run: the master side closed
            out.exited = term.hang_up(drop=out.dropped)
        finally:
            term.close()
        out.traceback = "Traceback" in term.text()
        if out.traceback:
            out.detail = term.text()[-1500:]
        said = kept_dir / "kept-on-hangup.txt"
        out.as_draft = count_drafts(db) > drafts_before
        out.kept = said.exists() and (out.as_draft or typed_files(kept_dir) > files_before)
        problems = check(db)
        out.check_ok = not problems
        out.detail += "\n".join(problems)
        if n % 10 == 0:  # and now and then the command itself, in a process of its own
            out.check_ok = out.check_ok and artui_check(db, env, out)
        outcomes.append(out)
        previous = out
    # the last hang-up's notice, on a start of its own
    term = Term([ARTUI, "--db", str(db)], env)
    try:
        previous.notice = notice_shown(term, previous)
        term.hang_up()
    finally:
        term.close()
    previous.traceback = previous.traceback or "Traceback" in term.text()
    outcomes[-1].check_ok = outcomes[-1].check_ok and artui_check(db, env, outcomes[-1])
    return outcomes


def notice_shown(term: Term, out: Outcome) -> bool:
    try:
        term.wait_for("When the connection dropped")
        return True
    except AssertionError as exc:
        out.detail += str(exc)[-800:]
        return False


def count_drafts(db: Path) -> int:
    book = Book(make_engine(str(db)), "alice", today=dt.date.fromisoformat(TODAY))
    try:
        return len(drafts(book))
    finally:
        book.dispose()


def typed_files(folder: Path) -> int:
    return len(list(folder.glob("invoice-typed-*.json")))


def check(db: Path) -> list[str]:
    """`artui check`'s pass (artui/check.py), in this process."""
    book = Book(make_engine(str(db)), "alice", today=dt.date.fromisoformat(TODAY))
    try:
        return [str(p) for p in check_book(book)]
    finally:
        book.dispose()


def artui_check(db: Path, env: dict[str, str], out: Outcome) -> bool:
    done = subprocess.run(
        [ARTUI, "--db", str(db), "check"], capture_output=True, text=True, env=env
    )
    if done.returncode != 0 or "Traceback" in done.stderr:
        out.detail += done.stdout + done.stderr
        return False
    return True


def test_sighup_through_a_pty_keeps_the_invoice_being_typed(demo_book, tmp_path):
    started = time.perf_counter()
    chains = [list(range(c, RUNS, AT_ONCE)) for c in range(AT_ONCE)]
    with ThreadPoolExecutor(AT_ONCE) as pool:
        done = pool.map(lambda c: one_chain(c, chains[c], demo_book, tmp_path), range(AT_ONCE))
        outcomes = [o for chain in done for o in chain]
    kept = sum(o.kept for o in outcomes)
    figures = {
        "runs": len(outcomes),
        "by a closed master": sum(o.dropped for o in outcomes),
        "drafts kept": kept,
        "as drafts in the book": sum(o.as_draft for o in outcomes),
        "drafts lost": len(outcomes) - kept,
        "tracebacks": sum(o.traceback for o in outcomes),
        "check failures": sum(not o.check_ok for o in outcomes),
        "notices missing": sum(not o.notice for o in outcomes),
        "hung": sum(not o.exited for o in outcomes),
    }
    print(
        "\nhang-up through a pty: "
        + ", ".join(f"{v} {k}" for k, v in figures.items())
        + f" ({time.perf_counter() - started:.1f} s)"
    )
    bad = [o for o in outcomes if not (o.kept and o.check_ok and o.notice and not o.traceback)]
    assert not bad, "\n\n".join(f"depth {o.depth}: {o}" for o in bad[:3])
    assert all(o.exited for o in outcomes)
