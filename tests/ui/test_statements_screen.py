"""Pilot tests of the statements screen (F6): criteria, preview, a run to the end."""

from textual.widgets import DataTable, Input, Select, Static

from artui import statement_runs as runs
from artui.app import ArtuiApp
from screens.confirm import Confirm
from screens.statements import StatementPreview, StatementsScreen
from widgets.status import StatusLine

from .conftest import TODAY
from .test_workstation import settle, sync


async def set_input(pilot, field: str, value: str) -> None:
    box = pilot.app.screen.query_one(f"#{field}", Input)
    box.value = value
    await settle(pilot)


def summary(app) -> str:
    return str(app.screen.query_one("#summary", Static).render())


@sync
async def test_f6_lists_who_would_get_a_statement(book):
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, StatementsScreen)
        everyone = runs.choose(book, runs.RunCriteria(TODAY))
        assert summary(app).startswith(f"{len(everyone)} statements · open items as of")
        assert app.screen.query_one("#chosen", DataTable).row_count == len(everyone)
        # A minimum balance narrows the list, as the core's choose() does.
        await set_input(pilot, "min_balance", "5,000")
        big = runs.choose(book, runs.RunCriteria(TODAY, min_balance=500000))
        assert summary(app).startswith(f"{len(big)} statements")
        # A date that cannot be read: the sentence beside the fields, the list kept.
        await set_input(pilot, "as_of", "2026-02-30")
        assert "as of:" in str(app.screen.query_one("#error", Static).render())
        assert app.screen.query_one("#as_of", Input).has_class("-invalid")
        await set_input(pilot, "as_of", "2026-11-24")
        assert str(app.screen.query_one("#error", Static).render()) == ""
        # Escape goes back where we were.
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, StatementsScreen)
        await pilot.press("alt+s")
        await settle(pilot)
        assert isinstance(app.screen, StatementsScreen)


@sync
async def test_selection_preview_and_activity(book):
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        app.screen.query_one("#who", Select).value = "accounts"
        await set_input(pilot, "accounts", "C10003 C10001")
        assert summary(app).startswith("2 statements")
        await set_input(pilot, "from", "2026-10-01")
        assert "activity from 2026-10-01" in summary(app)
        table = app.screen.query_one("#chosen", DataTable)
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, StatementPreview)
        st = app.screen.st
        assert st.account == "C10001" and st.style == "activity"
        text = str(app.screen.query_one(Static).render())
        assert "Balance forward 2026-10-01" in text and st.money(st.balance) in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, StatementsScreen)


@sync
async def test_run_asks_then_makes_the_files(book, tmp_path):
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        await set_input(pilot, "folder", str(tmp_path / "out"))
        count = app.screen.chosen
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        assert f"Make {count} statements" in app.screen.question
        await pilot.press("y")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert len(list((tmp_path / "out").glob("*.pdf"))) == count
        message = app.screen.query_one(StatusLine).message
        assert message.startswith(f"Statement run 1: {count} statements")
        [info] = runs.runs(book)
        assert (info.done, info.status) == (count, "done")
