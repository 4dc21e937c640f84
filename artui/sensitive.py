"""Card numbers are never stored: a card-like number typed into any text is refused."""

import re

from artui.errors import Refused

# 13 to 19 digits, optionally grouped by spaces or dashes
_CANDIDATE = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_numbers(text: str) -> list[str]:
    """The card-like numbers (13-19 digits passing the Luhn check) in a text."""
    found = []
    for m in _CANDIDATE.finditer(text or ""):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            found.append(digits)
    return found


def mask(text: str) -> str:
    """The text with every card-like number masked to its last four digits."""

    def repl(m: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            return "*" * (len(digits) - 4) + digits[-4:]
        return m.group()

    return _CANDIDATE.sub(repl, text or "")


def refuse_card_numbers(text: str, field: str) -> None:
    if card_numbers(text):
        raise Refused(
            f"The {field} holds what looks like a card number; card numbers are never "
            "stored. Keep only the brand and the last four digits.",
            field=field,
        )
