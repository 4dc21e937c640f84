"""Side effects after commit: mail is written to an outbox in the same transaction as
what caused it, and sent after the commit.

A row is claimed (status `sending`) in its own transaction before the message leaves,
then marked `sent` or `failed` with the server's reason. If the process dies between
sending and marking, the row stays `sending`: it is never sent again by itself (so
nothing goes twice); the clerk sees it as "delivery unknown" and decides. Every message
carries a Message-ID made from the outbox id, so a receiving system can spot a copy.
"""

import datetime as dt
import json
import os
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update

from artui.book import Book, Tx, read_only
from artui.errors import Refused
from artui.faultpoints import reached
from db.engine import run_write
from db.models import Outbox

O = Outbox.__table__  # noqa: E741


@dataclass(frozen=True)
class Attachment:
    filename: str
    path: str
    mime: str = "application/pdf"


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    customer_id: int | None = None
    document_id: int | None = None


@dataclass(frozen=True)
class MailSettings:
    host: str = "localhost"
    port: int = 25
    tls: str = "none"  # none | starttls | ssl
    user: str = ""
    password_file: str = ""
    sender: str = "ar@localhost"
    timeout: float = 10.0

    def password(self) -> str:
        env = os.environ.get("ARTUI_SMTP_PASSWORD")
        if env:
            return env
        if self.password_file:
            return Path(self.password_file).expanduser().read_text().strip()
        return ""


def mail_settings(book: Book) -> MailSettings:
    from artui.settings import get_settings

    s = get_settings(book, "mail.")
    kw: dict[str, Any] = {k.removeprefix("mail."): v for k, v in s.items()}
    return MailSettings(**{k: v for k, v in kw.items() if k in MailSettings.__dataclass_fields__})


def enqueue(tx: Tx, mail: Mail) -> int:
    """Write a message to the outbox, inside the caller's transaction."""
    if "@" not in mail.to:
        raise Refused(f"'{mail.to}' is not an email address.", field="email")
    payload = json.dumps(
        {
            "to": mail.to,
            "subject": mail.subject,
            "body": mail.body,
            "attachments": [[a.filename, a.path, a.mime] for a in mail.attachments],
            "customer_id": mail.customer_id,
            "document_id": mail.document_id,
        }
    )
    return tx.conn.execute(
        insert(O).values(kind="mail", payload=payload, status="pending", created_at=tx.now)
    ).inserted_primary_key[0]


@dataclass(frozen=True)
class DeliveryResult:
    outbox_id: int
    status: str  # sent | failed
    error: str = ""


def _message(row_id: int, data: dict, settings: MailSettings) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = data["to"]
    msg["Subject"] = data["subject"]
    domain = settings.sender.rsplit("@", 1)[-1] or "localhost"
    msg["Message-ID"] = f"<artui-outbox-{row_id}@{domain}>"
    msg.set_content(data["body"])
    for filename, path, mime in data["attachments"]:
        maintype, subtype = mime.split("/", 1)
        msg.add_attachment(
            Path(path).read_bytes(), maintype=maintype, subtype=subtype, filename=filename
        )
    return msg


def _send(msg: EmailMessage, s: MailSettings) -> None:
    if s.tls == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
    with smtp:
        if s.tls == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if s.user:
            smtp.login(s.user, s.password())
        refused = smtp.send_message(msg)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)


def deliver(
    book: Book, settings: MailSettings | None = None, limit: int = 100
) -> list[DeliveryResult]:
    """Send pending mail: claim, send, mark; each step its own short transaction."""
    settings = settings or mail_settings(book)
    results = []
    for _ in range(limit):

        def claim(conn: Any) -> tuple[int, str] | None:
            row = conn.execute(
                select(O.c.id, O.c.payload, O.c.attempts)
                .where(O.c.status == "pending", O.c.kind == "mail")
                .order_by(O.c.id)
                .limit(1)
            ).first()
            if row is None:
                return None
            conn.execute(
                update(O)
                .where(O.c.id == row.id, O.c.status == "pending")
                .values(status="sending", attempts=row.attempts + 1)
            )
            return row.id, row.payload

        got = run_write(book.engine, claim)
        if got is None:
            break
        row_id, payload = got
        data = json.loads(payload)
        status, error = "sent", ""
        try:
            _send(_message(row_id, data, settings), settings)
        except smtplib.SMTPRecipientsRefused as exc:
            status, error = "failed", _reason(exc.recipients)
        except smtplib.SMTPResponseException as exc:
            status, error = "failed", f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"
        except (OSError, smtplib.SMTPException) as exc:
            status, error = "failed", f"the mail server could not be reached: {exc}"
        reached("outbox.sent")  # the server has it; the row still says sending
        _mark(book, row_id, status, error)
        results.append(DeliveryResult(row_id, status, error))
    return results


def _mark(book: Book, row_id: int, status: str, error: str) -> None:
    sent_at = dt.datetime.now(dt.UTC) if status == "sent" else None
    stmt = (
        update(O).where(O.c.id == row_id).values(status=status, last_error=error, sent_at=sent_at)
    )
    run_write(book.engine, lambda conn: conn.execute(stmt))


def _reason(recipients: dict) -> str:
    parts = []
    for rcpt, (code, text) in recipients.items():
        msg = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        parts.append(f"{rcpt}: {code} {msg}")
    return "the server refused " + "; ".join(parts)


@read_only
def entries(tx: Tx, status: str | None = None) -> list[dict]:
    stmt = select(O).order_by(O.c.id.desc())
    if status:
        stmt = stmt.where(O.c.status == status)
    return [dict(r) for r in tx.conn.execute(stmt).mappings()]


def retry(book: Book, outbox_id: int) -> None:
    """Send a failed (or unknown) message again: the clerk's decision, never automatic."""

    def work(conn: Any) -> None:
        n = conn.execute(
            update(O)
            .where(O.c.id == outbox_id, O.c.status.in_(("failed", "sending")))
            .values(status="pending")
        ).rowcount
        if not n:
            raise Refused("Only a failed or unknown delivery can be sent again.")

    run_write(book.engine, work)
