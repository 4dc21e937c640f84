"""Pilot tests of approvals and audit (F8): a clerk's write-off above the limit waits;
a supervisor approves it (posted as asked) or rejects it; the clerk sees the outcome;
the audit trail filters."""

from textual.widgets import DataTable, Input

from artui import approvals
from artui.account import account_summary
from artui.app import ArtuiApp
from artui.book import Book
from artui.check import check_book
from artui.invoices import InvoiceInput, post_invoice
from artui.pricing import LineInput
from artui.users import add_user
from screens.approvals import ApprovalsScreen
from screens.prompt import Prompt

from .conftest import TODAY
from .test_receipts_screen import keys, text
from .test_workstation import settle, sync

CUSTOMER = "C10006"


def as_user(book, name):
    return Book(book.engine, name, today=book.today())


@sync
async def test_a_write_off_waits_then_is_approved_or_rejected(book):
    add_user(book, "sam", "supervisor")
    add_user(book, "carl", "clerk")
    carl, sam = as_user(book, "carl"), as_user(book, "sam")
    docs = [
        post_invoice(book, InvoiceInput(CUSTOMER, TODAY, [LineInput("Work", 1000, 90000)])).doc
        for _ in range(2)
    ]
    asked = [
        approvals.perform(
            carl,
            "write_off",
            d.id,
            "uncollectable",
            for_customer=d.customer_id,
            for_amount=d.amount,
        )  # fmt: skip
        for d in docs
    ]
    assert all(a.waiting for a in asked)
    before = account_summary(book, CUSTOMER).balance
    app = ArtuiApp(sam)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "f8")
        screen = app.screen
        assert isinstance(screen, ApprovalsScreen)
        table = screen.query_one("#queue_table", DataTable)
        assert table.row_count == 2
        assert "Write-off" in text(app, "#detail")
        await keys(pilot, "a")
        assert isinstance(app.screen, Prompt)
        await keys(pilot, "enter")
        assert "approved and posted" in text(app, "StatusLine")
        assert table.row_count == 1
        await keys(pilot, "r")
        await keys(pilot, "not yet: call them first", "enter")
        assert table.row_count == 0
        assert "Nothing waits" in text(app, "#detail")
        # the audit trail: filtered by action
        await keys(pilot, "3")
        screen.query_one("#action", Input).value = "approval."
        await settle(pilot)
        audit = screen.query_one("#audit_table", DataTable)
        actions = [audit.get_row_at(i)[2].plain for i in range(audit.row_count)]
        assert actions == [
            "approval.reject",
            "approval.approve",
            "approval.request",
            "approval.request",
        ]
        screen.query_one("#day_from", Input).value = "2026-02-30"
        await settle(pilot)
        assert "day from" in text(app, "#error")
    assert account_summary(book, CUSTOMER).balance == before - 90000
    # the clerk sees what became of the requests
    app = ArtuiApp(carl)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "f8", "2")
        mine = app.screen.query_one("#mine_table", DataTable)
        statuses = {mine.get_row_at(i)[3].plain for i in range(mine.row_count)}
        assert statuses == {"approved", "rejected"}
        # a clerk cannot decide: the queue's keys say why
        await keys(pilot, "1", "a")
    assert check_book(book) == []


@sync
async def test_a_clerk_cannot_decide_a_request(book):
    add_user(book, "sam", "supervisor")
    sam = as_user(book, "sam")
    doc = post_invoice(book, InvoiceInput(CUSTOMER, TODAY, [LineInput("W", 1000, 500)])).doc
    approvals.perform(as_user(book, "alice"), "write_off", doc.id, "x")  # alice is admin: posts
    add_user(book, "carl2", "clerk")
    req = approvals.perform(as_user(book, "carl2"), "void", doc.id, "typo")
    app = ArtuiApp(as_user(book, "carl2"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "f8", "a", "enter")
        assert "needs a supervisor; you (carl2) are a clerk" in text(app, "#error")
    assert sam and req
