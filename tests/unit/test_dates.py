"""Dates, terms and aging buckets, against values worked out by hand."""

import datetime as dt

import pytest

from artui.dates import (
    DateError,
    TermsError,
    bucket_for_age,
    bucket_for_days_past_due,
    days_past_due,
    discount_until,
    due_date,
    parse_date,
    parse_file_date,
    parse_terms,
)

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("t", dt.date(2026, 11, 24)),
        ("y", dt.date(2026, 11, 23)),
        ("+30", dt.date(2026, 12, 24)),
        ("-1w", dt.date(2026, 11, 17)),
        ("+1m", dt.date(2026, 12, 24)),
        ("11/30", dt.date(2026, 11, 30)),
        ("2/1/2027", dt.date(2027, 2, 1)),
        ("30.11", dt.date(2026, 11, 30)),
        ("30.11.2026", dt.date(2026, 11, 30)),
        ("2026-11-30", dt.date(2026, 11, 30)),
        ("eom", dt.date(2026, 11, 30)),
        ("tm", dt.date(2026, 11, 25)),
        # 2026-11-24 is a Tuesday: a weekday is the next one, a week on for today's
        ("fri", dt.date(2026, 11, 27)),
        ("Friday", dt.date(2026, 11, 27)),
        ("mo", dt.date(2026, 11, 30)),
        ("tu", dt.date(2026, 12, 1)),
        ("wed", dt.date(2026, 11, 25)),
        ("th", dt.date(2026, 11, 26)),
        ("sun", dt.date(2026, 11, 29)),
    ],
)
def test_typed_dates(typed, expected):
    assert parse_date(typed, TODAY) == expected


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("2026-02-30", "February 2026 has 28 days"),
        ("13/1", "no month 13"),
        ("soon", "not a date"),
        ("f", "not a date"),  # one letter is no weekday
        ("fridays", "not a date"),
        ("", "required"),
    ],
)
def test_typed_dates_refused(typed, reason):
    with pytest.raises(DateError, match=reason):
        parse_date(typed, TODAY)


def test_file_dates_are_strict():
    assert parse_file_date("2026-01-31") == dt.date(2026, 1, 31)
    for bad in ("2026-02-30", "1/31/2026", "2026-1-31", "t"):
        with pytest.raises(DateError):
            parse_file_date(bad)


def test_terms():
    d = dt.date(2026, 1, 15)
    assert due_date(d, parse_terms("NET30")) == dt.date(2026, 2, 14)
    assert due_date(d, parse_terms("net 15")) == dt.date(2026, 1, 30)
    assert due_date(d, parse_terms("DUE")) == d
    assert due_date(d, parse_terms("NET30EOM")) == dt.date(2026, 3, 2)  # 31 Jan + 30
    t = parse_terms("2/10NET30")
    assert (t.discount_milli, t.discount_days, t.net_days) == (2000, 10, 30)
    assert discount_until(d, t) == dt.date(2026, 1, 25)
    assert discount_until(d, parse_terms("NET30")) is None
    assert parse_terms("1.5/10NET30").describe() == "1.5% 10, Net 30"
    assert parse_terms("DUE").describe() == "Due on receipt"
    for bad in ("NET", "30", "2/40NET30", "XYZ"):
        with pytest.raises(TermsError):
            parse_terms(bad)


# Days past due -> bucket, written out by hand.
BOUNDARIES = [
    (-5, "current"),
    (0, "current"),
    (1, "days_1_30"),
    (30, "days_1_30"),
    (31, "days_31_60"),
    (60, "days_31_60"),
    (61, "days_61_90"),
    (90, "days_61_90"),
    (91, "days_over_90"),
]


@pytest.mark.parametrize(("days", "bucket"), BOUNDARIES)
def test_aging_boundaries(days, bucket):
    assert bucket_for_days_past_due(days) == bucket
    due = TODAY - dt.timedelta(days=days)
    assert days_past_due(due, TODAY) == days


@pytest.mark.parametrize(
    ("age", "bucket"),
    [
        (0, "current"),
        (30, "current"),
        (31, "days_31_60"),
        (60, "days_31_60"),
        (61, "days_61_90"),
        (90, "days_61_90"),
        (91, "days_over_90"),
    ],
)
def test_aging_by_document_date(age, bucket):
    assert bucket_for_age(age) == bucket


def test_a_payment_plan_splits_to_the_cent_monthly_or_every_n_days():
    import datetime as dt

    import pytest

    from artui.collections import split_promise
    from artui.errors import Refused

    plan = split_promise(100000, 3, dt.date(2027, 1, 31))
    assert [p.amount for p in plan] == [33333, 33333, 33334]
    assert [p.due_on for p in plan] == [
        dt.date(2027, 1, 31),
        dt.date(2027, 2, 28),
        dt.date(2027, 3, 31),
    ]
    weekly = split_promise(1000, 2, dt.date(2027, 1, 1), "7")
    assert [(p.amount, p.due_on.day) for p in weekly] == [(500, 1), (500, 8)]
    with pytest.raises(Refused):
        split_promise(1, 2, dt.date(2027, 1, 1))
    with pytest.raises(Refused):
        split_promise(1000, 0, dt.date(2027, 1, 1))
