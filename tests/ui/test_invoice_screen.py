"""Pilot tests of invoice entry (F3): a ten-line invoice by keyboard alone, drafts,
ditto, refusals beside the cell, the credit-hold warning."""

import re

from textual.widgets import Input

from artui.account import account_summary
from artui.app import ArtuiApp
from artui.catalogue import catalogue
from artui.check import check_book
from artui.customers import set_hold
from artui.invoices import drafts, invoice_lines
from artui.ledger import find_document
from artui.money import apply_rate
from artui.pricing import LineInput, price
from screens.drafts import DraftsScreen
from screens.invoice_entry import InvoiceScreen

from .conftest import TODAY as TODAY_UI
from .test_receipts_screen import keys, text
from .test_workstation import settle, sync

CUSTOMER = "C10006"  # not on hold, no credit limit in the UI book


async def open_invoice(pilot, account: str = CUSTOMER) -> InvoiceScreen:
    await keys(pilot, "f3")
    screen = pilot.app.screen
    assert isinstance(screen, InvoiceScreen)
    await keys(pilot, account, "enter")
    return screen


@sync
async def test_a_ten_line_invoice_by_keyboard_alone(book):
    items = catalogue(book)
    codes = sorted(items)[:10]
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        count = await keys(pilot, "f3")
        screen = app.screen
        count += await keys(pilot, CUSTOMER, "enter", "enter", "enter", "enter", "PO-4471", "enter")
        for n, code in enumerate(codes, 1):
            # item code, Enter (description from the catalogue), Enter, quantity, Enter,
            # Enter (the price), Enter (no discount), Enter (the tax): the next line
            count += await keys(pilot, code, "enter", "enter", str(n), "enter")
            count += await keys(pilot, "enter", "enter", "enter")
        count += await keys(pilot, "enter", "enter")  # an empty line: the lines are done
        assert screen.focused.id == "notes"
        count += await keys(pilot, "f10")
        print(f"\nten-line invoice: {count} keystrokes")
        assert "posted" in text(app, "StatusLine"), text(app, "#error")
    number = re.search(r"Invoice (\S+) posted", app.last_message).group(1)
    doc = book.read(lambda tx: find_document(tx, number))
    lines = invoice_lines(book, doc["id"])
    # per line: the code, 7 keys and the quantity; the customer, header and post besides
    assert [ln["item_code"] for ln in lines] == [items[c].code for c in codes]
    assert [ln["quantity"] for ln in lines] == [n * 1000 for n in range(1, 11)]
    expected = price(
        [
            LineInput(items[c].description, n * 1000, items[c].unit_price, 0, items[c].tax_rate)
            for n, c in enumerate(codes, 1)
        ]
    )
    assert doc["amount"] == expected.total and doc["reference"] == "PO-4471"
    assert count <= 1 + 7 + 5 + sum(len(c) + 7 + len(str(n)) for n, c in enumerate(codes, 1)) + 3
    assert check_book(book) == []


@sync
async def test_totals_discount_tax_shipping_and_ditto(book):
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_invoice(pilot)
        await keys(pilot, "enter", "enter", "enter", "enter")
        await keys(pilot, "enter", "Consulting", "enter", "3", "enter", "19.99", "enter")
        await keys(pilot, "10", "enter", "7.25", "enter")
        # the second line, no item code: ditto the description and the tax
        await keys(pilot, "enter", "ctrl+d", "enter", "2", "enter", "5", "enter", "enter")
        await keys(pilot, "ctrl+d", "enter")
        rows = screen.rows()
        assert rows[1].box("desc").value == "Consulting"
        assert rows[1].box("tax").value == "7.25"
        screen.query_one("#shipping", Input).value = "12.50"
        await settle(pilot)
        # 3 x 19.99 = 59.97 less 10 % = 53.97; 2 x 5.00 = 10.00; tax 7.25 % of 63.97 = 4.64
        assert text(app, "#totals").startswith("Total 81.11 · 2 lines 63.97 · Disc 6.00")
        assert apply_rate(6397, 7250) == 464


@sync
async def test_a_cell_that_cannot_be_read_is_marked_and_nothing_posts(book):
    before = account_summary(book, CUSTOMER).balance
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_invoice(pilot)
        await keys(pilot, "enter", "enter", "enter", "enter", "enter", "Thing", "enter", "2.5x")
        await keys(pilot, "enter", "10", "enter")
        await keys(pilot, "f10")
        assert "Line 1, quantity:" in text(app, "#error")
        assert screen.rows()[0].box("qty").has_class("-invalid")
        assert isinstance(app.screen, InvoiceScreen)
    assert account_summary(book, CUSTOMER).balance == before


@sync
async def test_a_draft_saved_reopened_and_posted(book):
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_invoice(pilot)
        await keys(pilot, "enter", "enter", "enter", "enter", "IT004", "enter", "enter", "4")
        await keys(pilot, "ctrl+s")
        assert "Draft saved (200.00)" in text(app, "StatusLine")
        [draft] = drafts(book)
        assert draft.number is None and account_summary(book, CUSTOMER).balance >= 0
        app.action_drafts()
        await settle(pilot)
        assert isinstance(app.screen, DraftsScreen)
        await keys(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, InvoiceScreen) and screen.draft["id"] == draft.id
        assert screen.rows()[0].box("qty").value == "4"
        screen.rows()[0].box("qty").value = "5"
        await keys(pilot, "f10")
        assert "posted: 250.00" in text(app, "StatusLine"), text(app, "#error")
    assert drafts(book) == []
    assert check_book(book) == []


@sync
async def test_a_customer_on_hold_is_refused_where_the_settings_say_so(book):
    cid = account_summary(book, CUSTOMER).customer.id
    set_hold(book, cid, True, "bounced check")
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_invoice(pilot)
        assert "HOLD" in text(app, "#who")
        await keys(pilot, "enter", "enter", "enter", "enter", "IT001", "enter", "enter", "1")
        await keys(pilot, "f10")
        assert "on credit hold: bounced check" in text(app, "#error")
        assert isinstance(app.screen, InvoiceScreen)
        assert screen.busy is False


@sync
async def test_send_void_copy_and_the_delivery_log_from_the_account(book, tmp_path):
    from artui import delivery
    from artui.customers import ContactInput, contacts, save_contact
    from screens.account import AccountScreen
    from screens.confirm import Confirm  # noqa: F401 - the void asks through Prompt
    from screens.invoice_actions import DeliveryLog, SendDialog
    from screens.prompt import Prompt

    cid = account_summary(book, CUSTOMER).customer.id
    if not any(c.email for c in contacts(book, cid)):
        save_contact(book, cid, ContactInput("AP", email="ap@example.test", is_billing=True))
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_invoice(pilot)
        await keys(pilot, "enter", "enter", "enter", "enter", "IT004", "enter", "enter", "2")
        await keys(pilot, "f10")
        number = re.search(r"Invoice (\S+) posted", app.last_message).group(1)
        app.open_account(cid, tab="history")
        await settle(pilot)
        account = app.screen
        assert isinstance(account, AccountScreen)
        assert account._selected()["number"] == number  # the newest document
        # s: by mail (no server here), into the day's print pile
        await keys(pilot, "s")
        assert isinstance(app.screen, SendDialog)
        app.screen.query_one("#f_channel", Input).value = "mail"
        await keys(pilot, "ctrl+s")
        assert "waits for the day's print file" in text(app, "StatusLine")
        await keys(pilot, "g")
        assert isinstance(app.screen, DeliveryLog)
        await keys(pilot, "enter")
        assert isinstance(app.screen, Prompt)
        await keys(pilot, "enter", "escape")
        assert [d.status for d in delivery.deliveries(book, number)] == ["confirmed"]
        # y copies it into a new draft; v voids it with a reason
        await keys(pilot, "y")
        assert isinstance(app.screen, InvoiceScreen) and app.screen.draft is None
        assert app.screen.rows()[0].box("item").value == "IT004"
        await keys(pilot, "escape")
        if isinstance(app.screen, Confirm):
            await keys(pilot, "y")
        await keys(pilot, "v")
        assert isinstance(app.screen, Prompt)
        await keys(pilot, "keyed twice", "enter")
        assert "voided by" in text(app, "StatusLine")
    assert screen is not None
    doc = book.read(lambda tx: find_document(tx, number))
    assert doc["open_amount"] == 0
    assert check_book(book) == []


@sync
async def test_a_credit_memo_against_an_invoices_lines_and_one_on_account(book):
    from artui.credit_memos import creditable
    from artui.invoices import InvoiceInput, post_invoice
    from screens.account import AccountScreen
    from screens.cash_exceptions import CreditDialog

    cid = account_summary(book, CUSTOMER).customer.id
    lines = [LineInput("Chairs", 4000, 12500, tax_rate=7250), LineInput("Desk", 1000, 30000)]
    inv = post_invoice(book, InvoiceInput(CUSTOMER, TODAY_UI, lines)).doc
    before = account_summary(book, cid).balance
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_account(cid, tab="history")
        await settle(pilot)
        assert app.screen._selected()["number"] == inv.number
        await keys(pilot, "m")
        screen = app.screen
        assert isinstance(screen, InvoiceScreen) and screen.credit_for is not None
        assert [r.box("qty").value for r in screen.rows()] == ["4", "1"]
        # one chair back, the desk kept: quantities 1 and 0, a reason
        await keys(pilot, "enter", "damaged in transit", "enter")
        screen.rows()[0].box("qty").value = "1"
        screen.rows()[1].box("qty").value = "0"
        await keys(pilot, "f10")
        assert "Credit memo CM-" in text(app, "StatusLine"), text(app, "#error")
        assert isinstance(app.screen, AccountScreen)
        left = creditable(book, inv.number)
        assert [c.quantity_left for c in left] == [3000, 1000]
        # with nothing selected that is an invoice: one amount on account
        await keys(pilot, "4")  # the contacts tab: no document under the cursor
        await keys(pilot, "m")
        assert isinstance(app.screen, CreditDialog)
        await keys(pilot, "25", "enter", "goodwill", "enter", "enter")
        assert "posted on account" in text(app, "StatusLine")
    assert account_summary(book, cid).balance == before - (12500 + 906) - 2500
    assert check_book(book) == []


@sync
async def test_an_invoice_made_recurring_and_a_billing_run(book):
    import datetime as dt

    from artui import recurring
    from artui.invoices import InvoiceInput, post_invoice
    from screens.recurring import BillingRunScreen, ContractDialog

    cid = account_summary(book, CUSTOMER).customer.id
    inv = post_invoice(
        book, InvoiceInput(CUSTOMER, TODAY_UI, [LineInput("Hosting", 1000, 4900)])
    ).doc
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_account(cid, tab="history")
        await settle(pilot)
        assert app.screen._selected()["number"] == inv.number
        await keys(pilot, "k")
        dialog = app.screen
        assert isinstance(dialog, ContractDialog)
        dialog.query_one("#f_start", Input).value = "2026-09-01"
        dialog.query_one("#f_day", Input).value = "1"
        await keys(pilot, "ctrl+s")
        assert "Contract saved: monthly on day 1" in text(app, "StatusLine")
        app.action_billing_run()
        await settle(pilot)
        run = app.screen
        assert isinstance(run, BillingRunScreen)
        assert [x.cycle_date for x in run.lines] == [
            dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)
        ]  # fmt: skip
        await keys(pilot, "space")  # skip September
        assert "2 invoices to post, 98.00 · 1 skipped" in text(app, "#summary")
        await keys(pilot, "ctrl+r", "y")
        assert "2 posted, 1 skipped" in text(app, "StatusLine")
        assert "Nothing is due" in text(app, "#summary")
    assert recurring.prepare_run(book, TODAY_UI) == []
    assert account_summary(book, cid).balance >= 4900 * 3
    assert check_book(book) == []


@sync
async def test_a_sales_order_entered_then_billed_in_part(book):
    from artui import sales_orders as so
    from screens.orders import OrdersList

    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_orders()
        await settle(pilot)
        assert isinstance(app.screen, OrdersList)
        await keys(pilot, "n")
        screen = app.screen
        assert isinstance(screen, InvoiceScreen) and screen.order_entry
        await keys(pilot, CUSTOMER, "enter", "enter", "enter", "enter", "PO-9", "enter")
        await keys(pilot, "IT004", "enter", "enter", "10", "enter", "enter", "enter", "enter")
        await keys(pilot, "f10")
        assert "Sales order SO-" in text(app, "StatusLine"), text(app, "#error")
        [order] = so.open_orders(book)
        assert order.lines[0].quantity == 10000
        # bill 4 of the 10 now
        app.action_orders()
        await settle(pilot)
        await keys(pilot, "enter")
        bill = app.screen
        assert isinstance(bill, InvoiceScreen) and bill.bill is not None
        assert bill.rows()[0].box("qty").value == "10"
        bill.rows()[0].box("qty").value = "4"
        await keys(pilot, "f10")
        assert "posted from SO-" in text(app, "StatusLine"), text(app, "#error")
    [order] = so.open_orders(book)
    assert order.lines[0].remaining == 6000
    assert check_book(book) == []


@sync
async def test_the_catalogue_new_item_inactive_and_a_customer_price(book):
    from screens.catalogue import CatalogueScreen, ItemForm

    cid = account_summary(book, CUSTOMER).customer.id
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_catalogue()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CatalogueScreen)
        await keys(pilot, "n")
        assert isinstance(app.screen, ItemForm)
        await keys(pilot, "ZZ-9", "enter", "Deluxe gadget", "enter", "99.95", "enter", "7.25")
        await keys(pilot, "enter")
        assert "Item ZZ-9 saved" in text(app, "StatusLine")
        codes = [it["code"] for it in screen.items]
        table = screen.query_one("#items")
        table.move_cursor(row=codes.index("ZZ-9"))
        # this customer's own price for it
        screen.query_one("#customer", Input).value = CUSTOMER
        screen.set_focus(screen.query_one("#customer", Input))
        await keys(pilot, "enter")
        screen.set_focus(table)
        await keys(pilot, "p")
        await keys(pilot, "ctrl+u", "89.00", "enter")
        assert screen.prices["ZZ-9"] == 8900
        own = catalogue(book, cid)["ZZ-9"]  # what invoice entry offers this customer
        assert (own.unit_price, own.customer_price) == (8900, True)
        assert catalogue(book)["ZZ-9"].unit_price == 9995  # everyone else: the list price
        await keys(pilot, "x")
    items = catalogue(book, cid)
    assert "ZZ-9" not in items  # inactive now: not offered on invoices
    from artui.catalogue import all_items

    [zz] = [it for it in all_items(book) if it["code"] == "ZZ-9"]
    assert (zz["unit_price"], zz["tax_rate"], zz["active"]) == (9995, 7250, False)


@sync
async def test_tab_out_of_the_customer_brings_their_terms(book):
    """Tab out of the customer box finds the customer as Enter does: their name, terms
    and due date are there before the date is typed."""
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "f3")
        screen = app.screen
        assert isinstance(screen, InvoiceScreen)
        await keys(pilot, CUSTOMER, "tab")
        assert screen.customer is not None and screen.customer["account"] == CUSTOMER
        assert screen.query_one("#terms", Input).value == screen.customer["terms"]
        assert screen.focused.id == "date"
