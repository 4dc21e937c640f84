"""A realistic demo book, deterministic for a seed; also the benchmark book.

Customers with contacts, addresses, terms, currencies and credit limits; three years of
invoices from an item catalogue; customers who pay on time, late, in part, by several
methods, overpay, bounce a check, get credit memos and write-offs; disputes, calls,
promises kept and broken. Everything is computed in Python and bulk-inserted with
SQLAlchemy Core (one ORM object at a time would take hours at 100,000 customers); the
result satisfies every invariant `artui check` verifies.
"""

import datetime as dt
import multiprocessing
import os
import queue
import random
import time
from collections.abc import Callable, Iterator, Mapping
from collections.abc import Sequence as Seq
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text, update

from artui import audit
from artui.book import SEQUENCES, Book, Tx
from artui.dates import discount_until, due_date, parse_terms
from artui.ledger import DEBIT_KINDS
from artui.money import apply_rate
from artui.pricing import LineInput, price
from db.bulk import driver_rows, iso_days, stamp_of
from db.engine import run_write
from db.models import (
    Address,
    Application,
    Contact,
    Customer,
    DailyTotal,
    Dispute,
    Document,
    FollowUp,
    InvoiceLine,
    Item,
    Promise,
    ReceiptDetail,
    Sequence,
)
from db.search import build_search_text, rebuild_index

FIRST = [
    "Northwind",
    "Blue Ridge",
    "Summit",
    "Harbor",
    "Pioneer",
    "Cedar",
    "Atlas",
    "Keystone",
    "Redwood",
    "Silver Lake",
    "Granite",
    "Prairie",
    "Coastal",
    "Ironwood",
    "Maple",
    "Orchard",
    "Beacon",
    "Evergreen",
    "Falcon",
    "Lakeside",
    "Meridian",
    "Oakridge",
    "Riverbend",
    "Sterling",
    "Trinity",
    "Union",
    "Valley",
    "Westfield",
    "Apex",
    "Bridgeport",
]
SECOND = [
    "Traders",
    "Supply",
    "Foods",
    "Hardware",
    "Logistics",
    "Builders",
    "Medical",
    "Electric",
    "Farms",
    "Outfitters",
    "Distributors",
    "Industries",
    "Motors",
    "Labs",
    "Textiles",
    "Printing",
    "Plumbing",
    "Market",
    "Hospitality",
    "Dental",
]
SUFFIX = ["Inc.", "LLC", "Co.", "Ltd.", "Corp.", "& Sons", "Group", ""]
FOREIGN = [
    ("Müller & Söhne GmbH", "EUR", "München", "DE"),
    ("Café Lumière SARL", "EUR", "Lyon", "FR"),
    ("Øresund Handel ApS", "EUR", "København", "DK"),
    ("Łódź Tekstylia Sp. z o.o.", "EUR", "Łódź", "PL"),
    ("東京トレーディング株式会社", "EUR", "Tokyo", "JP"),
    ("Érable Distribution Inc.", "CAD", "Montréal", "CA"),
    ("Northern Lights Supply Ltd.", "CAD", "Winnipeg", "CA"),
]
ODD = ["[bold]Bold Move[/bold] Marketing", "=SUM(A1) Accounting", "Foo [/] Bar Inc."]
PEOPLE = [
    "Maria Garcia",
    "James Smith",
    "Li Wei",
    "Aisha Khan",
    "John O'Brien",
    "Sofia Rossi",
    "David Cohen",
    "Emma Wilson",
    "Carlos Mendes",
    "Olga Petrova",
    "Kenji Tanaka",
    "Grace Lee",
    "Ahmed Hassan",
    "Laura Schmidt",
    "Peter Novak",
    "Nina Patel",
]
ROLES = ["Accounts Payable", "Controller", "Owner", "Purchasing", "Office Manager"]
CITIES = [
    ("Houston", "TX", "770"),
    ("Denver", "CO", "802"),
    ("Chicago", "IL", "606"),
    ("Atlanta", "GA", "303"),
    ("Portland", "OR", "972"),
    ("Phoenix", "AZ", "850"),
    ("Boston", "MA", "021"),
    ("Nashville", "TN", "372"),
    ("Columbus", "OH", "432"),
    ("Tampa", "FL", "336"),
]
STREETS = ["Main St", "Oak Ave", "Industrial Pkwy", "Commerce Dr", "Market St", "Lake Rd"]
TERMS = ["NET30"] * 6 + ["NET15", "2/10NET30", "NET30EOM", "DUE", "NET45"]
ITEMS = [
    ("Widget", 1250),
    ("Gadget", 4999),
    ("Bracket", 375),
    ("Fastener box", 1890),
    ("Pallet wrap", 2450),
    ("Safety gloves", 899),
    ("LED panel", 12900),
    ("Cable 10m", 1575),
    ("Valve", 3420),
    ("Filter", 2210),
    ("Toner", 8950),
    ("Paper case", 4299),
    ("Service hour", 9500),
    ("Delivery", 3500),
    ("Install kit", 15900),
]
PROFILES = ["on_time"] * 5 + ["late"] * 3 + ["partial", "overpay", "bouncer", "slow"]
METHODS = ["check"] * 5 + ["ach"] * 3 + ["wire", "card"]
CARDS = ["visa", "mastercard", "amex", "discover"]


CHUNK = 2000  # customers generated and written at a time


@dataclass(frozen=True)
class DemoStats:
    customers: int
    invoices: int
    payments: int
    credits: int
    applications: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)


_DOC_DEFAULTS: dict[str, Any] = {
    "discount_until": None,
    "discount_amount": 0,
    "terms": "",
    "subtotal": 0,
    "discount_total": 0,
    "tax_total": 0,
    "shipping": 0,
    "reference": "",
    "memo": "",
    "reason": "",
    "reverses": None,
}
# Columns of the rows `_prepare` makes as tuples directly (the biggest tables).
_DOC_COLUMNS = (
    "id",
    "kind",
    "number",
    "seq",
    "customer_id",
    "currency",
    "doc_date",
    "due_date",
    "discount_until",
    "discount_amount",
    "terms",
    "amount",
    "open_amount",
    "closed_on",
    "status",
    "subtotal",
    "discount_total",
    "tax_total",
    "shipping",
    "reference",
    "memo",
    "reason",
    "reverses_id",
    "created_by",
    "created_at",
    "version",
)
_APP_COLUMNS = (
    "id",
    "debit_id",
    "credit_id",
    "amount",
    "applied_on",
    "reason",
    "undoes_id",
    "created_by",
    "created_at",
    "customer_id",
    "debit_date",
    "debit_due",
    "credit_date",
)
_LINE_COLUMNS = (
    "document_id",
    "line_no",
    "item_code",
    "description",
    "quantity",
    "unit_price",
    "discount_rate",
    "tax_rate",
    "amount",
)
_RECEIPT_COLUMNS = (
    "document_id",
    "method",
    "reference",
    "card_brand",
    "card_last4",
)


class _Ledger:
    """Documents and applications made in memory, with open amounts kept as we go."""

    def __init__(self) -> None:
        self.docs: list[dict[str, Any]] = []
        self.apps: list[dict[str, Any]] = []
        self.lines: list[tuple] = []  # _LINE_COLUMNS, with the document's index first
        self.receipts: list[tuple] = []  # _RECEIPT_COLUMNS, likewise

    def doc(self, kind: str, cid: int, cur: str, on: dt.date, amount: int, **kw: Any) -> dict:
        d = {
            **_DOC_DEFAULTS,
            "kind": kind,
            "customer_id": cid,
            "currency": cur,
            "doc_date": on,
            "due_date": kw.pop("due_date", on if kind in DEBIT_KINDS else None),
            "amount": amount,
            "open_amount": amount,
            "last_on": None,
            **kw,
        }
        d["idx"] = len(self.docs)
        self.docs.append(d)
        return d

    def apply(self, debit: dict, credit: dict, amount: int, on: dt.date, reason: str) -> dict:
        amount = min(amount, debit["open_amount"], credit["open_amount"])
        on = max(on, debit["doc_date"], credit["doc_date"])
        app = {
            "debit": debit["idx"],
            "credit": credit["idx"],
            "amount": amount,
            "applied_on": on,
            "reason": reason,
            "undoes": None,
        }
        if amount > 0:
            self.apps.append(app)
            self._move(debit, -amount, on)
            self._move(credit, -amount, on)
        return app

    def unapply(self, app: dict, on: dt.date, reason: str) -> None:
        self.apps.append(
            {
                "debit": app["debit"],
                "credit": app["credit"],
                "amount": -app["amount"],
                "applied_on": on,
                "reason": reason,
                "undoes": app,
            }
        )
        self._move(self.docs[app["debit"]], app["amount"], on)
        self._move(self.docs[app["credit"]], app["amount"], on)

    @staticmethod
    def _move(doc: dict, delta: int, on: dt.date) -> None:
        doc["open_amount"] += delta
        doc["last_on"] = on if doc["last_on"] is None else max(doc["last_on"], on)


class _Rand:
    """`random.Random`'s choice, randint and randrange made from `random()` alone: as
    deterministic for a seed and several times faster (millions of draws per big book)."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed).random

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def randrange(self, a: int, b: int | None = None) -> int:
        if b is None:
            a, b = 0, a
        return a + int(self.random() * (b - a))

    def choice(self, seq: Any) -> Any:
        return seq[int(self.random() * len(seq))]


def _phone(rng: _Rand, area: str) -> str:
    n = f"{area}{rng.randrange(200, 999)}{rng.randrange(0, 10000):04d}"
    fmt = rng.randrange(3)
    if fmt == 0:
        return f"({n[:3]}) {n[3:6]}-{n[6:]}"
    if fmt == 1:
        return f"{n[:3]}-{n[3:6]}-{n[6:]}"
    return f"+1 {n[:3]} {n[3:6]} {n[6:]}"


@dataclass(frozen=True)
class _Plan:
    """What the generator needs: plain values, so that it can run in another process."""

    customers: int
    seed: int
    years: int
    today: dt.date
    now: dt.datetime
    dialect: str
    chunk: int = CHUNK

    @property
    def chunks(self) -> int:
        return -(-self.customers // self.chunk)


@dataclass
class _Chunk:
    """One chunk of the book, rows ready for the driver: (table, columns, insert, rows).
    Document and application ids and numbers are the chunk's own, from 1; the writer
    moves them past the chunks before (`_rebase`)."""

    tables: list[tuple[str, list[str], str, list[tuple]]]
    customers_done: int
    counts: dict[str, int]  # documents per kind
    applications: int
    totals: dict[tuple[str, dt.date], list[int]]  # (currency, day) -> [debits, credits]


def build(
    book: Book,
    customers: int = 300,
    seed: int = 1,
    *,
    years: int = 3,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    chunk: int = CHUNK,
    workers: int | None = None,
) -> DemoStats:
    """Fill an empty book. Deterministic for (customers, seed, years, today, chunk).

    Each chunk of customers is generated from its own seed, so chunks can be made in
    worker processes while this one writes (both cores busy on a big book); what is
    generated does not depend on how many workers made it."""
    started = time.perf_counter()
    today = today or book.today()
    say = progress or (lambda _m: None)
    plan = _Plan(
        customers=customers,
        seed=seed,
        years=years,
        today=today,
        now=dt.datetime.combine(today, dt.time(9, 0), tzinfo=dt.UTC),
        dialect=book.engine.dialect.name,
        chunk=chunk,
    )
    if workers is None:  # worth other processes only for a big book on two cores
        workers = 2 if customers > chunk and (os.cpu_count() or 1) > 1 else 0
    if "fork" not in multiprocessing.get_all_start_methods():
        workers = 0
    source = (
        _chunks_from_workers(plan, workers)
        if workers
        else (_generate_chunk(plan, k) for k in range(plan.chunks))
    )
    counts: dict[str, int] = {}
    seq: dict[str, int] = {}
    totals: dict[tuple[str, dt.date], list[int]] = {}
    applications = 0
    say(f"making {customers} customers")
    with _bulk_writer(book.engine) as write:
        for k, part in enumerate(source):
            _rebase(part, sum(counts.values()), applications, seq)
            write(lambda conn, part=part, first=k == 0: _store(conn, part, first))
            for kind, n in part.counts.items():
                counts[kind] = counts.get(kind, 0) + n
                seq[kind] = seq.get(kind, 0) + n
            applications += part.applications
            for key, (d, c) in part.totals.items():
                t = totals.setdefault(key, [0, 0])
                t[0] += d
                t[1] += c
            say(f"{part.customers_done} customers written")
        say("building the indexes")
        write(
            lambda conn: _finish(conn, book, plan, totals, seq, sum(counts.values()), applications)
        )
    return DemoStats(
        customers=customers,
        invoices=counts.get("invoice", 0),
        payments=counts.get("payment", 0),
        credits=counts.get("credit_memo", 0),
        applications=applications,
        seconds=round(time.perf_counter() - started, 2),
        counts=counts,
    )


@contextmanager
def _bulk_writer(engine: Any) -> Iterator[Callable[[Callable[[Any], None]], None]]:
    """Transactions for the load. On SQLite, one connection without foreign-key checks
    or fsyncs while the book is built: the rows are consistent by construction (the
    demo tests run `check` on them), a crash half way leaves a book to throw away
    anyway, and the checks would cost millions of index look-ups."""
    if engine.dialect.name != "sqlite":
        yield lambda work: run_write(engine, work)
        return
    with engine.connect() as conn:
        raw = conn.connection.driver_connection  # outside any transaction, as these need
        raw.execute("PRAGMA foreign_keys=OFF")
        raw.execute("PRAGMA synchronous=OFF")
        immediate = conn.execution_options(sqlite_begin="IMMEDIATE")

        def write(work: Callable[[Any], None]) -> None:
            with immediate.begin():
                work(immediate)

        try:
            yield write
        finally:
            raw.execute("PRAGMA synchronous=FULL")
            raw.execute("PRAGMA foreign_keys=ON")


def _chunks_from_workers(plan: _Plan, workers: int) -> Iterator[_Chunk]:
    """Chunks made by `workers` forked processes (worker w makes chunks w, w + workers,
    ...), passed on in order, at most two per worker in flight. Fork, not spawn: spawn
    would re-run the caller's main module, and a worker uses nothing it inherits but the
    plan."""
    ctx = multiprocessing.get_context("fork")
    queues = [ctx.Queue(maxsize=2) for _ in range(workers)]
    procs = [
        ctx.Process(target=_produce, args=(plan, w, workers, queues[w]), daemon=True)
        for w in range(workers)
    ]
    for proc in procs:
        proc.start()
    try:
        for k in range(plan.chunks):
            w = k % workers
            while True:
                try:
                    part = queues[w].get(timeout=1)
                    break
                except queue.Empty:
                    if not procs[w].is_alive():
                        raise RuntimeError("A demo generator stopped unexpectedly.") from None
            if isinstance(part, str):
                raise RuntimeError(f"The demo generator failed: {part}")
            yield part
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
            proc.join()


def _produce(plan: _Plan, first: int, step: int, out: Any) -> None:
    try:
        for k in range(first, plan.chunks, step):
            out.put(_generate_chunk(plan, k))
    except Exception as exc:  # pragma: no cover - reported to the parent as text
        out.put(f"{type(exc).__name__}: {exc}")


def _items(seed: int) -> list[dict]:
    rng = _Rand(seed)
    return [
        {
            "code": f"IT{n:03d}",
            "description": f"{name} {size}",
            "unit_price": p * mult,
            "tax_rate": rng.choice([0, 7250, 8500]),
            "active": True,
        }
        for n, ((name, p), (size, mult)) in enumerate(
            ((it, sz) for it in ITEMS for sz in (("S", 1), ("M", 2), ("L", 3), ("XL", 4))), 1
        )
    ]


def _generate_chunk(plan: _Plan, k: int) -> _Chunk:
    """Customers k*chunk+1 ... (k+1)*chunk with their history, from the chunk's own seed."""
    rng = _Rand(plan.seed * 1_000_003 + k)
    today, now, customers = plan.today, plan.now, plan.customers
    start = today - dt.timedelta(days=365 * plan.years)
    items = _items(plan.seed)
    cust_rows: list[dict] = []
    contact_rows: list[dict] = []
    address_rows: list[dict] = []
    led = _Ledger()
    follow: list[dict] = []
    promises: list[dict] = []
    disputes: list[dict] = []
    last = min(customers, (k + 1) * plan.chunk)
    for i in range(k * plan.chunk + 1, last + 1):
        cid = i
        foreign = rng.random() < 0.06
        if i <= len(ODD) and customers >= 20:
            name, cur, city, region, country = ODD[i - 1], "USD", "Houston", "TX", "US"
            area = "713"
        elif foreign:
            name, cur, city, country = rng.choice(FOREIGN)
            name = f"{name} {i}" if i > 50 else name
            region, area = "", "800"
        else:
            name = f"{rng.choice(FIRST)} {rng.choice(SECOND)} {rng.choice(SUFFIX)}".strip()
            cur, country = "USD", "US"
            city, region, area = rng.choice(CITIES)
        account = f"C{10000 + i}"
        person = rng.choice(PEOPLE)
        domain = "".join(c for c in name.lower() if c.isalnum())[:14] or "example"
        email = f"{person.split()[0].lower()}@{domain}.test"
        phone = _phone(rng, area)
        terms = rng.choice(TERMS)
        hold = rng.random() < 0.02
        cust_rows.append(
            {
                "id": cid,
                "account": account,
                "name": name,
                "terms": terms,
                "currency": cur,
                "credit_limit": rng.choice([0, 500000, 1000000, 2500000, 5000000]),
                "on_hold": hold,
                "hold_reason": "Past due over 90 days" if hold else "",
                "collector": rng.choice(["", "alice", "bob"]),
                "created_at": now,
                "updated_at": now,
                "search_text": build_search_text(
                    account, name, city, [(person, email, "")], [phone]
                ),
            }
        )
        contact_rows.append(
            {
                "customer_id": cid,
                "name": person,
                "role": rng.choice(ROLES),
                "email": email,
                "phone": phone,
                "is_billing": True,
            }
        )
        if rng.random() < 0.4:
            other = rng.choice(PEOPLE)
            contact_rows.append(
                {
                    "customer_id": cid,
                    "name": other,
                    "role": rng.choice(ROLES),
                    "email": f"{other.split()[0].lower()}@{domain}.test",
                    "phone": _phone(rng, area),
                    "is_billing": False,
                }
            )
        address_rows.append(
            {
                "customer_id": cid,
                "kind": "billing",
                "line1": f"{rng.randrange(10, 9999)} {rng.choice(STREETS)}",
                "city": city,
                "region": region,
                "postal_code": f"{rng.randrange(10000, 99999)}",
                "country": country,
            }
        )
        _history(rng, led, cid, cur, terms, items, start, today, follow, promises, disputes, now)
    return _prepare(
        plan,
        items if k == 0 else [],
        cust_rows,
        contact_rows,
        address_rows,
        led,
        follow,
        promises,
        disputes,
        done=last,
    )


def _history(
    rng: _Rand,
    led: _Ledger,
    cid: int,
    cur: str,
    terms_code: str,
    items: list[dict],
    start: dt.date,
    today: dt.date,
    follow: list,
    promises: list,
    disputes: list,
    now: dt.datetime,
) -> None:
    profile = rng.choice(PROFILES)
    terms = parse_terms(terms_code)
    n_invoices = rng.randint(10, 30)
    span = (today - start).days
    dates = sorted(start + dt.timedelta(days=rng.randrange(span)) for _ in range(n_invoices))
    bounced = False
    for on in dates:
        lines = []
        for _ in range(rng.randint(1, 4)):
            it = rng.choice(items)
            lines.append(
                LineInput(
                    it["description"],
                    rng.randint(1, 20) * 1000,
                    it["unit_price"],
                    rng.choice([0, 0, 0, 5000, 10000]),
                    it["tax_rate"],
                    it["code"],
                )
            )
        shipping = rng.choice([0, 0, 1500, 2500])
        totals = price(lines, shipping)
        due = due_date(on, terms)
        until = discount_until(on, terms)
        inv = led.doc(
            "invoice",
            cid,
            cur,
            on,
            totals.total,
            due_date=due,
            terms=terms_code,
            discount_until=until,
            discount_amount=apply_rate(totals.total, terms.discount_milli) if until else 0,
            subtotal=totals.subtotal,
            discount_total=totals.discount_total,
            tax_total=totals.tax_total,
            shipping=shipping,
            reference=f"PO-{rng.randrange(1000, 99999)}" if rng.random() < 0.6 else "",
        )
        for n, (ln, amt) in enumerate(zip(lines, totals.line_amounts, strict=True), 1):
            led.lines.append(
                (
                    inv["idx"],
                    n,
                    ln.item_code,
                    ln.description,
                    ln.quantity,
                    ln.unit_price,
                    ln.discount_rate,
                    ln.tax_rate,
                    amt,
                )
            )
        _settle(rng, led, inv, profile, today, bounced)
        bounced = bounced or any(
            d["kind"] == "returned_payment" and d["customer_id"] == cid for d in led.docs[-3:]
        )
    if rng.random() < 0.05:  # a credit memo on account
        led.doc(
            "credit_memo",
            cid,
            cur,
            today - dt.timedelta(days=rng.randrange(1, 60)),
            rng.randrange(1000, 20000),
            reason="goodwill",
            memo="Goodwill credit",
        )
    # collections: calls, promises, disputes on some past-due accounts
    open_invs = [
        d
        for d in led.docs[-(n_invoices * 4) :]
        if d["customer_id"] == cid
        and d["kind"] == "invoice"
        and d["open_amount"] > 0
        and d["due_date"] < today
    ]
    if open_invs and rng.random() < 0.6:
        when = now - dt.timedelta(days=rng.randrange(1, 20))
        follow.append(
            {
                "customer_id": cid,
                "channel": "call",
                "outcome": rng.choice(["reached", "voicemail", "promised", "no_answer"]),
                "note": "Spoke about the past-due invoices",
                "next_action_on": today + dt.timedelta(days=rng.randrange(-3, 10)),
                "created_by": rng.choice(["alice", "bob"]),
                "created_at": when,
            }
        )
        if rng.random() < 0.5:
            status = rng.choice(["open", "kept", "broken"])
            due_on = (
                today + dt.timedelta(days=rng.randrange(1, 14))
                if status == "open"
                else today - dt.timedelta(days=rng.randrange(1, 30))
            )
            promises.append(
                {
                    "customer_id": cid,
                    "amount": open_invs[0]["open_amount"],
                    "due_on": due_on,
                    "made_on": when.date(),
                    "status": status,
                    "settled_on": None if status == "open" else due_on,
                    "created_by": "alice",
                    "created_at": when,
                }
            )
        if rng.random() < 0.2:
            d = open_invs[-1]
            disputes.append(
                {
                    "customer_id": cid,
                    "doc_idx": d["idx"],
                    "amount": d["open_amount"],
                    "reason": rng.choice(["pricing", "damaged", "not_received", "quantity"]),
                    "owner": "alice",
                    "note": "Customer says the goods arrived damaged",
                    "status": "open",
                    "opened_on": today - dt.timedelta(days=5),
                    "created_by": "alice",
                }
            )


def _settle(
    rng: _Rand, led: _Ledger, inv: dict, profile: str, today: dt.date, bounced: bool
) -> None:
    due, amount = inv["due_date"], inv["amount"]
    lag = {
        "on_time": rng.randint(-12, 2),
        "late": rng.randint(5, 60),
        "partial": rng.randint(0, 30),
        "overpay": rng.randint(-5, 10),
        "bouncer": rng.randint(0, 25),
        "slow": rng.randint(30, 120),
    }[profile]
    pay_on = max(inv["doc_date"], due + dt.timedelta(days=lag))
    if inv["discount_until"] and profile in ("on_time", "overpay") and rng.random() < 0.6:
        pay_on = inv["doc_date"] + dt.timedelta(days=rng.randint(2, 10))
    if pay_on > today or rng.random() < 0.03:
        return  # still open
    method = rng.choice(METHODS)
    pay_amount = amount
    if profile == "partial" and rng.random() < 0.5:
        pay_amount = amount * rng.randint(5, 9) // 10
    if profile == "overpay" and rng.random() < 0.3:
        pay_amount = amount + rng.randrange(100, 5000)
    if inv["discount_until"] and pay_on <= inv["discount_until"] and rng.random() < 0.7:
        disc = (
            led.doc(
                "discount",
                inv["customer_id"],
                inv["currency"],
                pay_on,
                inv["discount_amount"],
                reason="discount taken",
            )
            if inv["discount_amount"]
            else None
        )
        if disc:
            led.apply(inv, disc, disc["amount"], pay_on, "discount taken")
            pay_amount = inv["open_amount"]
    if pay_amount <= 0:
        return
    pay = led.doc(
        "payment",
        inv["customer_id"],
        inv["currency"],
        pay_on,
        pay_amount,
        reference=f"{rng.randrange(100000, 999999)}"
        if method == "check"
        else f"TRX{rng.randrange(10**8, 10**9)}",
    )
    led.receipts.append(
        (
            pay["idx"],
            method,
            pay["reference"],
            rng.choice(CARDS) if method == "card" else "",
            f"{rng.randrange(10000):04d}" if method == "card" else "",
        )
    )
    app = led.apply(inv, pay, pay_amount, pay_on, "oldest due first")
    if profile == "bouncer" and not bounced and rng.random() < 0.3 and method == "check":
        back = pay_on + dt.timedelta(days=rng.randint(3, 9))
        if back <= today:
            led.unapply(app, back, "returned")
            rp = led.doc(
                "returned_payment",
                inv["customer_id"],
                inv["currency"],
                back,
                pay_amount,
                reason="NSF",
                memo=f"Returned check {pay['reference']}",
                reverses=pay["idx"],
            )
            led.apply(rp, pay, pay_amount, back, "returned")
            led.doc(
                "debit_memo",
                inv["customer_id"],
                inv["currency"],
                back,
                2500,
                reason="returned payment fee",
                memo="Bank fee for a returned check",
            )
            return
    left = inv["open_amount"]
    if left > 0 and (left <= 500 or left * 20 <= amount) and rng.random() < 0.5:
        wo = led.doc(
            "write_off", inv["customer_id"], inv["currency"], pay_on, left, reason="small balance"
        )
        led.apply(inv, wo, left, pay_on, "small balance")
    elif left > 0 and rng.random() < 0.15:
        cm = led.doc(
            "credit_memo",
            inv["customer_id"],
            inv["currency"],
            pay_on,
            left,
            reason="damaged",
            memo="Credit for damaged goods",
        )
        led.apply(inv, cm, left, pay_on, "damaged")


def _prepare(
    plan: _Plan,
    items: list[dict],
    cust_rows: list[dict],
    contact_rows: list[dict],
    address_rows: list[dict],
    led: _Ledger,
    follow: list[dict],
    promises: list[dict],
    disputes: list[dict],
    *,
    done: int,
) -> _Chunk:
    """Number a chunk's documents (from 1: `_rebase` moves them on) and turn every row
    into a tuple the driver takes."""
    now = plan.now
    # Numbers are gapless per kind, in date order within each chunk; ids follow them.
    order = sorted(range(len(led.docs)), key=lambda i: (led.docs[i]["doc_date"], i))
    new_id = {old: n for n, old in enumerate(order, 1)}
    seq: dict[str, int] = {}
    totals: dict[tuple[str, dt.date], list[int]] = {}
    counts: dict[str, int] = {}
    sqlite = plan.dialect == "sqlite"
    day = iso_days() if sqlite else (lambda v: v)
    stamp = stamp_of(now) if sqlite else now
    doc_rows = []
    for old in order:
        d = led.docs[old]
        kind = d["kind"]
        n = seq[kind] = seq.get(kind, 0) + 1
        counts[kind] = counts.get(kind, 0) + 1
        t = totals.setdefault((d["currency"], d["doc_date"]), [0, 0])
        t[0 if kind in DEBIT_KINDS else 1] += d["amount"]
        doc_rows.append(
            (
                new_id[old],
                kind,
                f"{SEQUENCES[kind]}{n:06d}",
                n,
                d["customer_id"],
                d["currency"],
                day(d["doc_date"]),
                day(d["due_date"]),
                day(d["discount_until"]),
                d["discount_amount"],
                d["terms"],
                d["amount"],
                d["open_amount"],
                day(d["last_on"]) if d["open_amount"] == 0 else None,
                "posted",
                d["subtotal"],
                d["discount_total"],
                d["tax_total"],
                d["shipping"],
                d["reference"],
                d["memo"],
                d["reason"],
                None if d["reverses"] is None else new_id[d["reverses"]],
                "demo",
                stamp,
                1,
            )
        )
    app_rows = []
    app_ids: dict[int, int] = {}
    for n, a in enumerate(led.apps, 1):
        app_ids[id(a)] = n
        debit = led.docs[a["debit"]]
        app_rows.append(
            (
                n,
                new_id[a["debit"]],
                new_id[a["credit"]],
                a["amount"],
                day(a["applied_on"]),
                a["reason"],
                app_ids[id(a["undoes"])] if a["undoes"] else None,
                "demo",
                stamp,
                debit["customer_id"],
                day(debit["doc_date"]),
                day(debit["due_date"]),
                day(led.docs[a["credit"]]["doc_date"]),
            )
        )
    line_rows = [(new_id[ln[0]], *ln[1:]) for ln in led.lines]
    receipt_rows = [(new_id[r[0]], *r[1:]) for r in led.receipts]
    for r in disputes:
        r["document_id"] = new_id[r.pop("doc_idx")]
    made = [
        (Item.__table__, items),
        (Customer.__table__, cust_rows),
        (Contact.__table__, contact_rows),
        (Address.__table__, address_rows),
    ]
    direct = [
        (Document.__table__, _DOC_COLUMNS, doc_rows),
        (InvoiceLine.__table__, _LINE_COLUMNS, line_rows),
        (ReceiptDetail.__table__, _RECEIPT_COLUMNS, receipt_rows),
        (Application.__table__, _APP_COLUMNS, app_rows),
    ]
    after = [
        (FollowUp.__table__, follow),
        (Promise.__table__, promises),
        (Dispute.__table__, disputes),
    ]
    return _Chunk(
        tables=[driver_rows(plan.dialect, table, rows) for table, rows in made if rows]
        + [
            (table.name, list(cols), _insert_sql(plan.dialect, table, cols), rows)
            for table, cols, rows in direct
            if rows
        ]
        + [driver_rows(plan.dialect, table, rows) for table, rows in after if rows],
        customers_done=done,
        counts=counts,
        applications=len(app_rows),
        totals=totals,
    )


def _rebase(part: _Chunk, documents: int, applications: int, seq: Mapping[str, int]) -> None:
    """Move a chunk's ids and numbers past those of the chunks written before it."""
    if not (documents or applications):
        return
    db, ab = documents, applications
    for k, (name, cols, sql, rows) in enumerate(part.tables):
        if name == "document":
            base = {kind: seq.get(kind, 0) for kind in SEQUENCES}
            rows = [
                (
                    r[0] + db,
                    r[1],
                    f"{SEQUENCES[r[1]]}{r[3] + base[r[1]]:06d}",
                    r[3] + base[r[1]],
                    *r[4:22],
                    None if r[22] is None else r[22] + db,
                    *r[23:],
                )
                for r in rows
            ]
        elif name == "application":
            rows = [
                (
                    r[0] + ab,
                    r[1] + db,
                    r[2] + db,
                    *r[3:6],
                    None if r[6] is None else r[6] + ab,
                    *r[7:],
                )
                for r in rows
            ]
        elif "document_id" in cols:
            at = cols.index("document_id")
            rows = [(*r[:at], r[at] + db, *r[at + 1 :]) for r in rows]
        part.tables[k] = (name, cols, sql, rows)


def _store(conn: Any, part: _Chunk, first: bool) -> None:
    """Write one chunk: one transaction, straight through the driver's executemany (the
    Core path spends more time building parameters than the database spends inserting)."""
    if conn.dialect.name == "sqlite":
        # A big page cache keeps the b-trees being filled in memory.
        conn.exec_driver_sql("PRAGMA cache_size=-262144")
        if first:
            # The triggers would index one row at a time: build the index once instead.
            conn.execute(text("DROP TRIGGER IF EXISTS customer_fts_ai"))
            # Secondary indexes are built once at the end, by sorting: far cheaper than
            # keeping them row by row through millions of inserts.
            for ix in _deferred_indexes():
                conn.exec_driver_sql(f"DROP INDEX IF EXISTS {ix.name}")
    for _name, _cols, sql, rows in part.tables:
        for k in range(0, len(rows), 50000):
            conn.exec_driver_sql(sql, rows[k : k + 50000])


def _finish(
    conn: Any,
    book: Book,
    plan: _Plan,
    totals: Mapping[tuple[str, dt.date], list[int]],
    sequences: Mapping[str, int],
    documents: int,
    applications: int,
) -> None:
    """Daily control totals, the sequences, the indexes and the audit line."""
    _, _, sql, rows = driver_rows(
        plan.dialect,
        DailyTotal.__table__,
        [
            {"currency": c, "day": day, "debits": d, "credits": cr}
            for (c, day), (d, cr) in sorted(totals.items())
        ],
    )
    if rows:
        conn.exec_driver_sql(sql, rows)
    for kind, n in sequences.items():
        conn.execute(
            update(Sequence.__table__)
            .where(Sequence.__table__.c.kind == kind)
            .values(next_value=n + 1)
        )
    if conn.dialect.name == "postgresql":
        # The ids were given, not drawn: move each table's id sequence past them.
        for table in ("customer", "document", "application"):
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            )
        conn.exec_driver_sql("ANALYZE")
    if conn.dialect.name == "sqlite":
        from db.search import SQLITE_DDL

        conn.exec_driver_sql("PRAGMA cache_size=-262144")
        conn.exec_driver_sql("PRAGMA threads=2")  # index builds sort on both cores
        conn.execute(text(SQLITE_DDL[1]))
        rebuild_index(conn)
        for ix in _deferred_indexes():
            ix.create(conn, checkfirst=True)
        # Statistics, so the planner picks the indexes; sampled, which is enough for that.
        conn.exec_driver_sql("PRAGMA analysis_limit=2000")
        conn.execute(text("ANALYZE"))
    tx = Tx(
        conn=conn,
        user=book.user,
        role="admin",
        today=book.today(),
        now=plan.now,
        terminal=book.terminal,
        writable=True,
    )
    audit.record(
        tx,
        "demo.build",
        entity="book",
        after={
            "customers": plan.customers,
            "documents": documents,
            "applications": applications,
        },
    )


def _deferred_indexes() -> list[Any]:
    """The non-unique indexes of the big tables, dropped during a bulk load on SQLite."""
    return [
        ix
        for table in (Document.__table__, Application.__table__, InvoiceLine.__table__)
        for ix in table.indexes
        if not ix.unique
    ]


def _insert_sql(dialect: str, table: Any, columns: Seq[str]) -> str:
    """An INSERT taking `columns` as parameters; every other column with a default gets
    it written into the statement (the defaults are SQLAlchemy's, not the schema's)."""
    mark = "?" if dialect == "sqlite" else "%s"
    names, values = list(columns), [mark] * len(columns)
    for c in table.columns:
        if c.name not in columns and c.default is not None:
            names.append(c.name)
            values.append(_literal(dialect, c.default.arg))
    return f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join(values)})"


def _literal(dialect: str, value: Any) -> str:
    if isinstance(value, bool):
        return ("1" if value else "0") if dialect == "sqlite" else ("TRUE" if value else "FALSE")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no literal for the default {value!r}")


def is_empty(book: Book) -> bool:
    with book.engine.connect() as conn:
        return conn.execute(select(Customer.__table__.c.id).limit(1)).first() is None
