"""A writer killed with SIGKILL in the middle of a run of postings, 20 times: after each,
every posting is whole or absent, every acknowledged one is there, `artui check` passes."""

import os
import random
import signal
import subprocess
import sys
import time

from sqlalchemy import text

from artui.book import open_book
from artui.check import check_book
from artui.customers import CustomerInput, create_customer

from .conftest import TODAY

RUNS = 100 if os.environ.get("ARTUI_DEEP") else 20


def test_sigkill_during_postings(tmp_path):
    db = str(tmp_path / "book.db")
    book = open_book(db, "alice", create=True, today=TODAY)
    create_customer(book, CustomerInput("C1", "Crash Test Dummies Inc."))
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {**os.environ, "PYTHONPATH": root, "ARTUI_TODAY": TODAY.isoformat()}
    rng = random.Random(5)
    acked_total = 0
    for run in range(RUNS):
        ack = tmp_path / f"ack-{run}.txt"
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.workers", "post", db, str(ack), str(run)],
            env=env,
            stderr=subprocess.PIPE,
        )
        time.sleep(rng.uniform(0.8, 2.0))  # start-up, then a while of postings
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        acked = ack.read_text().split() if ack.exists() else []
        acked_total += len(acked)
        with book.engine.connect() as conn:
            present = {
                r[0]
                for r in conn.execute(
                    text("SELECT command_id FROM document WHERE command_id IS NOT NULL")
                )
            }
            partial = conn.execute(
                text(
                    "SELECT count(*) FROM document d WHERE d.kind = 'invoice' AND "
                    "(SELECT count(*) FROM invoice_line l WHERE l.document_id = d.id) != 3"
                )
            ).scalar()
        missing = [c for c in acked if c not in present]
        assert not missing, f"run {run}: acknowledged but lost: {missing[:5]}"
        assert partial == 0, f"run {run}: an invoice without all its lines"
        problems = check_book(book)
        assert problems == [], f"run {run}: {problems[:5]}"
    assert acked_total > RUNS  # the writer really was posting when it died
    print(f"\ncrash: {RUNS} SIGKILLs, {acked_total} acknowledged postings, none lost")
    book.dispose()
