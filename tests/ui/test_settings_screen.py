"""Pilot tests of settings (F9): the company's controls, the mail server (no password in
the book), people and roles; a clerk is refused."""

from textual.widgets import Checkbox, Input

from artui.app import ArtuiApp
from artui.book import Book
from artui.settings import get_settings
from artui.users import add_user, list_users
from screens.settings import SettingsScreen

from .test_receipts_screen import keys, text
from .test_workstation import settle, sync


def company(book):
    return book.read(lambda tx: dict(tx.company()))


@sync
async def test_an_admin_changes_the_company_mail_and_people(book):
    app = ArtuiApp(book)  # alice is the book's admin
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "f9")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        assert screen.query_one("#c_name", Input).value == "Demo Co"
        screen.query_one("#c_approval_limit", Input).value = "2,500"
        screen.query_one("#c_address", Input).value = "1 Main St / Springfield"
        screen.query_one("#c_tax_shipping", Checkbox).value = True
        await keys(pilot, "ctrl+s")
        assert "company's settings are saved" in text(app, "StatusLine"), text(app, "#error")
        c = company(book)
        assert (c["approval_limit"], c["address"], c["tax_shipping"]) == (
            250000, "1 Main St\nSpringfield", True
        )  # fmt: skip
        screen.query_one("#c_writeoff_tolerance", Input).value = "-5"
        await keys(pilot, "ctrl+s")
        assert "writeoff tolerance:" in text(app, "#error")
        # the mail server: a password file is named, never a password
        screen.query_one("#tabs").active = "mail"
        await settle(pilot)
        screen.query_one("#m_host", Input).value = "smtp.example.test"
        screen.query_one("#m_port", Input).value = "587"
        screen.query_one("#m_password_file", Input).value = "~/.artui-smtp"
        await keys(pilot, "ctrl+s")
        mail = get_settings(book, "mail.")
        assert mail["mail.host"] == "smtp.example.test" and mail["mail.port"] == 587
        # people: a new clerk, then made a supervisor
        screen.query_one("#tabs").active = "people"
        await settle(pilot)
        await keys(pilot, "ctrl+n", "maria clerk", "enter")
        names = [u.name for u in list_users(book)]
        assert "maria" in names
        screen.query_one("#users").move_cursor(row=names.index("maria"))
        await keys(pilot, "ctrl+r", "ctrl+u", "supervisor", "enter")
        assert {u.name: u.role for u in list_users(book)}["maria"] == "supervisor"


@sync
async def test_a_clerk_cannot_change_settings(book):
    add_user(book, "carl", "clerk")
    app = ArtuiApp(Book(book.engine, "carl", today=book.today()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "f9")
        app.screen.query_one("#c_name", Input).value = "Carl's Co"
        await keys(pilot, "ctrl+s")
        assert "needs an admin; you (carl) are a clerk" in text(app, "#error")
    assert company(book)["name"] == "Demo Co"


@sync
async def test_a_dunning_level_edited(book):
    from artui.dunning import levels
    from screens.settings import LevelForm

    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "f9")
        screen = app.screen
        screen.query_one("#tabs").active = "dunning"
        await settle(pilot)
        screen.set_focus(screen.query_one("#levels"))
        await keys(pilot, "enter")
        form = app.screen
        assert isinstance(form, LevelForm)
        form.query_one("#f_days", Input).value = "10"
        form.query_one("#f_text", Input).value = "Please pay {amount}."
        await keys(pilot, "ctrl+s")
        assert "Only {past_due} may stand in braces" in str(form.query_one("#e_text").render())
        form.query_one("#f_text", Input).value = "Kindly pay {past_due} this week."
        form.query_one("#f_fee", Input).value = "15"
        await keys(pilot, "ctrl+s")
        assert "dunning levels are saved" in text(app, "StatusLine")
    first = book.read(levels)[0]
    assert (first.days, first.text, first.fee) == (10, "Kindly pay {past_due} this week.", 1500)
