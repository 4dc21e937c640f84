"""Mail through the outbox, against a real SMTP server on loopback (aiosmtpd)."""

import pytest

from artui import outbox
from artui.outbox import Attachment, Mail, MailSettings
from tests.integration.conftest import free_port

pypdf = pytest.importorskip("pypdf")


def a_pdf(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Invoice INV-000001")
    path = tmp_path / "inv.pdf"
    pdf.output(str(path))
    return path


def test_mail_sent_after_commit_with_pdf(sqlite_book, smtp, tmp_path):
    catcher, settings = smtp
    path = a_pdf(tmp_path)
    sqlite_book.write(
        lambda tx: outbox.enqueue(
            tx,
            Mail(
                "billing@customer.test",
                "Invoice INV-000001",
                "Please find it attached.",
                (Attachment("INV-000001.pdf", str(path)),),
            ),
        )
    )
    assert catcher.messages == []  # nothing leaves before delivery runs
    [result] = outbox.deliver(sqlite_book, settings)
    assert result.status == "sent"
    [(rcpts, msg)] = catcher.messages
    assert rcpts == ["billing@customer.test"]
    assert msg["Message-ID"] == f"<artui-outbox-{result.outbox_id}@example.com>"
    [part] = [p for p in msg.walk() if p.get_filename() == "INV-000001.pdf"]
    import io

    reader = pypdf.PdfReader(io.BytesIO(part.get_payload(decode=True)))
    assert "INV-000001" in reader.pages[0].extract_text()
    assert outbox.deliver(sqlite_book, settings) == []  # never twice


def test_refused_recipient_and_unreachable_server_fail_with_reason(sqlite_book, smtp):
    catcher, settings = smtp
    sqlite_book.write(lambda tx: outbox.enqueue(tx, Mail("nobody@customer.test", "x", "y")))
    [r] = outbox.deliver(sqlite_book, settings)
    assert r.status == "failed" and "550" in r.error and "no such mailbox" in r.error
    outbox.retry(sqlite_book, r.outbox_id)
    dead = MailSettings(host="127.0.0.1", port=free_port(), timeout=2)
    [r2] = outbox.deliver(sqlite_book, dead)
    assert r2.status == "failed" and "could not be reached" in r2.error
    assert catcher.messages == []
    [row] = outbox.entries(sqlite_book)
    assert row["status"] == "failed" and row["attempts"] == 2
