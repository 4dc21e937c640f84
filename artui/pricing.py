"""An invoice's arithmetic, in one place (FORMATS.md):

each line is quantity x unit price less its discount, rounded half-up to the minor unit;
tax is computed per rate on the sum of the lines at that rate and rounded half-up once
per rate; total = lines + tax + shipping (shipping taxed only when the settings say so,
at the invoice's highest line rate).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from artui.money import apply_rate, div_half_up, line_amount


@dataclass(frozen=True)
class LineInput:
    """One line as typed: quantity in thousandths, rates in thousandths of a percent."""

    description: str = ""
    quantity: int = 1000
    unit_price: int = 0
    discount_rate: int = 0
    tax_rate: int = 0
    item_code: str = ""
    credits_line_id: int | None = None


def line_fields(ln: LineInput) -> dict[str, object]:
    """A line's stored columns (invoice, contract and order lines keep the same ones)."""
    return {
        "item_code": ln.item_code,
        "description": ln.description,
        "quantity": ln.quantity,
        "unit_price": ln.unit_price,
        "discount_rate": ln.discount_rate,
        "tax_rate": ln.tax_rate,
    }


@dataclass(frozen=True)
class TaxLine:
    rate: int
    base: int
    tax: int


@dataclass(frozen=True)
class Totals:
    line_amounts: tuple[int, ...]
    gross: int  # lines before line discounts
    discount_total: int
    subtotal: int  # lines after discounts
    taxes: tuple[TaxLine, ...] = field(default_factory=tuple)
    tax_total: int = 0
    shipping: int = 0
    total: int = 0


def gross_amount(quantity: int, unit_price: int) -> int:
    return div_half_up(quantity * unit_price, 1000)


def price(lines: Sequence[LineInput], shipping: int = 0, *, tax_shipping: bool = False) -> Totals:
    amounts = tuple(line_amount(ln.quantity, ln.unit_price, ln.discount_rate) for ln in lines)
    gross = sum(gross_amount(ln.quantity, ln.unit_price) for ln in lines)
    subtotal = sum(amounts)
    bases: dict[int, int] = {}
    for ln, amt in zip(lines, amounts, strict=True):
        bases[ln.tax_rate] = bases.get(ln.tax_rate, 0) + amt
    if tax_shipping and shipping and lines:
        top = max(ln.tax_rate for ln in lines)
        bases[top] = bases.get(top, 0) + shipping
    taxes = tuple(
        TaxLine(rate, base, apply_rate(base, rate)) for rate, base in sorted(bases.items()) if rate
    )
    tax_total = sum(t.tax for t in taxes)
    return Totals(
        line_amounts=amounts,
        gross=gross,
        discount_total=gross - subtotal,
        subtotal=subtotal,
        taxes=taxes,
        tax_total=tax_total,
        shipping=shipping,
        total=subtotal + tax_total + shipping,
    )
