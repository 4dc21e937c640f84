"""Statement runs: choose the customers, make a statement for each, deliver them.

A run is written down before anything is made: its criteria and one row per chosen
customer, in order. Statements are then made a hundred at a time; each batch's files are
written first, then one transaction marks the batch done and (for email) puts the mail in
the outbox. A run that stops half way (a crash, a closed terminal) goes on from the first
statement not marked done, and nothing is mailed twice: a statement's mail is queued in
the same transaction that marks it done. A run can be printed again later, identically:
the statements are as of the run's date and the files carry the run's timestamp.
"""

import datetime as dt
import json
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update

from artui import audit, outbox
from artui.aging import AgingRow, AgingTotal, aging, aging_stream
from artui.book import Book, Tx, read_only, unit_of_work
from artui.errors import NotFound, Refused
from artui.faultpoints import reached
from artui.statements import Statement, statements_for
from db.engine import run_write
from db.models import Customer, StatementRun, StatementRunItem

R = StatementRun.__table__
RI = StatementRunItem.__table__
C = Customer.__table__
BATCH = 100
DELIVERIES = ("files", "email", "print")


@dataclass(frozen=True)
class RunCriteria:
    """Who gets a statement. `accounts` names a selection (or one customer); otherwise
    everyone with a balance, narrowed by the other fields."""

    as_of: dt.date
    period_from: dt.date | None = None  # activity statements from this date; else open item
    accounts: tuple[str, ...] = ()
    min_balance: int = 0  # in minor units, compared with the balance's size
    past_due_only: bool = False
    credits: str = "yes"  # credit balances: yes | no | only

    def to_json(self) -> str:
        d = asdict(self)
        d["as_of"] = self.as_of.isoformat()
        d["period_from"] = self.period_from.isoformat() if self.period_from else None
        d["accounts"] = list(self.accounts)
        return json.dumps(d, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "RunCriteria":
        d = json.loads(text)
        d["as_of"] = dt.date.fromisoformat(d["as_of"])
        d["period_from"] = dt.date.fromisoformat(d["period_from"]) if d["period_from"] else None
        d["accounts"] = tuple(d["accounts"])
        return cls(**d)


@dataclass(frozen=True)
class RunInfo:
    id: int
    as_of: dt.date
    period_from: dt.date | None
    delivery: str
    folder: str
    status: str
    total: int
    done: int
    emailed: int
    without_email: int
    created_by: str
    created_at: dt.datetime
    merged: str = ""

    @property
    def style(self) -> str:
        return "activity" if self.period_from else "open item"


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    seconds: float

    @property
    def seconds_left(self) -> float | None:
        if not self.done:
            return None
        return self.seconds / self.done * (self.total - self.done)


@read_only
def choose(tx: Tx, criteria: RunCriteria) -> list[AgingRow]:
    """The customers a run would take, by account, with their aging as of the date (the
    aging's own figures, so the run and the aging report agree)."""
    return list(_chosen(tx, criteria))


@read_only
def choice_summary(
    tx: Tx, criteria: RunCriteria, keep: int
) -> tuple[list[AgingRow], int, tuple[AgingTotal, ...]]:
    """What `choose` would give, without holding it: its first `keep` customers, how
    many there are and their totals per currency (a whole book is 80,000 customers)."""
    first: list[AgingRow] = []
    count = 0
    sums: dict[str, list[int]] = {}
    for r in _chosen(tx, criteria):
        if count < keep:
            first.append(r)
        count += 1
        acc = sums.get(r.currency)
        if acc is None:
            acc = sums[r.currency] = [0] * 7
        for i, v in enumerate(r[4:]):
            acc[i] += v
        acc[6] += 1
    totals = tuple(AgingTotal(cur, *acc[:6], customers=acc[6]) for cur, acc in sorted(sums.items()))
    return first, count, totals


def _chosen(tx: Tx, criteria: RunCriteria) -> Iterator[AgingRow]:
    if criteria.credits not in ("yes", "no", "only"):
        raise Refused("Credit balances are yes, no or only.", field="credits")
    if criteria.period_from and criteria.period_from > criteria.as_of:
        raise Refused("The period starts after the statement date.", field="from")
    if not criteria.accounts:  # the whole book, read a page at a time
        for r in aging_stream(tx, criteria.as_of):
            if _takes(criteria, r):
                yield r
        return
    found = dict(
        tx.conn.execute(
            select(C.c.account, C.c.id).where(C.c.account.in_(list(criteria.accounts)))
        ).all()
    )
    missing = [a for a in criteria.accounts if a not in found]
    if missing:
        raise NotFound(
            "There is no customer with account " + ", ".join(missing) + ".", field="accounts"
        )
    ids = [found[a] for a in criteria.accounts]
    rows = list(aging(tx, criteria.as_of, customer_ids=ids, include_zero=True).rows)
    have = {r.customer_id for r in rows}  # customers with no document have no aging row
    for r in tx.conn.execute(
        select(C.c.id, C.c.account, C.c.name, C.c.currency).where(
            C.c.id.in_([i for i in ids if i not in have])
        )
    ):
        rows.append(AgingRow(r.id, r.account, r.name, r.currency))
    rows.sort(key=lambda r: r.account)
    yield from rows  # a named selection gets its statements whatever the balance


def _takes(criteria: RunCriteria, r: AgingRow) -> bool:
    """Whether the run takes this customer of the whole book."""
    balance = r.balance
    if balance == 0:
        return False
    if criteria.credits == "no" and balance < 0:
        return False
    if criteria.credits == "only" and balance >= 0:
        return False
    if abs(balance) < criteria.min_balance:
        return False
    return not (criteria.past_due_only and r.past_due <= 0)


@unit_of_work
def create_run(tx: Tx, criteria: RunCriteria, delivery: str, folder: str | os.PathLike) -> int:
    """Write a run down (criteria and the chosen customers, in order); nothing is made yet."""
    if delivery not in DELIVERIES:
        raise Refused("Delivery is files, email or print.", field="delivery")
    chosen = choose(tx, criteria)
    if not chosen:
        raise Refused("No customer matches: there is no statement to make.", field="who")
    folder = str(Path(folder).expanduser().resolve())
    run_id = tx.conn.execute(
        insert(R).values(
            as_of=criteria.as_of,
            period_from=criteria.period_from,
            criteria=criteria.to_json(),
            delivery=delivery,
            folder=folder,
            status="running",
            total=len(chosen),
            created_by=tx.user,
            created_at=tx.now.replace(microsecond=0),
        )
    ).inserted_primary_key[0]
    tx.conn.execute(
        insert(RI),
        [
            {
                "run_id": run_id,
                "position": n,
                "customer_id": r.customer_id,
                "balance": r.balance,
                "status": "pending",
                "file": "",
                "email": "",
            }
            for n, r in enumerate(chosen, 1)
        ],
    )
    audit.record(
        tx,
        "statement.run",
        entity="statement_run",
        entity_id=run_id,
        after={"criteria": json.loads(criteria.to_json()), "delivery": delivery, "n": len(chosen)},
    )
    return run_id


def file_name(st: Statement) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", st.account).strip("._") or str(st.customer_id)
    return f"{safe}-{st.as_of.isoformat()}.pdf"


def continue_run(
    book: Book,
    run_id: int,
    *,
    progress: Callable[[Progress], None] | None = None,
    mail_settings: outbox.MailSettings | None = None,
) -> RunInfo:
    """Make (or go on making) a run's statements, then deliver them. Batches are always
    the same runs of positions (a batch is marked done as a whole), so a reprint cuts
    the same pages from the same documents and comes out byte for byte the same."""
    run = _run_row(book, run_id)
    folder = Path(run["folder"])
    started = time.perf_counter()
    while True:
        pending = _pending(book, run_id, BATCH)
        if not pending:
            break
        sts, paths = _make_files(book, run, [p["customer_id"] for p in pending], folder)
        names = [str(p) for p in paths]
        book.write(lambda tx, p=pending, s=sts, n=names: _mark_done(tx, run, p, s, n))
        reached("statement_run.batch_done")  # between batches: this one marked, mail queued
        if progress:
            done = _count_done(book, run_id)
            progress(Progress(done, run["total"], time.perf_counter() - started))
    merged = ""
    if run["delivery"] == "print":
        from artui.pdf.base import merge

        target = folder / f"statement-run-{run_id}-print.pdf"
        merge([Path(f) for f in _files(book, run_id)], target)
        merged = str(target)
    if run["status"] != "done":
        stamp = dt.datetime.now(dt.UTC)
        run_write(
            book.engine,
            lambda conn: conn.execute(
                update(R).where(R.c.id == run_id).values(status="done", finished_at=stamp)
            ),
        )
    if run["delivery"] == "email":
        outbox.deliver(book, mail_settings, limit=run["total"] + 10)
    return run_info(book, run_id, merged=merged)


def _mark_done(
    tx: Tx, run: Any, pending: Sequence[Any], sts: Sequence[Statement], names: Sequence[str]
) -> None:
    conn = tx.conn
    for item, st, path in zip(pending, sts, names, strict=True):
        # Only a row still pending is marked: a second process on the same run skips it.
        claimed = conn.execute(
            update(RI)
            .where(RI.c.id == item["id"], RI.c.status == "pending")
            .values(status="done", file=path, email=st.email)
        ).rowcount
        if not claimed:
            continue
        mailed = None
        if run["delivery"] == "email" and "@" in st.email:
            mailed = outbox.enqueue(
                tx,
                outbox.Mail(
                    to=st.email,
                    subject=f"Statement of account {st.account} as of {st.as_of.isoformat()}",
                    body=(
                        f"Dear {_addressee(st)},\n\n"
                        f"Please find attached the statement of your account {st.account} "
                        f"as of {st.as_of.isoformat()}. Balance due: {st.currency} "
                        f"{st.money(st.balance)}.\n\n{st.message}\n\n{st.company_name}\n"
                    ),
                    attachments=(outbox.Attachment(Path(path).name, path),),
                    customer_id=st.customer_id,
                ),
            )
            conn.execute(update(RI).where(RI.c.id == item["id"]).values(outbox_id=mailed))
        audit.record(
            tx,
            "statement.emailed" if mailed else "statement.made",
            entity="statement_run",
            entity_id=run["id"],
            customer_id=st.customer_id,
            after={"as_of": st.as_of, "balance": st.balance, "file": Path(path).name},
        )
        reached("statement_run.marked")  # between statements, inside the batch's unit


def _addressee(st: Statement) -> str:
    attn = next((x for x in st.bill_to if x.startswith("Attn: ")), "")
    return attn.removeprefix("Attn: ") or "customer"


def _aware(stamp: dt.datetime) -> dt.datetime:
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


@read_only
def _run_row(tx: Tx, run_id: int) -> dict:
    row = tx.conn.execute(select(R).where(R.c.id == run_id)).mappings().first()
    if row is None:
        raise NotFound(f"There is no statement run {run_id}.", field="run")
    return dict(row)


@read_only
def _pending(tx: Tx, run_id: int, limit: int) -> list[dict]:
    return [
        dict(r)
        for r in tx.conn.execute(
            select(RI.c.id, RI.c.customer_id)
            .where(RI.c.run_id == run_id, RI.c.status == "pending")
            .order_by(RI.c.position)
            .limit(limit)
        ).mappings()
    ]


@read_only
def _count_done(tx: Tx, run_id: int) -> int:
    return int(
        tx.conn.execute(
            select(func.count()).where(RI.c.run_id == run_id, RI.c.status == "done")
        ).scalar()
        or 0
    )


@read_only
def _files(tx: Tx, run_id: int) -> list[str]:
    return [
        r[0]
        for r in tx.conn.execute(
            select(RI.c.file)
            .where(RI.c.run_id == run_id, RI.c.status == "done")
            .order_by(RI.c.position)
        )
    ]


@read_only
def run_info(tx: Tx, run_id: int, merged: str = "") -> RunInfo:
    run = _run_row(tx, run_id)
    counts = tx.conn.execute(
        select(
            func.count().filter(RI.c.status == "done"),
            func.count().filter(RI.c.outbox_id.is_not(None)),
            func.count().filter((RI.c.status == "done") & (RI.c.outbox_id.is_(None))),
        ).where(RI.c.run_id == run_id)
    ).one()
    return RunInfo(
        id=run["id"],
        as_of=run["as_of"],
        period_from=run["period_from"],
        delivery=run["delivery"],
        folder=run["folder"],
        status=run["status"],
        total=run["total"],
        done=int(counts[0]),
        emailed=int(counts[1]),
        without_email=int(counts[2]) if run["delivery"] == "email" else 0,
        created_by=run["created_by"],
        created_at=_aware(run["created_at"]),
        merged=merged,
    )


@read_only
def runs(tx: Tx, limit: int = 50) -> list[RunInfo]:
    ids = [r[0] for r in tx.conn.execute(select(R.c.id).order_by(R.c.id.desc()).limit(limit))]
    return [run_info(tx, i) for i in ids]


def reprint(book: Book, run_id: int, folder: str | os.PathLike) -> list[Path]:
    """The run's statements again, byte for byte as first made, into `folder`."""
    run = _run_row(book, run_id)
    ids = _customers(book, run_id)
    out: list[Path] = []
    for k in range(0, len(ids), BATCH):
        out += _make_files(book, run, ids[k : k + BATCH], Path(folder))[1]
    return out


def _make_files(
    book: Book, run: dict, customer_ids: list[int], folder: Path
) -> tuple[list[Statement], list[Path]]:
    """One batch of a run's statements: drawn in one document with the run's timestamp,
    cut into a file per customer, each file whole or absent."""
    from artui.pdf.base import split
    from artui.pdf.statement import render

    sts = statements_for(book, customer_ids, run["as_of"], period_from=run["period_from"])
    data, ranges = render(sts, _aware(run["created_at"]))
    files = split(data, ranges) if len(sts) > 1 else [data]
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for st, blob in zip(sts, files, strict=True):
        path = folder / file_name(st)
        tmp = path.with_suffix(".pdf.part")
        tmp.write_bytes(blob)
        tmp.replace(path)
        paths.append(path)
    return sts, paths


@read_only
def _customers(tx: Tx, run_id: int) -> list[int]:
    return [
        r[0]
        for r in tx.conn.execute(
            select(RI.c.customer_id).where(RI.c.run_id == run_id).order_by(RI.c.position)
        )
    ]
