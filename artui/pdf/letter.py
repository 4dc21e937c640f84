"""Dunning letters as PDF: the company's letterhead, the customer's address in the
envelope window (where the statement puts it), the letter, and the past-due items it
is about. Many letters are drawn into one document and cut apart (as statements are)."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from artui.pdf.base import Page, needs_cjk, new_page_set
from artui.pdf.statement import WIDTH, WINDOW
from artui.statements import Statement

ITEMS = (("Invoice", 34, "L"), ("Date", 24, "L"), ("Due", 24, "L"), ("Days late", 22, "R"),
         ("Open", 30, "R"))  # fmt: skip


@dataclass(frozen=True)
class LetterPage:
    statement: Statement  # the address, the company and the open items as of the date
    level: int
    subject: str
    body: str  # paragraphs separated by blank lines


def render(letters: Sequence[LetterPage], created: dt.datetime) -> tuple[bytes, list]:
    texts = [t for lt in letters for t in (lt.body, lt.subject, *lt.statement.bill_to)]
    pdf = new_page_set(created, cjk=needs_cjk(texts))
    ranges = []
    for lt in letters:
        first = pdf.page_no() + 1
        _draw(pdf, lt)
        ranges.append((first, pdf.page_no()))
    return bytes(pdf.output()), ranges


def _draw(pdf: Page, lt: LetterPage) -> None:
    st = lt.statement
    pdf.start_document(lambda: f"{st.name} ({st.account})  ·  {lt.subject}  ·  {st.as_of}")
    pdf.set_xy(15, 12)
    pdf.font(14, bold=True)
    pdf.cell(WIDTH, 7, pdf.fit(st.company_name, WIDTH - 2))
    pdf.ln(7)
    pdf.font(8)
    for line in (*st.remit_to[:4], st.company_contact):
        if line:
            pdf.cell(110, 4, pdf.fit(line, 108))
            pdf.ln(4)
    x, y, w, lines = WINDOW
    for n, line in enumerate(st.bill_to[:lines]):
        pdf.set_xy(x, y + n * 5)
        pdf.font(9, bold=n == 0)
        pdf.cell(w, 5, pdf.fit(line, w))
    pdf.set_xy(135, 48)
    pdf.font(9)
    pdf.cell(65, 5, st.as_of.strftime("%B %-d, %Y"), align="R")
    pdf.set_xy(135, 53)
    pdf.cell(65, 5, f"Account {st.account}", align="R")
    pdf.set_xy(15, 82)
    pdf.font(11, bold=True)
    pdf.cell(WIDTH, 6, pdf.fit(lt.subject, WIDTH))
    pdf.ln(9)
    pdf.font(10)
    for para in lt.body.split("\n\n"):
        pdf.multi_cell(WIDTH, 5, " ".join(para.split()))
        pdf.ln(3)
    late = [ln for ln in st.lines if ln.days_past_due > 0 and ln.open > 0]
    if late:
        pdf.ln(2)
        pdf.set_fill_color(230)
        pdf.row([(n, wd, a) for n, wd, a in ITEMS], 5, bold=True, fill=True)
        for ln in late:
            pdf.row(
                [
                    (ln.number + (" *" if ln.disputed else ""), 34, "L"),
                    (ln.on.isoformat(), 24, "L"),
                    (ln.due_date.isoformat() if ln.due_date else "", 24, "L"),
                    (str(ln.days_past_due), 22, "R"),
                    (st.money(ln.open), 30, "R"),
                ],
                4.6,
            )
        pdf.row([("Past due", 104, "L"), (st.money(st.past_due), 30, "R")], 5, bold=True)
        if any(ln.disputed for ln in late):
            pdf.row([("* in dispute: left out of the amount we ask for", WIDTH, "L")], 4, size=7)
