"""Money: parsing what clerks type and files hold, formatting, half-up rounding."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from artui.money import (
    MoneyError,
    RateError,
    apply_rate,
    format_amount,
    format_rate,
    line_amount,
    minor_digits,
    parse_amount,
    parse_file_amount,
    parse_quantity,
    parse_rate,
    round_half_up,
)


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("1234.5", 123450),
        ("1,234.50", 123450),
        ("$1,234.50", 123450),
        ("(50.00)", -5000),
        ("-50", -5000),
        ("  12 ", 1200),
        (".5", 50),
        ("0", 0),
        ("1,000,000", 100000000),
        ("-$3.10", -310),
        ("USD 7", 700),
    ],
)
def test_typed_amounts(typed, cents):
    assert parse_amount(typed, "USD") == cents


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "required"),
        ("12,34.5", "three digits"),
        ("1e3", "not an amount"),
        ("NaN", "not an amount"),
        ("inf", "not an amount"),
        ("--5", "two minus"),
        ("$", "no digits"),
        ("1.005", "at most 2 decimal"),
        ("1.2.3", "two decimal points"),
        ("12abc", "not an amount"),
        ("١٢", "digits 0-9"),
    ],
)
def test_typed_amounts_refused(typed, reason):
    with pytest.raises(MoneyError, match=reason):
        parse_amount(typed, "USD")


def test_currency_digits():
    assert minor_digits("USD") == 2 and minor_digits("JPY") == 0 and minor_digits("KWD") == 3
    assert parse_amount("1,235", "JPY") == 1235
    with pytest.raises(MoneyError, match="no decimal places"):
        parse_amount("1.5", "JPY")
    assert parse_amount("1.234", "KWD") == 1234
    assert format_amount(1234, "KWD") == "1.234"
    assert format_amount(123456, "JPY") == "123,456"


def test_negative_refused_when_asked():
    with pytest.raises(MoneyError, match="cannot be negative"):
        parse_amount("-5", allow_negative=False)


@pytest.mark.parametrize(
    ("text", "cents"), [("1234.5", 123450), ("-20.00", -2000), ("0.07", 7), ("15", 1500)]
)
def test_file_amounts(text, cents):
    assert parse_file_amount(text, "USD") == cents


@pytest.mark.parametrize(
    "text", ["12,34.5", "1e3", "NaN", "--5", "$", "", "1,000.00", "1.005", " - 5", "+5", "$5"]
)
def test_file_amounts_refused(text):
    with pytest.raises(MoneyError):
        parse_file_amount(text, "USD")


def test_format():
    assert format_amount(123450) == "1,234.50"
    assert format_amount(-123450) == "-1,234.50"
    assert format_amount(5) == "0.05"
    assert format_amount(-5) == "-0.05"
    assert format_amount(123450, thousands=False) == "1234.50"
    assert format_amount(123450, "EUR", symbol=True) == "€1,234.50"


def test_half_up_at_exactly_half_a_cent():
    assert round_half_up(Decimal("2.5")) == 3
    assert round_half_up(Decimal("-2.5")) == -3
    assert round_half_up(Decimal("2.4999")) == 2
    # 1 x 0.05 less 50 % = 0.025 -> 0.03
    assert line_amount(1000, 5, 50000) == 3
    # 3 x 0.335 is not representable in cents; 1.5 x 0.01 = 0.015 -> 0.02
    assert line_amount(1500, 1) == 2
    # tax 7.25 % of 0.50 = 0.03625 -> 0.04; of 0.20 = 0.0145 -> 0.01
    assert apply_rate(50, 7250) == 4 and apply_rate(20, 7250) == 1


def test_rates_and_quantities():
    assert parse_rate("7.25") == 7250 and parse_rate("10%") == 10000 and parse_rate("") == 0
    assert format_rate(7250) == "7.25" and format_rate(10000) == "10"
    for bad in ("-1", "101", "7.2555", "abc"):
        with pytest.raises(RateError):
            parse_rate(bad)
    assert parse_quantity("2.5") == 2500 and parse_quantity("3") == 3000


@given(st.integers(min_value=-(10**12), max_value=10**12), st.sampled_from(["USD", "JPY", "KWD"]))
def test_file_round_trip(minor, currency):
    assert parse_file_amount(format_amount(minor, currency, thousands=False), currency) == minor


@given(st.integers(min_value=-(10**12), max_value=10**12), st.sampled_from(["USD", "JPY", "KWD"]))
def test_typed_round_trip(minor, currency):
    assert parse_amount(format_amount(minor, currency), currency) == minor


@given(
    st.integers(min_value=-(10**15), max_value=10**15), st.integers(min_value=1, max_value=10**9)
)
def test_integer_rounding_agrees_with_decimal(numerator, denominator):
    from decimal import Decimal, localcontext

    from artui.money import div_half_up

    with localcontext() as ctx:
        ctx.prec = 60
        assert div_half_up(numerator, denominator) == round_half_up(
            Decimal(numerator) / Decimal(denominator)
        )
