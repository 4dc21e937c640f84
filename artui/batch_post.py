"""Posting a deposit batch's plain receipts together, set by set.

A plain receipt is one whose applications were chosen (in the grid or by a remittance
file) and settle charges only: no credit used, no write-off, no dispute. Posted one by
one each costs some twenty statements; here a run of them costs a handful in all: the
customers and charges read in one query each, the numbers taken as one range, and the
documents, receipt details, applications, open amounts and batch lines written with
one statement each. The rules are the ones `ledger.apply` and `receive_payment` enforce,
checked for every line before anything is written; the result is the same book (the
equivalence is tested against the one-by-one path).
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from artui import audit, ledger
from artui.book import Tx, next_numbers
from artui.collections import settle_promises
from artui.errors import AlreadyPosted, Refused
from artui.faultpoints import reached
from artui.ledger import A, C, D
from db import arrays
from db.bulk import driver_rows, driver_updates
from db.models import BatchReceipt, Promise, ReceiptDetail

RD = ReceiptDetail.__table__
BR = BatchReceipt.__table__
P = Promise.__table__


def is_plain(line: dict, allocations: list | None) -> bool:
    return (
        allocations is not None
        and all(a[1] > 0 for a in allocations)
        and not line["write_off"]
        and line["short_reason"] != "dispute"
    )


def post_plain(tx: Tx, batch: dict, lines: Sequence[tuple[dict, list]]) -> dict[int, int]:
    """Post `lines` (batch line, its allocations) as payments dated the deposit date;
    returns batch line id -> payment document id."""
    if not lines:
        return {}
    on: dt.date = batch["deposit_date"]
    ledger.check_open_period(tx, on, "A payment")
    stmt = select(C).where(C.c.id.in_(sorted({ln["customer_id"] for ln, _ in lines})))
    if not tx.sqlite:
        stmt = stmt.order_by(C.c.id).with_for_update()
    customers = {r["id"]: r for r in tx.conn.execute(stmt).mappings()}
    commands = [f"batch-{batch['id']}-line-{ln['id']}" for ln, _ in lines]
    # every command id of this batch starts so: a range the unique index answers (an IN
    # list of 200 is planned as a scan, the column's statistics being mostly empty)
    prefix = f"batch-{batch['id']}-line-"
    in_batch = select(D.c.command_id, D.c.id).where(
        D.c.command_id >= prefix, D.c.command_id < prefix[:-1] + "."
    )
    posted = dict(tx.conn.execute(in_batch).all())
    twice = [c for c in commands if c in posted]
    if twice:
        number = tx.conn.execute(select(D.c.number).where(D.c.id == posted[twice[0]])).scalar()
        raise AlreadyPosted(f"Payment {number} of this batch is already posted.", None)
    debits = ledger.load_docs(tx, sorted({a[0] for _, allocs in lines for a in allocs}))
    left = {i: d["open_amount"] for i, d in debits.items()}
    for line, allocs in lines:
        customer = customers[line["customer_id"]]
        ledger.check_amount(line["amount"], customer["currency"], "A receipt")
        applied = 0
        for doc_id, amount, _why in allocs:
            _check(debits[doc_id], customer, line, amount, left[doc_id], on)
            left[doc_id] -= amount
            applied += amount
        if applied > line["amount"]:
            raise Refused(
                f"Line {line['line_no']}: the applications "
                f"({ledger.money(applied, customer['currency'])}) come to more than the "
                f"receipt ({ledger.money(line['amount'], customer['currency'])})."
            )

    numbers = next_numbers(tx, "payment", len(lines))
    rows = []
    for (line, allocs), (number, seq), command in zip(lines, numbers, commands, strict=True):
        customer = customers[line["customer_id"]]
        unapplied = line["amount"] - sum(a[1] for a in allocs)
        rows.append(
            {
                "kind": "payment",
                "number": number,
                "seq": seq,
                "customer_id": customer["id"],
                "currency": customer["currency"],
                "doc_date": on,
                "due_date": None,
                "amount": line["amount"],
                "open_amount": unapplied,
                "closed_on": on if unapplied == 0 else None,
                "status": "posted",
                "created_by": tx.user,
                "created_at": tx.now,
                "reference": line["reference"],
                "batch_id": batch["id"],
                "command_id": command,
            }
        )
    # one executemany, then the ids by the command ids (RETURNING would cost a statement
    # a row through insertmanyvalues on SQLite; on PostgreSQL the INSERT returns them)
    by_command = dict(_write(tx, D, rows, returning="command_id, id"))
    reached("batch_post.documents_written")  # mid-batch: payments in, nothing else yet
    if tx.sqlite:
        by_command = dict(tx.conn.execute(in_batch).all())
    ids = [by_command[c] for c in commands]
    _write(
        tx,
        RD,
        [
            {
                "document_id": pid,
                "method": line["method"],
                "reference": line["reference"],
                "card_brand": line["card_brand"],
                "card_last4": line["card_last4"],
                "payer": line["payer"],
            }
            for pid, (line, _) in zip(ids, lines, strict=True)
        ],
    )
    apps = [
        {
            "debit_id": doc_id,
            "credit_id": pid,
            "amount": amount,
            "applied_on": on,
            "reason": "as given",
            "undoes_id": None,
            "created_by": tx.user,
            "created_at": tx.now,
            **ledger.carried(debits[doc_id], on),
        }
        for pid, (_, allocs) in zip(ids, lines, strict=True)
        for doc_id, amount, _why in allocs
    ]
    if apps:
        _write(tx, A, apps)
    _close_charges(tx, debits, left, on)
    for currency in sorted({r["currency"] for r in rows}):
        total = sum(r["amount"] for r in rows if r["currency"] == currency)
        ledger.add_to_control(tx, currency, on, "payment", total)
    audit.record_many(
        tx,
        [
            {
                "action": "payment.post",
                "entity": "document",
                "entity_id": pid,
                "customer_id": row["customer_id"],
                "document_id": pid,
                "after": {
                    "number": row["number"],
                    "amount": row["amount"],
                    "currency": row["currency"],
                    "date": on,
                    "method": line["method"],
                    "reference": line["reference"],
                    "card": f"{line['card_brand']} {line['card_last4']}".strip(),
                    "batch": batch["id"],
                    "applied": [[debits[a[0]]["number"], a[1], "as given"] for a in allocs],
                },
            }
            for pid, row, (line, allocs) in zip(ids, rows, lines, strict=True)
        ],
    )
    promised = tx.conn.execute(
        select(P.c.customer_id)
        .where(P.c.customer_id.in_(list(customers)), P.c.status == "open")
        .distinct()
    ).all()
    for (customer_id,) in sorted(promised):
        settle_promises(tx, customer_id)
    _update(
        tx,
        BR,
        ["posted_document_id"],
        "id",
        [
            {"id": ln["id"], "posted_document_id": pid}
            for pid, (ln, _) in zip(ids, lines, strict=True)
        ],
    )
    return {ln["id"]: pid for pid, (ln, _) in zip(ids, lines, strict=True)}


def _write(tx: Tx, table: Any, rows: list[dict], returning: str = "") -> list[tuple]:
    """Rows through the driver's executemany on SQLite (SQLAlchemy's per-row work is most
    of the cost of a few hundred rows), as arrays in one statement on PostgreSQL (which
    hands back `returning` of them; SQLite nothing)."""
    _, names, sql, values = driver_rows(tx.conn.dialect.name, table, rows)
    if tx.sqlite:
        tx.conn.exec_driver_sql(sql, values)
        return []
    return arrays.insert_rows(tx.conn, table, names, values, returning)


def _update(tx: Tx, table: Any, columns: list[str], key: str, rows: list[dict]) -> None:
    if not tx.sqlite:
        values = [tuple(r[c] for c in [*columns, key]) for r in rows]
        arrays.update_rows(tx.conn, table, columns, key, values)
        return
    sql, values = driver_updates(tx.conn.dialect.name, table, columns, key, rows)
    tx.conn.exec_driver_sql(sql, values)


def _check(debit: dict, customer: Any, line: dict, amount: int, left: int, on: dt.date) -> None:
    """What `ledger.apply` would refuse, said for the batch line."""
    where = f"Line {line['line_no']}"
    if debit["customer_id"] != customer["id"]:
        raise Refused(f"{where}: {debit['number']} belongs to another customer.")
    if not ledger.is_debit(debit["kind"]) or debit["status"] != "posted":
        raise Refused(f"{where}: {debit['number']} is not a posted charge.")
    if debit["currency"] != customer["currency"]:
        raise Refused(f"{where}: {debit['number']} is in {debit['currency']}.")
    if on < debit["doc_date"]:
        raise Refused(
            f"{where}: the deposit ({on.isoformat()}) comes before {debit['number']} "
            f"({debit['doc_date'].isoformat()})."
        )
    cur = customer["currency"]
    ledger.check_amount(amount, cur, "An application")
    if amount > left:
        raise Refused(
            f"{where}: {ledger.money(amount, cur)} is more than the {ledger.money(left, cur)} "
            f"still open on {debit['number']}."
        )


def _close_charges(tx: Tx, debits: dict[int, dict], left: dict[int, int], on: dt.date) -> None:
    """The charges' new open amounts; a charge settled now closes on its latest
    application's date (an earlier one may be dated later than the deposit)."""
    changed = [i for i in debits if left[i] != debits[i]["open_amount"]]
    if not tx.sqlite:  # the closing dates read by the UPDATE itself: one round trip
        ledger.set_open_pg(tx, [debits[i] for i in changed], [left[i] for i in changed])
        return
    closing = [i for i in changed if left[i] == 0]
    last = {}
    if closing:
        last = dict(
            tx.conn.execute(
                select(A.c.debit_id, func.max(A.c.applied_on))
                .where(A.c.debit_id.in_(closing))
                .group_by(A.c.debit_id)
            ).all()
        )
    params = []
    for i in changed:
        closed = max(last.get(i) or on, on) if left[i] == 0 else None
        params.append({"id": i, "open_amount": left[i], "closed_on": closed})
        debits[i]["open_amount"], debits[i]["closed_on"] = left[i], closed  # the tx's cache
    if params:
        _update(tx, D, ["open_amount", "closed_on"], "id", params)
