"""Approvals: actions beyond a clerk's authority wait for a supervisor.

`perform` runs an action when the user may; when the action needs a supervisor it files
an approval request instead (its own transaction, so the request survives the refusal).
A supervisor approves (the action then runs exactly as requested, from the stored
parameters) or rejects, with a note; nobody approves their own request.
"""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update

from artui import audit
from artui.book import Book, Tx, read_only
from artui.errors import NotAllowed, NotFound, Refused
from db.models import ApprovalRequest

Q = ApprovalRequest.__table__


def _actions() -> dict[str, Callable[..., Any]]:
    from artui import adjustments, collections, credit_memos, invoices, receipts

    return {
        "credit_memo_lines": credit_memos.post_credit_memo_lines,
        "settle_dispute": collections.settle_dispute,
        "write_off": adjustments.write_off,
        "credit_memo": adjustments.credit_memo,
        "discount": adjustments.discount_taken,
        "void": invoices.void_invoice,
        "refund": receipts.refund,
    }


LABELS = {
    "credit_memo_lines": "Credit memo",
    "settle_dispute": "Settlement of a dispute",
    "write_off": "Write-off",
    "credit_memo": "Credit memo",
    "discount": "Discount",
    "void": "Void of an invoice with applications",
    "refund": "Refund",
}


def _encode(value: Any) -> Any:
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"date"}:
        return dt.date.fromisoformat(value["date"])
    return value


def dump_params(params: dict[str, Any]) -> str:
    return json.dumps({k: _encode(v) for k, v in params.items()}, sort_keys=True)


def load_params(payload: str) -> dict[str, Any]:
    return {k: _decode(v) for k, v in json.loads(payload).items()}


@dataclass(frozen=True)
class Outcome:
    """Either the action's result, or the approval request it waits in."""

    result: Any = None
    request_id: int | None = None
    message: str = ""

    @property
    def waiting(self) -> bool:
        return self.request_id is not None


@dataclass(frozen=True)
class Request:
    id: int
    action: str
    params: dict[str, Any]
    customer_id: int | None
    amount: int
    status: str
    requested_by: str
    requested_at: dt.datetime | None
    decided_by: str
    decided_at: dt.datetime | None
    note: str

    @property
    def label(self) -> str:
        return LABELS.get(self.action, self.action)


def perform(
    book: Book,
    action: str,
    *args: Any,
    for_customer: int | None = None,
    for_amount: int = 0,
    **params: Any,
) -> Outcome:
    """Do `action` now if the user may; otherwise file it for a supervisor (with the
    customer and amount it concerns, for the queue)."""
    fn = _actions().get(action)
    if fn is None:
        raise Refused(f"'{action}' is not an action that can wait for approval.")
    try:
        return Outcome(result=fn(book, *args, **params))
    except NotAllowed as exc:
        if book.role() not in ("clerk", "supervisor", "admin"):
            raise
        payload = dump_params({"args": list(args), **params})
        why = str(exc)
        rid = book.write(lambda tx: _file(tx, action, payload, for_customer, for_amount, why))
        return Outcome(
            request_id=rid,
            message=f"{exc} It waits for approval as request {rid}.",
        )


def _file(tx: Tx, action: str, payload: str, customer_id: int | None, amount: int, why: str) -> int:
    rid = tx.conn.execute(
        insert(Q).values(
            action=action,
            payload=payload,
            customer_id=customer_id,
            amount=amount,
            status="pending",
            requested_by=tx.user,
            requested_at=tx.now,
            note=why,
        )
    ).inserted_primary_key[0]
    audit.record(
        tx,
        "approval.request",
        entity="approval",
        entity_id=rid,
        customer_id=customer_id,
        after={"action": action, "payload": payload},
    )
    return rid


def _pending(tx: Tx, request_id: int) -> Any:
    row = tx.conn.execute(select(Q).where(Q.c.id == request_id)).mappings().first()
    if row is None:
        raise NotFound(f"There is no approval request {request_id}.")
    if row["status"] != "pending":
        raise Refused(f"Request {request_id} was already {row['status']} by {row['decided_by']}.")
    tx.require("supervisor", "Deciding an approval request")
    if row["requested_by"] == tx.user:
        raise NotAllowed("Nobody approves their own request; ask another supervisor.")
    return row


def approve(book: Book, request_id: int, note: str = "") -> Any:
    """Approve and post, in one transaction: the action runs from the stored payload,
    so what is posted is exactly what was requested."""

    def work(tx: Tx) -> Any:
        row = _pending(tx, request_id)
        params = load_params(row["payload"])
        args = params.pop("args", [])
        result = _actions()[row["action"]](tx, *args, **params)
        tx.conn.execute(
            update(Q)
            .where(Q.c.id == request_id)
            .values(status="approved", decided_by=tx.user, decided_at=tx.now, note=note)
        )
        audit.record(
            tx,
            "approval.approve",
            entity="approval",
            entity_id=request_id,
            customer_id=row["customer_id"],
            after={"note": note},
        )
        return result

    return book.write(work)


def reject(book: Book, request_id: int, note: str) -> None:
    if not note.strip():
        raise Refused("Say why the request is rejected.", field="note")

    def work(tx: Tx) -> None:
        row = _pending(tx, request_id)
        tx.conn.execute(
            update(Q)
            .where(Q.c.id == request_id)
            .values(status="rejected", decided_by=tx.user, decided_at=tx.now, note=note)
        )
        audit.record(
            tx,
            "approval.reject",
            entity="approval",
            entity_id=request_id,
            customer_id=row["customer_id"],
            after={"note": note},
        )

    book.write(work)


@read_only
def requests(
    tx: Tx, status: str | None = "pending", requested_by: str | None = None
) -> list[Request]:
    stmt = select(Q).order_by(Q.c.id.desc())
    if status:
        stmt = stmt.where(Q.c.status == status)
    if requested_by:
        stmt = stmt.where(Q.c.requested_by == requested_by)
    out = []
    for r in tx.conn.execute(stmt).mappings():
        out.append(
            Request(
                r["id"],
                r["action"],
                load_params(r["payload"]),
                r["customer_id"],
                r["amount"],
                r["status"],
                r["requested_by"],
                r["requested_at"],
                r["decided_by"],
                r["decided_at"],
                r["note"],
            )
        )
    return out
