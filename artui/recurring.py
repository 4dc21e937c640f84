"""Recurring billing: contracts that bill the same lines every cycle.

A billing run for a date makes a draft invoice for every active contract with a cycle
date on or before it that was never billed (each contract and cycle date is billed at
most once: a unique key, so a second run for the same cycle makes nothing). The drafts
are reviewed (skipped, edited like any draft) and then posted together.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from artui import audit, ledger
from artui.book import Tx, read_only, unit_of_work
from artui.collections import add_months
from artui.errors import Refused
from artui.invoices import InvoiceInput, post_draft, save_draft
from artui.pricing import LineInput, line_fields
from db.models import Contract, ContractBilling, ContractLine

K = Contract.__table__
KL = ContractLine.__table__
KB = ContractBilling.__table__
CYCLES = {"monthly": 1, "quarterly": 3, "yearly": 12}


@dataclass(frozen=True)
class ContractInput:
    customer: int | str
    name: str
    cycle: str
    day: int
    start: dt.date
    lines: Sequence[LineInput]
    end: dt.date | None = None
    reference: str = ""


@dataclass(frozen=True)
class RunLine:
    billing_id: int
    contract_id: int
    contract: str
    customer_id: int
    account: str
    cycle_date: dt.date
    document_id: int | None
    amount: int
    status: str


def cycle_dates(
    start: dt.date, day: int, cycle: str, end: dt.date | None, through: dt.date
) -> list[dt.date]:
    """The dates a contract bills on, from its start through `through`."""
    step = CYCLES[cycle]
    first = start.replace(day=day)
    if first < start:
        first = add_months(first, 1)
    out = []
    n = 0
    while True:
        on = add_months(first, n * step)
        if on > through or (end is not None and on > end):
            return out
        out.append(on)
        n += 1


@unit_of_work
def create_contract(tx: Tx, inp: ContractInput) -> int:
    if inp.cycle not in CYCLES:
        raise Refused("A cycle is monthly, quarterly or yearly.", field="cycle")
    if not 1 <= inp.day <= 28:
        raise Refused("Bill on a day from 1 to 28 (every month has it).", field="day")
    if not inp.lines:
        raise Refused("A contract bills at least one line.", field="lines")
    if inp.end is not None and inp.end < inp.start:
        raise Refused("The contract ends before it starts.", field="end")
    customer = ledger.customer_row(tx, inp.customer)
    cid = tx.conn.execute(
        insert(K).values(
            customer_id=customer["id"],
            name=inp.name.strip() or "contract",
            cycle=inp.cycle,
            day=inp.day,
            start=inp.start,
            end=inp.end,
            active=True,
            reference=inp.reference.strip(),
            created_by=tx.user,
            created_at=tx.now,
        )
    ).inserted_primary_key[0]
    tx.conn.execute(
        insert(KL),
        [
            {"contract_id": cid, "line_no": n, **line_fields(ln)}
            for n, ln in enumerate(inp.lines, 1)
        ],
    )
    audit.record(
        tx,
        "contract.create",
        entity="contract",
        entity_id=cid,
        customer_id=customer["id"],
        after={"name": inp.name, "cycle": inp.cycle, "day": inp.day, "start": inp.start},
    )
    return cid


@unit_of_work
def prepare_run(tx: Tx, run_date: dt.date) -> list[RunLine]:
    """Drafts for every contract cycle due on or before `run_date` and never billed."""
    contracts = (
        tx.conn.execute(select(K).where(K.c.active.is_(True), K.c.start <= run_date))
        .mappings()
        .all()
    )
    billed = {
        (r.contract_id, r.cycle_date)
        for r in tx.conn.execute(select(KB.c.contract_id, KB.c.cycle_date))
    }
    for k in contracts:
        for on in cycle_dates(k["start"], k["day"], k["cycle"], k["end"], run_date):
            if (k["id"], on) in billed:
                continue
            lines = [
                LineInput(
                    r.description,
                    r.quantity,
                    r.unit_price,
                    r.discount_rate,
                    r.tax_rate,
                    r.item_code,
                )
                for r in tx.conn.execute(
                    select(KL).where(KL.c.contract_id == k["id"]).order_by(KL.c.line_no)
                )
            ]
            draft = save_draft(
                tx,
                InvoiceInput(
                    k["customer_id"],
                    on,
                    lines,
                    reference=k["reference"],
                    memo=f"{k['name']}: {k['cycle']} billing of {on.isoformat()}",
                ),
            )
            tx.conn.execute(
                insert(KB).values(
                    contract_id=k["id"], cycle_date=on, document_id=draft.id, status="draft"
                )
            )
    return run_lines(tx, run_date)


@read_only
def run_lines(tx: Tx, run_date: dt.date) -> list[RunLine]:
    """The billings of cycles on or before `run_date` still waiting (drafts)."""
    rows = tx.conn.execute(
        select(KB, K.c.name, K.c.customer_id, ledger.C.c.account, ledger.D.c.amount)
        .select_from(
            KB.join(K, K.c.id == KB.c.contract_id)
            .join(ledger.C, ledger.C.c.id == K.c.customer_id)
            .outerjoin(ledger.D, ledger.D.c.id == KB.c.document_id)
        )
        .where(KB.c.cycle_date <= run_date, KB.c.status == "draft")
        .order_by(ledger.C.c.account, KB.c.cycle_date)
    ).mappings()
    return [
        RunLine(
            r["id"],
            r["contract_id"],
            r["name"],
            r["customer_id"],
            r["account"],
            r["cycle_date"],
            r["document_id"],
            r["amount"] or 0,
            r["status"],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class RunResult:
    posted: int
    skipped: int
    held: tuple[str, ...]  # accounts whose drafts wait: a credit hold the settings enforce


@unit_of_work
def post_run(tx: Tx, run_date: dt.date, skip: Iterable[int] = ()) -> RunResult:
    """Post the run's drafts together (one transaction); the skipped billings are marked
    skipped and their drafts deleted; a customer whose hold blocks invoices keeps the
    draft for later (the refusal comes before anything of it is written)."""
    from artui.errors import CreditHold
    from artui.invoices import delete_draft

    skip = set(skip)
    posted = skipped = 0
    held = []
    for line in run_lines(tx, run_date):
        if line.billing_id in skip:
            tx.conn.execute(
                update(KB)
                .where(KB.c.id == line.billing_id)
                .values(status="skipped", document_id=None)
            )
            if line.document_id is not None:
                delete_draft(tx, line.document_id)
            skipped += 1
            continue
        try:
            post_draft(tx, line.document_id)
        except CreditHold:
            held.append(line.account)
            continue
        tx.conn.execute(update(KB).where(KB.c.id == line.billing_id).values(status="posted"))
        posted += 1
    return RunResult(posted, skipped, tuple(held))
