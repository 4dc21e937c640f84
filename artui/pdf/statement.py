"""The customer statement PDF: open item or activity, a remittance slip at the end.

Many statements are drawn into one document (one font load, one font subset), then cut
into one file per customer (`base.split`): about 15 ms a statement instead of 250.
The bill-to block sits where a #10 window envelope shows it (22 mm from the left, 48 mm
from the top, at most five lines)."""

import datetime as dt
from collections.abc import Sequence

from artui.pdf.base import Page, needs_cjk, new_page_set
from artui.statements import Statement

WIDTH = 185.9  # Letter less the margins
WINDOW = (22.0, 48.0, 95.0, 5)  # x, y, width (mm) and lines of the envelope window
LINE = 4.6
OPEN_COLUMNS = (
    ("Date", 20, "L"),
    ("Type", 26, "L"),
    ("Number", 26, "L"),
    ("Reference", 33.9, "L"),
    ("Due", 20, "L"),
    ("Days", 12, "R"),
    ("Amount", 24, "R"),
    ("Open", 24, "R"),
)
ACTIVITY_COLUMNS = (
    ("Date", 20, "L"),
    ("Type", 26, "L"),
    ("Number", 24, "L"),
    ("Details", 55.9, "L"),
    ("Due", 20, "L"),
    ("Amount", 20, "R"),
    ("Balance", 20, "R"),
)
BUCKET_HEADS = ("Current", "1-30", "31-60", "61-90", "Over 90", "Credits", "Balance due")


def render(statements: Sequence[Statement], created: dt.datetime) -> tuple[bytes, list]:
    """All `statements` in one PDF, each from a new page; the bytes and each one's page
    range (first, last)."""
    pdf = new_page_set(created, cjk=needs_cjk(_texts(statements)))
    ranges = []
    for st in statements:
        first = pdf.page_no() + 1
        _draw(pdf, st)
        ranges.append((first, pdf.page_no()))
    pdf.continuation = None
    return bytes(pdf.output()), ranges


def _texts(statements: Sequence[Statement]) -> list[str]:
    out = []
    for st in statements:
        out += [st.company_name, *st.remit_to, st.company_contact, st.name, *st.bill_to]
        out += [f"{ln.reference} {ln.note}" for ln in st.lines]
        out.append(st.message)
    return out


def _draw(pdf: Page, st: Statement) -> None:
    columns = OPEN_COLUMNS if st.style == "open_item" else ACTIVITY_COLUMNS
    pdf.start_document(
        lambda: (
            f"{st.name} ({st.account})  ·  statement as of {st.as_of.isoformat()}  ·  "
            f"page {pdf.page_in_document()}"
        )
    )
    _top(pdf, st)
    pdf.set_y(88)
    if st.style == "activity":
        pdf.row(
            [
                (
                    f"Account activity from {st.period_from.isoformat()} "  # type: ignore[union-attr]
                    f"to {st.as_of.isoformat()}",
                    WIDTH,
                    "L",
                )
            ],
            bold=True,
            size=9,
        )
    else:
        pdf.row([(f"Open items as of {st.as_of.isoformat()}", WIDTH, "L")], bold=True, size=9)

    def continuation() -> None:
        pdf.row(
            [
                (
                    f"{st.company_name}  ·  statement for {st.name} ({st.account}), continued",
                    WIDTH,
                    "L",
                )
            ],
            bold=True,
            size=8,
        )
        pdf.ln(1)
        _head(pdf, columns)

    _head(pdf, columns)
    pdf.continuation = continuation
    if st.style == "activity":
        pdf.row(
            [
                (st.period_from.isoformat(), 20, "L"),  # type: ignore[union-attr]
                ("Balance forward", 125.9, "L"),
                ("", 20, "R"),
                (st.money(st.opening_balance), 20, "R"),
            ]
        )
    for ln in st.lines:
        if st.style == "open_item":
            cells = [
                (ln.on.isoformat(), 20, "L"),
                (ln.label, 26, "L"),
                (ln.number, 26, "L"),
                (ln.reference, 33.9, "L"),
                (ln.due_date.isoformat() if ln.due_date else "", 20, "L"),
                (str(ln.days_past_due) if ln.days_past_due else "", 12, "R"),
                (st.money(ln.amount), 24, "R"),
                (st.money(ln.open) + (" *" if ln.disputed else ""), 24, "R"),
            ]
        else:
            details = "  ".join(x for x in (ln.reference, ln.note) if x)
            cells = [
                (ln.on.isoformat(), 20, "L"),
                (ln.label, 26, "L"),
                (ln.number, 24, "L"),
                (details, 55.9, "L"),
                (ln.due_date.isoformat() if ln.due_date else "", 20, "L"),
                (st.money(ln.amount) + (" *" if ln.disputed else ""), 20, "R"),
                (st.money(ln.open), 20, "R"),
            ]
        pdf.row(cells, LINE)
    if not st.lines:
        pdf.row(
            [
                (
                    "Nothing open on this date."
                    if st.style == "open_item"
                    else "No activity in this period.",
                    WIDTH,
                    "L",
                )
            ],
            LINE,
        )
    pdf.set_draw_color(120)
    pdf.line(15, pdf.get_y() + 0.5, 15 + WIDTH, pdf.get_y() + 0.5)
    pdf.ln(2)
    label = "Closing balance" if st.style == "activity" else "Balance due"
    pdf.row([(label, WIDTH - 24, "R"), (st.money(st.balance), 24, "R")], bold=True, size=9)
    if pdf.get_y() > 279.4 - 18 - 72:  # the summary and the slip stay together
        pdf.add_page()
    _summary(pdf, st)
    _slip(pdf, st)
    pdf.continuation = None


def _top(pdf: Page, st: Statement) -> None:
    pdf.set_xy(15, 12)
    pdf.font(14, bold=True)
    pdf.cell(110, 7, pdf.fit(st.company_name, 108))
    pdf.font(16, bold=True)
    pdf.cell(WIDTH - 110, 7, "STATEMENT", align="R")
    pdf.ln(7)
    pdf.font(8)
    for line in (*st.remit_to[:4], st.company_contact):
        if line:
            pdf.cell(110, 4, pdf.fit(line, 108))
            pdf.ln(4)
    facts = [
        ("Statement date", st.as_of.isoformat()),
        ("Account", st.account),
        ("Currency", st.currency),
        ("Balance due", st.money(st.balance)),
        ("Past due", st.money(st.past_due)),
    ]
    y = 24.0
    for name, value in facts:
        pdf.set_xy(135, y)
        pdf.font(8)
        pdf.cell(30, 5, name)
        pdf.font(9, bold=True)
        pdf.cell(WIDTH + 15 - 165, 5, pdf.fit(value, 34), align="R")
        y += 5
    x, y, w, lines = WINDOW
    pdf.font(9)
    for n, line in enumerate(st.bill_to[:lines]):
        pdf.set_xy(x, y + n * 5)
        pdf.font(9, bold=n == 0)
        pdf.cell(w, 5, pdf.fit(line, w))


def _head(pdf: Page, columns: Sequence[tuple[str, float, str]]) -> None:
    pdf.set_fill_color(230)
    pdf.row([(name, width, align) for name, width, align in columns], 5, bold=True, fill=True)


def _summary(pdf: Page, st: Statement) -> None:
    pdf.ln(3)
    width = WIDTH / len(BUCKET_HEADS)
    pdf.set_fill_color(230)
    pdf.row([(h, width, "R") for h in BUCKET_HEADS], 5, bold=True, fill=True)
    a = st.aging
    values = (
        a.current,
        a.days_1_30,
        a.days_31_60,
        a.days_61_90,
        a.days_over_90,
        a.unapplied,
        a.balance,
    )
    pdf.row([(st.money(v), width, "R") for v in values], 5)
    pdf.ln(2)
    if a.unapplied:
        pdf.row(
            [
                (
                    f"Credits of {st.money(-a.unapplied)} are yours to apply or to be refunded.",
                    WIDTH,
                    "L",
                )
            ],
            LINE,
        )
    if st.disputed:
        pdf.row(
            [
                (
                    f"Disputed: {st.money(st.disputed)} (marked *). We are looking into it.",
                    WIDTH,
                    "L",
                )
            ],
            LINE,
        )
    pdf.ln(1)
    pdf.row([(st.message, WIDTH, "L")], 5, bold=st.past_due > 0, size=9)


def _slip(pdf: Page, st: Statement) -> None:
    pdf.ln(4)
    y = pdf.get_y()
    pdf.set_draw_color(150)
    pdf.set_dash_pattern(dash=1.5, gap=1.5)
    pdf.line(15, y, 15 + WIDTH, y)
    pdf.set_dash_pattern()
    pdf.ln(1.5)
    pdf.row([("Please return this part with your payment.", WIDTH, "L")], 4, size=7)
    top = pdf.get_y()
    pdf.font(8, bold=True)
    pdf.cell(90, 5, "Remit to")
    pdf.ln(5)
    for line in (st.company_name, *st.remit_to[:4]):
        pdf.font(8, bold=line == st.company_name)
        pdf.cell(90, 4, pdf.fit(line, 88))
        pdf.ln(4)
    pdf.set_y(top)
    for name, value in (
        ("Account", st.account),
        ("Customer", st.name),
        ("Statement date", st.as_of.isoformat()),
        ("Balance due", f"{st.currency} {st.money(st.balance)}"),
        ("Amount enclosed", "______________"),
    ):
        pdf.set_x(110)
        pdf.font(8)
        pdf.cell(32, 5, name)
        pdf.font(9, bold=True)
        pdf.cell(WIDTH + 15 - 142, 5, pdf.fit(value, 48), align="R")
        pdf.ln(5)
