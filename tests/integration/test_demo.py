"""The demo book: sound by every invariant, deterministic, the same however it is run."""

import hashlib
import sqlite3

from sqlalchemy import text

from artui import demo, invoices
from artui.book import open_book
from artui.check import check_book
from artui.invoices import InvoiceInput
from artui.pricing import LineInput
from db.search import search_customer_ids
from tests.integration.conftest import TODAY

TABLES = [
    "customer",
    "contact",
    "address",
    "item",
    "document",
    "invoice_line",
    "receipt_detail",
    "application",
    "follow_up",
    "promise",
    "dispute",
    "daily_total",
    "sequence",
]


def _fingerprint(path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        out = {}
        for table in TABLES:
            h = hashlib.sha256()
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
                h.update(repr(row).encode())
            out[table] = h.hexdigest()
        return out
    finally:
        conn.close()


def _build(tmp_path, name, **kw):
    path = str(tmp_path / f"{name}.db")
    b = open_book(path, "alice", create=True, company="Demo", today=TODAY)
    stats = demo.build(b, today=TODAY, **kw)
    b.dispose()
    return path, stats


def test_demo_book_is_sound_and_usable(book):
    stats = demo.build(book, customers=60, seed=3, today=TODAY, chunk=25, workers=0)
    assert stats.customers == 60
    assert stats.invoices >= 600  # 10 to 30 invoices each
    assert stats.payments > stats.invoices // 2
    for kind in ("returned_payment", "debit_memo", "credit_memo"):
        assert stats.counts.get(kind, 0) > 0, kind
    assert check_book(book) == []
    with book.engine.connect() as conn:
        assert search_customer_ids(conn, "C10042") == [42]
        n_docs = conn.execute(text("SELECT count(*) FROM document")).scalar()
        kinds = {r[0] for r in conn.execute(text("SELECT DISTINCT currency FROM customer"))}
    assert n_docs == sum(stats.counts.values())
    assert "USD" in kinds
    # The sequences carry on after the demo's numbers: the next invoice posts cleanly.
    posted = invoices.post_invoice(
        book, InvoiceInput("C10001", TODAY, [LineInput("Widgets", 1000, 500)])
    ).doc
    assert posted.number == f"INV-{stats.invoices + 1:06d}"
    assert check_book(book) == []


def test_demo_is_deterministic_and_the_same_in_a_second_process(tmp_path):
    serial, s1 = _build(tmp_path, "serial", customers=70, seed=5, chunk=20, workers=0)
    forked, s2 = _build(tmp_path, "forked", customers=70, seed=5, chunk=20, workers=2)
    other, _ = _build(tmp_path, "other", customers=70, seed=6, chunk=20, workers=0)
    assert s1.counts == s2.counts
    assert _fingerprint(serial) == _fingerprint(forked)
    assert _fingerprint(serial)["document"] != _fingerprint(other)["document"]
    b = open_book(forked, "alice", today=TODAY)
    try:
        assert check_book(b) == []
        with b.engine.connect() as conn:
            names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
            # Loaded with the foreign-key checks off: every reference must still hold.
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        # The indexes dropped for the load are all back.
        assert {"ix_document_open", "ix_application_debit", "customer_fts_ai"} <= names
    finally:
        b.dispose()
