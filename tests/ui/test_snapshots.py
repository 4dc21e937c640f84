"""SVG snapshots of lookup and account, at 80x24 and 120x40, dark and light.
Update after a deliberate change with `pytest tests/ui --snapshot-update`."""

import pytest
from textual.widgets import Input

from artui.app import ArtuiApp

SIZES = [(80, 24), (120, 40)]
THEMES = ["textual-dark", "textual-light"]


async def _settle(pilot) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    for inp in pilot.app.screen.query(Input):
        inp.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("theme", THEMES, ids=["dark", "light"])
def test_lookup(snap_compare, book, size, theme):
    async def before(pilot):
        await _settle(pilot)
        await pilot.press(*"apex")
        await _settle(pilot)

    assert snap_compare(ArtuiApp(book, theme=theme), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("theme", THEMES, ids=["dark", "light"])
def test_account(snap_compare, book, size, theme):
    async def before(pilot):
        await _settle(pilot)
        pilot.app.open_account(1)
        await _settle(pilot)

    assert snap_compare(ArtuiApp(book, theme=theme), terminal_size=size, run_before=before)


def test_statements(snap_compare, book):
    async def before(pilot):
        await _settle(pilot)
        await pilot.press("f6")
        await _settle(pilot)

    assert snap_compare(ArtuiApp(book), terminal_size=(80, 24), run_before=before)


def test_reports_aging(snap_compare, book):
    async def before(pilot):
        await _settle(pilot)
        await pilot.press("f7")
        await _settle(pilot)

    assert snap_compare(ArtuiApp(book), terminal_size=(80, 24), run_before=before)


def test_cash_receipt_grid(snap_compare, book):
    """A receipt in a deposit batch, auto-applied: the grid with why each line was chosen."""

    async def before(pilot):
        await _settle(pilot)
        await pilot.press("f4")
        await _settle(pilot)
        await pilot.press(*"5000", "tab", "3", "enter")
        await _settle(pilot)
        await pilot.press("ctrl+n")
        await _settle(pilot)
        await pilot.press(*"C10040", "enter")
        await _settle(pilot)
        await pilot.press(*"5000", "enter", *"10442", "enter", "enter", "ctrl+a")
        await _settle(pilot)

    assert snap_compare(ArtuiApp(book), terminal_size=(80, 24), run_before=before)


def test_cash_receipts_batch(snap_compare, book):
    """The deposit batch with two receipts typed, out of balance by the third."""

    async def before(pilot):
        await _settle(pilot)
        await pilot.press("f4")
        await _settle(pilot)
        await pilot.press(*"5000", "tab", "3", "enter")
        await _settle(pilot)
        for account, amount in (("C10007", "2500"), ("C10003", "1200.5")):
            await pilot.press("ctrl+n")
            await _settle(pilot)
            await pilot.press(*account, "enter")
            await _settle(pilot)
            await pilot.press(*amount, "enter", *"77", "enter", "enter", "ctrl+a")
            await _settle(pilot)
            await pilot.press("ctrl+s")
            await _settle(pilot)
        await pilot.press("escape")
        await _settle(pilot)

    assert snap_compare(ArtuiApp(book), terminal_size=(80, 24), run_before=before)


def test_worklist(snap_compare, book):
    async def before(pilot):
        await _settle(pilot)
        await pilot.press("f5")
        await _settle(pilot)

    assert snap_compare(ArtuiApp(book), terminal_size=(80, 24), run_before=before)


def test_call_dialog(snap_compare, book):
    async def before(pilot):
        await _settle(pilot)
        await pilot.press("f5")
        await _settle(pilot)
        await pilot.press("l")
        await _settle(pilot)
        await pilot.press("p", *"Will pay Friday")
        await _settle(pilot)

    assert snap_compare(ArtuiApp(book), terminal_size=(80, 24), run_before=before)


def test_dunning(snap_compare, book):
    async def before(pilot):
        await _settle(pilot)
        await pilot.press("f5")
        await _settle(pilot)
        await pilot.press("ctrl+d")
        await _settle(pilot)
        await pilot.press("space")
        await _settle(pilot)

    assert snap_compare(ArtuiApp(book), terminal_size=(80, 24), run_before=before)


def test_invoice_entry(snap_compare, book):
    """A three-line invoice being typed, with the catalogue's descriptions and the totals."""

    async def before(pilot):
        await _settle(pilot)
        await pilot.press("f3")
        await _settle(pilot)
        await pilot.press(*"C10006", "enter")
        await _settle(pilot)
        await pilot.press("enter", "enter", "enter", *"PO-1187", "enter")
        for code, qty in (("IT003", "2"), ("IT010", "12"), ("IT001", "1.5")):
            await pilot.press(*code, "enter", "enter", *qty, "enter", "enter", "enter", "enter")
            await _settle(pilot)
        await _settle(pilot)

    assert snap_compare(ArtuiApp(book), terminal_size=(80, 24), run_before=before)


def test_approvals(snap_compare, book):
    async def before(pilot):
        await _settle(pilot)
        await pilot.press("f8")
        await _settle(pilot)
        await pilot.press("3")
        await _settle(pilot)

    assert snap_compare(ArtuiApp(book), terminal_size=(80, 24), run_before=before)
