"""Sales orders billed into invoices, whole or in part, never twice for a quantity."""

import pytest

from artui import sales_orders as so
from artui.account import account_summary
from artui.check import check_book
from artui.errors import Refused
from artui.invoices import invoice_lines
from artui.pricing import LineInput

from .conftest import TODAY, add_customer


def test_an_order_billed_in_part_then_the_rest_never_twice(book):
    add_customer(book)
    number = so.create_order(
        book,
        so.OrderInput(
            "C100",
            TODAY,
            [LineInput("Chairs", 10000, 12500, tax_rate=7250), LineInput("Desk", 2000, 30000)],
            reference="PO-55",
        ),
    )
    assert number == "SO-000001"
    order = so.get_order(book, number)
    chairs, desk = order.lines
    first = so.bill_order(book, number, quantities={chairs.id: 4000})
    assert [ln["quantity"] for ln in invoice_lines(book, first.doc.id)] == [4000]
    assert first.doc.reference == "PO-55"
    order = so.get_order(book, number)
    assert [ln.remaining for ln in order.lines] == [6000, 2000] and order.status == "open"
    with pytest.raises(Refused, match=r"Line 1 \(Chairs\): 7 is more than the 6 not yet billed"):
        so.bill_order(book, number, quantities={chairs.id: 7000})
    rest = so.bill_order(book, number)  # all that remains
    assert [ln["quantity"] for ln in invoice_lines(book, rest.doc.id)] == [6000, 2000]
    assert so.get_order(book, number).status == "billed"
    with pytest.raises(Refused, match="is billed"):
        so.bill_order(book, number)
    total = first.doc.amount + rest.doc.amount
    assert total == order.total  # here the two invoices' tax rounds to the order's
    assert account_summary(book, "C100").balance == total
    assert check_book(book) == []
