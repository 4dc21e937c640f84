"""Pilot tests of cash receipts (F4): the batch, a receipt and its grid, every key."""

import asyncio
import json
import re

from pypdf import PdfReader
from textual.widgets import DataTable, Input, Select, Static

from artui import adjustments, batches
from artui.account import account_summary
from artui.app import ArtuiApp
from artui.check import check_book
from artui.customers import CustomerInput, create_customer
from artui.invoices import InvoiceInput, post_invoice
from artui.pricing import LineInput
from artui.receipts import PaymentInput, receive_payment
from screens.account import AccountScreen
from screens.cash_exceptions import BounceDialog, RefundDialog
from screens.confirm import Confirm
from screens.prompt import Prompt
from screens.receipt_entry import ReceiptScreen
from screens.receipts import ReceiptsScreen

from .conftest import TODAY
from .test_workstation import settle, sync


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def customer_with(book, account: str, amounts: list[int]) -> list:
    create_customer(book, CustomerInput(account=account, name=f"Test {account}"))
    return [
        post_invoice(book, InvoiceInput(account, TODAY, [LineInput("Work", 1000, a)])).doc
        for a in amounts
    ]


async def keys(pilot, *typed: str) -> int:
    """Press keys (a string of several characters is typed), settle; returns how many
    keystrokes that was."""
    n = 0
    for k in typed:
        named = k in KEY_NAMES or "+" in k or re.fullmatch(r"f\d+", k)
        presses = [k] if len(k) == 1 or named else list(k)
        await pilot.press(*presses)
        n += len(presses)
    await settle(pilot)
    return n


KEY_NAMES = {"enter", "escape", "space", "delete", "backspace", "down", "up", "tab", "plus"}
KEY_NAMES |= {"minus"}


async def open_batch(pilot, control: str, count: str) -> int:
    await keys(pilot, "f4")
    assert isinstance(pilot.app.screen, ReceiptsScreen)
    await keys(pilot, control, "tab", count, "enter")
    screen = pilot.app.screen
    assert screen.batch_id is not None, text(pilot.app, "#error")
    return screen.batch_id


@sync
async def test_a_batch_of_receipts_typed_applied_and_posted(book):
    docs = customer_with(book, "T1", [10000, 20000, 30000])
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bid = await open_batch(pilot, "600", "2")
        assert "Entered 0.00 0/2" in text(app, "#totals")
        # the first receipt: found by account, auto-applied by exact amount
        await keys(pilot, "ctrl+n")
        assert isinstance(app.screen, ReceiptScreen)
        await keys(pilot, "T1", "enter", "200", "enter", "1001", "enter", "enter", "ctrl+a")
        grid = app.screen.grid
        assert grid.applied == {docs[1].id: 20000}
        assert "exact amount" in app.screen.query_one("#grid", DataTable).get_row_at(1)[-1].plain
        await keys(pilot, "ctrl+s")
        # the screen opens the next receipt of the count by itself
        assert isinstance(app.screen, ReceiptScreen)
        await keys(pilot, "T1", "enter", "400", "enter", "1002", "enter", "enter", "ctrl+a")
        assert sum(app.screen.grid.applied.values()) == 40000
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, ReceiptsScreen)
        assert "BALANCED" in text(app, "#totals")
        lines = batches.receipts_of(book, bid)
        assert [(r["reference"], r["amount"]) for r in lines] == [("1001", 20000), ("1002", 40000)]
        await keys(pilot, "f10")
        assert isinstance(app.screen, Confirm)
        await keys(pilot, "y")
        assert batches.totals(book, bid).status == "posted"
        assert "POSTED DEP-" in text(app, "#totals")
        assert account_summary(book, "T1").balance == 0
    assert check_book(book) == []


@sync
async def test_one_check_for_fifty_invoices_takes_two_keys_after_amount_and_reference(book):
    amounts = [1000 + 37 * i for i in range(50)]
    docs = customer_with(book, "T50", amounts)
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bid = await open_batch(pilot, f"{sum(amounts) / 100:.2f}", "1")
        await keys(pilot, "ctrl+n", "T50", "enter", f"{sum(amounts) / 100:.2f}", "enter")
        await keys(pilot, "5501")  # the check number: amount and reference are typed
        counted = await keys(pilot, "ctrl+a", "ctrl+s")
        assert counted <= 10
        assert isinstance(app.screen, ReceiptsScreen)
        [line] = batches.receipts_of(book, bid)
        allocations = json.loads(line["allocations"])
        assert {a[0] for a in allocations} == {d.id for d in docs}
        assert sum(a[1] for a in allocations) == sum(amounts)


@sync
async def test_grid_keys_space_part_delete_clear_and_write_off(book):
    docs = customer_with(book, "T2", [10000, 5000, 2500])
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bid = await open_batch(pilot, "99.50", "1")
        await keys(pilot, "ctrl+n", "T2", "enter", "99.50", "enter", "chk9", "enter", "enter")
        screen = app.screen
        assert screen.focused.id == "grid"
        # Space applies the first item in full (what is left of the cash: 99.50)
        await keys(pilot, "space")
        assert screen.grid.applied == {docs[0].id: 9950}
        assert "Short 0.50" in text(app, "#totals")
        # the cursor moved down: typed digits apply part of the second item
        await keys(pilot, "12.5", "enter")
        assert screen.grid.applied[docs[1].id] == 1250
        assert "more than the receipt" in text(app, "#totals")
        # Delete clears the item under the cursor (back on the second row)
        await keys(pilot, "up", "delete")
        assert docs[1].id not in screen.grid.applied
        # more than is open is refused with a sentence, nothing changed
        await keys(pilot, "60", "enter")
        assert "Only 50.00 is open on" in text(app, "#error")
        await keys(pilot, "escape")
        # w writes off what the short payment leaves on the first item
        await keys(pilot, "up", "w")
        assert screen.query_one("#write_off", Input).value == "0.50"
        assert screen.query_one("#short_reason", Select).value == "deduction"
        # x clears everything; Ctrl+A applies again
        await keys(pilot, "x")
        assert screen.grid.applied == {}
        await keys(pilot, "ctrl+a")
        assert screen.grid.applied == {docs[0].id: 9950}
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, ReceiptsScreen)
        [line] = batches.receipts_of(book, bid)
        assert (line["short_reason"], line["write_off"]) == ("deduction", 50)
        await keys(pilot, "f10", "y")
    assert account_summary(book, "T2").balance == 7500
    assert check_book(book) == []


@sync
async def test_remittance_naming_another_customers_invoice_is_refused(book):
    customer_with(book, "T3", [10000])
    [theirs] = customer_with(book, "T4", [7000])
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_batch(pilot, "100", "1")
        await keys(pilot, "ctrl+n", "T3", "enter", "100", "enter", "ref", "enter")
        await keys(pilot, theirs.number, "ctrl+a")
        assert text(app, "#error") == (
            f"The remittance names {theirs.number}, which belongs to another customer."
        )
        assert app.screen.grid.applied == {}
        assert app.screen.query_one("#remittance", Input).has_class("-invalid")


@sync
async def test_customer_found_by_invoice_number_and_a_credit_used_with_the_cash(book):
    [invoice] = customer_with(book, "T5", [100000])
    memo, _ = adjustments.credit_memo(book, "T5", 10000, "damaged")
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bid = await open_batch(pilot, "900", "1")
        await keys(pilot, "ctrl+n", invoice.number, "enter")
        screen = app.screen
        assert screen.query_one("#customer", Input).value == "T5"
        assert screen.query_one("#remittance", Input).value == invoice.number
        await keys(pilot, "900", "enter", "ref", "enter", "enter")
        await keys(pilot, "down", "space")  # the credit memo, under the invoice
        assert screen.grid.credits_used == 10000
        await keys(pilot, "ctrl+a")
        assert screen.grid.applied == {invoice.id: 100000, memo.id: 10000}
        assert "Credits used 100.00" in text(app, "#totals")
        await keys(pilot, "ctrl+s", "f10", "y")
        assert batches.totals(book, bid).status == "posted"
    assert account_summary(book, "T5").balance == 0
    assert check_book(book) == []


@sync
async def test_unbalanced_batch_asks_a_reason_and_a_removed_line_is_gone(book):
    customer_with(book, "T6", [10000])
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bid = await open_batch(pilot, "150", "2")
        await keys(pilot, "ctrl+n", "T6", "enter", "100", "enter", "r1", "ctrl+s")
        await keys(pilot, "escape")  # the next receipt: left without typing
        assert isinstance(app.screen, ReceiptsScreen)
        await keys(pilot, "ctrl+n", "T6", "enter", "5", "enter", "r2", "ctrl+s")
        assert len(batches.receipts_of(book, bid)) == 2
        await keys(pilot, "delete")
        assert isinstance(app.screen, Confirm)
        await keys(pilot, "y")
        assert len(batches.receipts_of(book, bid)) == 1
        await keys(pilot, "f10")
        assert isinstance(app.screen, Prompt)
        await keys(pilot, "deposit slip short one check", "enter")
        row = batches.batch_row(book, bid)
        assert (row["status"], row["out_of_balance_reason"]) == (
            "posted",
            "deposit slip short one check",
        )


@sync
async def test_a_lockbox_file_loads_and_the_journal_prints(book, tmp_path):
    [inv] = customer_with(book, "T7", [4000])
    lockbox = tmp_path / "lockbox.csv"
    lockbox.write_text(
        f"amount,account,reference,invoices,payer\n40.00,,L1,{inv.number},\n9.99,,L2,,Nobody\n"
    )
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bid = await open_batch(pilot, "49.99", "2")
        await keys(pilot, "ctrl+l")
        assert isinstance(app.screen, Prompt)
        await keys(pilot, str(lockbox), "enter")
        table = app.screen.query_one("#lines", DataTable)
        assert table.row_count == 2
        assert table.get_row_at(1)[1].plain == "?"
        await keys(pilot, "ctrl+j")
        target = tmp_path / "journal.pdf"
        box = app.screen.query_one("#answer", Input)
        box.value = str(target)
        await keys(pilot, "enter")
        pdf = "".join(p.extract_text() for p in PdfReader(target).pages)
        assert "Deposit journal (not posted)" in pdf
        assert f"{inv.number} 40.00" in pdf
        assert "Nobody (no customer yet)" in pdf
        # the waiting line: opened, its customer found, saved; the batch then posts
        await keys(pilot, "down", "enter")
        assert isinstance(app.screen, ReceiptScreen)
        await keys(pilot, "ctrl+u", "T7", "enter", "enter", "enter", "enter", "ctrl+s")
        assert isinstance(app.screen, ReceiptsScreen), text(app, "#error")
        await keys(pilot, "f10")
        assert isinstance(app.screen, Confirm), text(app, "#error")
        await keys(pilot, "y")
        assert batches.totals(book, bid).status == "posted"
    assert account_summary(book, "T7").balance == -999  # 9.99 on account
    assert check_book(book) == []


@sync
async def test_account_keys_bounce_refund_and_unapply(book):
    [a, b] = customer_with(book, "T8", [10000, 3000])
    receive_payment(book, PaymentInput("T8", 13000, TODAY, reference="BNC"))
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_account(account_summary(book, "T8").customer.id)
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        # b on the payment (the newest row of the history): the bounce dialog
        await keys(pilot, "2", "b")
        assert isinstance(app.screen, BounceDialog), text(app, "StatusLine")
        app.screen.query_one("#f_fee", Input).value = "25"
        await keys(pilot, "ctrl+s")
        s = account_summary(book, "T8")
        assert s.balance == 13000 + 2500  # both invoices open again, and the fee
        assert {i.number for i in s.open_items} >= {a.number, b.number}
        assert "reverses" in text(app, "StatusLine")
        # money on account: f refunds part of it
        receive_payment(book, PaymentInput("T8", 5000, TODAY, auto=False))
        await keys(pilot, "r", "1")
        kinds = [i.kind for i in app.screen.data.summary.open_items]
        await keys(pilot, *["down"] * kinds.index("payment"))
        assert app.screen._selected()["kind"] == "payment"
        await keys(pilot, "f")
        assert isinstance(app.screen, RefundDialog)
        app.screen.query_one("#f_amount", Input).value = "20.00"
        await keys(pilot, "ctrl+s")
        assert account_summary(book, "T8").balance == 15500 - 5000 + 2000
        # u on an application line undoes it
        receive_payment(book, PaymentInput("T8", 1000, TODAY, applications=[(b.number, 1000)]))
        await keys(pilot, "r", "2", "down")
        assert "application" in app.screen._selected()
        await keys(pilot, "u", "y")
        assert account_summary(book, "T8").balance == 12500 - 1000  # on account now
        assert [i.open for i in account_summary(book, "T8").open_items if i.id == b.id] == [3000]
    assert check_book(book) == []


@sync
async def test_apply_an_open_credit_memo_without_a_receipt(book):
    [a] = customer_with(book, "T9", [10000])
    memo, _ = adjustments.credit_memo(book, "T9", 4000, "price")
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_account(account_summary(book, "T9").customer.id)
        await settle(pilot)
        await keys(pilot, "a")
        screen = app.screen
        assert isinstance(screen, ReceiptScreen) and screen.credits_only
        await keys(pilot, "down", "space", "up", "40", "enter")
        assert screen.grid.applied == {memo.id: 4000, a.id: 4000}
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, AccountScreen)
    s = account_summary(book, "T9")
    assert s.balance == 6000
    assert [i.open for i in s.open_items] == [6000]


@sync
async def test_a_dropped_connection_keeps_the_receipt_in_its_batch(book, tmp_path, monkeypatch):
    customer_with(book, "T11", [10000])
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bid = await open_batch(pilot, "100", "1")
        await keys(pilot, "ctrl+n", "T11", "enter", "100", "enter", "7788", "enter", "enter")
        await keys(pilot, "ctrl+a")
        app.hang_up()  # what SIGHUP calls
    [line] = batches.receipts_of(book, bid)
    assert (line["reference"], line["amount"]) == ("7788", 10000)
    assert "kept in its batch" in (tmp_path / "artui" / "kept-on-hangup.txt").read_text()


@sync
async def test_tab_out_of_the_customer_finds_them_as_enter_does(book):
    """A clerk tabs through a form: Tab out of the customer box brings the customer and
    their open invoices, the amount typed next lands in the amount, and one search is
    made whether Enter or Tab left the box."""
    docs = customer_with(book, "T7", [10000, 25000])
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_batch(pilot, "100", "1")
        await keys(pilot, "ctrl+n", "T7", "tab", "100")
        screen = app.screen
        assert isinstance(screen, ReceiptScreen)
        assert screen.customer is not None and screen.customer["account"] == "T7"
        assert {d.id for d in docs} <= {i.id for i in screen.grid.items}
        assert screen.query_one("#amount", Input).value.startswith("100")
        assert "Test T7" in text(app, "#who")


@sync
async def test_keys_typed_while_the_customer_is_found_land_where_typed(book, monkeypatch):
    """A fast clerk types the amount and the check number while the customer is still
    being found (a slow search here). They land in their fields: the screen's own
    "waiting" was once named `loading`, Textual's spinner, which covered the screen and
    put the focus back on the customer, so the amount was lost and the check number
    became the amount."""
    import time

    import screens.receipt_entry as entry

    customer_with(book, "K1", [10000])
    search = entry.search

    def slow(*args, **kwargs):
        time.sleep(0.4)
        return search(*args, **kwargs)

    monkeypatch.setattr(entry, "search", slow)
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_batch(pilot, "100", "1")
        await keys(pilot, "ctrl+n")
        await keys(pilot, "K1", "enter", "100.00", "enter", "5001", "enter", "enter", "ctrl+a")
        await asyncio.sleep(0.6)
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#amount", Input).value == "100.00"
        assert screen.query_one("#reference", Input).value == "5001"
        assert screen.grid.applied and sum(screen.grid.applied.values()) == 10000
