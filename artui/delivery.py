"""Sending invoices the way each customer wants them, and knowing that they arrived.

Email: the invoice's PDF is written to the outgoing folder and the message queued in
the outbox in the same transaction as its delivery row; after the commit the outbox
sends it, and the delivery shows what the server said (sent, or failed with its
reason). Mail: the PDF waits for the day's print file (`print_file`), one merged PDF
for the mail room. Portal: the clerk uploads it to the customer's procurement portal and
records the portal's confirmation number. A delivery is confirmed when the customer is
known to have it; `unconfirmed` lists invoices sent days ago with no confirmation.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, insert, select, update

from artui import audit, ledger, outbox
from artui.book import Book, Tx, read_only, unit_of_work
from artui.errors import NotFound, Refused
from artui.invoice_sheet import InvoiceSheet, invoice_sheet
from artui.ledger import C, D
from db.models import Delivery

DL = Delivery.__table__
O = outbox.O  # noqa: E741
CHANNELS = ("email", "mail", "portal")


@dataclass(frozen=True)
class DeliveryLine:
    id: int
    document_id: int
    number: str
    channel: str
    status: str  # queued | sent | failed | printed | confirmed
    address: str
    detail: str
    created_by: str
    created_at: dt.datetime | None


def outgoing_folder() -> Path:
    base = Path.home() / ".local" / "share" / "artui" / "outgoing"
    return Path(base)


def pdf_bytes(sheet: InvoiceSheet) -> bytes:
    from artui.pdf.invoice import render

    data, _ = render([sheet], dt.datetime.combine(sheet.doc_date, dt.time(0), tzinfo=dt.UTC))
    return data


def _file(folder: Path, sheet: InvoiceSheet) -> Path:
    import re

    folder.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", sheet.number) or "invoice"
    path = folder / f"{safe}.pdf"
    path.write_bytes(pdf_bytes(sheet))
    return path


def send_invoice(
    book: Book,
    number: str,
    channel: str | None = None,
    *,
    to: str | None = None,
    portal: str = "",
    confirmation: str = "",
    folder: Path | None = None,
    mail: outbox.MailSettings | None = None,
) -> DeliveryLine:
    """Send a posted invoice by the customer's channel (or the one given)."""
    sheet = invoice_sheet(book, number)
    if sheet.status == "draft":
        raise Refused("A draft is not sent; post it first.")

    def customer(tx: Tx) -> dict:
        return dict(ledger.customer_row(tx, sheet.account))

    cust = book.read(customer)
    channel = channel or cust["delivery"] or "email"
    if channel not in CHANNELS:
        raise Refused(f"'{channel}' is not a way to send an invoice: email, mail or portal.")
    address = ""
    if channel == "email":
        address = (to or sheet.email or "").strip()
        if "@" not in address:
            raise Refused(
                f"{sheet.customer_name} has no billing email; add one to the billing contact "
                "or send it by mail.",
                field="email",
            )
    elif channel == "portal":
        address = (portal or cust["portal"] or "").strip()
        if not address:
            raise Refused("Say which portal it was uploaded to.", field="portal")
        if not confirmation.strip():
            raise Refused("Type the portal's confirmation number.", field="confirmation")
    path = _file(folder or outgoing_folder(), sheet)
    status = {"email": "queued", "mail": "queued", "portal": "sent"}[channel]

    def record(tx: Tx) -> int:
        doc = ledger.find_document(tx, sheet.number, ("invoice", "debit_memo", "finance_charge"))
        outbox_id = None
        if channel == "email":
            outbox_id = outbox.enqueue(
                tx,
                outbox.Mail(
                    address,
                    f"Invoice {sheet.number} from {sheet.company_name}",
                    _body(sheet),
                    attachments=(outbox.Attachment(path.name, str(path)),),
                    customer_id=doc["customer_id"],
                    document_id=doc["id"],
                ),
            )
        did = tx.conn.execute(
            insert(DL).values(
                document_id=doc["id"],
                channel=channel,
                status=status,
                address=address if channel != "mail" else str(path),
                detail=confirmation.strip(),
                outbox_id=outbox_id,
                sent_on=tx.today,
                created_by=tx.user,
                created_at=tx.now,
            )
        ).inserted_primary_key[0]
        audit.record(
            tx,
            "invoice.send",
            entity="delivery",
            entity_id=did,
            customer_id=doc["customer_id"],
            document_id=doc["id"],
            after={"channel": channel, "to": address, "confirmation": confirmation.strip()},
        )
        return did

    did = book.write(record)
    if channel == "email":
        outbox.deliver(book, mail)
    return deliveries(book, sheet.number, only=did)[0]


def _body(s: InvoiceSheet) -> str:
    due = f", due {s.due_date.isoformat()}" if s.due_date else ""
    return (
        f"Dear {s.customer_name},\n\nPlease find attached invoice {s.number} of "
        f"{s.doc_date.isoformat()} for {s.currency} {s.money(s.total)}{due}.\n\n"
        f"{s.company_name}\n"
    )


@read_only
def deliveries(tx: Tx, number: str | None = None, *, only: int | None = None) -> list[DeliveryLine]:
    """The delivery log of one invoice (or all), newest first; an email's status is the
    outbox's (what the mail server said)."""
    stmt = (
        select(DL, D.c.number, O.c.status.label("mail_status"), O.c.last_error)
        .select_from(DL.join(D, D.c.id == DL.c.document_id).outerjoin(O, O.c.id == DL.c.outbox_id))
        .order_by(DL.c.id.desc())
    )
    if number is not None:
        stmt = stmt.where(D.c.number == number)
    if only is not None:
        stmt = stmt.where(DL.c.id == only)
    out = []
    for r in tx.conn.execute(stmt).mappings():
        status, detail = r["status"], r["detail"]
        if r["channel"] == "email" and status != "confirmed":
            status = {"pending": "queued", "sending": "queued"}.get(
                r["mail_status"], r["mail_status"] or status
            )
            detail = r["last_error"] or detail
        out.append(
            DeliveryLine(
                r["id"],
                r["document_id"],
                r["number"],
                r["channel"],
                status,
                r["address"],
                detail,
                r["created_by"],
                r["created_at"],
            )
        )
    return out


@unit_of_work
def confirm_received(tx: Tx, delivery_id: int, note: str = "") -> None:
    """The customer has the invoice (they said so, or the portal confirmed it)."""
    row = tx.conn.execute(select(DL).where(DL.c.id == delivery_id)).mappings().first()
    if row is None:
        raise NotFound(f"There is no delivery {delivery_id}.")
    detail = (row["detail"] + " " + note.strip()).strip()
    tx.conn.execute(
        update(DL)
        .where(DL.c.id == delivery_id)
        .values(status="confirmed", confirmed_at=tx.now, detail=detail)
    )
    audit.record(
        tx,
        "invoice.received",
        entity="delivery",
        entity_id=delivery_id,
        document_id=row["document_id"],
        after={"note": note.strip()},
    )


def print_file(book: Book, target: Path) -> tuple[int, Path | None]:
    """The invoices waiting to go by post, merged into one PDF for the mail room; they
    are marked sent. Returns how many and the file (None when there were none)."""
    from artui.pdf.base import merge

    def waiting(tx: Tx) -> list:
        return list(
            tx.conn.execute(
                select(DL.c.id, DL.c.address)
                .where(DL.c.channel == "mail", DL.c.status == "queued")
                .order_by(DL.c.id)
            )
        )

    rows = book.read(waiting)
    if not rows:
        return 0, None
    target.parent.mkdir(parents=True, exist_ok=True)
    merge([Path(r.address) for r in rows], target)

    def mark(tx: Tx) -> None:
        tx.conn.execute(
            update(DL)
            .where(DL.c.id.in_([r.id for r in rows]))
            .values(status="sent", detail=f"printed in {target.name}")
        )

    book.write(mark)
    return len(rows), target


@read_only
def unconfirmed(tx: Tx, days: int = 7) -> list[dict]:
    """Invoices still open, sent more than `days` ago, never confirmed received: to chase."""
    cutoff = tx.today - dt.timedelta(days=days)
    confirmed = select(DL.c.document_id).where(DL.c.status == "confirmed")
    rows = tx.conn.execute(
        select(
            D.c.number,
            C.c.id.label("customer_id"),
            C.c.account,
            C.c.name,
            D.c.open_amount,
            D.c.currency,
            func.max(DL.c.sent_on).label("sent_on"),
            func.max(DL.c.channel).label("channel"),
        )
        .select_from(DL.join(D, D.c.id == DL.c.document_id).join(C, C.c.id == D.c.customer_id))
        .where(D.c.open_amount > 0, DL.c.document_id.not_in(confirmed))
        .group_by(D.c.number, C.c.id, C.c.account, C.c.name, D.c.open_amount, D.c.currency)
        .having(func.max(DL.c.sent_on) <= cutoff)
        .order_by(func.max(DL.c.sent_on))
    ).mappings()
    return [dict(r) for r in rows]
