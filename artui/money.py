"""Money: integer minor units everywhere; Decimal only to parse, format and do percent
math; rounding half-up to the minor unit happens in `round_half_up`, and only there."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MINOR_DIGITS = {"USD": 2, "EUR": 2, "CAD": 2, "GBP": 2, "JPY": 0, "KWD": 3, "BHD": 3}
SYMBOLS = {"USD": "$", "EUR": "€", "CAD": "CA$", "GBP": "£", "JPY": "¥"}


class MoneyError(ValueError):
    """An amount that cannot be read; the message is a sentence for the clerk."""


class RateError(ValueError):
    pass


class QuantityError(ValueError):
    pass


def minor_digits(currency: str) -> int:
    return MINOR_DIGITS.get((currency or "USD").upper(), 2)


def round_half_up(value: Decimal) -> int:
    """THE rounding: to a whole number of minor units, halves away from zero."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def div_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half-up (away from zero), in integers: the same
    rule as `round_half_up`, exact and fast for the arithmetic of invoice lines."""
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    q = (2 * abs(numerator) + denominator) // (2 * denominator)
    return q if numerator >= 0 else -q


def to_decimal(minor: int, currency: str = "USD") -> Decimal:
    return Decimal(minor).scaleb(-minor_digits(currency))


def from_decimal(value: Decimal, currency: str = "USD") -> int:
    return round_half_up(value.scaleb(minor_digits(currency)))


_TYPED = re.compile(r"^(?P<int>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?P<frac>\d*))?$")
_FILE = re.compile(r"^-?(?P<int>\d+)(?:\.(?P<frac>\d+))?$")


def _digits_to_minor(int_part: str, frac: str, currency: str, shown: str) -> int:
    digits = minor_digits(currency)
    if len(frac) > digits:
        if digits == 0:
            raise MoneyError(f"'{shown}' is not an amount: {currency} has no decimal places.")
        raise MoneyError(
            f"'{shown}' is not an amount: {currency} has at most {digits} decimal places."
        )
    return int((int_part or "0") + frac.ljust(digits, "0")) if digits else int(int_part or "0")


def parse_amount(text: str, currency: str = "USD", *, allow_negative: bool = True) -> int:
    """What a clerk types: `1234.5`, `1,234.50`, `$1,234.50`, `(50.00)`, `-50`."""
    shown = (text or "").strip()
    s = shown
    if not s:
        raise MoneyError("An amount is required.")
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    if s.startswith("-"):
        if negative:
            raise MoneyError(f"'{shown}' is not an amount: it has two minus signs.")
        negative, s = True, s[1:].strip()
    for sym in sorted({*SYMBOLS.values(), currency.upper()}, key=len, reverse=True):
        if s.upper().startswith(sym.upper()):
            s = s[len(sym) :].strip()
            break
    if s.startswith("-") and not negative:
        negative, s = True, s[1:].strip()
    if not s:
        raise MoneyError(f"'{shown}' is not an amount: there are no digits.")
    if not s.isascii():
        raise MoneyError(f"'{shown}' is not an amount: use the digits 0-9.")
    m = _TYPED.match(s)
    if m is None or (m.group("int") is None and not m.group("frac")):
        if "," in s and re.fullmatch(r"[\d,]+(\.\d*)?", s):
            raise MoneyError(
                f"'{shown}' is not an amount: thousands separators must group three digits."
            )
        if s.count(".") > 1:
            raise MoneyError(f"'{shown}' is not an amount: it has two decimal points.")
        if s.startswith("-"):
            raise MoneyError(f"'{shown}' is not an amount: it has two minus signs.")
        raise MoneyError(f"'{shown}' is not an amount.")
    value = _digits_to_minor(
        (m.group("int") or "").replace(",", ""), m.group("frac") or "", currency, shown
    )
    if negative and value and not allow_negative:
        raise MoneyError(f"'{shown}': the amount cannot be negative.")
    return -value if negative else value


def parse_file_amount(text: str, currency: str = "USD") -> int:
    """The strict file form (FORMATS.md): `1234.5`, `-20.00`; no separators or symbols."""
    s = (text or "").strip()
    m = _FILE.match(s)
    if m is None:
        if not s:
            raise MoneyError("An amount is required.")
        raise MoneyError(
            f"'{s}' is not an amount: write plain decimals with a dot, such as 1234.50."
        )
    value = _digits_to_minor(m.group("int"), m.group("frac") or "", currency, s)
    return -value if s.startswith("-") else value


def format_amount(
    minor: int, currency: str = "USD", *, thousands: bool = True, symbol: bool = False
) -> str:
    """`1,234.50`; negative as `-1,234.50`; `thousands=False` is the file form."""
    digits = minor_digits(currency)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**digits)
    body = f"{whole:,}" if thousands else str(whole)
    if digits:
        body += "." + str(frac).rjust(digits, "0")
    if symbol:
        sym = SYMBOLS.get(currency.upper())
        body = (sym if sym else currency.upper() + " ") + body
    return sign + body


def parse_rate(text: str) -> int:
    """A percentage as typed (`7.25`, `10`, `7.25%`) in thousandths of a percent."""
    s = (text or "").strip().removesuffix("%").strip()
    if not s:
        return 0
    if not re.fullmatch(r"\d+(\.\d{1,3})?", s):
        if re.fullmatch(r"\d+\.\d{4,}", s):
            raise RateError(f"'{text}' has more than three decimals.")
        raise RateError(f"'{text}' is not a percentage such as 7.25.")
    whole, _, frac = s.partition(".")
    value = int(whole) * 1000 + int(frac.ljust(3, "0") or 0)
    if value > 100000:
        raise RateError(f"'{text}' is more than 100 %.")
    return value


def format_rate(milli: int) -> str:
    whole, frac = divmod(milli, 1000)
    return f"{whole}.{frac:03d}".rstrip("0").rstrip(".") if frac else str(whole)


def apply_rate(amount_minor: int, rate_milli: int) -> int:
    """amount x rate %, rounded half-up once (tax and discounts)."""
    return div_half_up(amount_minor * rate_milli, 100000)


def parse_quantity(text: str) -> int:
    """A quantity as typed (`2.5`) in thousandths of a unit."""
    s = (text or "").strip()
    if not re.fullmatch(r"\d+(\.\d{1,3})?|\.\d{1,3}", s):
        raise QuantityError(f"'{text}' is not a quantity (at most three decimals, not negative).")
    whole, _, frac = s.partition(".")
    return int(whole or 0) * 1000 + int(frac.ljust(3, "0") or 0)


def format_quantity(milli: int) -> str:
    return format_rate(milli)


def line_amount(qty_milli: int, unit_price_minor: int, discount_milli: int = 0) -> int:
    """quantity x unit price less discount %, rounded half-up once to the minor unit."""
    return div_half_up(qty_milli * unit_price_minor * (100000 - discount_milli), 1000 * 100000)


def safe_decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
