"""The statements screen's summary of a choice (its first rows, how many, totals per
currency) says what `choose` says, without holding every customer chosen."""

import datetime as dt

import pytest

from artui import statement_runs as runs
from artui.aging import currency_totals
from artui.errors import Refused
from tests.integration.conftest import TODAY, add_customer
from tests.integration.test_ledger import inv, pay


@pytest.fixture
def spread(book):
    """Customers owing, owing past due, in credit and settled."""
    for n in range(12):
        account = f"S{n:03d}"
        add_customer(book, account, f"Customer {n}")
        inv(book, account, 10000 + 1000 * n, on=TODAY - dt.timedelta(days=10 * n))
        if n % 4 == 1:
            pay(book, 30000, on=TODAY, customer=account)  # in credit
        if n % 4 == 2:
            pay(book, 10000 + 1000 * n, on=TODAY, customer=account)  # settled
    return book


@pytest.mark.parametrize(
    "criteria",
    [
        {},
        {"credits": "no"},
        {"credits": "only"},
        {"past_due_only": True},
        {"min_balance": 15000},
        {"accounts": ("S002", "S005", "S001")},
    ],
)
def test_summary_agrees_with_choose(spread, criteria):
    c = runs.RunCriteria(as_of=TODAY, **criteria)
    full = runs.choose(spread, c)
    for keep in (0, 3, 500):
        first, count, totals = runs.choice_summary(spread, c, keep)
        assert first == full[:keep]
        assert count == len(full)
        assert totals == currency_totals(full)


def test_summary_refuses_as_choose_does(spread):
    with pytest.raises(Refused):
        runs.choice_summary(spread, runs.RunCriteria(as_of=TODAY, credits="maybe"), 5)
