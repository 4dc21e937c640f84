"""The aging drawn as bars: each bucket its own character and colour, so that it reads
in monochrome too, with the bucket's name and amount beside each bar."""

from collections.abc import Sequence

from rich.text import Text

from artui.dates import BUCKETS
from artui.money import format_amount

BAR_CHARS = {
    "current": "█",
    "days_1_30": "▓",
    "days_31_60": "▒",
    "days_61_90": "░",
    "days_over_90": "#",
}
BAR_STYLES = {
    "current": "green",
    "days_1_30": "yellow",
    "days_31_60": "dark_orange",
    "days_61_90": "red",
    "days_over_90": "bold red",
}


def bucket_chart(chart: Sequence[tuple[str, int]], currency: str, width: int) -> Text:
    """One line per bucket: `1-30      ▓▓▓▓▓▓        42,956.09  (18%)`."""
    out = Text()
    if not chart:
        return out
    top = max((max(v, 0) for _, v in chart), default=0)
    total = sum(max(v, 0) for _, v in chart) or 1
    bar_width = max(10, width - 34)
    for (label, value), key in zip(chart, BUCKETS, strict=False):
        n = round(bar_width * max(value, 0) / top) if top else 0
        out.append(f"{label:<9} ")
        out.append(BAR_CHARS[key] * n, style=BAR_STYLES[key])
        out.append(" " * (bar_width - n))
        out.append(f" {format_amount(value, currency):>15}  {100 * max(value, 0) / total:3.0f}%\n")
    return out
