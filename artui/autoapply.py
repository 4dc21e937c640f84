"""Which open items a payment should settle, and why (pure: no database).

The rules, in order: the invoice numbers on the remittance; an exact amount match on one
open item; an exact combination of open items (a bounded search); then oldest due
first. What is left stays on account as unapplied cash.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

COMBINATION_MAX_ITEMS = 40
COMBINATION_MAX_STEPS = 200_000


@dataclass(frozen=True)
class OpenItem:
    id: int
    number: str
    due_date: dt.date
    open_amount: int


@dataclass(frozen=True)
class Allocation:
    item_id: int
    number: str
    amount: int
    why: str


def plan(
    amount: int, items: Sequence[OpenItem], remittance: Sequence[str] = ()
) -> list[Allocation]:
    """Allocate `amount` over `items` (any order); never more than an item's open amount."""
    if amount <= 0 or not items:
        return []
    by_due = sorted(items, key=lambda i: (i.due_date, i.number, i.id))
    left = amount
    out: list[Allocation] = []
    taken: set[int] = set()

    if remittance:
        by_number = {i.number.upper(): i for i in items}
        for ref in remittance:
            item = by_number.get(ref.strip().upper())
            if item is None or item.id in taken or left == 0:
                continue
            part = min(left, item.open_amount)
            out.append(Allocation(item.id, item.number, part, "named on the remittance"))
            taken.add(item.id)
            left -= part
        if left == 0 or out:
            return out + _oldest_first(left, by_due, taken)

    exact = [i for i in by_due if i.open_amount == amount]
    if exact:
        i = exact[0]
        return [Allocation(i.id, i.number, amount, "exact amount of one open item")]

    combo = find_combination(amount, by_due)
    if combo:
        n = len(combo)
        return [
            Allocation(i.id, i.number, i.open_amount, f"exact total of {n} open items")
            for i in combo
        ]
    return _oldest_first(amount, by_due, taken)


def _oldest_first(left: int, by_due: Sequence[OpenItem], taken: set[int]) -> list[Allocation]:
    out = []
    for i in by_due:
        if left == 0:
            break
        if i.id in taken:
            continue
        part = min(left, i.open_amount)
        out.append(Allocation(i.id, i.number, part, "oldest due first"))
        left -= part
    return out


def find_combination(target: int, items: Sequence[OpenItem]) -> list[OpenItem] | None:
    """Open items whose amounts add up exactly to `target`, preferring the oldest; a
    depth-first search bounded in items and steps, so a big account never stalls."""
    pool = [i for i in items if 0 < i.open_amount <= target][:COMBINATION_MAX_ITEMS]
    if len(pool) < 2:
        return None
    # suffix sums let a branch stop as soon as what remains cannot reach the target
    suffix = [0] * (len(pool) + 1)
    for k in range(len(pool) - 1, -1, -1):
        suffix[k] = suffix[k + 1] + pool[k].open_amount
    if suffix[0] < target:
        return None
    steps = 0
    chosen: list[int] = []

    def dfs(start: int, remaining: int) -> bool:
        nonlocal steps
        if remaining == 0:
            return len(chosen) >= 2
        for k in range(start, len(pool)):
            steps += 1
            if steps > COMBINATION_MAX_STEPS or suffix[k] < remaining:
                return False
            amt = pool[k].open_amount
            if amt <= remaining:
                chosen.append(k)
                if dfs(k + 1, remaining - amt):
                    return True
                chosen.pop()
        return False

    if dfs(0, target):
        return [pool[k] for k in chosen]
    return None
