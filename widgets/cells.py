"""How values from the book are drawn in cells: text literally (never as markup), money
right-aligned with separators, negatives and past-due amounts visible without colour."""

import datetime as dt

from rich.text import Text

from artui.money import format_amount


def plain(value: object) -> Text:
    """Stored text as text: `[bold]` stays `[bold]`; control characters never reach the
    terminal (the core strips them on save; this guards imported or old rows)."""
    s = "" if value is None else str(value)
    return Text(
        "".join(c if c.isprintable() else "?" for c in s), no_wrap=True, overflow="ellipsis"
    )


def money(
    amount: int | None, currency: str = "USD", *, past_due: bool = False, blank_zero: bool = False
) -> Text:
    if amount is None or (blank_zero and amount == 0):
        return Text("", justify="right")
    s = format_amount(amount, currency)
    style = ""
    if amount < 0:
        style = "italic"
    if past_due and amount > 0:
        style = "bold"
        s += "!"  # not colour alone: a mark the eye finds in monochrome too
    else:
        s += " "
    return Text(s, style=style, justify="right", no_wrap=True)


def day(value: dt.date | None) -> Text:
    return Text(value.isoformat() if value else "", no_wrap=True)
