"""Invoice arithmetic and card-number refusal, against hand-computed figures."""

import pytest

from artui.errors import Refused
from artui.pricing import LineInput, price
from artui.sensitive import card_numbers, mask, refuse_card_numbers


def test_invoice_with_discounts_two_tax_rates_and_half_cents():
    lines = [
        # 3 x 19.99 = 59.97, less 10 % = 53.973 -> 53.97, at 7.25 %
        LineInput("a", 3000, 1999, discount_rate=10000, tax_rate=7250),
        # 1 x 0.05 less 50 % = 0.025 -> 0.03 (half-up), at 7.25 %
        LineInput("b", 1000, 5, discount_rate=50000, tax_rate=7250),
        # 2.5 x 4.00 = 10.00 at 8.5 %
        LineInput("c", 2500, 400, tax_rate=8500),
        # untaxed
        LineInput("d", 1000, 100),
    ]
    t = price(lines, shipping=995)
    assert t.line_amounts == (5397, 3, 1000, 100)
    # 7.25 % of 54.00 = 3.915 -> 3.92 (once per rate); 8.5 % of 10.00 = 0.85
    assert [(x.rate, x.base, x.tax) for x in t.taxes] == [(7250, 5400, 392), (8500, 1000, 85)]
    assert t.tax_total == 477
    assert t.subtotal == 6500
    assert t.total == 6500 + 477 + 995


def test_taxed_shipping_when_settings_say():
    t = price([LineInput("a", 1000, 1000, tax_rate=10000)], shipping=500, tax_shipping=True)
    assert t.tax_total == 150 and t.total == 1650


def test_card_numbers():
    assert card_numbers("ref 4111 1111 1111 1111 ok") == ["4111111111111111"]
    assert card_numbers("order 1234567890123") == []  # fails the Luhn check
    assert mask("4111-1111-1111-1111") == "************1111"
    with pytest.raises(Refused, match="card number"):
        refuse_card_numbers("5500 0000 0000 0004", "note")
