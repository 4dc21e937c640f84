"""Pilot tests: every key and action of the app shell, lookup, account and forms."""

import asyncio

from artui.account import account_summary
from artui.app import ArtuiApp
from artui.customers import contacts, get_customer, update_customer
from artui.lookup import search
from artui.money import format_amount
from artui.receipts import PaymentInput, receive_payment
from screens.account import AccountScreen
from screens.customer_form import ContactForm, CustomerForm, HoldDialog
from screens.help import HelpScreen
from screens.lookup import LookupScreen
from widgets.status import StatusLine

from .conftest import TODAY


def sync(fn):
    """Run an async Pilot test on its own event loop (no asyncio plugin needed)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))

    return wrapper


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def type_text(pilot, text: str) -> None:
    await pilot.press(*list(text))
    await settle(pilot)


@sync
async def test_lookup_by_name_opens_account_with_the_right_balance(book):
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        target = search(book, "C10005")[0]
        await type_text(pilot, "C10005")
        assert app.screen.rows[0].account == "C10005"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        expected = format_amount(account_summary(book, target.customer_id).balance)
        assert f"Balance {expected}" in str(app.screen.query_one("#head").render())


@sync
async def test_phone_digits_and_arrow_keys(book):
    phone = contacts(book, 9)[0].phone
    digits = "".join(c for c in phone if c.isdigit())[-4:]
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_text(pilot, digits)
        found = [r.customer_id for r in app.screen.rows]
        assert 9 in found
        await pilot.press("down")  # from the box into the results
        table = app.screen.query_one("#results")
        assert table.has_focus and table.cursor_row == 0
        for _ in range(found.index(9)):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.customer_id == 9
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        await pilot.press("down", "up")  # up on the first row goes back to the box
        assert app.screen.query_one("#box").has_focus


@sync
async def test_the_name_gets_the_room_and_the_chosen_row_says_city_and_phone(book):
    """At 80 columns the phone gives way to the name; the row under the cursor says its
    city and phone in the hint line (two customers of one name told apart), and the
    hint goes back to what was found when Up returns to the box. From 90 columns the
    phone is a column again."""
    from rich.text import Text

    def hint(app) -> str:
        shown = app.screen.query_one("#hint").render()
        return shown.plain if isinstance(shown, Text) else str(shown)

    def headers(app) -> list[str]:
        return [str(c.key.value) for c in app.screen.query_one("#results").columns.values()]

    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert headers(app) == ["account", "name", "balance", "past_due", "flags"]
        table = app.screen.query_one("#results")
        name = next(c for c in table.columns.values() if c.key.value == "name")
        assert name.width == 32  # 14 when the phone had a column at 80
        await type_text(pilot, "C1000")
        rows = app.screen.rows
        assert len(rows) > 2 and hint(app).startswith(f"{len(rows)} found")
        await pilot.press("down", "down")
        second = rows[1]
        assert hint(app).startswith(f"{second.account} · ")
        assert second.phone and second.phone in hint(app)
        await pilot.press("up", "up")
        assert app.screen.query_one("#box").has_focus
        assert hint(app).startswith(f"{len(rows)} found")
    app = ArtuiApp(book)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        assert headers(app) == ["account", "name", "phone", "balance", "past_due", "flags"]
        await type_text(pilot, "C1000")
        await pilot.press("down")
        assert hint(app).startswith(f"{len(app.screen.rows)} found")  # the phone is shown


@sync
async def test_document_number_opens_customer_with_document_selected(book):
    from artui.aging import open_items

    item = open_items(book, TODAY)[3]
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_text(pilot, item.number)
        assert app.screen.rows[0].document_number == item.number
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.customer_id == item.customer_id
        table = app.screen.query_one("#open_items")
        assert table.has_focus
        row_key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
        assert row_key.value == str(item.id)


@sync
async def test_f2_from_the_account_and_back(book):
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_account(3)
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen) and app.screen.returning
        await pilot.press("escape")  # back where we were
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen) and app.screen.customer_id == 3
        await pilot.press("ctrl+f")
        assert isinstance(app.screen, LookupScreen)


@sync
async def test_tabs_by_number(book):
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_account(2)
        await settle(pilot)
        for key, tab in zip(
            "234561", ["history", "follow", "contacts", "disputes", "details", "open"], strict=True
        ):
            await pilot.press(key)
            assert app.screen.query_one("#tabs").active == tab
        history = app.screen.query_one("#history_table")
        assert history.row_count > 0


@sync
async def test_new_customer_form_validates_beside_the_field(book):
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CustomerForm)
        await type_text(pilot, "N-1")
        await pilot.press("enter")  # to Name
        await pilot.press("enter")  # Terms
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "required" in str(form.query_one("#e_name").render())
        assert isinstance(app.screen, CustomerForm)  # nothing saved, still typing
        form.query_one("#f_credit_limit").value = "12,34.5"
        form.query_one("#f_name").value = "[bold]New[/bold] Customer"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "three digits" in str(form.query_one("#e_credit_limit").render())
        form.query_one("#f_credit_limit").value = "$5,000"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        rec = get_customer(book, "N-1")
        assert rec.name == "[bold]New[/bold] Customer" and rec.credit_limit == 500000
        assert "[bold]New[/bold] Customer" in str(app.screen.query_one("#head").render())


@sync
async def test_edit_that_lost_a_race_says_who_and_keeps_the_typing(book):
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_account(4)
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CustomerForm)
        from artui.book import Book

        bob = Book(book.engine, "bob", today=TODAY)
        from artui.users import add_user

        add_user(book, "bob")
        update_customer(bob, 4, get_customer(book, 4).version, {"tax_id": "99-1"})
        form.query_one("#f_name").value = "Renamed Ltd"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CustomerForm)
        assert "bob changed" in str(form.query_one("#message").render())
        assert form.query_one("#f_name").value == "Renamed Ltd"


@sync
async def test_credit_hold_needs_a_reason_and_shows(book):
    app = ArtuiApp(book)
    cid = next(r.customer_id for r in search(book, "C100") if "HOLD" not in r.flags)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_account(cid)
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HoldDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert "why" in str(app.screen.query_one("#message").render())
        await type_text(pilot, "cheques bounced")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        assert "HOLD" in str(app.screen.query_one("#head").render())
        assert get_customer(book, cid).on_hold


@sync
async def test_add_billing_contact(book):
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_account(5)
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ContactForm)
        await type_text(pilot, "Zed Zimmer")
        app.screen.query_one("#f_email").value = "not an email"
        app.screen.query_one("#billing").value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "not an email address" in str(app.screen.query_one("#e_email").render())
        app.screen.query_one("#f_email").value = "zed@example.test"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        billing = [c for c in contacts(book, 5) if c.is_billing]
        assert [c.name for c in billing] == ["Zed Zimmer"]
        assert "Billing: Zed Zimmer" in str(app.screen.query_one("#head").render())


@sync
async def test_live_refresh_when_another_clerk_posts(book):
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_account(6)
        await settle(pilot)
        table = app.screen.query_one("#open_items")
        before = account_summary(book, 6).balance
        receive_payment(book, PaymentInput(6, 1234, TODAY, auto=False))
        for _ in range(25):  # within two seconds
            await asyncio.sleep(0.1)
            await pilot.pause()
            if f"Balance {format_amount(before - 1234)}" in str(
                app.screen.query_one("#head").render()
            ):
                break
        else:
            raise AssertionError("the account did not refresh within 2.5 s")
        assert table.row_count >= 1


@sync
async def test_literal_names_in_lookup(book):
    app = ArtuiApp(book)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        await type_text(pilot, "bold")
        assert any(r.name.startswith("[bold]") for r in app.screen.rows)
        assert "[bold]Bold" in app.export_screenshot().replace("&#160;", " ")
        await pilot.press("ctrl+q")


@sync
async def test_help_and_quit_asks_when_a_form_is_dirty(book):
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("question_mark")
        assert isinstance(app.screen, LookupScreen)  # ? types into the box there
        await pilot.press("ctrl+n")
        await settle(pilot)
        await type_text(pilot, "X")
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert "not saved" in app.export_screenshot().replace("&#160;", " ")
        await pilot.press("n")
        assert isinstance(app.screen, CustomerForm)
        await pilot.press("escape")  # leave the form: asks too
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        assert app.screen.query(StatusLine)


@sync
async def test_markup_and_escape_sequences_show_literally(book):
    from artui.customers import CustomerInput, create_customer

    create_customer(book, CustomerInput("Z9", "Evil [link=x]click[/link] \x1b[31mRed\x1b[0m Co"))
    assert get_customer(book, "Z9").name == "Evil [link=x]click[/link] Red Co"
    app = ArtuiApp(book)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        await type_text(pilot, "Z9")
        shot = app.export_screenshot().replace("&#160;", " ")
        assert "Evil [link=x]click[/link] Red Co" in shot
        await pilot.press("enter")
        await settle(pilot)
        head = str(app.screen.query_one("#head").render())
        assert "[link=x]click[/link]" in head and "\x1b" not in head


def test_key_names_as_the_key_bar_writes_them():
    from screens.help import key_name

    assert key_name("f") == "f" and key_name("e") == "e"  # the refund and edit keys
    assert key_name("f5") == "F5" and key_name("ctrl+n") == "Ctrl+N"
    assert key_name("delete,backspace") == "Delete/Backspace"
    assert key_name("question_mark") == "?"


@sync
async def test_every_key_of_the_account_shows_in_help_at_80x24(book):
    """The account has the most keys of any screen: at 80x24 F1 shows them all, and the
    global ones, without scrolling (in one column they ran off the screen)."""
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_text(pilot, "C10005")
        await pilot.press("enter")
        await settle(pilot)
        account = app.screen
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        shown = app.export_screenshot().replace("&#160;", " ")
        wanted = [b for b in [*account.BINDINGS, *app.BINDINGS] if b.description]
        for b in wanted:
            assert b.description in shown, b.description
        assert "Ctrl+Q" in shown and "F2/Ctrl+F" in shown and "Esc closes" in shown
