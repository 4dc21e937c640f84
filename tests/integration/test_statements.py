"""Customer statements against hand-computed books, read back from the PDF with pypdf."""

import datetime as dt
import io
import json

import pytest
from pypdf import PdfReader

from artui import collections as col
from artui import statement_runs as runs
from artui.account import account_summary
from artui.adjustments import credit_memo
from artui.customers import ContactInput, save_contact
from artui.money import format_amount, parse_amount
from artui.pdf.statement import WINDOW, render
from artui.statements import statement
from tests.integration.conftest import TODAY, add_customer
from tests.integration.test_ledger import inv, pay

STAMP = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def text_of(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def small_book(book):
    """C100: three invoices (1,000.00 due 2026-10-01; 500.00 due 2026-11-01; 250.00 due
    2026-12-20), 400.00 paid on the first, a 100.00 credit memo on account, and a
    dispute of 500.00 on the second."""
    cid = add_customer(book, "C100", "Zoë Müller & Søn — Ωmega")
    save_contact(book, cid, ContactInput("Ana Núñez", email="ana@example.com", is_billing=True))
    a = inv(book, amount=100000, on=dt.date(2026, 9, 1))
    b = inv(book, amount=50000, on=dt.date(2026, 10, 2))
    inv(book, amount=25000, on=dt.date(2026, 11, 20))
    pay(book, 40000, on=dt.date(2026, 10, 15), applications=[(a.number, 40000)])
    credit_memo(book, "C100", 10000, "goodwill", dt.date(2026, 11, 1))
    col.open_dispute(book, cid, "pricing", 50000, document_id=b.id)
    return cid, a, b


def test_open_item_statement_agrees_with_the_account(book):
    cid, a, b = small_book(book)
    st = statement(book, "C100", TODAY)
    summary = account_summary(book, "C100", TODAY)
    assert st.balance == summary.balance == 100000 - 40000 + 50000 + 25000 - 10000
    assert st.aging == summary.aging
    numbers = [ln.number for ln in st.lines]
    assert numbers == [i.number for i in summary.open_items]
    opens = {ln.number: ln.open for ln in st.lines}
    assert opens[a.number] == 60000 and opens[b.number] == 50000
    assert [ln.disputed for ln in st.lines if ln.number == b.number] == [True]
    assert st.disputed == 50000
    assert st.past_due == 60000 + 50000  # both past due on 24 November
    assert "past due by 1,100.00" in st.message
    data, ranges = render([st], STAMP)
    assert ranges == [(1, 1)]
    text = text_of(data)
    for ln in st.lines:
        assert ln.number in text
        assert st.money(ln.open) in text
    assert "Zoë Müller & Søn — Ωmega" in text  # accents and Greek render (DejaVu)
    assert "Attn: Ana Núñez" in text
    assert "1,250.00" in text  # balance due
    assert "Disputed: 500.00" in text


def test_statement_totals_equal_artui_account_json(sqlite_book, tmp_path):
    from tests.integration.test_cli import run

    small_book(sqlite_book)
    out = tmp_path / "s.pdf"
    db = str(sqlite_book.engine.url.database)
    r = run("statement", "C100", "--as-of", "2026-11-24", "-o", str(out), db=db)
    assert r.returncode == 0, r.stderr
    acct = json.loads(
        run("account", "C100", "--as-of", "2026-11-24", "--format", "json", db=db).stdout
    )
    text = text_of(out.read_bytes())

    def shown(plain: str) -> str:
        return format_amount(parse_amount(plain))

    assert f"Balance due {shown(acct['balance'])}" in text
    for item in acct["open_items"]:
        assert item["number"] in text
        assert shown(item["open"]) in text
    r = run("statement", "NOPE", "-o", str(tmp_path / "x.pdf"), db=db)
    assert r.returncode == 1 and "no customer with account NOPE" in r.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_past_statement_unchanged_by_later_postings(book):
    small_book(book)
    day = dt.date(2026, 10, 31)
    before, _ = render([statement(book, "C100", day)], STAMP)
    act_before, _ = render([statement(book, "C100", day, period_from=dt.date(2026, 9, 1))], STAMP)
    pay(book, 20000, on=dt.date(2026, 11, 24))
    inv(book, amount=7000, on=dt.date(2026, 11, 24))
    after, _ = render([statement(book, "C100", day)], STAMP)
    act_after, _ = render([statement(book, "C100", day, period_from=dt.date(2026, 9, 1))], STAMP)
    assert before == after
    assert act_before == act_after


def test_activity_statement_runs_the_balance_forward(book):
    _, a, b = small_book(book)
    st = statement(book, "C100", TODAY, period_from=dt.date(2026, 10, 1))
    assert st.opening_balance == 100000  # the September invoice
    assert [(ln.number, ln.open) for ln in st.lines] == [
        (b.number, 150000),
        (st.lines[1].number, 110000),  # the payment
        (st.lines[2].number, 100000),  # the credit memo
        (st.lines[3].number, 125000),
    ]
    assert st.lines[1].note == f"applied to {a.number}"
    assert st.lines[-1].open == st.balance == 125000
    text = text_of(render([st], STAMP)[0])
    assert "Balance forward" in text and "Closing balance" in text


def test_long_statement_repeats_the_table_header(sqlite_book):
    add_customer(sqlite_book, "C100", "Long Account Ltd")
    for n in range(130):
        inv(sqlite_book, amount=1000 + n, on=dt.date(2026, 6, 1) + dt.timedelta(days=n))
    st = statement(sqlite_book, "C100", TODAY)
    data, ranges = render([st], STAMP)
    pages = PdfReader(io.BytesIO(data)).pages
    assert ranges == [(1, len(pages))] and len(pages) >= 3
    for n, page in enumerate(pages, 1):
        text = page.extract_text()
        assert "Number" in text and "Open" in text  # the column header on every page
        assert f"page {n}" in text
        if n > 1:
            assert "continued" in text
    assert all(ln.number in text_of(data) for ln in st.lines)


def test_bill_to_fits_the_envelope_window(sqlite_book):
    from artui.customers import CustomerInput, create_customer

    create_customer(
        sqlite_book,
        CustomerInput(
            account="C200",
            name="A very long company name that goes on and on well past any window " * 2,
            address1="1 Main Street",
            address2="Suite 900, Building 7, Floor 3",
            city="Springfield",
            region="IL",
            postal_code="62701",
            country="US",
            contact="Pat Lee",
        ),
    )
    st = statement(sqlite_book, "C200", TODAY)
    assert len(st.bill_to) <= WINDOW[3]
    data, _ = render([st], STAMP)
    page = PdfReader(io.BytesIO(data)).pages[0]
    x0, y0, width, lines = WINDOW
    top_pt = 279.4 - y0  # the window's top, in mm from the page's bottom
    found = []

    def visit(text, cm, tm, font, size):  # noqa: ANN001
        if text.strip() and ("Main Street" in text or "Springfield" in text or "very long" in text):
            x_mm, y_mm = tm[4] * 25.4 / 72, tm[5] * 25.4 / 72
            if x_mm < 120 and y_mm > 150:  # the address block, not the slip or footer
                found.append((text, x_mm, y_mm))

    page.extract_text(visitor_text=visit)
    assert len(found) == 3
    for _, x, y in found:
        assert x0 - 1 <= x <= x0 + width
        assert top_pt - lines * 5 - 1 <= y <= top_pt


def test_run_criteria_choose_from_the_aging(book):
    add_customer(book, "A1", "Owes a lot")
    add_customer(book, "A2", "Owes a little")
    add_customer(book, "A3", "In credit")
    add_customer(book, "A4", "Nothing")
    inv(book, "A1", 90000, on=dt.date(2026, 9, 1))
    inv(book, "A2", 1000, on=TODAY)
    pay(book, 5000, on=TODAY, customer="A3")

    def chosen(**kw):
        return [r.account for r in runs.choose(book, runs.RunCriteria(TODAY, **kw))]

    assert chosen() == ["A1", "A2", "A3"]
    assert chosen(credits="no") == ["A1", "A2"]
    assert chosen(credits="only") == ["A3"]
    assert chosen(min_balance=5000) == ["A1", "A3"]
    assert chosen(past_due_only=True) == ["A1"]
    # A named selection gets its statements whatever the balance.
    assert chosen(accounts=("A4", "A2")) == ["A2", "A4"]


@pytest.mark.xdist_group("statement_run")
def test_run_for_1000_customers_emails_and_resumes_without_sending_twice(tmp_path, smtp):
    """1,000 statements end to end: files, mail to a real SMTP server, an interrupted
    run that goes on, and a reprint that is byte-identical."""
    from artui import demo
    from artui.book import open_book

    catcher, settings = smtp
    b = open_book(str(tmp_path / "book.db"), "alice", create=True, today=TODAY)
    demo.build(b, customers=1000, seed=11, today=TODAY, workers=0)
    crit = runs.RunCriteria(TODAY)
    expected = runs.choose(b, crit)
    assert len(expected) > 700
    run_id = runs.create_run(b, crit, "email", tmp_path / "run")
    seen = []

    class Stop(Exception):
        pass

    def stop_after_three(p: runs.Progress) -> None:
        seen.append(p.done)
        if p.done >= 300:
            raise Stop  # the terminal closed half way

    with pytest.raises(Stop):
        runs.continue_run(b, run_id, progress=stop_after_three, mail_settings=settings)
    assert seen == [100, 200, 300]
    assert catcher.messages == []  # mail goes after the run, from the outbox
    info = runs.continue_run(b, run_id, mail_settings=settings)
    assert (info.status, info.done, info.total) == ("done", len(expected), len(expected))
    files = sorted((tmp_path / "run").glob("*.pdf"))
    assert len(files) == len(expected)
    assert info.emailed == len(catcher.messages) == len(expected) - info.without_email
    subjects = [m[1]["Subject"] for m in catcher.messages]
    assert len(set(subjects)) == len(subjects)  # no statement went twice
    # Going on with a finished run sends nothing more.
    runs.continue_run(b, run_id, mail_settings=settings)
    assert len(catcher.messages) == info.emailed
    _, msg = catcher.messages[0]
    [part] = [p for p in msg.walk() if p.get_content_type() == "application/pdf"]
    account = part.get_filename().split("-")[0]
    assert account in msg["Subject"]
    text = text_of(part.get_payload(decode=True))
    assert "STATEMENT" in text and account in text
    again = runs.reprint(b, run_id, tmp_path / "again")
    assert len(again) == len(files)
    for path in again[:50] + again[-5:]:
        assert path.read_bytes() == (tmp_path / "run" / path.name).read_bytes()
    b.dispose()


def test_cjk_and_accented_names_render(sqlite_book):
    """Names in any script come back out of the PDF as typed (CJK needs a system CJK
    font, which .ci/run installs: fonts-droid-fallback)."""
    from artui.pdf.base import CJK_CANDIDATES

    cjk = any(__import__("pathlib").Path(p).exists() for p in CJK_CANDIDATES)
    if not cjk:
        pytest.skip("no CJK font on this machine (apt-get install fonts-droid-fallback)")
    add_customer(sqlite_book, "C300", "東京商事株式会社 — Ærøskøbing Ltd")
    inv(sqlite_book, "C300", 12345, on=dt.date(2026, 11, 1))
    data, _ = render([statement(sqlite_book, "C300", TODAY)], STAMP)
    assert "東京商事株式会社 — Ærøskøbing Ltd" in text_of(data)
