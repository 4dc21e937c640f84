"""The application grid: which open items a receipt (or an open credit) settles.

`Grid` is the clerk's working copy, pure and testable: open charges and open credits of
one customer, the amount applied to each charge, the credits used, and why each line
was chosen. A receipt saves the grid's `allocations()` into its batch line; the credits
used are spent on the charges first and the cash pays the rest (`pair`). Applying open
credits without a receipt is the same grid with no cash (`apply_credits`).
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from artui import autoapply, ledger
from artui.aging import OpenItem
from artui.book import Tx, read_only, unit_of_work
from artui.dates import days_past_due
from artui.errors import Refused
from artui.ledger import CREDIT_KINDS, DEBIT_KINDS, IS_OPEN, D

BY_HAND = "by hand"
CREDIT_USED = "credit used"


@read_only
def open_items_of(tx: Tx, customer_id: int) -> list[OpenItem]:
    """The customer's open charges (oldest due first), then open credits (oldest first),
    with their open amounts now."""
    rows = tx.conn.execute(
        select(
            D.c.id,
            D.c.kind,
            D.c.number,
            D.c.doc_date,
            D.c.due_date,
            D.c.amount,
            D.c.open_amount,
            D.c.reference,
        ).where(D.c.customer_id == customer_id, IS_OPEN, D.c.status == "posted")
    ).all()
    today = tx.today
    debits = sorted(
        (r for r in rows if r.kind in DEBIT_KINDS), key=lambda r: (r.due_date, r.doc_date, r.id)
    )
    credits = sorted((r for r in rows if r.kind in CREDIT_KINDS), key=lambda r: (r.doc_date, r.id))
    return [
        OpenItem(
            r.id,
            customer_id,
            r.kind,
            r.number,
            r.doc_date,
            r.due_date if r.kind in DEBIT_KINDS else None,
            r.amount,
            r.open_amount,
            days_past_due(r.due_date, today) if r.kind in DEBIT_KINDS and r.due_date else 0,
            r.reference or "",
        )
        for r in [*debits, *credits]
    ]


def check_remittance(tx: Tx, customer_id: int, numbers: Iterable[str]) -> None:
    """A remittance naming another customer's document is refused with a sentence."""
    for ref in numbers:
        row = tx.conn.execute(
            select(D.c.customer_id).where(D.c.number == ref.strip(), D.c.status == "posted")
        ).first()
        if row is not None and row.customer_id != customer_id:
            raise Refused(
                f"The remittance names {ref}, which belongs to another customer.",
                field="remittance",
            )


@dataclass
class Grid:
    """One customer's open items and what the clerk is applying to them."""

    items: list[OpenItem]
    amount: int = 0  # the receipt's cash; 0 when only open credits are being applied
    currency: str = "USD"
    applied: dict[int, int] = field(default_factory=dict)  # item id -> amount
    why: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {i.id: i for i in self.items}

    # -- totals -------------------------------------------------------------------
    @property
    def charges(self) -> int:
        return sum(a for i, a in self.applied.items() if self.by_id[i].is_debit)

    @property
    def credits_used(self) -> int:
        return sum(a for i, a in self.applied.items() if not self.by_id[i].is_debit)

    @property
    def cash_applied(self) -> int:
        """The part of the receipt applied: charges settled less the credits spent."""
        return max(0, self.charges - self.credits_used)

    @property
    def on_account(self) -> int:
        return self.amount - self.cash_applied

    @property
    def shortfall(self) -> int:
        """What the partly applied charges keep open."""
        return sum(
            self.by_id[i].open - a
            for i, a in self.applied.items()
            if self.by_id[i].is_debit and a < self.by_id[i].open
        )

    def problem(self) -> str:
        """Why these applications cannot be saved, or ''."""
        if self.cash_applied > self.amount:
            what = "receipt and credits" if self.credits_used else "receipt"
            return (
                f"{self._m(self.charges)} applied is more than the {what} "
                f"({self._m(self.amount + self.credits_used)})."
            )
        if self.credits_used > self.charges:
            return (
                f"{self._m(self.credits_used)} of credits is more than the "
                f"{self._m(self.charges)} of charges they settle."
            )
        return ""

    def _m(self, amount: int) -> str:
        return ledger.money(amount, self.currency)

    # -- the clerk's keys ------------------------------------------------------------
    def set(self, item_id: int, amount: int, why: str = BY_HAND) -> None:
        """Apply `amount` to the item (0 clears it); never more than is open on it."""
        item = self.by_id[item_id]
        if amount < 0:
            raise Refused("Type the amount to apply without a sign.")
        if amount > item.open:
            raise Refused(f"Only {self._m(item.open)} is open on {item.number}.")
        if amount == 0:
            self.applied.pop(item_id, None)
            self.why.pop(item_id, None)
            return
        self.applied[item_id] = amount
        self.why[item_id] = CREDIT_USED if not item.is_debit else why

    def toggle(self, item_id: int) -> None:
        """Space: apply in full what is left to apply (or the whole item), or clear it."""
        if item_id in self.applied:
            self.set(item_id, 0)
            return
        item = self.by_id[item_id]
        if not item.is_debit:
            self.set(item_id, item.open)
            return
        room = self.amount + self.credits_used - self.charges
        self.set(item_id, item.open if room <= 0 else min(item.open, room))

    def clear(self) -> None:
        self.applied.clear()
        self.why.clear()

    def auto(self, remittance: Sequence[str] = ()) -> None:
        """The auto-apply rules over the charges, for the cash plus the credits chosen;
        credits chosen stay chosen, charges applied by hand are replaced."""
        kept = {i: a for i, a in self.applied.items() if not self.by_id[i].is_debit}
        self.applied = dict(kept)
        self.why = {i: CREDIT_USED for i in kept}
        debits = [
            autoapply.OpenItem(i.id, i.number, i.due_date or i.doc_date, i.open)
            for i in self.items
            if i.is_debit
        ]
        for a in autoapply.plan(self.amount + self.credits_used, debits, remittance):
            self.applied[a.item_id] = a.amount
            self.why[a.item_id] = a.why

    def allocations(self) -> tuple[tuple[int, int, str], ...]:
        """(item id, amount, why): charges positive, credits used negative; in the
        grid's order."""
        return tuple(
            (i.id, self.applied[i.id] if i.is_debit else -self.applied[i.id], self.why[i.id])
            for i in self.items
            if i.id in self.applied
        )

    def load(self, allocations: Iterable[Sequence]) -> None:
        """Restore saved allocations (an edited batch line), skipping items no longer open."""
        self.clear()
        for item_id, amount, why in allocations:
            item = self.by_id.get(item_id)
            if item is not None:
                self.applied[item_id] = min(abs(amount), item.open)
                self.why[item_id] = why


def pair(
    allocations: Sequence[Sequence],
) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]]]:
    """Split allocations into credit-to-charge applications (charge, credit, amount),
    the credits spent on the charges in order, and what the cash pays (charge, amount)."""
    left = [[a[0], a[1]] for a in allocations if a[1] > 0]
    pairs: list[tuple[int, int, int]] = []
    for credit_id, amount, _why in (a for a in allocations if a[1] < 0):
        budget = -amount
        for charge in left:
            if budget == 0:
                break
            take = min(budget, charge[1])
            if take:
                pairs.append((charge[0], credit_id, take))
                charge[1] -= take
                budget -= take
    return pairs, [(c, a) for c, a in left if a > 0]


def check_allocations(tx: Tx, customer_id: int, allocations: Sequence[Sequence]) -> None:
    """Each item the customer's, open enough, charges positive and credits negative."""
    docs = ledger.load_docs(tx, [a[0] for a in allocations])
    for doc_id, amount, _why in allocations:
        doc = docs[doc_id]
        if doc["customer_id"] != customer_id:
            raise Refused(f"{doc['number']} belongs to another customer.", field="allocations")
        cur = doc["currency"]
        if amount == 0 or (amount > 0) != ledger.is_debit(doc["kind"]):
            raise Refused(
                f"{ledger.money(abs(amount), cur)} cannot be applied to {doc['number']}.",
                field="allocations",
            )
        if abs(amount) > doc["open_amount"]:
            raise Refused(
                f"{ledger.money(abs(amount), cur)} is more than the "
                f"{ledger.money(doc['open_amount'], cur)} open on {doc['number']}.",
                field="allocations",
            )
    spent = -sum(a[1] for a in allocations if a[1] < 0)
    charged = sum(a[1] for a in allocations if a[1] > 0)
    if spent > charged:
        raise Refused("The credits chosen are more than the charges they settle.")


def spend_credits(tx: Tx, allocations: Sequence[Sequence], on: dt.date) -> list[ledger.Applied]:
    pairs, _cash = pair(allocations)
    return [ledger.apply(tx, d, c, amt, on, CREDIT_USED) for d, c, amt in pairs]


@unit_of_work
def apply_credits(
    tx: Tx, customer_id: int, allocations: Sequence[Sequence], on: dt.date | None = None
) -> list[ledger.Applied]:
    """Apply open credits (credit memos, unapplied cash) to charges, without a receipt:
    the charges chosen must be covered by the credits chosen."""
    if not allocations:
        raise Refused("Choose a credit and the charges it settles.")
    check_allocations(tx, customer_id, allocations)
    _pairs, cash = pair(allocations)
    if cash:
        raise Refused(
            "The charges chosen are more than the credits; apply less, or take a receipt."
        )
    return spend_credits(tx, allocations, on or tx.today)
