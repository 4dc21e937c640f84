"""PostgreSQL tells a listening workstation about another clerk's posting at once."""

import datetime as dt
import threading
import time

import pytest

from artui.book import open_book
from artui.invoices import InvoiceInput, post_invoice
from artui.pricing import LineInput
from artui.receipts import PaymentInput, receive_payment
from db.notify import listen

from .conftest import TODAY, _fresh_pg_url, add_customer


@pytest.mark.postgres
def test_a_posting_on_another_connection_is_heard_within_a_second(pg_url):
    book = open_book(_fresh_pg_url(pg_url), "alice", create=True, today=TODAY)
    add_customer(book, "C1", "Heard Ltd")
    heard = threading.Event()
    listener = listen(book.engine, heard.set)
    try:
        assert listener is not None and listener.listening.wait(5)
        heard.clear()
        post_invoice(book, InvoiceInput("C1", dt.date(2026, 11, 1), [LineInput("x", 1000, 5000)]))
        started = time.monotonic()
        receive_payment(book, PaymentInput("C1", 5000, TODAY, reference="chk 1"))
        assert heard.wait(1.0), "no notice within 1 s of the commit"
        assert time.monotonic() - started < 1.0
    finally:
        if listener is not None:
            listener.stop()
        book.dispose()
    assert not listener.is_alive()


@pytest.mark.postgres
def test_a_rolled_back_write_says_nothing(pg_url):
    book = open_book(_fresh_pg_url(pg_url), "alice", create=True, today=TODAY)
    heard = threading.Event()
    listener = listen(book.engine, heard.set)
    try:
        assert listener is not None and listener.listening.wait(5)
        heard.clear()
        with pytest.raises(Exception):  # noqa: B017, PT011 - any refusal will do
            add_customer(book, "", "")
        assert not heard.wait(0.5)
    finally:
        listener.stop()
        book.dispose()


@pytest.mark.postgres
def test_a_lost_connection_is_made_again_and_says_something_may_have_changed(pg_url):
    from sqlalchemy import text

    book = open_book(_fresh_pg_url(pg_url), "alice", create=True, today=TODAY)
    heard = threading.Event()
    listener = listen(book.engine, heard.set)
    assert listener is not None
    listener.retry = 0.2
    try:
        assert listener.listening.wait(5)
        heard.clear()
        with book.engine.connect() as conn:  # the server ends the listener's session
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = 'artui-listen' AND datname = current_database()"
                )
            )
        assert heard.wait(5), "no catch-up call after the connection was made again"
        assert listener.listening.wait(5)
        heard.clear()
        add_customer(book, "C2", "After Ltd")
        assert heard.wait(1.0)
    finally:
        listener.stop()
        book.dispose()


@pytest.mark.postgres
def test_a_burst_is_told_at_once_then_folded_and_its_last_commit_is_never_missed(pg_url):
    book = open_book(_fresh_pg_url(pg_url), "alice", create=True, today=TODAY)
    calls: list[float] = []
    listener = listen(book.engine, lambda: calls.append(time.monotonic()))
    try:
        assert listener is not None and listener.listening.wait(5)
        calls.clear()
        started = time.monotonic()
        for n in range(30):  # thirty commits in a row, a busy book
            add_customer(book, f"B{n}", f"Burst {n}")
        last_commit = time.monotonic()
        time.sleep(listener.gap + 0.5)
        assert calls and calls[0] - started < 1.0
        assert calls[-1] >= last_commit  # the tail of the burst was told too
        assert len(calls) <= (last_commit - started) / listener.gap + 2  # folded
    finally:
        listener.stop()
        book.dispose()


def test_sqlite_books_poll_instead(tmp_path):
    book = open_book(str(tmp_path / "b.db"), "alice", create=True, today=TODAY)
    assert listen(book.engine, lambda: None) is None
    book.dispose()
