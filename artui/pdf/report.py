"""Any report as a PDF table: landscape Letter, the column header on every page."""

import datetime as dt
from collections.abc import Sequence

from artui.pdf.base import Page, needs_cjk, new_page_set

WIDTH = 279.4 - 30  # landscape Letter less the margins


def render_table(
    title: str,
    subtitle: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[bool],
    created: dt.datetime,
    footer_lines: Sequence[str] = (),
) -> bytes:
    """`rows` as text already formatted; `numeric` columns are right-aligned."""
    cjk = needs_cjk([title, subtitle, *footer_lines, *(c for r in rows for c in r)])
    pdf = new_page_set(created, "L", cjk)
    pdf.set_auto_page_break(True, margin=15)
    pdf.font(7)
    widths = _widths(pdf, columns, rows)
    aligns = ["R" if n else "L" for n in numeric]

    def head() -> None:
        pdf.set_fill_color(230)
        pdf.row(list(zip(columns, widths, aligns, strict=True)), 5, bold=True, size=7, fill=True)

    def continuation() -> None:
        pdf.row([(f"{title}, continued", WIDTH, "L")], 5, bold=True, size=8)
        head()

    pdf.start_document(lambda: f"{title}  ·  {subtitle}  ·  page {pdf.page_in_document()}")
    pdf.row([(title, WIDTH, "L")], 8, bold=True, size=13)
    pdf.row([(subtitle, WIDTH, "L")], 5, size=8)
    pdf.ln(2)
    head()
    pdf.continuation = continuation
    for r in rows:
        pdf.row(list(zip(r, widths, aligns, strict=True)), 4.2, size=7)
    if not rows:
        pdf.row([("Nothing to report.", WIDTH, "L")], 5, size=8)
    pdf.ln(2)
    for line in footer_lines:
        pdf.row([(line, WIDTH, "L")], 5, bold=True, size=8)
    pdf.continuation = None
    return bytes(pdf.output())


def _widths(pdf: Page, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[float]:
    """Each column as wide as its widest cell (sampled), shrunk to fit the page."""
    sample = list(rows[:300])
    want = []
    for i, name in enumerate(columns):
        cells = [name, *(str(r[i]) for r in sample)]
        want.append(min(70.0, max(pdf.get_string_width(c) for c in cells) + 3))
    total = sum(want)
    if total <= WIDTH:
        extra = (WIDTH - total) / len(want)
        return [w + extra for w in want]
    return [w * WIDTH / total for w in want]
