"""The auto-apply rules, one by one."""

import datetime as dt

from artui.autoapply import OpenItem, find_combination, plan


def items(*amounts):
    return [
        OpenItem(i + 1, f"INV-{i + 1}", dt.date(2026, 1, 1) + dt.timedelta(days=i), a)
        for i, a in enumerate(amounts)
    ]


def test_remittance_first():
    got = plan(5000, items(1000, 5000, 3000), remittance=["inv-3"])
    assert [(a.number, a.amount, a.why) for a in got] == [
        ("INV-3", 3000, "named on the remittance"),
        ("INV-1", 1000, "oldest due first"),
        ("INV-2", 1000, "oldest due first"),
    ]


def test_exact_single_amount():
    got = plan(5000, items(1000, 5000, 3000))
    assert [(a.number, a.why) for a in got] == [("INV-2", "exact amount of one open item")]


def test_exact_combination_among_40_items():
    amounts = [1000 + 37 * i for i in range(40)]
    target = amounts[3] + amounts[17] + amounts[38]
    got = plan(target, items(*amounts))
    assert sum(a.amount for a in got) == target
    assert all(a.why.startswith("exact total of") for a in got)
    assert all(a.amount == amounts[a.item_id - 1] for a in got)


def test_oldest_first_and_rest_on_account():
    got = plan(2500, items(1000, 1000))
    assert [(a.number, a.amount) for a in got] == [("INV-1", 1000), ("INV-2", 1000)]
    # 500 left over: on account


def test_combination_search_is_bounded():
    assert find_combination(1, items(*[2] * 40)) is None
    assert find_combination(10**9, items(*range(1, 41))) is None
