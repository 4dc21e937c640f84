"""`artui report NAME` against a hand-computed book."""

import csv
import io
import json

from tests.integration.test_cli import hand_book, run


def test_reports_on_a_hand_book(tmp_path):
    db = str(tmp_path / "book.db")
    hand_book(db)
    for name in (
        "dso",
        "receipts",
        "register",
        "credits",
        "credit-history",
        "disputes",
        "activity",
        "month-end",
    ):
        r = run("report", name, "--from", "2026-01-01", "--to", "2026-11-24", db=db)
        assert r.returncode == 0, (name, r.stderr)
        assert "Traceback" not in r.stderr
    month = json.loads(
        run(
            "report",
            "month-end",
            "--from",
            "2026-01-01",
            "--to",
            "2026-11-24",
            "--format",
            "json",
            db=db,
        ).stdout
    )
    aging = json.loads(run("aging", "--format", "json", db=db).stdout)
    for row in month["rows"]:
        assert row["difference"] == "0.00"
        assert row["opening"] == "0.00"  # nothing before 2026
    closing = {r["currency"]: r["closing"] for r in month["rows"]}
    assert closing, month
    assert set(closing) <= {t["currency"] for t in aging["totals"]}
    receipts = list(
        csv.DictReader(
            io.StringIO(
                run("report", "receipts", "--from", "2026-01-01", "--format", "csv", db=db).stdout
            )
        )
    )
    assert receipts and all(r["kind"] == "payment" for r in receipts)
    bad = run("report", "receipts", "--from", "2026-12-01", "--to", "2026-11-01", db=db)
    assert bad.returncode == 2 and "--from is after --to" in bad.stderr
    nope = run("report", "nonsense", db=db)
    assert nope.returncode == 2


def test_month_end_flags_a_control_total_that_does_not_tie(tmp_path):
    """A control total changed behind the ledger's back (a planted fault): month-end says
    which currency does not tie and exits 1."""
    import sqlite3

    db = str(tmp_path / "book.db")
    hand_book(db)
    ok = run("report", "month-end", "--from", "2026-11-01", "--to", "2026-11-24", db=db)
    assert ok.returncode == 0, ok.stderr
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "UPDATE daily_total SET debits = debits + 1 "
            "WHERE rowid = (SELECT min(rowid) FROM daily_total)"
        )
    conn.close()
    bad = run(
        "report",
        "month-end",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-24",
        "--format",
        "json",
        db=db,
    )
    assert bad.returncode == 1
    assert "does not tie for USD" in bad.stderr, bad.stderr
    [row] = [r for r in json.loads(bad.stdout)["rows"] if r["currency"] == "USD"]
    assert row["gl_difference"] == "0.01"
