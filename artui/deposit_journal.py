"""The deposit journal: a batch's receipts as the bank deposit slip and the auditors see
them: each receipt with what it paid, the totals against the control total and count.

A posted batch shows what was posted (the payments' applications from the ledger); an
open one shows what is planned, titled so.
"""

import datetime as dt
import json
from dataclasses import dataclass

from artui import batches, ledger
from artui.account import applications_for
from artui.book import Tx, read_only
from artui.pdf.report import render_table

COLUMNS = ("Ln", "Account", "Customer / payer", "Method", "Reference", "Amount", "Applied to")
NUMERIC = (True, False, False, False, False, True, False)


@dataclass(frozen=True)
class DepositJournal:
    title: str
    subtitle: str
    rows: tuple[tuple[str, ...], ...]
    footer: tuple[str, ...]
    created: dt.datetime


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@read_only
def deposit_journal(tx: Tx, batch_id: int) -> DepositJournal:
    b = batches.batch_row(tx, batch_id)
    t = batches.totals(tx, batch_id)
    lines = batches.receipts_of(tx, batch_id)
    cur = b["currency"]

    def m(v: int) -> str:
        return ledger.money(v, cur)

    posted = b["status"] == "posted"
    applied: dict[int, list[dict]] = {}
    if posted:
        applied = applications_for(tx, [r["posted_document_id"] for r in lines])
    names = {}
    if not posted:
        ids = [a[0] for r in lines if r["allocations"] for a in json.loads(r["allocations"])]
        names = {d.id: d.number for d in ledger.documents_of(tx, ids)} if ids else {}
    rows = []
    for r in lines:
        if posted:
            paid = [
                f"{a['number']} {m(a['amount'])}"
                for a in applied.get(r["posted_document_id"], [])
                if a["kind"] != "returned_payment"
            ]
        elif r["allocations"]:
            paid = [f"{names.get(a[0], a[0])} {m(a[1])}" for a in json.loads(r["allocations"])]
        else:
            paid = ["auto-apply when posted"]
        rows.append(
            (
                str(r["line_no"]),
                r["account"] or "?",
                r["name"] or f"{r['payer']} (no customer yet)",
                r["method"],
                r["reference"],
                m(r["amount"]),
                "; ".join(paid) or "on account",
            )
        )
    footer = [
        f"Entered {m(t.entered)} in {t.count} receipts; control {m(t.expected_total)} in "
        f"{t.expected_count}; difference {m(t.difference)}.",
        f"Applied {m(t.applied)} as typed; unapplied {m(t.unapplied)}."
        if not posted
        else f"Posted {b['number']} by {b['posted_by']} on "
        f"{_aware(b['posted_at']):%Y-%m-%d %H:%M} UTC.",
    ]
    if b["out_of_balance_reason"]:
        footer.append(f"Posted out of balance: {b['out_of_balance_reason']}")
    title = f"Deposit journal {b['number']}" if posted else "Deposit journal (not posted)"
    company = tx.company()["name"]
    subtitle = (
        f"{company} · deposit {b['deposit_date'].isoformat()} · "
        f"bank {b['bank_account'] or 'not named'} · opened by {b['created_by']}"
    )
    created = _aware(b["posted_at"] if posted else tx.now)
    return DepositJournal(title, subtitle, tuple(rows), tuple(footer), created)


def render(journal: DepositJournal) -> bytes:
    return render_table(
        journal.title,
        journal.subtitle,
        COLUMNS,
        journal.rows,
        NUMERIC,
        journal.created,
        journal.footer,
    )
