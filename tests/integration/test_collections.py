"""Collections core: the call log, promises kept and broken, disputes, the worklist."""

import datetime as dt

import pytest

from artui import collections as col
from artui.account import account_summary
from artui.book import Book
from artui.check import check_book
from artui.errors import Refused

from .conftest import TODAY, add_customer
from .test_ledger import inv, pay


def on(book, day):
    return Book(book.engine, book.user, today=day)


def promise(book, cid, amount, due, **kw):
    return col.log_call(
        book,
        col.CallInput(cid, "promised", "will pay", promises=(col.PromiseInput(amount, due),), **kw),
    )


def status(book, cid):
    return [p["status"] for p in col.promises(book, cid)]


def test_promise_kept_on_time(book):
    cid = add_customer(book)
    inv(book, amount=50000, on=dt.date(2026, 9, 1))
    promise(book, cid, 20000, TODAY + dt.timedelta(days=7))
    assert status(book, cid) == ["open"]
    assert account_summary(book, "C100").open_promise_amount == 20000
    pay(book, 20000, on=TODAY + dt.timedelta(days=3))
    assert status(book, cid) == ["kept"]


def test_promise_broken_when_late_or_partial(book):
    cid = add_customer(book)
    inv(book, amount=50000, on=dt.date(2026, 9, 1))
    due = TODAY + dt.timedelta(days=2)
    promise(book, cid, 20000, due)
    pay(book, 5000, on=TODAY + dt.timedelta(days=1))  # partial
    assert status(book, cid) == ["open"]
    later = on(book, due + dt.timedelta(days=1))
    pay(later, 15000, on=due + dt.timedelta(days=1))  # the rest, a day late
    assert status(book, cid) == ["broken"]
    assert col.worklist(later)[0].broken_promises == 1


def test_instalments_covered_in_date_order(book):
    cid = add_customer(book)
    inv(book, amount=90000, on=dt.date(2026, 8, 1))
    d1, d2 = TODAY + dt.timedelta(days=5), TODAY + dt.timedelta(days=35)
    col.log_call(
        book,
        col.CallInput(
            cid,
            "promised",
            "plan",
            promises=(col.PromiseInput(30000, d1), col.PromiseInput(30000, d2)),
        ),
    )
    pay(book, 30000, on=d1)
    assert sorted(status(book, cid)) == ["kept", "open"]
    pay(on(book, d2 + dt.timedelta(days=1)), 10000, on=d2 + dt.timedelta(days=1))
    assert sorted(status(book, cid)) == ["broken", "kept"]


def test_call_log_refusals(book):
    cid = add_customer(book)
    with pytest.raises(Refused, match="amount and a date"):
        col.log_call(book, col.CallInput(cid, "promised"))
    with pytest.raises(Refused, match="not an outcome"):
        col.log_call(book, col.CallInput(cid, "shouted"))
    with pytest.raises(Refused, match="past"):
        col.log_call(book, col.CallInput(cid, "reached", next_action_on=TODAY - dt.timedelta(1)))
    with pytest.raises(Refused, match="card number"):
        col.log_call(book, col.CallInput(cid, "reached", note="card 4111111111111111"))


def test_worklist_order_and_disputes(book):
    a = add_customer(book, "A1", "Alpha")
    b = add_customer(book, "B1", "Beta")
    c = add_customer(book, "C1", "Gamma")
    add_customer(book, "D1", "Delta")  # nothing owed: not listed
    inv(book, "A1", amount=100000, on=dt.date(2026, 6, 1))  # long past due
    inv(book, "B1", amount=20000, on=dt.date(2026, 9, 1))
    doc = inv(book, "C1", amount=500000, on=dt.date(2026, 9, 1))
    # Beta has a call planned for today: first, whatever the amounts
    col.log_call(book, col.CallInput(b, "voicemail", next_action_on=TODAY))
    # Gamma disputes the whole invoice: nothing left to chase
    col.open_dispute(book, c, "damaged", document_id=doc.id)
    items = col.worklist(book)
    assert [w.account for w in items] == ["B1", "A1"]
    assert items[0].due_now and not items[1].due_now
    assert account_summary(book, "C1").disputed == 500000
    # a call planned for later takes Alpha off today's list
    col.log_call(book, col.CallInput(a, "reached", next_action_on=TODAY + dt.timedelta(7)))
    assert [w.account for w in col.worklist(book)] == ["B1"]
    col.escalate(book, b, "agency", "no response in 90 days")
    assert col.worklist(book) == []
    [d] = col.disputes(book, c)
    col.resolve_dispute(book, d["id"], "rejected", "photos show no damage")
    assert [w.account for w in col.worklist(book)] == ["C1"]
    assert check_book(book) == []


def test_score_is_documented_order():
    assert col.score(100000, 95, 0, 10) > col.score(100000, 5, 0, 10)
    assert col.score(10000, 5, 1, 10) > col.score(10000, 5, 0, 10)


def test_a_dispute_settled_by_credit_memo_write_off_with_approval_or_rejection(book):
    from artui import approvals

    from .conftest import as_user

    cid = add_customer(book)
    a = inv(book, amount=10000)
    b = inv(book, amount=200000)
    c = inv(book, amount=3000)
    d1 = col.open_dispute(book, cid, "pricing", 2500, document_id=a.id)
    d2 = col.open_dispute(book, cid, "damaged", document_id=b.id)  # all of it
    d3 = col.open_dispute(book, cid, "quantity", document_id=c.id)
    clerk = as_user(book, "carl")
    # a credit memo within the clerk's limits: posted, applied, the dispute credited
    number = col.settle_dispute(clerk, d1, "credit_memo", "agreed on the phone")
    assert number.startswith("CM-")
    # 2,000.00 written off is beyond a clerk: it waits for a supervisor, dispute open
    waiting = approvals.perform(clerk, "settle_dispute", d2, "write_off", for_customer=cid)
    assert waiting.waiting
    assert {x["id"]: x["status"] for x in col.disputes(book, cid)}[d2] == "open"
    approvals.approve(as_user(book, "sam"), waiting.request_id, "goods came back broken")
    # rejected: the customer owes it after all
    assert col.settle_dispute(clerk, d3, "rejected", "delivery note signed") is None
    states = {x["id"]: (x["status"], x["note"]) for x in col.disputes(book, cid)}
    assert states[d1][0] == "credited" and number in states[d1][1]
    assert states[d2][0] == "written_off"
    assert states[d3] == ("rejected", "delivery note signed")
    s = account_summary(book, "C100")
    assert s.balance == 10000 - 2500 + 3000 and s.disputed == 0
    with pytest.raises(Refused, match="already credited"):
        col.settle_dispute(book, d1, "rejected")
    assert check_book(book) == []
