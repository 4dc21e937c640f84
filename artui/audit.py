"""The audit trail: who did what, with before and after, in a hash chain.

Each event's hash is SHA-256 over its content and the previous event's hash, so an
update, a delete, a reorder or an insertion behind the app's back breaks the chain at
that event. The head hash can be kept outside the book (`artui audit anchor`).
"""

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, text

from artui.book import Tx, read_only
from db import arrays
from db.bulk import driver_rows
from db.models import AuditEvent

GENESIS = "0" * 64
_T = AuditEvent.__table__
_INSERT = insert(_T)
_HEAD = select(_T.c.hash).order_by(_T.c.id.desc()).limit(1)


def _canonical(value: Any) -> str:
    if value is None or value == "":
        return ""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def event_hash(row: Mapping[str, Any]) -> str:
    """The hash of one event; `row` holds the stored columns."""
    at = row["at"]
    if isinstance(at, dt.datetime):
        at = at.astimezone(dt.UTC).isoformat()
    content = [
        row["prev_hash"],
        at,
        row["user"],
        row["terminal"],
        row["action"],
        row["entity"],
        str(row["entity_id"]),
        "" if row["customer_id"] is None else str(row["customer_id"]),
        "" if row["document_id"] is None else str(row["document_id"]),
        row["before"],
        row["after"],
    ]
    return hashlib.sha256(json.dumps(content, separators=(",", ":")).encode()).hexdigest()


def _head(conn: Connection) -> str:
    last = conn.execute(_HEAD).scalar()
    return last or GENESIS


def record(
    tx: Tx,
    action: str,
    *,
    entity: str = "",
    entity_id: object = "",
    customer_id: int | None = None,
    document_id: int | None = None,
    before: Any = None,
    after: Any = None,
) -> None:
    """Append one event to the chain, in the caller's transaction."""
    if not tx.sqlite:
        # The chain is a total order: writers append one at a time (held to commit).
        tx.conn.execute(text("SELECT pg_advisory_xact_lock(7411)"))
    prev = tx.cache.get("audit_head") or _head(tx.conn)
    row = {
        "at": tx.now,
        "user": tx.user,
        "terminal": tx.terminal,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "customer_id": customer_id,
        "document_id": document_id,
        "before": _canonical(before),
        "after": _canonical(after),
        "prev_hash": prev,
    }
    row["hash"] = event_hash(row)
    tx.conn.execute(_INSERT, row)
    tx.cache["audit_head"] = row["hash"]


def record_many(tx: Tx, events: list[dict[str, Any]]) -> None:
    """Append several events (each: action, entity, entity_id, customer_id, document_id,
    after) to the chain with one statement: the hashes are chained here, in order."""
    if not events:
        return
    if not tx.sqlite:
        tx.conn.execute(text("SELECT pg_advisory_xact_lock(7411)"))
    prev = tx.cache.get("audit_head") or _head(tx.conn)
    rows = []
    for e in events:
        row = {
            "at": tx.now,
            "user": tx.user,
            "terminal": tx.terminal,
            "action": e["action"],
            "entity": e.get("entity", ""),
            "entity_id": str(e.get("entity_id", "")),
            "customer_id": e.get("customer_id"),
            "document_id": e.get("document_id"),
            "before": _canonical(e.get("before")),
            "after": _canonical(e.get("after")),
            "prev_hash": prev,
        }
        row["hash"] = prev = event_hash(row)
        rows.append(row)
    _, names, sql, values = driver_rows(tx.conn.dialect.name, _T, rows)
    if tx.sqlite:
        tx.conn.exec_driver_sql(sql, values)
    else:  # one statement, not one per event (db/arrays.py); ids follow the rows' order
        arrays.insert_rows(tx.conn, _T, names, values)
    tx.cache["audit_head"] = prev


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    message: str


def verify_chain(conn: Connection, anchor: str | None = None) -> list[ChainProblem]:
    """Walk the chain in id order; every break is reported, the first one first.
    With `anchor` (a head hash kept outside the book), the chain must still contain it."""
    problems: list[ChainProblem] = []
    prev = GENESIS
    seen_anchor = anchor is None or anchor == GENESIS
    for row in conn.execute(select(_T).order_by(_T.c.id)).mappings():
        if row["prev_hash"] != prev:
            problems.append(
                ChainProblem(
                    row["id"], f"audit event {row['id']} does not follow the one before it"
                )
            )
        if event_hash(row) != row["hash"]:
            problems.append(
                ChainProblem(row["id"], f"audit event {row['id']} was changed after it was written")
            )
        prev = row["hash"]
        if anchor is not None and row["hash"] == anchor:
            seen_anchor = True
    if not seen_anchor:
        problems.append(
            ChainProblem(
                0, "the anchored head is no longer in the audit chain (events removed or rewritten)"
            )
        )
    return problems


def anchor(conn: Connection) -> tuple[int, str]:
    """(number of events, head hash): keep this outside the book."""
    count = conn.execute(text("SELECT count(*) FROM audit_event")).scalar() or 0
    return count, _head(conn)


@dataclass(frozen=True)
class EventFilter:
    user: str = ""
    account: str = ""  # the customer's account
    document: str = ""  # a document's number
    action: str = ""  # the beginning of the action: "payment", "batch.post", ...
    day_from: dt.date | None = None
    day_to: dt.date | None = None


@read_only
def events(tx: Tx, f: EventFilter, limit: int = 500) -> list[dict[str, Any]]:
    """Audit events matching the filter, newest first, with the customer's account and
    the document's number where there is one."""
    from db.models import Customer, Document

    C, D = Customer.__table__, Document.__table__
    stmt = (
        select(_T, C.c.account, D.c.number.label("document_number"))
        .select_from(
            _T.outerjoin(C, C.c.id == _T.c.customer_id).outerjoin(D, D.c.id == _T.c.document_id)
        )
        .order_by(_T.c.id.desc())
        .limit(limit)
    )
    if f.user:
        stmt = stmt.where(_T.c.user == f.user)
    if f.account:
        stmt = stmt.where(C.c.account == f.account)
    if f.document:
        stmt = stmt.where(D.c.number == f.document)
    if f.action:
        stmt = stmt.where(_T.c.action.startswith(f.action, autoescape=True))
    if f.day_from:
        stmt = stmt.where(_T.c.at >= dt.datetime.combine(f.day_from, dt.time(0), tzinfo=dt.UTC))
    if f.day_to:
        end = dt.datetime.combine(f.day_to + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)
        stmt = stmt.where(_T.c.at < end)
    return [dict(r) for r in tx.conn.execute(stmt).mappings()]
