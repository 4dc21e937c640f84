"""The load test's engine: many clerks (OS processes) on one PostgreSQL book.

Each clerk loops until its time is up: posts invoices, takes receipts applied to a
customer's open invoices, looks customers up and runs the whole-book aging, timing every
action. A posting counts as acknowledged only when its commit returned; afterwards every
acknowledged command id must be in the book exactly once, nothing else may be there, and
`artui check` must be clean.

    python -m tests.load.clerks postgresql://... [--clerks 20] [--seconds 180]
"""

import argparse
import datetime as dt
import multiprocessing
import random
import statistics
import time
import traceback
from dataclasses import dataclass, field

TODAY = dt.date(2026, 11, 24)
PREFIX = "load-"
PRELOAD = ("artui.aging", "artui.invoices", "artui.lookup", "artui.receipts", "artui.check")
WORDS = ("Acme", "Borealis", "Cobalt", "Delta", "Ember", "Fjord", "Granite", "Harbor")


@dataclass
class ClerkResult:
    clerk: int
    acked: list[str] = field(default_factory=list)
    posting: list[float] = field(default_factory=list)  # seconds per posting
    lookup: list[float] = field(default_factory=list)
    aging: list[float] = field(default_factory=list)
    refused: int = 0  # the other clerk took that money first: a sentence, not an error
    refusals: list[str] = field(default_factory=list)  # the first few, to read
    errors: list[str] = field(default_factory=list)


def prepare(url: str, clerks: int, customers: int) -> None:
    """An empty book with the clerks as users, customers, and an invoice each."""
    from artui.book import open_book
    from artui.customers import CustomerInput, create_customer
    from artui.invoices import InvoiceInput, post_invoice
    from artui.pricing import LineInput
    from artui.users import add_user

    book = open_book(url, "admin", create=True, company="Load Co", today=TODAY)
    for n in range(clerks):
        add_user(book, f"clerk{n:02d}", "clerk")
    for n in range(customers):
        account = f"L{n:04d}"
        create_customer(book, CustomerInput(account, f"{WORDS[n % len(WORDS)]} {n} Ltd"))
        post_invoice(book, InvoiceInput(account, TODAY, [LineInput("setup", 1000, 50000)]))
    book.dispose()


def clerk(url: str, index: int, seconds: float, customers: int, nice: int = 0) -> ClerkResult:
    """One clerk's loop (runs in its own process)."""
    import os

    if nice:
        os.nice(nice)  # in `make test`: the tests beside it keep their share of the CPU
    from artui.aging import aging, open_items
    from artui.book import open_book
    from artui.errors import DomainError
    from artui.invoices import InvoiceInput, post_invoice
    from artui.lookup import search
    from artui.pricing import LineInput
    from artui.receipts import PaymentInput, receive_payment

    out = ClerkResult(index)
    rng = random.Random(index)
    book = open_book(url, f"clerk{index:02d}", today=TODAY)
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        n += 1
        cid = rng.randrange(customers) + 1
        account = f"L{cid - 1:04d}"
        roll = rng.random()
        started = time.perf_counter()
        try:
            if roll < 0.35:
                command = f"{PREFIX}{index}-{n}"
                lines = [LineInput(f"line {k}", 1000, rng.randint(100, 99999)) for k in range(3)]
                post_invoice(book, InvoiceInput(account, TODAY, lines, command_id=command))
                out.posting.append(time.perf_counter() - started)
                out.acked.append(command)
            elif roll < 0.65:
                items = book.read(lambda tx, c=cid: open_items(tx, customer_ids=[c]))
                debits = [i for i in items if i.is_debit][:3]
                apps = [(i.id, min(i.open, rng.randint(100, 60000))) for i in debits]
                amount = sum(a for _, a in apps) + rng.choice((0, 0, 500))
                command = f"{PREFIX}{index}-{n}"
                started = time.perf_counter()  # the posting, not the look at open items
                receive_payment(
                    book,
                    PaymentInput(
                        account,
                        max(amount, 100),
                        TODAY,
                        reference=f"chk {index}-{n}",
                        applications=apps,
                        command_id=command,
                    ),
                )
                out.posting.append(time.perf_counter() - started)
                out.acked.append(command)
            elif roll < 0.95:
                word = rng.choice(WORDS)[: rng.randint(2, 5)]
                book.read(lambda tx, q=word: search(tx, q, 50))
                out.lookup.append(time.perf_counter() - started)
            else:
                book.read(lambda tx: aging(tx))
                out.aging.append(time.perf_counter() - started)
        except DomainError as exc:
            out.refused += 1
            if len(out.refusals) < 3:
                out.refusals.append(str(exc))
        except Exception:  # noqa: BLE001 - every other failure is what the test looks for
            out.errors.append(traceback.format_exc(limit=3))
    book.dispose()
    return out


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


@dataclass
class LoadReport:
    clerks: int
    seconds: float
    postings: int
    lookups: int
    agings: int
    refused: int
    refusals: list[str]
    errors: list[str]
    lost: list[str]  # acknowledged, not in the book
    extra: list[str]  # in the book, never acknowledged (or twice)
    problems: list[str]  # artui check
    p50_posting: float
    p95_posting: float
    p95_lookup: float
    p95_aging: float

    def table(self) -> str:
        ms = 1000
        return "\n".join(
            [
                f"load: {self.clerks} clerks x {self.seconds:.0f} s on PostgreSQL",
                f"  postings {self.postings} ({self.postings / self.seconds:.1f}/s), "
                f"lookups {self.lookups}, agings {self.agings}, refused {self.refused}",
                f"  posting p50 {self.p50_posting * ms:.1f} ms, p95 {self.p95_posting * ms:.1f} ms",
                f"  lookup p95 {self.p95_lookup * ms:.1f} ms, "
                f"aging p95 {self.p95_aging * ms:.1f} ms",
                f"  errors {len(self.errors)}, lost {len(self.lost)}, extra {len(self.extra)}, "
                f"check problems {len(self.problems)}",
            ]
        )


def run(
    url: str, *, clerks: int = 20, seconds: float = 30, customers: int = 60, nice: int = 0
) -> LoadReport:
    """Prepare the book at `url` (an empty database), run the clerks, verify, report."""
    from sqlalchemy import select

    from artui.book import open_book
    from artui.check import check_book
    from db.models import Document

    prepare(url, clerks, customers)
    # Each clerk starts from a clean server process with the core imported once (spawn
    # imported it twenty times: 28 s on two cores); no engine or socket crosses a fork.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.load.clerks", *PRELOAD])
    with ctx.Pool(clerks) as pool:
        results = pool.starmap(clerk, [(url, i, seconds, customers, nice) for i in range(clerks)])
    book = open_book(url, "admin", today=TODAY)
    d = Document.__table__
    stored = book.read(
        lambda tx: [
            r[0]
            for r in tx.conn.execute(
                select(d.c.command_id).where(d.c.command_id.like(PREFIX + "%"))
            )
        ]
    )
    problems = [str(p) for p in book.read(check_book)]
    book.dispose()
    acked = [c for r in results for c in r.acked]
    seen: dict[str, int] = {}
    for c in stored:
        seen[c] = seen.get(c, 0) + 1
    posting = [t for r in results for t in r.posting]
    lookup = [t for r in results for t in r.lookup]
    ages = [t for r in results for t in r.aging]
    return LoadReport(
        clerks=clerks,
        seconds=seconds,
        postings=len(posting),
        lookups=len(lookup),
        agings=len(ages),
        refused=sum(r.refused for r in results),
        refusals=[x for r in results for x in r.refusals],
        errors=[e for r in results for e in r.errors],
        lost=[c for c in acked if seen.get(c, 0) != 1],
        extra=sorted(set(stored) - set(acked)) + [c for c, k in seen.items() if k > 1],
        problems=problems,
        p50_posting=pct(posting, 50),
        p95_posting=pct(posting, 95),
        p95_lookup=pct(lookup, 95),
        p95_aging=pct(ages, 95),
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="an empty PostgreSQL database")
    parser.add_argument("--clerks", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--customers", type=int, default=60)
    args = parser.parse_args()
    report = run(args.url, clerks=args.clerks, seconds=args.seconds, customers=args.customers)
    print(report.table())
    for e in report.errors[:5] + report.refusals[:5]:
        print(e)
    raise SystemExit(1 if report.errors or report.lost or report.extra or report.problems else 0)
