"""PostgreSQL roles (`artui db roles`): connected as the clerks' role the whole workflow
works, while the server itself refuses to change or delete ledger and audit rows; the
triggers refuse it even to a superuser."""

import datetime as dt
import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from artui.book import open_book
from artui.check import check_book
from artui.invoices import InvoiceInput, delete_draft, post_invoice, save_draft, void_invoice
from artui.pricing import LineInput
from artui.receipts import PaymentInput, apply_credit, receive_payment, reverse_payment
from artui.users import add_user

from .conftest import TODAY, _fresh_pg_url, add_customer, as_user

pytestmark = pytest.mark.postgres


def _refused(engine, sql: str) -> str:
    with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
        conn.execute(text(sql))
    return str(caught.value.orig)


@pytest.fixture
def team(pg_url):
    """(admin URL, clerk URL): a database set up by the command, as a new admin would."""
    admin = _fresh_pg_url(pg_url)
    tag = uuid.uuid4().hex[:8]
    owner, clerk = f"own_{tag}", f"app_{tag}"
    done = subprocess.run(
        [sys.executable, "-m", "artui", "--db", admin, "db", "roles", "--owner", owner,
         "--clerk-role", clerk],
        capture_output=True, text=True, timeout=120, env=os.environ,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "can read and insert, never update or delete" in done.stdout
    clerk_url = make_url(admin).set(username=clerk).render_as_string(hide_password=False)
    return admin, clerk_url


def test_the_clerk_role_does_the_whole_workflow_but_never_rewrites_history(team):
    admin, clerk_url = team
    book = open_book(clerk_url, "alice", create=True, company="Roles Co", today=TODAY)
    add_user(book, "sam", "supervisor")
    add_customer(book, "R1", "Granted Ltd")
    lines = [LineInput("x", 1000, 10000)]
    inv = post_invoice(book, InvoiceInput("R1", dt.date(2026, 11, 1), lines)).doc
    inv2 = post_invoice(book, InvoiceInput("R1", dt.date(2026, 11, 2), lines)).doc
    paid = receive_payment(
        book, PaymentInput("R1", 15000, TODAY, reference="chk 9", applications=[(inv.id, 6000)])
    )
    apply_credit(book, paid.doc.id, inv2.id, 4000)
    void_invoice(as_user(book, "sam"), inv.id, "entered twice")
    reverse_payment(book, paid.doc.id, fee=2500)
    draft = save_draft(book, InvoiceInput("R1", TODAY, lines))
    save_draft(book, InvoiceInput("R1", TODAY, [LineInput("y", 2000, 500)]), draft.id)
    delete_draft(book, draft.id)
    assert book.read(check_book) == []

    clerk = book.engine
    for sql in (
        "UPDATE audit_event SET action = 'nothing happened'",
        "DELETE FROM audit_event",
        "DELETE FROM application",
        "UPDATE application SET amount = 0",
        "DELETE FROM receipt_detail",
        "TRUNCATE document",
    ):
        assert "permission denied" in _refused(clerk, sql), sql
    # what the grants allow on documents (drafts), the triggers refuse on posted ones
    assert "is posted" in _refused(clerk, f"UPDATE document SET amount = 1 WHERE id = {inv.id}")
    assert "is posted" in _refused(clerk, f"DELETE FROM document WHERE id = {inv2.id}")
    assert "never changed" in _refused(
        clerk, f"DELETE FROM invoice_line WHERE document_id={inv.id}"
    )

    owner = create_engine(admin)  # a superuser: past every grant, not past the triggers
    try:
        assert "history" in _refused(owner, "UPDATE audit_event SET action = 'x'")
        assert "history" in _refused(owner, "DELETE FROM application")
        assert "history" in _refused(owner, "TRUNCATE audit_event")
        assert "is posted" in _refused(owner, f"UPDATE document SET memo = 'x' WHERE id = {inv.id}")
    finally:
        owner.dispose()
    assert book.read(check_book) == []
    book.dispose()


def test_roles_need_a_postgresql_book(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "artui", "--db", str(tmp_path / "b.db"), "db", "roles"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "PostgreSQL" in done.stderr and "Traceback" not in done.stderr
