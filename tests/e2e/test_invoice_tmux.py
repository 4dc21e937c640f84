"""End to end: a billing coordinator enters an invoice in the real `artui` in tmux at
80x24, posts it and emails it (Ctrl+E); the message arrives at a real SMTP server on
loopback with the invoice's PDF, and the book checks clean."""

import datetime as dt
import email
import subprocess

import pytest
from pypdf import PdfReader

from artui.book import open_book
from artui.settings import set_setting

from .tmux import ARTUI, Tmux

pytestmark = pytest.mark.slow
TODAY = "2026-11-24"
ENV = {"ARTUI_USER": "alice", "ARTUI_TODAY": TODAY, "PATH": "/usr/bin:/bin"}


class Catcher:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 Message accepted"


def test_enter_post_and_email_an_invoice(tmp_path):
    from aiosmtpd.controller import Controller

    from tests.integration.conftest import free_port

    db = str(tmp_path / "book.db")
    subprocess.run([ARTUI, "--db", db, "init", "--company", "Billing Co"], check=True, env=ENV)
    (tmp_path / "c.csv").write_text(
        "account,name,email,contact\nB1,Bright Ltd,ap@bright.test,Ann\n"
    )
    (tmp_path / "i.csv").write_text("code,description,unit_price,tax_rate\nWID,Widget,19.99,7.25\n")
    subprocess.run(
        [ARTUI, "--db", db, "import", "customers", str(tmp_path / "c.csv")], check=True, env=ENV
    )
    subprocess.run(
        [ARTUI, "--db", db, "import", "items", str(tmp_path / "i.csv")], check=True, env=ENV
    )
    catcher = Catcher()
    port = free_port()
    server = Controller(catcher, hostname="127.0.0.1", port=port)
    server.start()
    book = open_book(db, "alice", today=dt.date.fromisoformat(TODAY))
    set_setting(book, "mail.host", "127.0.0.1")
    set_setting(book, "mail.port", port)
    set_setting(book, "mail.sender", "billing@billing.test")
    book.dispose()
    home = tmp_path / "home"
    home.mkdir()
    app = Tmux(
        f"{ARTUI} --db {db}", env={"ARTUI_USER": "alice", "ARTUI_TODAY": TODAY, "HOME": str(home)}
    )
    try:
        app.wait_for("Type to search")
        app.keys("F3")
        app.wait_for("New invoice")
        app.keys("B1", "Enter")
        app.wait_for("Bright Ltd")
        # the header (date, terms, due), the PO, then two lines and Ctrl+E
        app.keys("Enter", "Enter", "Enter", "PO-311", "Enter")
        app.keys("WID", "Enter", "Enter", "3", "Enter", "Enter", "Enter", "Enter")
        app.keys("Enter", "Setup", "Enter", "1", "Enter", "40", "Enter", "Enter", "Enter")
        screen = app.wait_for("Total 104.32")  # 59.97 + 4.35 tax + 40.00
        app.keys("C-e")
        screen = app.wait_for("(104.32) posted; emailed to")
        assert "Traceback" not in screen
        app.keys("C-q")
    finally:
        app.close()
        server.stop()
    [(to, msg)] = catcher.messages
    assert to == ["ap@bright.test"] and msg["Subject"].startswith("Invoice INV-000001")
    [part] = [p for p in msg.walk() if p.get_content_type() == "application/pdf"]
    pdf = tmp_path / "got.pdf"
    pdf.write_bytes(part.get_payload(decode=True))
    text = PdfReader(pdf).pages[0].extract_text()
    assert "INV-000001" in text and "Bright Ltd" in text and "104.32" in text and "PO-311" in text
    done = subprocess.run([ARTUI, "--db", db, "check"], capture_output=True, text=True, env=ENV)
    assert done.returncode == 0, done.stdout + done.stderr
