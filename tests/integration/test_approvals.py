"""Actions beyond a clerk's authority wait for a supervisor, and post exactly as asked."""

import pytest

from artui import approvals
from artui.account import account_summary
from artui.check import check_book
from artui.errors import NotAllowed, Refused

from .conftest import add_customer, as_user
from .test_ledger import inv


def test_write_off_waits_for_a_supervisor_then_posts_as_requested(book):
    add_customer(book)
    a = inv(book, amount=100000)
    carl, sam = as_user(book, "carl"), as_user(book, "sam")
    out = approvals.perform(carl, "write_off", a.id, "bad debt", for_amount=100000)
    assert out.waiting and "waits for approval" in out.message
    assert account_summary(book, "C100").balance == 100000  # nothing posted yet
    [req] = approvals.requests(book)
    assert req.requested_by == "carl" and req.params["args"] == [a.id, "bad debt"]
    with pytest.raises(NotAllowed):
        approvals.approve(carl, req.id)  # a clerk cannot approve
    doc = approvals.approve(sam, req.id, "agreed with the controller")
    assert doc.kind == "write_off" and doc.amount == 100000
    assert account_summary(book, "C100").balance == 0
    with pytest.raises(Refused, match="already approved"):
        approvals.approve(sam, req.id)
    assert check_book(book) == []


def test_nobody_approves_their_own_request_and_rejection_needs_a_reason(book):
    add_customer(book)
    a = inv(book, amount=100000)
    sam = as_user(book, "sam")
    out = approvals.perform(as_user(book, "carl"), "write_off", a.id, "bad debt")
    with pytest.raises(Refused, match="why"):
        approvals.reject(sam, out.request_id, "")
    approvals.reject(sam, out.request_id, "call them first")
    assert approvals.requests(book, status="rejected")[0].note == "call them first"
    mine = approvals.perform(sam, "write_off", a.id, "bad debt")
    assert not mine.waiting  # a supervisor may do it at once


def test_own_request_refused(book):
    from artui.users import set_role

    add_customer(book)
    a = inv(book, amount=100000)
    out = approvals.perform(as_user(book, "carl"), "write_off", a.id, "bad debt")
    set_role(book, "carl", "supervisor")  # promoted since: still not his own approver
    with pytest.raises(NotAllowed, match="own request"):
        approvals.approve(as_user(book, "carl"), out.request_id)
