"""The corpus of bad files (tests/fixtures/bad_files/): each is refused by the command
line with every problem as `row N, column C: ...`, exit 1, no traceback, and the book
unchanged (byte-identical exports of every kind and the journal, before and after)."""

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from artui.adjustments import credit_memo
from artui.book import open_book
from artui.csvio import KINDS, export_kind, import_file
from artui.customers import CustomerInput, create_customer
from artui.invoices import InvoiceInput, post_invoice
from artui.journal import export_journal
from artui.period import close_period
from artui.pricing import LineInput

ARTUI = str(Path(sys.executable).with_name("artui"))
CORPUS = Path(__file__).parents[1] / "fixtures" / "bad_files"
TODAY = dt.date(2026, 11, 24)

# file -> every problem line expected on stderr (the last line then sums them up)
EXPECTED = {
    "01_customers_unknown_column.csv": [
        "row 1, column fax: unknown column; the customers columns are account, name, email, "
        "phone, contact, terms, credit_limit, currency, address1, address2, city, region, "
        "postal_code, country.",
    ],
    "02_customers_missing_required_column.csv": [
        "row 1, column name: the required column is missing.",
    ],
    "03_customers_duplicate_column.csv": [
        "row 1, column name: the column appears twice.",
    ],
    "04_customers_semicolons.csv": [
        "row 1, column account: the required column is missing.",
        "row 1, column name: the required column is missing.",
        "row 1, column account;name: the header is not separated by commas (semicolons or "
        "tabs?); use commas.",
    ],
    "05_customers_empty_name.csv": [
        "row 3, column name: the name is required.",
    ],
    "06_customers_account_exists.csv": [
        "row 2, column account: account A1 already exists in the book.",
    ],
    "07_customers_account_twice.csv": [
        "row 3, column account: account N1 is also on row 2.",
    ],
    "08_customers_bad_email.csv": [
        "row 2, column email: 'not-an-email' is not an email address.",
    ],
    "09_customers_bad_terms.csv": [
        "row 2, column terms: 'NET-30' is not a terms code; use NET30, NET15, 2/10NET30, DUE "
        "or NET30EOM.",
    ],
    "10_customers_bad_currency.csv": [
        "row 2, column currency: 'DOLLARS' is not a currency code such as USD.",
    ],
    "11_customers_escape_sequence_in_name.csv": [
        "row 2, column name: holds an escape sequence (ESC, U+001B), which would drive a "
        "terminal; remove it.",
    ],
    "12_customers_control_char_in_name.csv": [
        "row 2, column name: holds a control character (U+0007); remove it.",
    ],
    "13_customers_bidi_override_in_name.csv": [
        "row 2, column name: holds a text-direction override (U+202E); remove it.",
    ],
    "14_customers_latin1_bytes.csv": [
        "row 2, column name: is not UTF-8 text (byte 0xE9); save the file as UTF-8.",
    ],
    "15_customers_line_break_in_name.csv": [
        "row 2, column name: has a line break; keep it on one line.",
    ],
    "16_customers_card_number_in_name.csv": [
        "row 2, column name: the name holds what looks like a card number; card numbers are "
        "never stored. Keep only the brand and the last four digits.",
    ],
    "17_customers_negative_credit_limit.csv": [
        "row 2, column credit_limit: -20.00 is negative; a credit limit cannot be negative.",
    ],
    "18_customers_cell_beyond_header.csv": [
        "row 2, column 3: a cell beyond the header's 2 columns (a comma too many, or a value "
        "with a comma that is not quoted?).",
    ],
    "19_customers_bad_account_characters.csv": [
        "row 2, column account: an account number is 1-32 letters, digits, dots, dashes or "
        "slashes.",
    ],
    "20_customers_empty_file.csv": [
        "row 1: the file has no header row; the customers columns are account, name, email, "
        "phone, contact, terms, credit_limit, currency, address1, address2, city, region, "
        "postal_code, country.",
    ],
    "21_customers_utf16.csv": [
        "row 1, column account: the required column is missing.",
        "row 1, column name: the required column is missing.",
        "row 1, column 1: the header is not UTF-8 text; save the file as UTF-8.",
        "row 1, column ?n?a?m?e?: unknown column; the customers columns are account, name, "
        "email, phone, contact, terms, credit_limit, currency, address1, address2, city, "
        "region, postal_code, country.",
    ],
    "22_items_price_bad_grouping.csv": [
        "row 2, column unit_price: '12,34.5' is not an amount: write plain decimals with a "
        "dot, such as 1234.50.",
    ],
    "23_items_price_exponent.csv": [
        "row 2, column unit_price: '1e3' is not an amount: write plain decimals with a dot, "
        "such as 1234.50.",
    ],
    "24_items_price_nan.csv": [
        "row 2, column unit_price: 'NaN' is not an amount: write plain decimals with a dot, "
        "such as 1234.50.",
    ],
    "25_items_price_double_minus.csv": [
        "row 2, column unit_price: '--5' is not an amount: write plain decimals with a dot, "
        "such as 1234.50.",
    ],
    "26_items_price_dollar_sign.csv": [
        "row 2, column unit_price: '$' is not an amount: write plain decimals with a dot, "
        "such as 1234.50.",
    ],
    "27_items_price_three_decimals.csv": [
        "row 2, column unit_price: '1.234' is not an amount: USD has at most 2 decimal places.",
    ],
    "28_items_tax_rate_percent_sign.csv": [
        "row 2, column tax_rate: '7.25%' is not a percentage such as 7.25 (no % sign).",
    ],
    "29_items_tax_rate_over_100.csv": [
        "row 2, column tax_rate: '150' is more than 100 %.",
    ],
    "30_items_code_exists.csv": [
        "row 2, column code: item W1 already exists in the book.",
    ],
    "31_invoices_date_february_30.csv": [
        "row 2, column date: 2026-02-30 is not a date: February 2026 has 28 days.",
    ],
    "32_invoices_date_us_format.csv": [
        "row 2, column date: '11/30/2026' is not a date in the form YYYY-MM-DD.",
    ],
    "33_invoices_unknown_account.csv": [
        "row 2, column account: there is no customer with account ZZ9.",
    ],
    "34_invoices_number_exists.csv": [
        "row 2, column number: invoice INV-A1 already exists in the book.",
    ],
    "35_invoices_number_for_two_customers.csv": [
        "row 3, column account: invoice X-1 is for A1 on row 2; one number belongs to one "
        "customer.",
    ],
    "36_invoices_empty_quantity.csv": [
        "row 2, column quantity: a quantity is required.",
    ],
    "37_invoices_negative_quantity.csv": [
        "row 2, column quantity: '-1' is not a quantity (at most three decimals, not negative).",
    ],
    "38_invoices_negative_price.csv": [
        "row 2, column unit_price: -20.00 is negative; a unit price cannot be negative.",
    ],
    "39_invoices_due_before_date.csv": [
        "row 2, column due_date: 2026-10-01 is before the invoice date 2026-11-01.",
    ],
    "40_invoices_zero_total.csv": [
        "row 2, column unit_price: invoice X-1 totals 0; an invoice must be more than zero.",
    ],
    "41_invoices_discount_over_100.csv": [
        "row 2, column discount_pct: '120' is more than 100 %.",
    ],
    "42_invoices_bad_terms.csv": [
        "row 2, column terms: 'NET-30' is not a terms code; use NET30, NET15, 2/10NET30, DUE "
        "or NET30EOM.",
    ],
    "43_invoices_many_problems.csv": [
        "row 3, column date: 2026-13-01 is not a date: there is no month 13.",
        "row 4, column quantity: 'two' is not a quantity (at most three decimals, not negative).",
        "row 4, column unit_price: '1e3' is not an amount: write plain decimals with a dot, "
        "such as 1234.50.",
        "row 5, column account: the account is required.",
        "row 5, column tax_rate: 'abc' is not a percentage such as 7.25 (no % sign).",
    ],
    "44_payments_other_customers_invoice.csv": [
        "row 2, column invoice: INV-B1 belongs to another customer, not to A1.",
    ],
    "45_payments_more_than_open.csv": [
        "row 2, column applied: 150.00 is more than the 100.00 still open on INV-A1.",
    ],
    "46_payments_applied_more_than_amount.csv": [
        "row 2, column applied: the rows of payment CHK-9 apply 80.00, more than its amount 50.00.",
    ],
    "47_payments_unknown_invoice.csv": [
        "row 2, column invoice: there is no invoice or other charge numbered INV-404 in the book.",
    ],
    "48_payments_zero_amount.csv": [
        "row 2, column amount: a payment must be more than zero.",
    ],
    "49_payments_bad_method.csv": [
        "row 2, column method: 'bitcoin' is not a payment method; use one of check, ach, "
        "wire, card, cash.",
    ],
    "50_payments_reference_for_two_customers.csv": [
        "row 3, column account: payment CHK-9 is for A1 on row 2; one reference belongs to "
        "one customer.",
        "row 3, column invoice: INV-B1 belongs to another customer, not to A1.",
    ],
    "51_payments_amount_differs_between_rows.csv": [
        "row 3, column amount: '70.00' differs from '60.00' on row 2, the first row of "
        "payment CHK-9.",
    ],
    "52_payments_negative_amount.csv": [
        "row 2, column amount: -20.00 is negative; a payment cannot be negative.",
    ],
    "53_credits_number_exists.csv": [
        "row 2, column number: credit memo CM-FIX already exists in the book.",
    ],
    "54_credits_number_for_two_customers.csv": [
        "row 3, column account: credit CR-9 is for A1 on row 2; one number belongs to one "
        "customer.",
        "row 3, column invoice: INV-B1 belongs to another customer, not to A1.",
    ],
    "55_credits_other_customers_invoice.csv": [
        "row 2, column invoice: INV-B1 belongs to another customer, not to A1.",
    ],
    "56_credits_empty_amount.csv": [
        "row 2, column amount: the amount is required.",
    ],
    "57_credits_closed_period.csv": [
        "row 2, column date: 2026-06-30 falls in a closed period: the book is closed through "
        "2026-06-30.",
    ],
    "58_payments_escape_sequence_in_reference.csv": [
        "row 2, column reference: holds an escape sequence (ESC, U+001B), which would drive "
        "a terminal; remove it.",
    ],
}


def fixture_book(path: str) -> None:
    """A1 and B1; item W1; INV-A1 (100.00, A1) and INV-B1 (50.00, B1) of 1 September;
    credit memo CM-FIX (5.00 on account, A1); the book closed through 30 June."""
    b = open_book(path, "alice", create=True, today=TODAY)
    create_customer(b, CustomerInput("A1", "Alpha Ltd"))
    create_customer(b, CustomerInput("B1", "Beta Ltd"))
    import_file(b, "items", b"code,description,unit_price\nW1,Widget,2.50\n")
    line = [LineInput("x", 1000, 10000)]
    post_invoice(b, InvoiceInput("A1", dt.date(2026, 9, 1), line, number="INV-A1"))
    line = [LineInput("x", 1000, 5000)]
    post_invoice(b, InvoiceInput("B1", dt.date(2026, 9, 1), line, number="INV-B1"))
    credit_memo(b, "A1", 500, "fixture", dt.date(2026, 10, 1), number="CM-FIX")
    close_period(b, dt.date(2026, 6, 30))
    b.dispose()


def snapshot(path: str) -> dict[str, str]:
    """Every kind's export, the journal and the audit trail's length and head."""
    b = open_book(path, "alice", today=TODAY)
    out = {}
    for kind in KINDS:
        buf = io.StringIO()
        export_kind(b, kind, buf)
        out[kind] = buf.getvalue()
    buf = io.StringIO()
    export_journal(b, buf, "hledger")
    out["journal"] = buf.getvalue()
    with b.engine.connect() as conn:
        audit = conn.exec_driver_sql("SELECT count(*), max(id) FROM audit_event").one()
        out["audit"] = str(tuple(audit))
    b.dispose()
    return out


@pytest.fixture(scope="module")
def corpus_book(tmp_path_factory) -> tuple[str, dict[str, str]]:
    path = str(tmp_path_factory.mktemp("corpus") / "book.db")
    fixture_book(path)
    return path, snapshot(path)


def run_import(db: str, kind: str, file: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ARTUI_USER": "alice", "ARTUI_TODAY": TODAY.isoformat()}
    env.pop("ARTUI_DB", None)
    cmd = [ARTUI, "--db", db, "import", kind, str(file), *extra]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)


def test_the_corpus_is_complete():
    files = sorted(p.name for p in CORPUS.glob("*.csv"))
    assert files == sorted(EXPECTED)
    assert len(files) >= 40


def run_in_process(db: str, kind: str, file: Path, *extra: str) -> subprocess.CompletedProcess:
    """The same command through typer's runner, in this process (quicker)."""
    from typer.testing import CliRunner

    from artui.cli import app

    env = {"ARTUI_USER": "alice", "ARTUI_TODAY": TODAY.isoformat()}
    result = CliRunner().invoke(app, ["--db", db, "import", kind, str(file), *extra], env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess([], result.exit_code, result.stdout, result.stderr)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_is_refused_with_row_and_column(corpus_book, name):
    """Odd-numbered files through the installed command in a subprocess, even-numbered
    ones in process; every fifth also with --dry-run."""
    db, before = corpus_book
    number, kind = int(name[:2]), name.split("_")[1]
    runner = run_import if number % 2 else run_in_process
    for extra in ((), ("--dry-run",)) if number % 5 == 0 else ((),):
        out = runner(db, kind, CORPUS / name, *extra)
        assert out.returncode == 1, out.stdout
        assert "Traceback" not in out.stderr
        assert out.stdout == ""
        lines = out.stderr.splitlines()
        count = len(EXPECTED[name])
        assert lines[-1].endswith(
            f"{count} problem{'s' if count > 1 else ''}; nothing was imported."
        )
        assert lines[:-1] == EXPECTED[name]
    assert snapshot(db) == before


def test_a_ten_megabyte_cell_is_refused_by_its_row_and_column(corpus_book, tmp_path):
    db, before = corpus_book
    big = tmp_path / "big.csv"
    big.write_bytes(b"account,name\nN1,Fine\nN2," + b"x" * (10 * 1024 * 1024) + b"\n")
    out = run_import(db, "customers", big)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.splitlines()[0] == (
        "row 3, column name: is 10,485,760 characters long; at most 200 are allowed."
    )
    line = tmp_path / "line.csv"
    line.write_bytes(b"number,account,date,quantity,unit_price\n" + b"y" * 10_000_000 + b"\n")
    out = run_import(db, "invoices", line)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.splitlines()[0] == (
        "row 2, column number: is 10,000,000 characters long; at most 40 are allowed."
    )
    assert snapshot(db) == before


def test_a_file_that_is_not_there_or_a_kind_that_is_not(corpus_book, tmp_path):
    db, before = corpus_book
    out = run_import(db, "customers", tmp_path / "nothing.csv")
    assert out.returncode == 1 and out.stderr.strip().endswith("there is no such file.")
    out = run_import(db, "vendors", CORPUS / "01_customers_unknown_column.csv")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert snapshot(db) == before


def test_a_refusal_found_only_while_posting_still_names_its_row(corpus_book, tmp_path):
    """An auto-applied payment earlier in the file uses up INV-A1; a later row names it.
    The checks see each row alone; the posting refuses and everything rolls back."""
    db, before = corpus_book
    f = tmp_path / "p.csv"
    f.write_text(
        "reference,account,date,amount,invoice,applied\n"
        "AUTO-1,A1,2026-11-10,100.00,,\n"
        "CHK-2,A1,2026-11-11,40.00,INV-A1,40.00\n"
    )
    out = run_import(db, "payments", f)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.splitlines()[0] == (
        "row 3, column applied: 40.00 is more than the 0.00 still open on INV-A1 once the "
        "rows above are posted."
    )
    assert snapshot(db) == before
