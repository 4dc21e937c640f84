"""Deposit batches: typed, balanced against the control total, posted in one go."""

import pytest

from artui import batches
from artui.account import account_summary
from artui.batches import ReceiptLine
from artui.check import check_book
from artui.errors import NotAllowed, Refused

from .conftest import TODAY, add_customer, as_user
from .test_ledger import inv


def test_batch_of_five_checks_with_short_and_over_payment(book):
    for n in range(1, 6):
        add_customer(book, f"C{n}", f"Customer {n}")
    docs = {n: inv(book, f"C{n}", amount=10000 * n) for n in range(1, 6)}
    bid = batches.open_batch(
        book, TODAY, expected_total=10000 + 20000 + 29700 + 45000 + 50000, expected_count=5
    )
    batches.add_receipt(book, bid, ReceiptLine("C1", 10000, reference="1001"))
    batches.add_receipt(
        book, bid, ReceiptLine("C2", 20000, reference="1002", remittance=(docs[2].number,))
    )
    # short by 3.00, written off as a deduction
    batches.add_receipt(
        book,
        bid,
        ReceiptLine(
            "C3",
            29700,
            reference="1003",
            allocations=((docs[3].id, 29700, "as given"),),
            short_reason="deduction",
            write_off=300,
        ),
    )
    # over-paid: 450.00 on a 400.00 invoice, 50.00 stays on account
    batches.add_receipt(book, bid, ReceiptLine("C4", 45000, reference="1004"))
    line5 = batches.add_receipt(book, bid, ReceiptLine("C5", 40000, reference="1005"))
    t = batches.totals(book, bid)
    assert (t.entered, t.count, t.difference, t.balanced) == (144700, 5, 10000, False)
    with pytest.raises(NotAllowed):
        batches.post_batch(as_user(book, "carl"), bid)
    batches.update_receipt(book, line5, 1, ReceiptLine("C5", 50000, reference="1005"))
    assert batches.totals(book, bid).balanced
    number = batches.post_batch(as_user(book, "carl"), bid)
    assert number == "DEP-000001"
    balances = {n: account_summary(book, f"C{n}").balance for n in range(1, 6)}
    assert balances == {1: 0, 2: 0, 3: 0, 4: -5000, 5: 0}
    with pytest.raises(Refused, match="posted and closed"):
        batches.add_receipt(book, bid, ReceiptLine("C1", 100))
    assert check_book(book) == []


def test_unbalanced_batch_needs_a_supervisor_and_a_reason(book):
    add_customer(book)
    inv(book, amount=10000)
    bid = batches.open_batch(book, TODAY, 20000, 2)
    batches.add_receipt(book, bid, ReceiptLine("C100", 10000))
    sam = as_user(book, "sam")
    with pytest.raises(Refused, match="out by 100.00 and 1 receipts"):
        batches.post_batch(sam, bid)
    assert batches.post_batch(sam, bid, "second check kept back by the bank")


def test_receipt_lines_are_checked_when_typed(book):
    add_customer(book)
    add_customer(book, "E1", "Euro", currency="EUR")
    other = inv(book, "E1", amount=5000)
    mine = inv(book, amount=5000)
    bid = batches.open_batch(book, TODAY, 5000, 1)
    with pytest.raises(Refused, match="pays in EUR"):
        batches.add_receipt(book, bid, ReceiptLine("E1", 5000))
    with pytest.raises(Refused, match="another customer"):
        batches.add_receipt(
            book, bid, ReceiptLine("C100", 5000, allocations=((other.id, 5000, ""),))
        )
    with pytest.raises(Refused, match="more than the 50.00 open"):
        batches.add_receipt(
            book, bid, ReceiptLine("C100", 9000, allocations=((mine.id, 9000, ""),))
        )
    with pytest.raises(Refused, match="card number"):
        batches.add_receipt(book, bid, ReceiptLine("C100", 5000, reference="4111111111111111"))
    assert batches.totals(book, bid).count == 0
    [s] = batches.suggest(book, "C100", 5000)
    assert s.why == "exact amount of one open item"
