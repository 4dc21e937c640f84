"""SIGKILL at named places before and after COMMIT (artui/faultpoints.py), then the work
done again, as a clerk presses post again after reconnecting: every acknowledged posting
is there exactly once, a re-post says "already posted" and adds nothing, `artui check`
passes, and every outbox message reached the mail server exactly once.

A worker is forked from this warm process (an interpreter start costs half a second),
armed to die at one place on a random N-th passing, and acknowledges each posting to a
file (fsynced) only after the call returned, as tests/integration/workers.py does.
50 runs spread over the places in `make test`; 1,000 with ARTUI_DEEP=1.
"""

import datetime as dt
import mailbox
import os
import random
import signal
import subprocess
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from email.parser import BytesHeaderParser
from pathlib import Path

import pytest
from sqlalchemy import text

from artui import batches, faultpoints, outbox
from artui import statement_runs as runs
from artui.book import Book, open_book
from artui.check import check_book
from artui.customers import ContactInput, CustomerInput, create_customer, save_contact
from artui.errors import AlreadyPosted, DomainError
from artui.invoices import InvoiceInput, post_invoice
from artui.outbox import MailSettings
from artui.pricing import LineInput
from artui.receipts import PaymentInput, receive_payment
from db.engine import make_engine

from .conftest import TODAY, free_port

pytestmark = pytest.mark.xdist_group("faults")

RUNS = 1000 if os.environ.get("ARTUI_DEEP") else 50
ACCOUNTS = ("C1", "C2", "C3", "C4")
POSTINGS = 8  # invoices and payments a worker posts in one run
BATCHES = 3  # deposit batches of two plain receipts a worker posts in one run


# -- the mail server: aiosmtpd in its own process, keeping what it gets in a maildir --
class MailServer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.read: dict[str, str] = {}  # maildir key -> Message-ID
        port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"]
            + ["-c", "aiosmtpd.handlers.Mailbox", str(folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.settings = MailSettings(host="127.0.0.1", port=port, sender="ar@example.com")
        import socket

        deadline = time.time() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("the test mail server did not start") from None
                time.sleep(0.05)

    def message_ids(self) -> Counter:
        """How many times each Message-ID arrived."""
        box = mailbox.Maildir(self.folder, factory=None, create=False)
        parser = BytesHeaderParser()
        for key in box.iterkeys():
            if key not in self.read:
                with box.get_file(key) as fh:
                    self.read[key] = parser.parse(fh)["Message-ID"]
        return Counter(self.read.values())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def message_id(outbox_id: int) -> str:
    return f"<artui-outbox-{outbox_id}@example.com>"


# -- a worker forked from this process --------------------------------------------------
def fork_worker(point: str, after: int, work: Callable[[Book], None], db: str) -> int:
    """Run `work` in a forked child armed to die at `point` after `after` passings;
    returns the child's wait status."""
    pid = os.fork()
    if pid == 0:  # the child: its own engine, never the parent's connections
        code = 0
        try:
            faultpoints.arm(point, after)
            work(Book(make_engine(db), "alice", today=TODAY))
        except BaseException:  # noqa: BLE001 - reported to the parent by the exit code
            traceback.print_exc()
            code = 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return status


def acked(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def ack(fh, word: str) -> None:  # noqa: ANN001
    fh.write(word + "\n")
    fh.flush()
    os.fsync(fh.fileno())


# -- the work of each kind of place -----------------------------------------------------
def postings(run: int) -> list[tuple[str, object]]:
    """The same postings every time for a run: (command id, input)."""
    rng = random.Random(run)
    out: list[tuple[str, object]] = []
    for n in range(POSTINGS):
        account = rng.choice(ACCOUNTS)
        if rng.random() < 0.6:
            cmd = f"inv-{run}-{n}"
            lines = [LineInput(f"line {k}", 1000, rng.randint(100, 9999)) for k in range(3)]
            out.append((cmd, InvoiceInput(account, TODAY, lines, command_id=cmd)))
        else:
            cmd = f"pay-{run}-{n}"
            out.append((cmd, PaymentInput(account, rng.randint(100, 20000), TODAY, command_id=cmd)))
    return out


def post(book: Book, inp: object) -> None:
    if isinstance(inp, InvoiceInput):
        post_invoice(book, inp)
    else:
        receive_payment(book, inp)  # type: ignore[arg-type]


class Tally:
    def __init__(self) -> None:
        self.runs = self.killed = self.acked = self.lost = self.duplicated = 0
        self.reposted = self.said_already = self.violations = 0
        self.sent = 0

    def add(self, other: "Tally") -> None:
        for k, v in vars(other).items():
            setattr(self, k, getattr(self, k) + v)


def run_postings(book: Book, db: str, point: str, run: int, folder: Path, t: Tally) -> None:
    work = postings(run)
    ack_path = folder / f"ack-{run}.txt"

    def child(b: Book) -> None:
        with ack_path.open("a") as fh:
            for cmd, inp in work:
                post(b, inp)
                ack(fh, cmd)

    status = fork_worker(point, random.Random(run).randrange(POSTINGS), child, db)
    t.killed += os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    done = acked(ack_path)
    t.acked += len(done)
    present = command_counts(book, [cmd for cmd, _ in work])
    t.lost += sum(1 for cmd in done if cmd not in present)
    # the clerk presses post again for every one of them, the same command ids
    for cmd, inp in work:
        t.reposted += 1
        try:
            post(book, inp)
        except AlreadyPosted as exc:
            assert "already posted" in str(exc), str(exc)
            t.said_already += 1
        else:
            assert cmd not in done, f"{point} run {run}: {cmd} was acknowledged, then lost"
    counts = command_counts(book, [cmd for cmd, _ in work])
    t.duplicated += sum(n - 1 for n in counts.values() if n > 1)
    assert all(counts.get(cmd) == 1 for cmd, _ in work), f"{point} run {run}: {counts}"


def command_counts(book: Book, commands: list[str]) -> dict[str, int]:
    with book.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT command_id, count(*) FROM document WHERE command_id IS NOT NULL "
                 "GROUP BY command_id")
        ).all()  # fmt: skip
    wanted = set(commands)
    return {c: n for c, n in rows if c in wanted}


def run_outbox(book: Book, db: str, point: str, run: int, mail: MailServer, t: Tally) -> None:
    count = 4
    ids = [
        book.write(
            lambda tx, k=k: outbox.enqueue(
                tx, outbox.Mail(f"c{k}@customer.test", f"Reminder {run}-{k}", "Please pay.")
            )
        )
        for k in range(count)
    ]
    book.dispose()

    def child(b: Book) -> None:
        outbox.deliver(b, mail.settings)

    status = fork_worker(point, random.Random(run).randrange(count), child, db)
    t.killed += os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    # what the server acknowledged before the worker died
    before = mail.message_ids()
    t.acked += sum(1 for i in ids if before[message_id(i)])
    outbox.deliver(book, mail.settings)  # the next start delivers what is pending
    assert outbox.deliver(book, mail.settings) == []
    seen = mail.message_ids()
    status_of = {r["id"]: r["status"] for r in outbox.entries(book)}
    for i in ids:
        got = seen[message_id(i)]
        t.lost += got == 0
        t.duplicated += max(0, got - 1)
        t.sent += got == 1
        # the one that died between sending and marking stays "delivery unknown"
        assert status_of[i] in ("sent", "sending"), status_of[i]
    assert [seen[message_id(i)] for i in ids] == [1] * count, f"{point} run {run}"


def run_batches(book: Book, db: str, point: str, run: int, folder: Path, t: Tally) -> None:
    ids = []
    for b in range(BATCHES):
        lines = []
        for k, account in enumerate(("C1", "C2")):
            amount = 1000 + 100 * b + k + run % 50
            inv = post_invoice(
                book, InvoiceInput(account, TODAY, [LineInput("Work", 1000, amount)])
            )
            lines.append(
                batches.ReceiptLine(account, amount, allocations=((inv.doc.id, amount, "x"),))
            )
        bid = batches.open_batch(book, TODAY, sum(ln.amount for ln in lines), len(lines))
        for ln in lines:
            batches.add_receipt(book, bid, ln)
        ids.append(bid)
    book.dispose()
    ack_path = folder / f"ack-{run}.txt"

    def child(b: Book) -> None:
        with ack_path.open("a") as fh:
            for bid in ids:
                batches.post_batch(b, bid)
                ack(fh, str(bid))

    status = fork_worker(point, random.Random(run).randrange(BATCHES), child, db)
    t.killed += os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    done = acked(ack_path)
    t.acked += len(done)
    posted = {bid for bid, n in batch_payments(book, ids) if n}
    t.lost += sum(1 for bid in done if int(bid) not in posted)
    for bid in ids:
        t.reposted += 1
        try:
            batches.post_batch(book, bid)
        except DomainError as exc:
            assert "is posted" in str(exc), str(exc)
            t.said_already += 1
            assert batches.batch_row(book, bid)["status"] == "posted"
        else:
            assert str(bid) not in done, f"{point} run {run}: batch {bid} acknowledged, then lost"
    rows = batch_payments(book, ids)
    for _bid, n in rows:
        t.duplicated += max(0, n - 1)
    assert [n for _, n in rows] == [1] * (2 * BATCHES), f"{point} run {run}: {rows}"


def batch_payments(book: Book, ids: list[int]) -> list[tuple[int, int]]:
    """(batch id, payments posted) for each receipt line of the batches."""
    with book.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT r.batch_id, count(d.id) FROM batch_receipt r LEFT JOIN document d "
                 "ON d.command_id = 'batch-' || r.batch_id || '-line-' || r.id "
                 f"WHERE r.batch_id IN ({','.join(map(str, ids))}) GROUP BY r.id")
        ).all()  # fmt: skip
    return [(bid, n) for bid, n in rows]


def run_statements(book: Book, db: str, point: str, run: int, mail: MailServer, t: Tally) -> None:
    folder = mail.folder.parent / f"run-{run}"
    crit = runs.RunCriteria(TODAY, accounts=ACCOUNTS)
    run_id = runs.create_run(book, crit, "email", folder)
    book.dispose()
    places = len(ACCOUNTS) if point == "statement_run.marked" else len(ACCOUNTS) // runs.BATCH
    ack_path = mail.folder.parent / f"ack-{run}.txt"

    def child(b: Book) -> None:
        with ack_path.open("a") as fh:
            runs.continue_run(
                b, run_id, mail_settings=mail.settings, progress=lambda p: ack(fh, str(p.done))
            )

    status = fork_worker(point, random.Random(run).randrange(places), child, db)
    t.killed += os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    done = max((int(x) for x in acked(ack_path)), default=0)
    t.acked += done
    info = runs.continue_run(book, run_id, mail_settings=mail.settings)  # the clerk goes on
    assert (info.status, info.done, info.total) == ("done", len(ACCOUNTS), len(ACCOUNTS))
    with book.engine.connect() as conn:
        items = conn.execute(
            text("SELECT status, outbox_id FROM statement_run_item WHERE run_id = :r"),
            {"r": run_id},
        ).all()
    seen = mail.message_ids()
    for _status, outbox_id in items:
        got = seen[message_id(outbox_id)] if outbox_id else 0
        t.lost += got == 0
        t.duplicated += max(0, got - 1)
        t.sent += got == 1
    assert [(s, seen[message_id(o)] if o else 0) for s, o in items] == [("done", 1)] * len(
        ACCOUNTS
    ), f"{point} run {run}: {items}"


# -- the test ---------------------------------------------------------------------------
def make_book(db: str) -> Book:
    book = open_book(db, "alice", create=True, company="Test Co", today=TODAY)
    for n, account in enumerate(ACCOUNTS, 1):
        cid = create_customer(book, CustomerInput(account, f"Crash Customer {n}"))
        save_contact(book, cid, ContactInput(f"Payer {n}", email=f"p{n}@customer.test",
                                             is_billing=True))  # fmt: skip
        post_invoice(book, InvoiceInput(account, TODAY - dt.timedelta(days=40),
                                        [LineInput("Opening", 1000, 50000 * n)]))  # fmt: skip
    return book


def test_sigkill_at_named_places_loses_nothing_and_doubles_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(runs, "BATCH", 2)  # a four-customer run makes two batches
    import artui.pdf.statement  # noqa: F401 - imported once here, not in every worker

    points = faultpoints.POINTS
    total = Tally()
    started = time.perf_counter()
    for i, point in enumerate(points):
        folder = tmp_path / point
        folder.mkdir()
        db = str(folder / "book.db")
        book = make_book(db)
        mail = MailServer(folder / "mail") if point.startswith(("outbox", "statement")) else None
        t = Tally()
        point_started = time.perf_counter()
        try:
            share = RUNS // len(points) + (i < RUNS % len(points))
            for k in range(share):
                run = i * 10000 + k
                book.dispose()  # no connection of ours goes into the fork
                if point.startswith("write."):
                    run_postings(book, db, point, run, folder, t)
                elif point.startswith("outbox."):
                    run_outbox(book, db, point, run, mail, t)
                elif point.startswith("batch_post."):
                    run_batches(book, db, point, run, folder, t)
                else:
                    run_statements(book, db, point, run, mail, t)
                problems = check_book(book)
                t.violations += len(problems)
                assert problems == [], f"{point} run {run}: {problems[:5]}"
                t.runs += 1
        finally:
            if mail:
                mail.stop()
            book.dispose()
        assert t.killed == t.runs, f"{point}: the worker died at the place {t.killed} of {t.runs}"
        print(
            f"\n  {point}: {t.runs} runs, {t.killed} killed, {t.acked} acknowledged, "
            f"{t.lost} lost, {t.duplicated} duplicated, {t.said_already} re-posts said "
            f"already posted, {t.sent} mails once, {t.violations} check violations "
            f"({time.perf_counter() - point_started:.1f} s)"
        )
        total.add(t)
    print(
        f"\ncrash points: {total.runs} runs, {len(points)} points, {total.acked} acknowledged, "
        f"{total.lost} lost, {total.duplicated} duplicated, {total.violations} check "
        f"violations ({time.perf_counter() - started:.1f} s)"
    )
    assert total.runs == RUNS
    assert total.lost == total.duplicated == total.violations == 0
    assert total.acked > 0 and total.said_already > 0
