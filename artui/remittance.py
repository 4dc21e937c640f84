"""Remittance files: a bank or lockbox CSV loaded into an open deposit batch.

Columns (any order, header row, UTF-8): **amount**, date, payer, account, reference,
invoices (numbers separated by spaces or semicolons), method. Each line is matched to a
customer (by account, else by the invoices it names, else by a payer name that is one
customer's exact name) and applied by the auto-apply rules; a line that cannot be
matched waits in the batch, with the reason, for the clerk. A file with a bad cell is
refused whole (`row N, column C: ...`), and nothing is loaded.
"""

import json
import re
from dataclasses import dataclass

from sqlalchemy import func, insert, select

from artui import audit, ledger
from artui.batches import R, editable_batch
from artui.book import Tx, unit_of_work
from artui.cash_application import Grid, open_items_of
from artui.csvio import (
    ImportRefused,
    Problems,
    Row,
    Spec,
    amount_cell,
    date_cell,
    no_card_cells,
    read_rows,
)
from artui.ledger import DEBIT_KINDS, C, D
from artui.receipts import METHODS

SPEC = Spec(
    "remittance",
    ("date", "amount", "payer", "account", "reference", "invoices", "method"),
    ("amount",),
    ("payer", "account", "reference", "invoices"),
    max_len={"payer": 200, "account": 32, "reference": 100, "invoices": 2000, "method": 10},
)


@dataclass(frozen=True)
class Loaded:
    lines: int
    matched: int
    waiting: int
    total: int


def numbers_in(text: str) -> tuple[str, ...]:
    return tuple(n for n in re.split(r"[\s;,]+", text.strip()) if n)


def _match(tx: Tx, row: Row, numbers: tuple[str, ...]) -> tuple[dict | None, str]:
    """The customer a line belongs to, and how it was found (or why it was not)."""
    if row["account"]:
        found = tx.conn.execute(select(C).where(C.c.account == row["account"])).mappings().first()
        if found is None:
            return None, f"no customer has the account {row['account']}"
        return dict(found), "matched by account"
    if numbers:
        owners = {
            r.customer_id: r.number
            for r in tx.conn.execute(
                select(D.c.customer_id, D.c.number).where(
                    D.c.number.in_(numbers), D.c.status == "posted", D.c.kind.in_(DEBIT_KINDS)
                )
            )
        }
        if len(owners) > 1:
            return None, f"names invoices of {len(owners)} customers ({', '.join(numbers)})"
        if owners:
            cid = next(iter(owners))
            return dict(ledger.customer_row(tx, cid)), f"matched by invoice {owners[cid]}"
    if row["payer"]:
        found = (
            tx.conn.execute(
                select(C).where(func.lower(C.c.name) == row["payer"].strip().lower()).limit(2)
            )
            .mappings()
            .all()
        )
        if len(found) == 1:
            return dict(found[0]), "matched by payer name"
        if found:
            return None, f"more than one customer is called {row['payer']}"
    return None, "no account, invoice or payer name matches a customer"


def _foreign(tx: Tx, customer_id: int, numbers: tuple[str, ...]) -> str:
    """A named invoice that belongs to someone else, or ''."""
    for r in tx.conn.execute(
        select(D.c.customer_id, D.c.number).where(D.c.number.in_(numbers), D.c.status == "posted")
    ):
        if r.customer_id != customer_id:
            return r.number
    return ""


@unit_of_work
def load_file(tx: Tx, batch_id: int, data: bytes) -> Loaded:
    """Load a remittance file into an open batch, all or nothing."""
    batch = editable_batch(tx, batch_id)
    currency = batch["currency"]
    problems = Problems(SPEC)
    rows = read_rows(data, SPEC, problems)
    parsed = []
    for row in rows:
        amount = amount_cell(problems, row, "amount", currency, what="a payment", zero=False)
        amount = amount if amount is not None else 0
        date_cell(problems, row, "date")
        no_card_cells(problems, row, "payer", "reference")
        method = (row["method"] or "check").lower()
        if method not in METHODS:
            problems.add(row.n, "method", f"'{row['method']}' is not one of {', '.join(METHODS)}.")
        parsed.append((row, amount, method))
    if not rows and not problems:
        problems.add(2, "", "the file has no payments.")
    if problems:
        raise ImportRefused(problems.items)

    n = tx.conn.execute(select(func.count()).where(R.c.batch_id == batch_id)).scalar() or 0
    matched = waiting = total = 0
    for row, amount, method in parsed:
        numbers = numbers_in(row["invoices"])
        customer, how = _match(tx, row, numbers)
        allocations = ""
        if customer is not None and customer["currency"] != currency:
            customer, how = None, f"{customer['name']} pays in {customer['currency']}"
        if customer is not None:
            other = _foreign(tx, customer["id"], numbers)
            if other:
                customer, how = None, f"names {other}, which belongs to another customer"
            else:
                grid = Grid(open_items_of(tx, customer["id"]), amount, currency=currency)
                grid.auto(numbers)
                allocations = json.dumps([list(a) for a in grid.allocations()])
        n += 1
        values = {
            "batch_id": batch_id,
            "line_no": n,
            "customer_id": customer["id"] if customer else None,
            "amount": amount,
            "method": method,
            "reference": row["reference"],
            "payer": row["payer"],
            "remittance": " ".join(numbers),
            "allocations": allocations,
            "note": how,
            "created_by": tx.user,
            "created_at": tx.now,
        }
        rid = tx.conn.execute(insert(R).values(**values)).inserted_primary_key[0]
        audit.record(
            tx,
            "batch.add",
            entity="batch_receipt",
            entity_id=rid,
            customer_id=values["customer_id"],
            after={k: values[k] for k in ("amount", "payer", "reference", "remittance", "note")},
        )
        total += amount
        if customer is not None:
            matched += 1
        else:
            waiting += 1
    return Loaded(len(parsed), matched, waiting, total)
