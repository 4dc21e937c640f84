"""Bytes the workstation sends to the terminal: what a clerk on a thin SSH link pays
for the start, a Down arrow in a long table, a PageDown, a character typed into the
lookup, and a second of doing nothing. Measured through a real pseudo-terminal at 80x24:
the real `artui` runs on the slave side and every byte it writes is counted on the
master side once the screen has settled.

`measure_bandwidth()` gives the figures for suite.table(); `python -m
tests.benchmarks.bandwidth` prints them."""

import datetime as dt
import fcntl
import os
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

from .suite import Figure, table

ARTUI = str(Path(sys.executable).with_name("artui"))
TODAY = "2026-11-24"
QUIET = 0.3  # seconds without output that count as "the screen has settled"


class PtyApp:
    """The real `artui` on a pseudo-terminal, with a count of the bytes it has written."""

    def __init__(
        self, argv: list[str], env: dict[str, str], *, cols: int = 80, rows: int = 24
    ) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

        def controlling_tty() -> None:  # after setsid: the pty becomes the session's tty
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            preexec_fn=controlling_tty,
            close_fds=True,
        )
        os.close(slave)
        self.total = 0
        self.last_output = time.monotonic()
        self.tail = b""  # the last bytes written, to wait for a text to appear
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.2)
                if not ready:
                    if self.proc.poll() is not None:
                        return
                    continue
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self.total += len(data)
                self.last_output = time.monotonic()
                self.tail = (self.tail + data)[-200_000:]

    def settle(self, quiet: float = QUIET, timeout: float = 20.0, since: float = 0.0) -> None:
        """Until nothing has been written for `quiet` seconds, counted from `since` at the
        earliest (or `timeout` passes: a screen that never stops writing is measured as
        it is)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                idle = time.monotonic() - max(self.last_output, since)
            if idle >= quiet:
                return
            time.sleep(0.02)

    def wait_for(self, text: str, timeout: float = 20.0) -> None:
        needle = text.encode()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if needle in self.tail:
                    return
            time.sleep(0.02)
        raise AssertionError(f"{text!r} was never written to the terminal")

    def send(self, data: str) -> int:
        """Bytes written in answer to `data`, once the screen has settled."""
        before = self.total
        sent = time.monotonic()
        os.write(self.master, data.encode())
        self.settle(since=sent)
        return self.total - before

    def answer_ms(self, data: str) -> float:
        """Milliseconds from sending `data` to the first byte written back."""
        before = self.total
        sent = time.monotonic()
        os.write(self.master, data.encode())
        while self.total == before and time.monotonic() - sent < 5:
            time.sleep(0.001)
        took = (time.monotonic() - sent) * 1000
        self.settle()
        return took

    def idle(self, seconds: float) -> int:
        before = self.total
        time.sleep(seconds)
        return self.total - before

    def close(self) -> None:
        if self.proc.poll() is None:
            os.write(self.master, b"\x11")  # Ctrl+Q
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(2)
        os.close(self.master)


DOWN, PAGE_DOWN, CLEAR = "\x1b[B", "\x1b[6~", "\x15"  # Ctrl+U empties a field


def busiest(db: str) -> tuple[str, str]:
    """The account and name of the customer with the most documents (the longest
    history), read straight from the file."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT c.account, c.name FROM document d JOIN customer c ON c.id = d.customer_id"
            " GROUP BY c.id ORDER BY count(*) DESC, c.id LIMIT 1"
        ).fetchone()
    finally:
        conn.close()


SSH_ENV = {"SSH_CONNECTION": "127.0.0.1 50000 127.0.0.1 22"}  # as sshd sets it


def measure_bandwidth(
    customers: int = 200,
    extra_env: dict[str, str] | None = None,
    argv: list[str] | None = None,
    ssh: bool = True,
) -> list[Figure]:
    """The figures at 80x24 on a small demo book (built in a temporary folder), for
    `artui` (or `argv`, to compare another way of starting it) with `extra_env`; as a
    session that came in over SSH unless `ssh` is False."""
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "book.db")
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": tmp,
            "XDG_DATA_HOME": str(Path(tmp) / "data"),
            "ARTUI_USER": "alice",
            "ARTUI_TODAY": TODAY,
            "LANG": "C.UTF-8",
        }
        subprocess.run(
            [ARTUI, "--db", db, "demo", "--customers", str(customers), "--seed", "3"],
            check=True,
            capture_output=True,
            env=env,
        )
        account, name = busiest(db)
        app = PtyApp(
            [*(argv or [ARTUI]), "--db", db],
            {**env, "TERM": "xterm-256color", **(SSH_ENV if ssh else {}), **(extra_env or {})},
        )
        try:
            app.wait_for("Type to search")
            app.settle()
            start = app.total
            idle_lookup = app.idle(2.0) / 2
            word = name.split()[0][:5].lower()
            typed = [app.send(ch) for ch in word]
            app.send(CLEAR)
            app.send("a")  # a page and more of results
            app.send(DOWN)  # into the results
            results = [app.send(DOWN) for _ in range(15)]
            app.send("\x1b")  # back to the box
            app.send(CLEAR)
            app.send(account + "\r")  # the busiest account
            app.wait_for("Last payment")
            app.settle()
            idle_account = app.idle(2.0) / 2
            tabs = [app.send(tab) for tab in "2341"]  # the account's tabs by number
            app.send("2")  # its history
            downs = [app.send(DOWN) for _ in range(20)]  # past its first page
            pages = [app.send(PAGE_DOWN) for _ in range(3)]
            escapes = []  # a lone Escape: back to the lookup, and the account again
            for _ in range(5):
                escapes.append(app.answer_ms("\x1b"))
                app.send(CLEAR)
                app.send(account + "\r")
                app.wait_for("Last payment")
                app.settle()
        finally:
            app.close()

    def fig(name: str, values: list[int], target: int) -> Figure:
        med = statistics.median(values)
        return Figure(name, med, max(values), "bytes", f"median < {target:,}", med < target)

    return [
        Figure(
            "bytes to the terminal at start, 80x24",
            start,
            None,
            "bytes",
            "< 12,000",
            start < 12_000,
        ),
        fig("  per character typed in the lookup", typed, 4_000),
        fig("  per Down in the lookup results (15 rows)", results, 1_000),
        fig("  per Down in an account's history (20 rows)", downs, 3_000),
        fig("  per PageDown in an account's history", pages, 3_000),
        fig("  per tab of the account (2, 3, 4, 1)", tabs, 12_000),
        Figure("  per second idle, lookup", idle_lookup, None, "bytes/s", "0", idle_lookup == 0),
        Figure("  per second idle, account", idle_account, None, "bytes/s", "0", idle_account == 0),
        Figure(
            "Escape to the screen answering",
            statistics.median(escapes),
            max(escapes),
            "ms",
            "< 60 ms",
            statistics.median(escapes) < 60,
        ),
    ]


def available() -> str | None:
    """Why the figures cannot be taken here, or None."""
    if not hasattr(os, "openpty"):
        return "no pseudo-terminals on this system"
    if shutil.which(ARTUI) is None and not os.path.exists(ARTUI):
        return f"{ARTUI} is not installed"
    return None


if __name__ == "__main__":
    when = dt.datetime.now().isoformat(timespec="seconds")
    print(table(f"ARTUI bytes to the terminal over SSH ({when})", measure_bandwidth()))
