"""The application grid: the clerk's keys over one customer's open items (pure)."""

import datetime as dt

import pytest

from artui.aging import OpenItem
from artui.cash_application import BY_HAND, CREDIT_USED, Grid, pair
from artui.errors import Refused

D = dt.date(2026, 11, 1)


def item(i: int, amount: int, kind: str = "invoice", due_day: int = 1) -> OpenItem:
    due = D + dt.timedelta(days=due_day)
    return OpenItem(i, 1, kind, f"N{i}", D, due if kind == "invoice" else None, amount, amount, 0)


def grid(amount: int, *items: OpenItem) -> Grid:
    return Grid(list(items), amount)


def test_space_applies_in_full_what_is_left_then_clears():
    g = grid(15000, item(1, 10000, due_day=1), item(2, 10000, due_day=2))
    g.toggle(1)
    g.toggle(2)
    assert g.applied == {1: 10000, 2: 5000}
    assert (g.cash_applied, g.on_account, g.shortfall) == (15000, 0, 5000)
    g.toggle(2)
    assert g.applied == {1: 10000}
    assert g.on_account == 5000


def test_space_on_a_charge_with_no_cash_left_applies_it_whole_and_says_too_much():
    g = grid(5000, item(1, 5000), item(2, 3000))
    g.toggle(1)
    g.toggle(2)
    assert g.applied[2] == 3000
    assert "more than the receipt" in g.problem()


def test_typed_part_and_refusals():
    g = grid(10000, item(1, 8000))
    g.set(1, 2500)
    assert (g.applied, g.why) == ({1: 2500}, {1: BY_HAND})
    with pytest.raises(Refused, match="Only 80.00 is open on N1"):
        g.set(1, 8001)
    with pytest.raises(Refused, match="without a sign"):
        g.set(1, -1)
    g.set(1, 0)
    assert g.applied == {}


def test_credit_used_with_the_cash():
    # 900.00 cash and a 100.00 credit memo settle a 1,000.00 invoice
    g = grid(90000, item(1, 100000), item(9, 10000, kind="credit_memo"))
    g.toggle(9)
    g.auto()
    assert g.applied == {9: 10000, 1: 100000}
    assert g.why[9] == CREDIT_USED
    assert (g.charges, g.credits_used, g.cash_applied, g.on_account) == (100000, 10000, 90000, 0)
    assert g.problem() == ""
    assert g.allocations() == (
        (1, 100000, "exact amount of one open item"),
        (9, -10000, CREDIT_USED),
    )


def test_credits_alone_cannot_exceed_the_charges():
    g = grid(0, item(1, 3000), item(9, 5000, kind="credit_memo"))
    g.toggle(9)
    g.toggle(1)
    assert "of credits is more than" in g.problem()
    g.set(9, 3000)
    assert g.problem() == ""


def test_auto_apply_reasons_one_by_one():
    items = [item(i, 1000 * i, due_day=i) for i in range(1, 6)]
    g = Grid(items, 4000)
    g.auto(["N2"])
    assert g.applied == {2: 2000, 1: 1000, 3: 1000}
    assert g.why == {2: "named on the remittance", 1: "oldest due first", 3: "oldest due first"}
    g.auto()
    assert g.why == {4: "exact amount of one open item"}
    g.amount = 8000  # 1 + 2 + 5, or 3 + 5 ...: the search prefers the oldest
    g.auto()
    assert sum(g.applied.values()) == 8000 and set(g.why.values()) == {
        "exact total of 3 open items"
    }
    g.amount = 100
    g.auto()
    assert g.applied == {1: 100} and g.why[1] == "oldest due first"


def test_pair_spends_credits_on_charges_in_order():
    allocs = [(1, 5000, ""), (2, 7000, ""), (9, -6000, ""), (8, -1000, "")]
    pairs, cash = pair(allocs)
    assert pairs == [(1, 9, 5000), (2, 9, 1000), (2, 8, 1000)]
    assert cash == [(2, 5000)]


def test_load_restores_saved_allocations_for_items_still_open():
    g = grid(5000, item(1, 3000), item(2, 4000))
    g.load([(1, 3000, "x"), (7, 100, "gone"), (2, 9000, "y")])
    assert g.applied == {1: 3000, 2: 4000}
