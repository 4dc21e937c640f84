"""Pilot tests: a full disk while saving keeps the form open with what was typed and says
so; the same key saves once the disk has room. A user the book does not know works
read-only when the settings allow it, and the status line says READ-ONLY."""

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

import artui.book
from artui.app import ArtuiApp
from artui.book import Book
from artui.customers import get_customer
from artui.errors import NotFound
from artui.settings import update_company
from screens.customer_form import CustomerForm
from screens.invoice_entry import InvoiceScreen
from screens.receipt_entry import ReceiptScreen
from screens.receipts import ReceiptsScreen

from .conftest import TODAY
from .test_receipts_screen import customer_with, keys, text
from .test_workstation import settle, sync


def disk_full_error() -> OperationalError:
    """SQLite's own SQLITE_FULL, as SQLAlchemy hands it on (a one-page database is full
    at its first table)."""
    conn = sqlite3.connect(":memory:")
    conn.execute("PRAGMA max_page_count=1")
    try:
        conn.execute("CREATE TABLE t (x)")
    except sqlite3.OperationalError as exc:
        assert exc.sqlite_errorcode == sqlite3.SQLITE_FULL
        return OperationalError("INSERT ...", {}, exc)
    finally:
        conn.close()
    raise AssertionError("the one-page database took a table")


@pytest.fixture
def full_once(monkeypatch):
    """The next write meets a full disk; the one after it has room again."""
    real = artui.book.run_write
    calls = {"failed": 0}

    def run_write(engine, work, **kw):  # noqa: ANN001, ANN202
        if calls["failed"] == 0:
            calls["failed"] = 1
            raise disk_full_error()
        return real(engine, work, **kw)

    monkeypatch.setattr(artui.book, "run_write", run_write)
    return calls


FULL = "is full: nothing was saved"


@sync
async def test_customer_form_keeps_its_values_when_the_disk_is_full(book, full_once):
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "ctrl+n")
        form = app.screen
        assert isinstance(form, CustomerForm)
        form.query_one("#f_account").value = "FULL-1"
        form.query_one("#f_name").value = "Disk Full Trading"
        await keys(pilot, "ctrl+s")
        assert full_once["failed"] == 1
        assert app.screen is form  # still open
        assert FULL in str(form.query_one("#message").render())
        assert form.query_one("#f_name").value == "Disk Full Trading"
        with pytest.raises(NotFound):
            get_customer(book, "FULL-1")
        await keys(pilot, "ctrl+s")  # room again: the same key saves
        assert not isinstance(app.screen, CustomerForm)
        assert get_customer(book, "FULL-1").name == "Disk Full Trading"


@sync
async def test_invoice_entry_keeps_its_lines_when_the_disk_is_full(book, full_once):
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "f3", "C10006", "enter", "enter", "enter", "enter", "enter")
        screen = app.screen
        assert isinstance(screen, InvoiceScreen)
        await keys(pilot, "enter", "Storage test", "enter", "2", "enter", "12.50", "enter")
        await keys(pilot, "f10")
        assert full_once["failed"] == 1
        assert app.screen is screen
        assert FULL in text(app, "#error")
        assert "Storage test" in [row.box("desc").value for row in screen.rows()]
        await keys(pilot, "f10")
        assert not isinstance(app.screen, InvoiceScreen), text(app, "#error")
        assert "posted" in app.last_message


@sync
async def test_receipt_entry_keeps_the_receipt_when_the_disk_is_full(book, full_once):
    full_once["failed"] = 1  # not armed while the invoice to pay is made
    customer_with(book, "T1", [10000])
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "f4", "100", "tab", "1", "enter")
        assert isinstance(app.screen, ReceiptsScreen)
        await keys(pilot, "ctrl+n", "T1", "enter", "100", "enter", "7001", "enter")
        receipt = app.screen
        assert isinstance(receipt, ReceiptScreen)
        full_once["failed"] = 0  # the next write: the receipt's save
        await keys(pilot, "ctrl+s")
        assert app.screen is receipt
        assert FULL in text(app, "#error")
        assert receipt.query_one("#reference").value == "7001"
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, ReceiptsScreen), text(app, "#error")


@sync
async def test_an_unknown_user_works_read_only_when_the_settings_allow(book):
    version = book.read(lambda tx: tx.company()["version"])
    update_company(book, version, {"unknown_user": "readonly"})
    mallory = Book(book.engine, "mallory", today=TODAY)
    app = ArtuiApp(mallory)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "mallory · READ-ONLY" in text(app, "StatusLine")
        await keys(pilot, "ctrl+n")
        form = app.screen
        assert isinstance(form, CustomerForm)
        form.query_one("#f_account").value = "RO-1"
        form.query_one("#f_name").value = "Not Allowed Ltd"
        await keys(pilot, "ctrl+s")
        assert app.screen is form
        assert "mallory is not a user of this book" in str(form.query_one("#message").render())
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "READ-ONLY" not in text(app, "StatusLine")
