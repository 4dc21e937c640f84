"""Random sequences of every ledger operation, refused ones included, over several
customers and two currencies, with a pure-Python model of the ledger beside the real one.

After every step: the model and the book agree (open amounts, balances, the aging as of
today and as of an earlier date); a refused operation changed nothing; invariants 1-5
hold; a report taken for a date in a closed period is unchanged; nothing was posted into
a closed period. `make test` runs 300 sequences; ARTUI_DEEP=1 runs 10,000.
"""

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass, field

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from artui import adjustments, invoices, receipts
from artui.aging import aging
from artui.book import open_book
from artui.check import (
    _application_sides,
    _balances,
    _control_totals,
    _numbers,
    _open_amounts,
)
from artui.customers import CustomerInput, create_customer
from artui.dates import bucket_for_days_past_due
from artui.errors import DomainError
from artui.invoices import InvoiceInput
from artui.period import close_period
from artui.pricing import LineInput
from artui.receipts import PaymentInput

DEEP = bool(os.environ.get("ARTUI_DEEP"))
EXAMPLES = 10_000 if DEEP else 300
START = dt.date(2026, 1, 10)
CUSTOMERS = [("U1", "USD"), ("U2", "USD"), ("E1", "EUR")]
DEBITS = {"invoice", "debit_memo", "finance_charge", "returned_payment", "refund"}
RUNS = {"sequences": 0, "steps": 0, "refused": 0}

_template: dict[str, str] = {}


def template() -> str:
    """An empty book with the customers, made once and copied for every sequence."""
    if "path" not in _template:
        path = os.path.join(tempfile.mkdtemp(prefix="artui-prop-"), "template.db")
        b = open_book(path, "alice", create=True, today=START)
        for account, cur in CUSTOMERS:
            create_customer(
                b, CustomerInput(account, f"Customer {account}", currency=cur, terms="NET30")
            )
        b.dispose()
        _template["path"] = path
    return _template["path"]


@dataclass
class MDoc:
    id: int
    kind: str
    customer: str
    amount: int
    doc_date: dt.date
    due_date: dt.date | None
    open: int
    apps: list = field(default_factory=list)  # (amount, applied_on)

    @property
    def debit(self) -> bool:
        return self.kind in DEBITS


class Model:
    """What the ledger should hold, computed independently of artui."""

    def __init__(self) -> None:
        self.docs: dict[int, MDoc] = {}
        self.apps: dict[int, tuple[int, int, int, dt.date, bool]] = {}  # id: debit, credit,...
        self.closed: dt.date | None = None

    def add(self, doc) -> None:  # noqa: ANN001
        self.docs[doc.id] = MDoc(
            doc.id,
            doc.kind,
            _acct(doc.customer_id),
            doc.amount,
            doc.doc_date,
            doc.due_date,
            doc.amount,
        )

    def apply(self, app) -> None:  # noqa: ANN001
        d, c = self.docs[app.debit_id], self.docs[app.credit_id]
        assert d.debit and not c.debit, "an application joins a charge and a credit"
        assert d.customer == c.customer, "both sides belong to one customer"
        assert app.applied_on >= max(d.doc_date, c.doc_date)
        if app.amount > 0:
            assert app.amount <= d.open and app.amount <= c.open, "never over-applied"
        d.open -= app.amount
        c.open -= app.amount
        d.apps.append((app.amount, app.applied_on))
        c.apps.append((app.amount, app.applied_on))
        self.apps[app.id] = (
            app.debit_id,
            app.credit_id,
            app.amount,
            app.applied_on,
            app.amount < 0,
        )

    def balance(self, account: str) -> int:
        return sum(
            (d.open if d.debit else -d.open) for d in self.docs.values() if d.customer == account
        )

    def aging(self, as_of: dt.date) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for d in self.docs.values():
            if d.doc_date > as_of:
                continue
            open_then = d.amount - sum(a for a, on in d.apps if on <= as_of)
            if open_then == 0:
                continue
            row = out.setdefault(d.customer, {})
            if d.debit:
                bucket = bucket_for_days_past_due((as_of - d.due_date).days)
                row[bucket] = row.get(bucket, 0) + open_then
            else:
                row["unapplied"] = row.get("unapplied", 0) - open_then
        return {
            k: {b: v for b, v in row.items() if v} for k, row in out.items() if any(row.values())
        }


ACCOUNT_BY_ID: dict[int, str] = {}


def _acct(customer_id: int) -> str:
    return ACCOUNT_BY_ID[customer_id]


amounts = st.integers(min_value=-500, max_value=60_000)
back = st.integers(min_value=0, max_value=6)


class LedgerMachine(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="artui-seq-")
        path = os.path.join(self.dir, "book.db")
        shutil.copy(template(), path)
        self.book = open_book(path, "alice", today=START)
        if not ACCOUNT_BY_ID:
            from artui.customers import get_customer

            for account, _ in CUSTOMERS:
                ACCOUNT_BY_ID[get_customer(self.book, account).id] = account
        self.model = Model()
        self.today = START
        self.frozen: list[tuple[dt.date, object]] = []  # closed-period reports
        RUNS["sequences"] += 1

    def teardown(self) -> None:
        self.book.dispose()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- helpers ------------------------------------------------------------------
    def attempt(self, fn, expect_ok: bool | None = None):  # noqa: ANN001, ANN202
        """Run an operation; a refusal must leave the book exactly as it was."""
        RUNS["steps"] += 1
        before = self.snapshot()
        try:
            result = fn()
        except DomainError:
            RUNS["refused"] += 1
            assert self.snapshot() == before, "a refused operation changed the book"
            assert expect_ok is not True, "the model says this should have been allowed"
            return None
        assert expect_ok is not False, "the model says this should have been refused"
        return result

    def snapshot(self) -> tuple:
        with self.book.engine.connect() as conn:
            docs = conn.exec_driver_sql("SELECT id, open_amount FROM document ORDER BY id").all()
            apps = conn.exec_driver_sql("SELECT count(*) FROM application").scalar()
        return tuple(docs), apps

    def max_app(self) -> int:
        with self.book.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM application").scalar()

    def mirror_apps(self, after: int) -> None:
        """Feed applications the book made since `after` through the model's checks."""
        with self.book.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT id, debit_id, credit_id, amount, applied_on, undoes_id FROM application "
                "WHERE id > ? ORDER BY id",
                (after,),
            ).all()
        for r in rows:
            self.model.apply(_Applied(r[1], r[2], r[3], dt.date.fromisoformat(str(r[4])), r[0]))
            if r[5] is not None:
                self.model.apps[r[5]] = (*self.model.apps[r[5]][:4], True)

    def day(self, k: int) -> dt.date:
        return self.today - dt.timedelta(days=k)

    def in_closed(self, d: dt.date) -> bool:
        return self.model.closed is not None and d <= self.model.closed

    def docs_of(self, pred) -> list[MDoc]:  # noqa: ANN001
        return sorted((d for d in self.model.docs.values() if pred(d)), key=lambda d: d.id)

    # -- operations ---------------------------------------------------------------
    @rule(
        c=st.sampled_from(CUSTOMERS),
        amount=amounts,
        k=back,
        taxed=st.booleans(),
        disc=st.sampled_from([0, 5000, 12500]),
    )
    def post_invoice(self, c, amount, k, taxed, disc) -> None:  # noqa: ANN001
        when = self.day(k)
        lines = [
            LineInput(
                "item",
                1000,
                amount if amount > 0 else 0,
                discount_rate=disc,
                tax_rate=7250 if taxed else 0,
            )
        ]
        # the line after its discount, rounded half-up to the cent, must be above zero
        net = (2 * amount * (100000 - disc) + 100000) // 200000 if amount > 0 else 0
        ok = net > 0 and not self.in_closed(when)
        posted = self.attempt(
            lambda: invoices.post_invoice(self.book, InvoiceInput(c[0], when, lines)),
            ok,
        )
        if posted is not None:
            self.model.add(posted.doc)

    @rule(c=st.sampled_from(CUSTOMERS), amount=amounts, k=back, auto=st.booleans())
    def receive(self, c, amount, k, auto) -> None:  # noqa: ANN001
        when = self.day(k)
        ok = amount > 0 and not self.in_closed(when)
        result = self.attempt(
            lambda: receipts.receive_payment(
                self.book, PaymentInput(c[0], amount, when, auto=auto)
            ),
            ok,
        )
        if result is None:
            return
        self.model.add(result.doc)
        eligible = sum(
            d.open
            for d in self.docs_of(
                lambda d: d.customer == c[0] and d.debit and d.open > 0 and d.doc_date <= when
            )
        )
        for app in result.applied:
            self.model.apply(app)
        applied = sum(a.amount for a in result.applied)
        if auto:
            assert applied == min(amount, eligible), "auto-apply leaves nothing it could apply"
        else:
            assert applied == 0

    @rule(data=st.data(), amount=amounts, k=back)
    def apply_credit(self, data, amount, k) -> None:  # noqa: ANN001
        credits = self.docs_of(lambda d: not d.debit)
        debits = self.docs_of(lambda d: d.debit)
        if not credits or not debits:
            return
        c = data.draw(st.sampled_from(credits))
        d = data.draw(st.sampled_from(debits))
        when = self.day(k)
        ok = (
            c.customer == d.customer
            and 0 < amount <= min(c.open, d.open)
            and when >= max(c.doc_date, d.doc_date)
            and not self.in_closed(when)
        )
        app = self.attempt(lambda: receipts.apply_credit(self.book, c.id, d.id, amount, when), ok)
        if app is not None:
            self.model.apply(app)

    @rule(data=st.data(), k=back)
    def unapply(self, data, k) -> None:  # noqa: ANN001
        live = [i for i, a in self.model.apps.items() if not a[4] and i > 0]
        if not live:
            return
        app_id = data.draw(st.sampled_from(sorted(live)))
        when = self.day(k)
        undone = self.attempt(lambda: receipts.unapply(self.book, app_id, when))
        if undone is not None:
            assert when >= self.model.apps[app_id][3] and not self.in_closed(when)
            self.model.apply(undone)
            self.model.apps[app_id] = (*self.model.apps[app_id][:4], True)

    @rule(data=st.data(), fee=st.sampled_from([0, 0, 2500]))
    def bounce(self, data, fee) -> None:  # noqa: ANN001
        pays = self.docs_of(lambda d: d.kind == "payment")
        if not pays:
            return
        p = data.draw(st.sampled_from(pays))
        mark = self.max_app()
        rev = self.attempt(lambda: receipts.reverse_payment(self.book, p.id, self.today, fee=fee))
        if rev is None:
            return
        self.model.add(rev.returned)
        if rev.fee:
            self.model.add(rev.fee)
        self.mirror_apps(mark)
        assert p.open == 0 and self.model.docs[rev.returned.id].open == 0

    @rule(c=st.sampled_from(CUSTOMERS), amount=amounts, data=st.data())
    def credit_memo(self, c, amount, data) -> None:  # noqa: ANN001
        targets = self.docs_of(lambda d: d.debit and d.customer == c[0] and d.open > 0)
        target = data.draw(st.sampled_from([None, *targets]))
        ok = amount > 0 and not self.in_closed(self.today)
        result = self.attempt(
            lambda: adjustments.credit_memo(
                self.book,
                c[0],
                amount,
                "goodwill",
                self.today,
                apply_to=target.id if target else None,
            ),
            ok,
        )
        if result is None:
            return
        doc, applied = result
        self.model.add(doc)
        if applied is not None:
            assert applied.amount == min(amount, target.open)
            self.model.apply(applied)

    @rule(data=st.data(), amount=amounts)
    def write_off(self, data, amount) -> None:  # noqa: ANN001
        debits = self.docs_of(lambda d: d.debit)
        if not debits:
            return
        d = data.draw(st.sampled_from(debits))
        ok = d.open > 0 and 0 < amount <= d.open
        mark = self.max_app()
        doc = self.attempt(
            lambda: adjustments.write_off(self.book, d.id, "small", amount, self.today), ok
        )
        if doc is not None:
            open_before = d.open
            self.model.add(doc)
            self.mirror_apps(mark)
            assert d.open == open_before - amount

    @rule(data=st.data(), amount=amounts)
    def refund(self, data, amount) -> None:  # noqa: ANN001
        credits = self.docs_of(lambda d: not d.debit)
        if not credits:
            return
        c = data.draw(st.sampled_from(credits))
        ok = c.open > 0 and 0 < amount <= c.open
        mark = self.max_app()
        doc = self.attempt(lambda: receipts.refund(self.book, c.id, amount, self.today), ok)
        if doc is not None:
            open_before = c.open
            self.model.add(doc)
            self.mirror_apps(mark)
            assert c.open == open_before - amount

    @rule(c=st.sampled_from(CUSTOMERS), amount=amounts)
    def finance_charge(self, c, amount) -> None:  # noqa: ANN001
        doc = self.attempt(
            lambda: adjustments.finance_charge(self.book, c[0], amount, self.today), amount > 0
        )
        if doc is not None:
            self.model.add(doc)

    @rule(data=st.data())
    def void(self, data) -> None:  # noqa: ANN001
        invs = self.docs_of(lambda d: d.kind == "invoice")
        if not invs:
            return
        inv = data.draw(st.sampled_from(invs))
        mark = self.max_app()
        v = self.attempt(lambda: invoices.void_invoice(self.book, inv.id, "mistake", self.today))
        if v is None:
            return
        self.model.add(v)
        self.mirror_apps(mark)
        assert inv.open == 0 and self.model.docs[v.id].open == 0

    @rule(k=st.integers(min_value=1, max_value=8))
    def close(self, k) -> None:  # noqa: ANN001
        through = self.day(k)
        ok = self.model.closed is None or through > self.model.closed
        done = self.attempt(lambda: close_period(self.book, through) or True, ok)
        if done:
            self.model.closed = through
            self.close_mark = (max(self.model.docs, default=0), self.max_app())
            self.frozen.append((through, aging(self.book, through)))

    @rule(n=st.integers(min_value=1, max_value=25))
    def advance(self, n) -> None:  # noqa: ANN001
        self.today += dt.timedelta(days=n)
        self.book.set_today(self.today)

    # -- invariants ---------------------------------------------------------------
    @invariant()
    def agrees_with_the_model(self) -> None:
        if not hasattr(self, "book"):
            return
        with self.book.engine.connect() as conn:
            real = dict(conn.exec_driver_sql("SELECT id, open_amount FROM document").all())
        assert real == {i: d.open for i, d in self.model.docs.items()}
        for as_of in (self.today, self.today - dt.timedelta(days=17)):
            got = {}
            for r in aging(self.book, as_of).rows:
                row = {
                    b: getattr(r, b)
                    for b in (
                        "current",
                        "days_1_30",
                        "days_31_60",
                        "days_61_90",
                        "days_over_90",
                        "unapplied",
                    )
                }
                got[r.account] = {b: v for b, v in row.items() if v}
            assert got == self.model.aging(as_of), f"aging as of {as_of}"

    @invariant()
    def invariants_hold(self) -> None:
        if not hasattr(self, "book"):
            return

        def read(tx):  # noqa: ANN001, ANN202
            return (
                _open_amounts(tx)
                + _application_sides(tx)
                + _balances(tx)
                + _numbers(tx)
                + _control_totals(tx)
            )

        problems = self.book.read(read)
        assert problems == [], problems
        for through, report in self.frozen:
            assert aging(self.book, through) == report, "a closed period's report changed"
        if self.model.closed is not None:
            doc_mark, app_mark = self.close_mark
            late = [
                d.id
                for d in self.model.docs.values()
                if d.id > doc_mark and d.doc_date <= self.model.closed
            ]
            assert not late, "a document was posted into a closed period"
            late_apps = [
                i for i, a in self.model.apps.items() if i > app_mark and a[3] <= self.model.closed
            ]
            assert not late_apps, "an application was dated in a closed period"


@dataclass(frozen=True)
class _Applied:
    debit_id: int
    credit_id: int
    amount: int
    applied_on: dt.date
    app_id: int | None = None

    @property
    def id(self) -> int:
        return self.app_id if self.app_id is not None else -id(self)


LedgerMachine.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=not DEEP,
)
TestLedger = LedgerMachine.TestCase


def test_report_sequences_run() -> None:
    """Says how many sequences ran (visible with -s, and in the closing note)."""
    print(f"\nstateful ledger: {RUNS}")
