"""Pilot tests of the worklist (F5), the call dialog, escalation and dunning."""

import datetime as dt
from dataclasses import replace

from textual.widgets import DataTable, Input, Select

from artui import collections as col
from artui import dunning
from artui.account import account_summary
from artui.app import ArtuiApp
from artui.customers import get_customer
from screens.account import AccountScreen
from screens.call_log import CallDialog
from screens.confirm import Confirm
from screens.dunning import DunningScreen, LetterPreview
from screens.escalate import EscalateDialog
from screens.prompt import Prompt
from screens.worklist import WorklistScreen

from .conftest import TODAY
from .test_receipts_screen import keys, text
from .test_workstation import settle, sync


async def open_worklist(pilot) -> WorklistScreen:
    await keys(pilot, "f5")
    screen = pilot.app.screen
    assert isinstance(screen, WorklistScreen)
    return screen


@sync
async def test_the_worklist_is_the_cores_ranking(book):
    expected = col.worklist(book, "alice")
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_worklist(pilot)
        assert screen.query_one("#who", Select).value == "mine"
        table = screen.query_one("#work", DataTable)
        assert table.row_count == len(expected) > 0
        assert [table.get_row_at(i)[0].plain for i in range(3)] == [w.account for w in expected[:3]]
        due = sum(1 for w in expected if w.due_now)
        assert f"{due} due now" in text(app, "#summary")
        # n skips to the next account; Enter opens the account on its follow-ups
        await keys(pilot, "n")
        assert table.cursor_row == 1
        await keys(pilot, "enter")
        assert isinstance(app.screen, AccountScreen)
        assert app.screen.customer_id == expected[1].customer_id
        assert app.screen.query_one("#tabs").active == "follow"
        await keys(pilot, "escape")
        assert isinstance(app.screen, WorklistScreen)
        screen.query_one("#who", Select).value = "all"
        await settle(pilot)
        assert table.row_count == len(col.worklist(book))


@sync
async def test_log_a_call_with_a_promise_in_three_keys_and_move_on(book):
    first, second = col.worklist(book, "alice")[:2]
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_worklist(pilot)
        await keys(pilot, "l")
        assert isinstance(app.screen, CallDialog)
        counted = await keys(pilot, "p")
        await keys(pilot, "Will pay by Friday")  # the note text: not counted
        counted += await keys(pilot, "ctrl+s")
        assert counted + 1 <= 8  # with the l that opened the dialog
        assert isinstance(app.screen, WorklistScreen)
        [promise] = col.promises(book, first.customer_id)
        assert (promise["amount"], promise["due_on"], promise["status"]) == (
            first.past_due,
            TODAY + dt.timedelta(days=7),
            "open",
        )
        [call] = col.follow_ups(book, first.customer_id)[:1]
        assert (call["outcome"], call["note"]) == ("promised", "Will pay by Friday")
        assert call["next_action_on"] == TODAY + dt.timedelta(days=8)
        assert "promise of" in text(app, "StatusLine")
        # the account left the list (its next action is planned): the next one is current
        table = screen.query_one("#work", DataTable)
        assert table.get_row_at(table.cursor_row)[0].plain == second.account


@sync
async def test_a_payment_plan_and_refusals_beside_the_fields(book):
    first = col.worklist(book, "alice")[0]
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_worklist(pilot)
        await keys(pilot, "l")
        dialog = app.screen
        # no outcome yet: said beside the field, nothing saved
        await keys(pilot, "ctrl+s")
        assert "Press the outcome's letter" in str(dialog.query_one("#e_outcome").render())
        await keys(pilot, "p", "Plan agreed", "enter")
        dialog.query_one("#f_promise", Input).value = "300"
        dialog.query_one("#f_promise_on", Input).value = "2026-12-15"
        dialog.query_one("#f_instalments", Input).value = "3"
        dialog.query_one("#f_next", Input).value = "+1w"
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, WorklistScreen)
    plan = sorted(col.promises(book, first.customer_id), key=lambda p: p["due_on"])
    assert [(p["amount"], p["due_on"].isoformat()) for p in plan] == [
        (10000, "2026-12-15"),
        (10000, "2027-01-15"),
        (10000, "2027-02-15"),
    ]
    assert len({p["plan_id"] for p in plan}) == 1


@sync
async def test_voicemail_sets_a_short_next_action_and_the_letter_goes_to_the_note(book):
    first = col.worklist(book, "alice")[0]
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_worklist(pilot)
        await keys(pilot, "l", "v", "vm left")
        dialog = app.screen
        assert dialog.query_one("#f_note", Input).value == "vm left"  # v typed in the note
        assert dialog.query_one("#f_next", Input).value == "+2"
        await keys(pilot, "ctrl+s")
    [call] = col.follow_ups(book, first.customer_id)[:1]
    assert (call["outcome"], call["note"]) == ("voicemail", "vm left")


@sync
async def test_assign_and_escalate_from_the_worklist(book):
    everyone = col.worklist(book)
    theirs = next(w for w in everyone if w.collector != "alice")
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_worklist(pilot)
        screen.query_one("#who", Select).value = "all"
        await settle(pilot)
        table = screen.query_one("#work", DataTable)
        await keys(pilot, *["down"] * everyone.index(theirs), "a")
        assert isinstance(app.screen, Prompt)
        await keys(pilot, "ctrl+u", "alice", "enter")
        assert get_customer(book, theirs.customer_id).collector == "alice"
        screen.query_one("#who", Select).value = "mine"
        await settle(pilot)
        mine = [table.get_row_at(i)[0].plain for i in range(table.row_count)]
        assert theirs.account in mine
        # x escalates the account under the cursor: it leaves the list
        target = screen.items[table.cursor_row]
        await keys(pilot, "x")
        assert isinstance(app.screen, EscalateDialog)
        await keys(pilot, "ctrl+u", "agency", "enter", "Six months, no answer", "enter")
        assert get_customer(book, target.customer_id).escalation == "agency"
        accounts = [table.get_row_at(i)[0].plain for i in range(table.row_count)]
        assert target.account not in accounts


@sync
async def test_dunning_preview_skip_level_and_send(book, tmp_path):
    found = dunning.preview(book, TODAY)
    assert len(found) >= 2
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_worklist(pilot)
        await keys(pilot, "ctrl+d")
        screen = app.screen
        assert isinstance(screen, DunningScreen)
        table = screen.query_one("#letters", DataTable)
        assert table.row_count == len(found)
        assert text(app, "#summary").startswith(f"{len(found)} letters")
        # Space skips the first, + raises the second's level (marked *)
        await keys(pilot, "space")
        assert screen.skipped == {found[0].customer_id}
        assert table.get_row_at(0)[-1].plain == "SKIP"
        top = max(x.level for x in screen.levels)
        if found[1].level < top:
            await keys(pilot, "plus")
            assert table.get_row_at(1)[2].plain == f"{found[1].level + 1}*"
            await keys(pilot, "minus")
        # Enter previews the letter as it will be sent
        await keys(pilot, "enter")
        assert isinstance(app.screen, LetterPreview)
        await keys(pilot, "escape")
        screen.query_one("#folder", Input).value = str(tmp_path)
        await keys(pilot, "ctrl+r")
        assert isinstance(app.screen, Confirm)
        await keys(pilot, "y")
        assert "letters sent" in text(app, "StatusLine")
    sent = {p.name for p in tmp_path.iterdir()}
    assert len([n for n in sent if n.startswith("dunning-") and "level" in n]) == len(found) - 1
    again = {c.customer_id for c in dunning.preview(book, TODAY)}
    assert found[0].customer_id in again  # skipped: still due a letter
    assert any(f["outcome"] == "letter_sent" for f in col.follow_ups(book, found[1].customer_id))
    assert account_summary(book, found[1].customer_id).balance > 0
    assert replace(found[0], skip=True).skip


@sync
async def test_dispute_an_invoice_then_settle_it_from_the_account(book):
    from artui.customers import CustomerInput, create_customer
    from artui.invoices import InvoiceInput, post_invoice
    from artui.pricing import LineInput
    from screens.disputes import DisputeDialog, SettleDialog

    cid = create_customer(book, CustomerInput(account="DS1", name="Dispute Co"))
    doc = post_invoice(book, InvoiceInput("DS1", TODAY, [LineInput("Crates", 1000, 40000)])).doc
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_account(cid)
        await settle(pilot)
        await keys(pilot, "1", "d")
        assert isinstance(app.screen, DisputeDialog)
        await keys(pilot, "dam", "enter", "ctrl+u", "150", "enter", "three crates broken")
        await keys(pilot, "enter")
        assert isinstance(app.screen, AccountScreen)
        [case] = col.disputes(book, cid)
        assert (case["reason"], case["amount"], case["document_id"]) == ("damaged", 15000, doc.id)
        assert "DISPUTE" in str(app.screen.query_one("#head").render())
        # the disputes tab: Enter settles; c = a credit memo for the disputed amount
        await keys(pilot, "5", "enter")
        assert isinstance(app.screen, SettleDialog)
        await keys(pilot, "c", "enter", "agreed: credit for the broken crates", "enter")
        assert isinstance(app.screen, AccountScreen)
        assert "settled" in text(app, "StatusLine")
    [case] = col.disputes(book, cid)
    assert case["status"] == "credited"
    assert account_summary(book, cid).balance == 25000


@sync
async def test_the_account_shows_a_plan_the_escalation_and_the_credit_history(book):
    first = col.worklist(book, "alice")[0]
    col.log_call(
        book,
        col.CallInput(
            first.customer_id,
            "promised",
            "plan",
            promises=col.split_promise(30000, 3, TODAY + dt.timedelta(days=10)),
        ),
    )
    col.escalate(book, first.customer_id, "supervisor", "large and old")
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_account(first.customer_id)
        await settle(pilot)
        head = str(app.screen.query_one("#head").render())
        assert "PLAN" in head and "SUPERVISOR" in head
        assert "Plan 0/3 kept, next 100.00 on" in head
        await keys(pilot, "6")
        details = str(app.screen.query_one("#details_text").render())
        assert "invoices paid in" in details and "promises" in details


@sync
async def test_a_logged_call_is_annotated_never_edited(book):
    first = col.worklist(book, "alice")[0]
    call = col.log_call(book, col.CallInput(first.customer_id, "reached", "talked to AP"))
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_account(first.customer_id, tab="follow")
        await settle(pilot)
        await keys(pilot, "enter")
        assert isinstance(app.screen, Prompt)
        await keys(pilot, "they asked for a copy of INV", "enter")
        table = app.screen.query_one("#follow_table", DataTable)
        assert table.get_row_at(0)[3].plain == "↳ note"
    notes = col.follow_ups(book, first.customer_id)
    assert notes[0]["annotates_id"] == call and notes[0]["note"] == "they asked for a copy of INV"
    assert [n["note"] for n in notes if n["id"] == call] == ["talked to AP"]  # unchanged


@sync
async def test_a_date_and_an_amount_are_shown_as_understood_once_left(book):
    """In the call dialog "fri" becomes the next Friday's date and "1151.5" an amount
    as soon as the field is left; what cannot be read stays, with the reason beside it,
    and the focus goes on where it was sent."""
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_worklist(pilot)
        await keys(pilot, "l", "p", "Friday", "enter")
        dialog = app.screen
        assert isinstance(dialog, CallDialog)
        promise = dialog.query_one("#f_promise", Input)
        promise.value = ""
        await keys(pilot, "1151.5", "enter", "fri", "enter")
        friday = TODAY + dt.timedelta(days=(4 - TODAY.weekday() - 1) % 7 + 1)
        assert promise.value == "1,151.50"
        assert dialog.query_one("#f_promise_on", Input).value == friday.isoformat()
        nxt = dialog.query_one("#f_next", Input)
        nxt.focus()
        nxt.value = "soon"
        await keys(pilot, "tab")
        assert nxt.value == "soon" and not nxt.has_focus
        assert "is not a date" in str(dialog.query_one("#e_next").render())
