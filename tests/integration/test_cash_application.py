"""Cash application beyond the plain receipt: credits used from the grid, credits
applied without a receipt, short payments within the clerk's allowance, header
corrections and remittance files."""

import pytest

from artui import adjustments, batches, remittance
from artui.account import account_summary
from artui.batches import ReceiptLine
from artui.cash_application import Grid, apply_credits, open_items_of
from artui.csvio import ImportRefused
from artui.errors import Refused

from .conftest import TODAY, add_customer, as_user
from .test_ledger import assert_clean, inv


def test_a_receipt_uses_an_open_credit_memo_with_its_cash(book):
    cid = add_customer(book)
    invoice = inv(book, amount=100000)
    memo, _ = adjustments.credit_memo(book, "C100", 10000, "damaged goods")
    grid = Grid(open_items_of(book, cid), 90000)
    assert [i.number for i in grid.items] == [invoice.number, memo.number]
    grid.toggle(memo.id)
    grid.auto()
    bid = batches.open_batch(book, TODAY, 90000, 1)
    batches.add_receipt(book, bid, ReceiptLine("C100", 90000, allocations=grid.allocations()))
    t = batches.totals(book, bid)
    assert (t.entered, t.applied, t.unapplied) == (90000, 90000, 0)
    batches.post_batch(book, bid)
    s = account_summary(book, "C100")
    assert s.balance == 0 and s.open_items == ()
    assert_clean(book)


def test_open_credits_apply_to_charges_without_a_receipt(book):
    cid = add_customer(book)
    add_customer(book, "C200", "Other Co")
    a = inv(book, amount=3000)
    b = inv(book, amount=5000)
    memo, _ = adjustments.credit_memo(book, "C100", 6000, "price correction")
    applied = apply_credits(book, cid, [(a.id, 3000, ""), (b.id, 3000, ""), (memo.id, -6000, "")])
    assert [x.amount for x in applied] == [3000, 3000]
    assert account_summary(book, "C100").balance == 2000
    c = inv(book, amount=1000)
    with pytest.raises(Refused, match="more than the credits"):
        apply_credits(book, cid, [(c.id, 1000, "")])
    other = inv(book, "C200", amount=1000)
    with pytest.raises(Refused, match="belongs to another customer"):
        apply_credits(book, cid, [(other.id, 1000, ""), (memo.id, -1000, "")])
    assert_clean(book)


def test_write_off_of_a_short_payment_is_checked_when_typed(book):
    add_customer(book)
    invoice = inv(book, amount=100000)
    bid = batches.open_batch(book, TODAY, 99000, 1)
    clerk = as_user(book, "carl")  # allowance: the company's tolerance, 5.00
    short = ReceiptLine(
        "C100",
        99000,
        allocations=((invoice.id, 99000, "as given"),),
        short_reason="discount",
        write_off=1000,
    )
    with pytest.raises(Refused, match="You may write off up to 5.00"):
        batches.add_receipt(clerk, bid, short)
    with pytest.raises(Refused, match="more than the 10.00 left short"):
        batches.add_receipt(book, bid, ReceiptLine(**{**short.__dict__, "write_off": 1001}))
    batches.add_receipt(as_user(book, "sam"), bid, short)  # a supervisor may
    batches.post_batch(book, bid)
    assert account_summary(book, "C100").balance == 0
    assert_clean(book)


def test_a_mistyped_control_total_is_corrected(book):
    add_customer(book)
    bid = batches.open_batch(book, TODAY, 1000, 1)
    batches.add_receipt(book, bid, ReceiptLine("C100", 1200))
    assert not batches.totals(book, bid).balanced
    batches.change_batch(book, bid, TODAY, 1200, 1, bank_account="Operating")
    assert batches.totals(book, bid).balanced
    assert batches.open_batches(book)[0]["bank_account"] == "Operating"
    batches.post_batch(book, bid)
    with pytest.raises(Refused, match="posted and closed"):
        batches.change_batch(book, bid, TODAY, 1, 1)


LOCKBOX = (
    "date,amount,payer,account,reference,invoices\n"
    "2026-11-24,100.00,,C100,CHK 501,\n"  # by account
    "2026-11-24,50.00,Somebody,,CHK 502,{b}\n"  # by invoice number
    "2026-11-24,25.00,beta industries,,CHK 503,\n"  # by payer name
    "2026-11-24,10.00,Unknown Payer,,CHK 504,\n"  # waits
    "2026-11-24,30.00,,C100,CHK 505,{b}\n"  # names another customer's invoice: waits
)


def test_a_lockbox_file_loads_matches_and_leaves_the_rest_waiting(book):
    add_customer(book)
    add_customer(book, "C200", "Beta Industries")
    a = inv(book, amount=10000)
    b = inv(book, "C200", amount=5000)
    c = inv(book, "C200", amount=2500)
    bid = batches.open_batch(book, TODAY, 21500, 5)
    loaded = remittance.load_file(book, bid, LOCKBOX.format(b=b.number).encode())
    assert (loaded.lines, loaded.matched, loaded.waiting, loaded.total) == (5, 3, 2, 21500)
    lines = batches.receipts_of(book, bid)
    assert [r["account"] for r in lines] == ["C100", "C200", "C200", None, None]
    assert lines[0]["note"] == "matched by account"
    assert lines[1]["note"] == f"matched by invoice {b.number}"
    assert lines[2]["note"] == "matched by payer name"
    assert "no account, invoice or payer name" in lines[3]["note"]
    assert lines[4]["note"] == f"names {b.number}, which belongs to another customer"
    assert '"named on the remittance"' in lines[1]["allocations"]
    assert str(c.id) in lines[2]["allocations"]
    with pytest.raises(Refused, match="Line 4 .*Unknown Payer, 10.00.* has no customer yet"):
        batches.post_batch(book, bid)
    # the clerk finds the two waiting payers
    batches.update_receipt(book, lines[3]["id"], 1, ReceiptLine("C100", 1000, reference="CHK 504"))
    batches.update_receipt(book, lines[4]["id"], 1, ReceiptLine("C100", 3000, reference="CHK 505"))
    batches.post_batch(book, bid)
    assert account_summary(book, "C100").balance == 10000 - 10000 - 1000 - 3000
    assert account_summary(book, "C200").balance == 0
    assert a.id  # paid by CHK 501
    assert_clean(book)


def test_a_bad_lockbox_file_loads_nothing(book):
    add_customer(book)
    bid = batches.open_batch(book, TODAY, 1000, 1)
    bad = b"amount,payer,method\n12.345,A,check\n-5,B,check\n10,C,bitcoin\n"
    with pytest.raises(ImportRefused) as err:
        remittance.load_file(book, bid, bad)
    text = str(err.value)
    assert "row 2, column amount:" in text
    assert "row 3, column amount:" in text
    assert "row 4, column method: 'bitcoin' is not one of" in text
    assert batches.receipts_of(book, bid) == []
    with pytest.raises(ImportRefused, match="unknown column"):
        remittance.load_file(book, bid, b"amount,colour\n1,red\n")


def test_a_short_payment_disputed_goes_on_the_disputes_list(book):
    from artui.collections import disputes

    cid = add_customer(book)
    invoice = inv(book, amount=50000)
    bid = batches.open_batch(book, TODAY, 45000, 1)
    batches.add_receipt(
        book,
        bid,
        ReceiptLine(
            "C100",
            45000,
            reference="778",
            allocations=((invoice.id, 45000, "as given"),),
            short_reason="dispute",
        ),
    )
    batches.post_batch(book, bid)
    [case] = disputes(book, cid)
    assert (case["document_number"], case["amount"], case["status"]) == (
        invoice.number,
        5000,
        "open",
    )
    assert "Short paid by PMT-" in case["note"]
    assert account_summary(book, "C100").disputed == 5000
    assert_clean(book)


def test_a_deposit_before_the_invoice_is_applied_when_it_is_posted(book):
    cid = add_customer(book)
    bid = batches.open_batch(book, TODAY, 30000, 1)
    batches.add_receipt(book, bid, ReceiptLine("C100", 30000, reference="DEP", allocations=()))
    batches.post_batch(book, bid)
    assert account_summary(book, "C100").balance == -30000  # a deposit: a credit balance
    invoice = inv(book, amount=100000)
    grid = Grid(open_items_of(book, cid), 0)
    payment = next(i for i in grid.items if i.kind == "payment")
    grid.toggle(payment.id)
    grid.set(invoice.id, 30000)
    apply_credits(book, cid, grid.allocations())
    s = account_summary(book, "C100")
    assert s.balance == 70000
    assert [(i.number, i.open) for i in s.open_items] == [(invoice.number, 70000)]
    assert_clean(book)
