"""Pilot tests of the reports screen (F7): the aging with its chart and tie-out, every
report on screen, saving CSV and PDF."""

import csv
import io

import pytest
from pypdf import PdfReader
from textual.widgets import DataTable, Input, Select, Static

from artui.app import ArtuiApp
from artui.money import format_amount
from artui.report_tables import TITLES, build
from screens.reports import ReportsScreen
from widgets.status import StatusLine

from .conftest import TODAY
from .test_workstation import settle, sync


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


@sync
async def test_f7_aging_with_chart_and_tie_out(book):
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, ReportsScreen)
        expected = build(book, "aging", as_of=TODAY)
        assert text_of(app, "#subtitle").startswith(
            f"Aging summary, as of 2026-11-24: {len(book.read(expected.values))} rows"
        )
        chart = text_of(app, "#chart")
        for label, value in expected.chart:
            assert label in chart and format_amount(value) in chart
        assert app.screen.query_one("#rows", DataTable).row_count == len(book.read(expected.values))
        footer = text_of(app, "#footer-lines")
        assert "Tie-out USD" in footer and "difference 0.00" in footer
        # A date that cannot be read: the sentence, and the report stays as it was.
        app.screen.query_one("#as_of", Input).value = "31/31"
        await settle(pilot)
        assert "as of:" in text_of(app, "#error")
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ReportsScreen)
        await pilot.press("alt+t")
        await settle(pilot)
        assert isinstance(app.screen, ReportsScreen)


@sync
async def test_every_report_shows_and_month_end_ties(book):
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        for name, title in TITLES.items():
            app.screen.query_one("#report", Select).value = name
            await settle(pilot)
            assert text_of(app, "#subtitle").startswith(title), name
            assert text_of(app, "#error") == ""
        assert "GL" in text_of(app, "#footer-lines")
        assert "DOES NOT TIE" not in text_of(app, "#footer-lines")


@sync
async def test_save_csv_and_pdf(book, tmp_path):
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ReportsScreen("aging-detail", folder=tmp_path))
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        [csv_file] = tmp_path.glob("*.csv")
        [pdf_file] = tmp_path.glob("*.pdf")
        expected = build(book, "aging-detail", as_of=TODAY)
        values = book.read(expected.values)
        rows = list(csv.reader(io.StringIO(csv_file.read_text())))
        assert rows[0] == list(expected.columns) and len(rows) == len(values) + 1
        assert len(values) == expected.count
        text = "\n".join(p.extract_text() for p in PdfReader(str(pdf_file)).pages)
        assert "Aging detail" in text and expected.shown(values)[0][3] in text
        assert "saved to" in app.screen.query_one(StatusLine).message


@sync
async def test_ctrl_o_while_the_report_is_read_saves_it_once_shown(book, tmp_path, monkeypatch):
    """Ctrl+O pressed before the report has come (a slow read here) is kept, said, and
    done when the report shows: it was dropped without a word, and no PDF came."""
    import time

    import screens.reports as reports

    real = reports.build

    def slow(*args, **kwargs):
        time.sleep(0.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(reports, "build", slow)
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ReportsScreen("aging", folder=tmp_path))
        await pilot.pause()
        await pilot.press("ctrl+o")
        assert not list(tmp_path.glob("*.pdf"))
        assert "saved as PDF next" in app.screen.query_one(StatusLine).message
        for _ in range(40):
            await pilot.pause(0.1)
            if list(tmp_path.glob("*.pdf")):
                break
        await settle(pilot)
        [pdf_file] = tmp_path.glob("*.pdf")
        assert pdf_file.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("name", ["aging-detail", "aging"])
@sync
async def test_scrolling_reads_the_next_pages(book, monkeypatch, name):
    """Pages of 5 rows, three held: the report opens with its first page; Down, End
    and PageDown near the last row read the next ones, the first leaving the table;
    Home and Up near the first row read the earlier ones again. Every row seen on the
    way is the report's row at that place, as built at once (the summary's TOTAL rows
    last), and the cursor stays on the row it was on when a page leaves."""
    import screens.reports as reports_screen

    monkeypatch.setattr(reports_screen, "PAGE", 5)
    monkeypatch.setattr(reports_screen, "MORE_WITHIN", 2)
    expected = build(book, name, as_of=TODAY)
    values = book.read(expected.values)
    want = expected.shown(values)
    assert len(values) > 30, "enough rows for several pages"
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ReportsScreen(name))
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#rows", DataTable)
        seen: dict[int, tuple[str, ...]] = {}

        def look() -> tuple[str, ...]:
            held = [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
            for i, row in enumerate(held):
                assert want[screen.offset + i] == row, screen.offset + i
                seen[screen.offset + i] = row
            assert len(screen.sizes) <= 3 and sum(screen.sizes) == table.row_count
            return held[table.cursor_row]

        first = table.row_count
        assert 5 <= first < len(values)  # a page ends with a customer's last item
        assert f"{len(values):,} rows" in text_of(app, "#subtitle")
        assert f"rows 1-{first} read" in text_of(app, "#subtitle")
        screen.set_focus(table)
        await pilot.press(*["down"] * (first - 2))
        await settle(pilot)
        assert table.row_count > first  # the cursor neared the end: the next page
        look()
        while screen.offset + table.row_count < len(values):
            last = screen.offset + table.row_count - 1
            await pilot.press("end")  # to the last row held: the next page comes
            await settle(pilot)
            assert screen.offset + table.cursor_row == last  # on its row, pages gone or not
            assert look() == want[last]
        assert screen.offset > 0, "pages left the table"
        assert [seen.get(i) for i in range(len(values))] == want
        # back to the top: the earlier pages are read again
        while screen.offset > 0:
            top = screen.offset
            await pilot.press("home", "up")
            await settle(pilot)
            # on the row it was on, or the one above it if Up came after the page
            assert screen.offset < top and screen.offset + table.cursor_row in (top - 1, top)
            assert look() == want[screen.offset + table.cursor_row]
        await pilot.press("home")
        assert look() == want[0]
        await pilot.press("pagedown")
        assert table.cursor_row > 1
