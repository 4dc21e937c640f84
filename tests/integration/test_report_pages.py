"""Whole-book reports by page and streamed (issue #10): the pages, one after another,
are the report; the stream is the report; both are what the aging and the open items
say, row for row and to the cent; the totals are the sums of the rows."""

import csv
import datetime as dt
import io
import json
from collections import defaultdict

import pytest

from artui import demo
from artui.aging import aging, aging_totals, open_item_count, open_items
from artui.cli_report import write_json
from artui.money import format_amount
from artui.report_tables import build, csv_cell, write_csv

from .conftest import TODAY

DATES = [TODAY, dt.date(2026, 6, 30), dt.date(2025, 11, 24)]  # today, and with add-backs


@pytest.fixture
def demo_book(book):
    demo.build(book, customers=30, seed=5, today=TODAY, workers=0)
    return book


def plain(minor: int, currency: str) -> str:
    return format_amount(minor, currency, thousands=False)


def expected_summary(book, as_of):
    """The aging summary as it was built before paging: every row of `aging`, then a
    TOTAL row per currency."""
    a = aging(book, as_of)
    rows = [
        (
            r.account,
            r.name,
            r.currency,
            *(plain(x, r.currency) for x in r[4:]),
            plain(r.balance, r.currency),
        )
        for r in a.rows
    ]
    for t in a.totals:
        figures = (t.current, t.days_1_30, t.days_31_60, t.days_61_90, t.days_over_90)
        rows.append(
            (
                "TOTAL",
                f"{t.customers} customers",
                t.currency,
                *(plain(x, t.currency) for x in (*figures, t.unapplied, t.balance)),
            )
        )
    return rows, a


def expected_detail(book, as_of):
    a = aging(book, as_of)
    names = {r.customer_id: r for r in a.rows}
    rows = []
    for i in open_items(book, as_of):
        r = names.get(i.customer_id)
        cur = r.currency if r else "USD"
        rows.append(
            (
                r.account if r else "",
                r.name if r else "",
                cur,
                i.number,
                i.kind,
                i.doc_date.isoformat(),
                i.due_date.isoformat() if i.due_date else None,
                max(i.days_past_due, 0),
                plain(i.signed_open, cur),
            )
        )
    return rows


def all_pages(book, t, size):
    rows, after, pages = [], None, 0
    while True:
        page = book.read(lambda tx, after=after: t.rows.page(tx, after, size))
        rows.extend(page.values)
        pages += 1
        if page.after is None:
            return rows, pages
        assert page.values, "a page before the last is never empty"
        after = page.after


@pytest.mark.parametrize("as_of", DATES, ids=["today", "june", "a-year-ago"])
def test_summary_pages_stream_and_totals(demo_book, as_of):
    book = demo_book
    rows, a = expected_summary(book, as_of)
    assert len(a.rows) > 10  # enough customers for several pages
    t = build(book, "aging", as_of=as_of)
    assert t.count == len(rows)
    assert book.read(t.values) == rows  # streamed
    for size in (1, 7, 300):
        paged, pages = all_pages(book, t, size)
        assert paged == rows, size
        assert pages > 1 or size >= len(rows)
    # the totals, summed in the database, are the sums of the rows
    assert aging_totals(book, as_of) == a.totals
    sums = defaultdict(lambda: [0] * 7)
    for r in a.rows:
        for k, x in enumerate((*r[4:], r.balance)):
            sums[r.currency][k] += x
    for total in [r for r in rows if r[0] == "TOTAL"]:
        cur = total[2]
        assert list(total[3:]) == [plain(x, cur) for x in sums[cur]]
    assert t.ties and "difference 0.00" in t.footer[0]


@pytest.mark.parametrize("as_of", DATES, ids=["today", "june", "a-year-ago"])
def test_detail_pages_and_stream(demo_book, as_of):
    book = demo_book
    rows = expected_detail(book, as_of)
    assert len(rows) > 20
    t = build(book, "aging-detail", as_of=as_of)
    assert t.count == len(rows) == open_item_count(book, as_of)
    assert book.read(t.values) == rows
    for size in (1, 10, 300):
        paged, pages = all_pages(book, t, size)
        assert paged == rows, size
        assert pages > 1 or size >= len(rows)
    uncounted = build(book, "aging-detail", as_of=as_of, counted=False)
    assert uncounted.count is None and uncounted.footer == t.footer


def test_csv_and_json_as_before(demo_book):
    """The files are those the held rows made: CSV through csv.writer, JSON through
    json.dumps(indent=2)."""
    book = demo_book
    for name, expected in (
        ("aging", expected_summary(book, TODAY)[0]),
        ("aging-detail", expected_detail(book, TODAY)),
    ):
        t = build(book, name, as_of=TODAY, counted=False)
        out = io.StringIO()
        assert book.read(lambda tx, t=t, out=out: write_csv(t, out, tx)) == len(expected)
        want = io.StringIO()
        w = csv.writer(want, lineterminator="\n")
        w.writerow(t.columns)
        for row in expected:
            w.writerow([csv_cell(x) for x in row])  # the neutralising rule, unchanged
        assert out.getvalue() == want.getvalue()

        head = {"report": name, "rows": [], "footer": list(t.footer)}
        records = [dict(zip(t.columns, r, strict=True)) for r in expected]
        out = io.StringIO()
        write_json(head, "rows", iter(records), out)
        whole = json.dumps({**head, "rows": records}, indent=2, ensure_ascii=False) + "\n"
        assert out.getvalue() == whole


def test_write_json_matches_json_dumps():
    head = {"a": "x", "rows": [], "after": ["one", 2], "n": None}
    cases = [
        [],
        [{}],
        [{"s": 'qu"ote\\ \n ünï 中文', "i": -3, "f": 0.1234, "b": True, "z": None}],
        [{"k": 1}, {"k": 2, "nested": [1, {"x": 2}]}],
    ]
    for items in cases:
        out = io.StringIO()
        write_json(head, "rows", iter(items), out)
        assert (
            out.getvalue()
            == json.dumps({**head, "rows": items}, indent=2, ensure_ascii=False) + "\n"
        )


def test_worklist_keeps_the_first_by_rank(demo_book):
    """The worklist keeps only its first `limit` accounts as the rows stream past: they
    are the first of the whole list, in its order."""
    from artui.collections import worklist

    everyone = worklist(demo_book, None, limit=100_000)
    assert len(everyone) > 5
    assert everyone == sorted(everyone, key=lambda w: (not w.due_now, -w.score, w.account))
    for limit in (1, 5, len(everyone) - 1):
        assert worklist(demo_book, None, limit=limit) == everyone[:limit]


def test_artui_aging_files_as_before(book, book_url):
    """`artui aging --format csv|json [--detail]`, streamed (the detail's text worked
    out by the database), print what the held aging and open items printed (the oracle
    below is the code that held them), on both databases."""
    from artui.cli_reports import _safe

    from .test_cli import run

    demo.build(book, customers=30, seed=5, today=TODAY, workers=0)
    db = book_url
    for as_of in ("2026-11-24", "2025-11-24"):
        day = dt.date.fromisoformat(as_of)
        a = aging(book, day)
        items = open_items(book, day)
        names = {r.customer_id: r for r in a.rows}
        buckets = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")

        want = io.StringIO()
        w = csv.writer(want, lineterminator="\n")
        w.writerow(["account", "name", "currency", *buckets, "unapplied", "balance"])
        for r in a.rows:
            figures = [getattr(r, c) for c in (*buckets, "unapplied", "balance")]
            w.writerow(
                [
                    _safe(r.account),
                    _safe(r.name),
                    r.currency,
                    *(plain(x, r.currency) for x in figures),
                ]
            )
        for t in a.totals:
            figures = [getattr(t, c) for c in (*buckets, "unapplied", "balance")]
            w.writerow(["TOTAL", "", t.currency, *(plain(x, t.currency) for x in figures)])
        got = run("aging", "--as-of", as_of, "--format", "csv", db=db)
        assert got.returncode == 0, got.stderr
        assert got.stdout == want.getvalue()

        want = io.StringIO()
        w = csv.writer(want, lineterminator="\n")
        w.writerow(
            [
                "account",
                "name",
                "currency",
                "kind",
                "number",
                "date",
                "due_date",
                "days_past_due",
                "amount",
                "open",
            ]
        )
        detail = []
        for it in items:
            r = names.get(it.customer_id)
            if r is None:
                continue
            amount = plain(it.amount if it.is_debit else -it.amount, r.currency)
            w.writerow(
                [
                    _safe(r.account),
                    _safe(r.name),
                    r.currency,
                    it.kind,
                    it.number,
                    it.doc_date.isoformat(),
                    it.due_date.isoformat() if it.due_date else "",
                    it.days_past_due if it.is_debit else "",
                    amount,
                    plain(it.signed_open, r.currency),
                ]
            )
            detail.append(
                {
                    "account": r.account,
                    "kind": it.kind,
                    "number": it.number,
                    "date": it.doc_date.isoformat(),
                    "due_date": it.due_date.isoformat() if it.due_date else None,
                    "days_past_due": it.days_past_due,
                    "amount": amount,
                    "open": plain(it.signed_open, r.currency),
                }
            )
        got = run("aging", "--as-of", as_of, "--detail", "--format", "csv", db=db)
        assert got.stdout == want.getvalue()

        whole = {
            "as_of": as_of,
            "by": "due",
            "rows": [
                {
                    "account": r.account,
                    "name": r.name,
                    "currency": r.currency,
                    **{c: plain(getattr(r, c), r.currency) for c in buckets},
                    "unapplied": plain(r.unapplied, r.currency),
                    "balance": plain(r.balance, r.currency),
                }
                for r in a.rows
            ],
            "totals": [
                {
                    "currency": t.currency,
                    "customers": t.customers,
                    **{c: plain(getattr(t, c), t.currency) for c in buckets},
                    "unapplied": plain(t.unapplied, t.currency),
                    "balance": plain(t.balance, t.currency),
                }
                for t in a.totals
            ],
            "tie_out": [
                {
                    "currency": cur,
                    "aging": plain(x, cur),
                    "ledger": plain(led, cur),
                    "difference": plain(d, cur),
                }
                for cur, (x, led, d) in a.tie_out().items()
            ],
            "detail": detail,
        }
        got = run("aging", "--as-of", as_of, "--detail", "--format", "json", db=db)
        assert got.stdout == json.dumps(whole, indent=2, ensure_ascii=False) + "\n"
        got = run("aging", "--as-of", as_of, "--format", "json", db=db)
        assert (
            got.stdout == json.dumps({**whole, "detail": []}, indent=2, ensure_ascii=False) + "\n"
        )
