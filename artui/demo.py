"""A realistic demo book, deterministic for a seed; also the benchmark book.

Customers with contacts, addresses, terms, currencies and credit limits; three years of
invoices from an item catalogue; customers who pay on time, late, in part, by several
methods, overpay, bounce a check, get credit memos and write-offs; disputes, calls,
promises kept and broken. Everything is computed in Python and bulk-inserted with
SQLAlchemy Core (one ORM object at a time would take hours at 100,000 customers); the
result satisfies every invariant `artui check` verifies.
"""

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, text, update

from artui import audit
from artui.book import SEQUENCES, Book, Tx
from artui.dates import discount_until, due_date, parse_terms
from artui.ledger import DEBIT_KINDS
from artui.money import apply_rate
from artui.pricing import LineInput, price
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


class _Ledger:
    """Documents and applications made in memory, with open amounts kept as we go."""

    def __init__(self) -> None:
        self.docs: list[dict[str, Any]] = []
        self.apps: list[dict[str, Any]] = []
        self.lines: list[dict[str, Any]] = []
        self.receipts: list[dict[str, Any]] = []

    def doc(self, kind: str, cid: int, cur: str, on: dt.date, amount: int, **kw: Any) -> dict:
        d = {
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


def _phone(rng: random.Random, area: str) -> str:
    n = f"{area}{rng.randrange(200, 999)}{rng.randrange(0, 10000):04d}"
    fmt = rng.randrange(3)
    if fmt == 0:
        return f"({n[:3]}) {n[3:6]}-{n[6:]}"
    if fmt == 1:
        return f"{n[:3]}-{n[3:6]}-{n[6:]}"
    return f"+1 {n[:3]} {n[3:6]} {n[6:]}"


def build(
    book: Book,
    customers: int = 300,
    seed: int = 1,
    *,
    years: int = 3,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoStats:
    """Fill an empty book. Deterministic for (customers, seed, years, today)."""
    started = time.perf_counter()
    today = today or book.today()
    rng = random.Random(seed)
    say = progress or (lambda _m: None)
    start = today - dt.timedelta(days=365 * years)
    cust_rows, contact_rows, address_rows = [], [], []
    led = _Ledger()
    follow, promises, disputes = [], [], []
    now = dt.datetime.combine(today, dt.time(9, 0), tzinfo=dt.UTC)
    items = [
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
    say(f"making {customers} customers")
    state: dict[str, Any] = {
        "doc_base": 0,
        "app_base": 0,
        "seq": {},
        "counts": {},
        "apps": 0,
        "first": True,
    }

    def flush(last: bool) -> None:
        _write(
            book,
            cust_rows,
            contact_rows,
            address_rows,
            items,
            led,
            follow,
            promises,
            disputes,
            now,
            state,
            last=last,
        )

    for i in range(1, customers + 1):
        if i > 1 and (i - 1) % CHUNK == 0:
            # Write what we have and start afresh: memory stays flat at any size.
            flush(last=False)
            say(f"{i - 1} customers written")
            cust_rows, contact_rows, address_rows = [], [], []
            led = _Ledger()
            follow, promises, disputes = [], [], []
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
    say("writing the book")
    flush(last=True)
    counts = state["counts"]
    return DemoStats(
        customers=customers,
        invoices=counts.get("invoice", 0),
        payments=counts.get("payment", 0),
        credits=counts.get("credit_memo", 0),
        applications=state["apps"],
        seconds=round(time.perf_counter() - started, 2),
        counts=counts,
    )


def _history(
    rng: random.Random,
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
                {
                    "doc": inv["idx"],
                    "line_no": n,
                    "item_code": ln.item_code,
                    "description": ln.description,
                    "quantity": ln.quantity,
                    "unit_price": ln.unit_price,
                    "discount_rate": ln.discount_rate,
                    "tax_rate": ln.tax_rate,
                    "amount": amt,
                }
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
    rng: random.Random, led: _Ledger, inv: dict, profile: str, today: dt.date, bounced: bool
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
        {
            "doc": pay["idx"],
            "method": method,
            "reference": pay["reference"],
            "card_brand": rng.choice(CARDS) if method == "card" else "",
            "card_last4": f"{rng.randrange(10000):04d}" if method == "card" else "",
        }
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


def _write(
    book: Book,
    cust_rows: list,
    contact_rows: list,
    address_rows: list,
    items: list,
    led: _Ledger,
    follow: list,
    promises: list,
    disputes: list,
    now: dt.datetime,
    state: dict[str, Any],
    *,
    last: bool,
) -> None:
    # Numbers are gapless per kind, in date order within each chunk; ids follow them.
    order = sorted(range(len(led.docs)), key=lambda i: (led.docs[i]["doc_date"], i))
    new_id = {old: n for n, old in enumerate(order, state["doc_base"] + 1)}
    seq: dict[str, int] = state["seq"]
    doc_rows = []
    for old in order:
        d = led.docs[old]
        n = seq[d["kind"]] = seq.get(d["kind"], 0) + 1
        closed = d["last_on"] if d["open_amount"] == 0 else None
        doc_rows.append(
            {
                "id": new_id[old],
                "kind": d["kind"],
                "number": f"{SEQUENCES[d['kind']]}{n:06d}",
                "seq": n,
                "customer_id": d["customer_id"],
                "currency": d["currency"],
                "doc_date": d["doc_date"],
                "due_date": d["due_date"],
                "discount_until": d.get("discount_until"),
                "discount_amount": d.get("discount_amount", 0),
                "terms": d.get("terms", ""),
                "amount": d["amount"],
                "open_amount": d["open_amount"],
                "closed_on": closed,
                "status": "posted",
                "subtotal": d.get("subtotal", 0),
                "discount_total": d.get("discount_total", 0),
                "tax_total": d.get("tax_total", 0),
                "shipping": d.get("shipping", 0),
                "reference": d.get("reference", ""),
                "memo": d.get("memo", ""),
                "reason": d.get("reason", ""),
                "reverses_id": new_id[d["reverses"]] if d.get("reverses") is not None else None,
                "created_by": "demo",
                "created_at": now,
                "version": 1,
            }
        )
    app_rows = []
    app_ids: dict[int, int] = {}
    for n, a in enumerate(led.apps, state["app_base"] + 1):
        app_ids[id(a)] = n
        app_rows.append(
            {
                "id": n,
                "debit_id": new_id[a["debit"]],
                "credit_id": new_id[a["credit"]],
                "amount": a["amount"],
                "applied_on": a["applied_on"],
                "reason": a["reason"],
                "undoes_id": app_ids[id(a["undoes"])] if a["undoes"] else None,
                "created_by": "demo",
                "created_at": now,
            }
        )
    line_rows = [
        {**{k: v for k, v in ln.items() if k != "doc"}, "document_id": new_id[ln["doc"]]}
        for ln in led.lines
    ]
    receipt_rows = [
        {**{k: v for k, v in r.items() if k != "doc"}, "document_id": new_id[r["doc"]]}
        for r in led.receipts
    ]
    dispute_rows = [
        {**{k: v for k, v in d.items() if k != "doc_idx"}, "document_id": new_id[d["doc_idx"]]}
        for d in disputes
    ]

    def work(conn: Any) -> None:
        if conn.dialect.name == "sqlite" and state["first"]:
            # The triggers would index one row at a time: build the index once instead.
            conn.execute(text("DROP TRIGGER IF EXISTS customer_fts_ai"))
        chunks = [
            (Item.__table__, items if state["first"] else []),
            (Customer.__table__, cust_rows),
            (Contact.__table__, contact_rows),
            (Address.__table__, address_rows),
            (Document.__table__, doc_rows),
            (InvoiceLine.__table__, line_rows),
            (ReceiptDetail.__table__, receipt_rows),
            (Application.__table__, app_rows),
            (FollowUp.__table__, follow),
            (Promise.__table__, promises),
            (Dispute.__table__, dispute_rows),
        ]
        for table, rows in chunks:
            if rows:
                _bulk_insert(conn, table, rows)
        totals = state.setdefault("totals", {})
        for r in doc_rows:
            t = totals.setdefault((r["currency"], r["doc_date"]), [0, 0])
            t[0 if r["kind"] in DEBIT_KINDS else 1] += r["amount"]
        if not last:
            return
        _bulk_insert(
            conn,
            DailyTotal.__table__,
            [
                {"currency": cur, "day": day, "debits": d, "credits": c}
                for (cur, day), (d, c) in sorted(totals.items())
            ],
        )
        for kind, n in seq.items():
            conn.execute(
                update(Sequence.__table__)
                .where(Sequence.__table__.c.kind == kind)
                .values(next_value=n + 1)
            )
        if conn.dialect.name == "sqlite":
            from db.search import SQLITE_DDL

            conn.execute(text(SQLITE_DDL[1]))
            rebuild_index(conn)
            conn.execute(text("ANALYZE"))  # statistics, so the planner picks the indexes
        tx = Tx(
            conn=conn,
            user=book.user,
            role="admin",
            today=book.today(),
            now=now,
            terminal=book.terminal,
            writable=True,
        )
        audit.record(
            tx,
            "demo.build",
            entity="book",
            after={
                "customers": cust_rows[-1]["id"] if cust_rows else 0,
                "documents": state["doc_base"] + len(doc_rows),
                "applications": state["app_base"] + len(app_rows),
            },
        )

    from db.engine import run_write

    run_write(book.engine, work)
    state["first"] = False
    state["doc_base"] += len(doc_rows)
    state["app_base"] += len(app_rows)
    state["apps"] += len(app_rows)
    for r in doc_rows:
        state["counts"][r["kind"]] = state["counts"].get(r["kind"], 0) + 1


def _converter(column: Any) -> Callable[[Any], Any] | None:
    """How SQLAlchemy would store a value on SQLite: ISO dates, UTC timestamps, 0/1."""
    from sqlalchemy import Boolean, Date, DateTime

    kind = column.type
    if isinstance(kind, DateTime) or getattr(kind, "impl", None).__class__ is DateTime:
        stamps: dict[Any, str] = {}

        def stamp(v: Any) -> Any:
            if v is None:
                return None
            if v not in stamps:
                stamps[v] = v.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
            return stamps[v]

        return stamp
    if isinstance(kind, Date):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(kind, Boolean):
        return lambda v: None if v is None else int(v)
    return None


def _bulk_insert(conn: Any, table: Any, rows: list[dict]) -> None:
    """Many rows at once. On SQLite straight through the driver's executemany (the Core
    path spends more time building parameters than SQLite spends inserting)."""
    if conn.dialect.name != "sqlite":
        for k in range(0, len(rows), 20000):
            conn.execute(insert(table), rows[k : k + 20000])
        return
    keys = set().union(*(r.keys() for r in rows[:50]))
    cols = [c for c in table.columns if c.name in keys or c.default is not None]
    names = [c.name for c in cols]
    plan = [(c.name, c.default.arg if c.default is not None else None, _converter(c)) for c in cols]
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
    data = []
    for r in rows:
        data.append(tuple((conv(r.get(n, d)) if conv else r.get(n, d)) for n, d, conv in plan))
    conn.exec_driver_sql(sql, data)


def is_empty(book: Book) -> bool:
    with book.engine.connect() as conn:
        return conn.execute(select(Customer.__table__.c.id).limit(1)).first() is None
