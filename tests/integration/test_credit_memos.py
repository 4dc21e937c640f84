"""Credit memos entered like invoices: lines against an invoice's lines, never more than
was billed; one amount with a reason; the approval limit."""

import pytest

from artui.account import account_summary
from artui.check import check_book
from artui.credit_memos import CreditInput, creditable, post_credit_memo
from artui.errors import NotAllowed, Refused
from artui.invoices import InvoiceInput, post_invoice
from artui.pricing import LineInput

from .conftest import TODAY, add_customer, as_user


def test_lines_credit_an_invoices_lines_never_more_than_billed(book):
    add_customer(book)
    add_customer(book, "C200", "Other")
    inv = post_invoice(
        book,
        InvoiceInput(
            "C100",
            TODAY,
            [
                LineInput("Chairs", 4000, 12500, tax_rate=7250, item_code="CH"),
                LineInput("Delivery", 1000, 5000),
            ],
        ),
    ).doc  # 500.00 + 36.25 tax + 50.00 = 586.25
    lines = creditable(book, inv.number)
    chairs = lines[0]
    assert (chairs.quantity_left, chairs.amount_left) == (4000, 50000)
    # one chair came back damaged: credited with its tax
    one = LineInput("Chairs", 1000, 12500, tax_rate=7250, credits_line_id=chairs.line_id)
    memo = post_credit_memo(book, CreditInput("C100", TODAY, "damaged", [one], against=inv.number))
    assert memo.amount == 12500 + 906
    assert creditable(book, inv.number)[0].quantity_left == 3000
    # four more chairs is more than the three left on the line: refused, nothing posted
    four = LineInput("Chairs", 4000, 12500, tax_rate=7250, credits_line_id=chairs.line_id)
    with pytest.raises(Refused, match=r"Line 1 of .* \(Chairs\) has 375.00 left to credit"):
        post_credit_memo(book, CreditInput("C100", TODAY, "damaged", [four], against=inv.number))
    # an amount beyond what is left of the invoice is refused too
    with pytest.raises(Refused, match="not yet credited"):
        post_credit_memo(book, CreditInput("C100", TODAY, "goodwill", amount=50000, against=inv.id))
    # another customer's invoice, and lines without their invoice, are refused
    with pytest.raises(Refused, match="belongs to another customer"):
        post_credit_memo(book, CreditInput("C200", TODAY, "x", amount=100, against=inv.number))
    with pytest.raises(Refused, match="need that invoice"):
        post_credit_memo(book, CreditInput("C100", TODAY, "x", [one]))
    assert account_summary(book, "C100").balance == 58625 - 13406
    assert check_book(book) == []


def test_one_amount_on_account_and_the_approval_limit(book):
    add_customer(book)
    memo = post_credit_memo(book, CreditInput("C100", TODAY, "rebate", amount=2500))
    assert memo.open_amount == 2500  # on account: a credit balance
    with pytest.raises(Refused, match="Give a reason"):
        post_credit_memo(book, CreditInput("C100", TODAY, " ", amount=100))
    with pytest.raises(NotAllowed, match="needs a supervisor"):
        post_credit_memo(as_user(book, "carl"), CreditInput("C100", TODAY, "big", amount=100001))
    post_credit_memo(as_user(book, "sam"), CreditInput("C100", TODAY, "big", amount=100001))
    assert account_summary(book, "C100").balance == -102501
    assert check_book(book) == []
