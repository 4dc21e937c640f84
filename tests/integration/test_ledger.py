"""Every ledger operation and every refusal, on SQLite and PostgreSQL, against figures
worked out by hand (in the comments), not by the code under test."""

import datetime as dt

import pytest
from sqlalchemy import text

from artui import adjustments, invoices, receipts
from artui.account import account_summary
from artui.aging import aging
from artui.check import check_book
from artui.customers import set_hold, update_customer
from artui.errors import (
    AlreadyPosted,
    ClosedPeriod,
    Conflict,
    CreditHold,
    NotAllowed,
    Refused,
)
from artui.invoices import InvoiceInput
from artui.period import close_period
from artui.pricing import LineInput
from artui.receipts import PaymentInput

from .conftest import TODAY, add_customer, as_user

D0 = dt.date(2026, 9, 1)


def inv(book, customer="C100", amount=10000, on=D0, **kw):
    """A one-line invoice of `amount` cents, untaxed."""
    lines = [LineInput("Widgets", 1000, amount)]
    return invoices.post_invoice(book, InvoiceInput(customer, on, lines, **kw)).doc


def pay(book, amount, on=D0, customer="C100", **kw):
    return receipts.receive_payment(book, PaymentInput(customer, amount, on, **kw))


def assert_clean(book):
    problems = check_book(book)
    assert problems == [], "\n".join(map(str, problems))


def test_invoice_totals_number_and_terms(book):
    add_customer(book)
    lines = [
        # 3 x 19.99 = 59.97 less 10 % = 53.973 -> 53.97; taxed 7.25 %
        LineInput("Blue widget", 3000, 1999, discount_rate=10000, tax_rate=7250),
        # 2 x 5.00 = 10.00, untaxed
        LineInput("Grommet", 2000, 500),
    ]
    posted = invoices.post_invoice(
        book, InvoiceInput("C100", D0, lines, shipping=1250, reference="PO-77")
    )
    doc = posted.doc
    # tax 53.97 x 7.25 % = 3.912825 -> 3.91; total 53.97 + 10.00 + 3.91 + 12.50 = 80.38
    assert posted.totals.tax_total == 391
    assert posted.totals.discount_total == 600  # 59.97 - 53.97
    assert doc.amount == 8038 and doc.open_amount == 8038
    assert doc.number == "INV-000001"
    assert doc.due_date == dt.date(2026, 10, 1)  # Net 30 from 1 September
    assert inv(book).number == "INV-000002"
    assert_clean(book)


def test_early_payment_discount_terms(book):
    add_customer(book, terms="2/10NET30")
    doc = inv(book, amount=50000)
    # 2 % of 500.00 = 10.00, until 11 September
    taken = adjustments.discount_taken(book, doc.id, on=dt.date(2026, 9, 11))
    assert taken.amount == 1000
    result = pay(book, 49000, on=dt.date(2026, 9, 11))
    assert [a.amount for a in result.applied] == [49000]
    assert account_summary(book, "C100").balance == 0
    assert_clean(book)


def test_payment_exact_partial_over_and_oldest_first(book):
    add_customer(book)
    a = inv(book, amount=10000, on=dt.date(2026, 8, 1))  # due 31 Aug
    b = inv(book, amount=25000, on=dt.date(2026, 8, 15))  # due 14 Sep
    c = inv(book, amount=7500, on=dt.date(2026, 9, 1))  # due 1 Oct
    # exactly b's amount: goes to b although a is older
    r1 = pay(book, 25000, on=dt.date(2026, 9, 20))
    assert [(x.debit_id, x.amount) for x in r1.applied] == [(b.id, 25000)]
    assert r1.why == ("exact amount of one open item",)
    # 120.00 matches nothing: a (100.00) in full, then 20.00 on c, oldest due first
    r2 = pay(book, 12000, on=dt.date(2026, 9, 21))
    assert [(x.debit_id, x.amount) for x in r2.applied] == [(a.id, 10000), (c.id, 2000)]
    # over-payment: 55.00 open on c, 80.00 paid -> 25.00 unapplied
    r3 = pay(book, 8000, on=dt.date(2026, 9, 22))
    assert r3.unapplied == 2500
    s = account_summary(book, "C100")
    assert s.balance == -2500 and s.aging.unapplied == -2500
    assert_clean(book)


def test_explicit_applications_and_refusals(book):
    add_customer(book)
    add_customer(book, "C200", "Other Co")
    a = inv(book, amount=10000)
    other = inv(book, customer="C200", amount=5000)
    with pytest.raises(Refused, match="more than the 100.00 still open on Invoice INV-000001"):
        pay(book, 20000, applications=[(a.number, 12000)])
    with pytest.raises(Refused, match="another customer"):
        pay(book, 5000, applications=[(other.number, 5000)])
    with pytest.raises(Refused, match="more than zero"):
        pay(book, 0)
    with pytest.raises(Refused, match="more than zero"):
        pay(book, -500)
    with pytest.raises(Refused, match="before its documents"):
        receipts.apply_credit(
            book, pay(book, 100, auto=False).doc.id, a.id, 100, on=dt.date(2026, 8, 1)
        )
    # nothing refused was half-written: one payment of 1.00, on account
    s = account_summary(book, "C100")
    assert s.balance == 10000 - 100
    assert_clean(book)


def test_currency_never_crossed(book):
    add_customer(book, "E1", "Euro GmbH", currency="EUR")
    doc = inv(book, customer="E1", amount=10000)
    assert doc.currency == "EUR"
    result = pay(book, 10000, customer="E1")
    assert result.doc.currency == "EUR" and result.applied[0].amount == 10000
    result = aging(book, TODAY)
    assert result.rows == ()  # settled: no row
    assert result.tie_out()["EUR"] == (0, 0, 0)


def test_unapply_and_reapply(book):
    add_customer(book)
    a = inv(book, amount=10000)
    b = inv(book, amount=10000)
    r = pay(book, 10000, on=dt.date(2026, 9, 5), applications=[(a.number, 10000)])
    undone = receipts.unapply(book, r.applied[0].id, on=dt.date(2026, 9, 6))
    assert undone.amount == -10000
    with pytest.raises(Refused, match="already undone"):
        receipts.unapply(book, r.applied[0].id, on=dt.date(2026, 9, 6))
    receipts.apply_credit(book, r.doc.id, b.id, 10000, on=dt.date(2026, 9, 6))
    items = {i.number: i.open for i in account_summary(book, "C100").open_items}
    assert items == {a.number: 10000}
    # as of 5 September the money sat on a; as of the 6th on b
    old = account_summary(book, "C100", dt.date(2026, 9, 5))
    assert {i.number: i.open for i in old.open_items} == {b.number: 10000}
    assert_clean(book)


def test_bounced_payment_reopens_exact_invoices_with_fee_and_hold(book):
    add_customer(book)
    a = inv(book, amount=10000)
    b = inv(book, amount=5000)
    c = inv(book, amount=3000)
    r = pay(
        book, 15000, on=dt.date(2026, 9, 10), applications=[(a.number, 10000), (b.number, 5000)]
    )
    pay(book, 3000, on=dt.date(2026, 9, 10), applications=[(c.number, 3000)])
    rev = receipts.reverse_payment(book, r.doc.id, on=dt.date(2026, 9, 20), fee=2500, hold=True)
    assert rev.returned.kind == "returned_payment" and rev.returned.open_amount == 0
    assert rev.fee.amount == 2500
    s = account_summary(book, "C100")
    assert {i.number: i.open for i in s.open_items} == {
        a.number: 10000,
        b.number: 5000,
        rev.fee.number: 2500,
    }
    assert s.balance == 17500 and s.customer.on_hold
    with pytest.raises(Refused, match="already reversed"):
        receipts.reverse_payment(book, r.doc.id, on=dt.date(2026, 9, 20))
    # as of the day before the bounce the invoices were paid
    assert account_summary(book, "C100", dt.date(2026, 9, 19)).balance == 0
    assert_clean(book)


def test_credit_memo_write_off_refund(book):
    add_customer(book)
    a = inv(book, amount=10000)
    cm, applied = adjustments.credit_memo(book, "C100", 3000, "damaged", apply_to=a.number)
    assert cm.number == "CM-000001" and applied.amount == 3000
    wo = adjustments.write_off(book, a.id, "small balance", amount=400)
    assert wo.kind == "write_off"
    with pytest.raises(Refused, match="more than"):
        adjustments.write_off(book, a.id, "too much", amount=500000)
    onacct, none = adjustments.credit_memo(book, "C100", 2000, "goodwill")
    assert none is None
    rf = receipts.refund(book, onacct.id, 1500)
    assert rf.kind == "refund"
    s = account_summary(book, "C100")
    # 100.00 - 30.00 - 4.00 = 66.00 open; 20.00 credit less 15.00 refunded = 5.00 credit
    assert s.aging.current + s.aging.past_due == 6600 and s.aging.unapplied == -500
    assert s.balance == 6100
    assert_clean(book)


def test_write_off_above_clerk_limit_needs_supervisor(book):
    add_customer(book)
    a = inv(book, amount=100000)
    with pytest.raises(NotAllowed, match="needs a supervisor"):
        adjustments.write_off(as_user(book, "carl"), a.id, "bad debt")
    adjustments.write_off(as_user(book, "sam"), a.id, "bad debt")
    assert account_summary(book, "C100").balance == 0


def test_void_invoice(book):
    add_customer(book)
    a = inv(book, amount=10000)
    b = inv(book, amount=5000)
    v = invoices.void_invoice(book, b.id, "entered twice")
    assert v.kind == "void"
    with pytest.raises(Refused, match="already voided"):
        invoices.void_invoice(book, b.id, "again")
    pay(book, 4000, applications=[(a.number, 4000)])
    with pytest.raises(NotAllowed):
        invoices.void_invoice(as_user(book, "carl"), a.id, "wrong customer")
    invoices.void_invoice(as_user(book, "sam"), a.id, "wrong customer", on=TODAY)
    s = account_summary(book, "C100")
    assert s.balance == -4000  # the payment went back on account
    assert_clean(book)


def test_drafts_have_no_number_and_numbers_stay_gapless(book):
    add_customer(book)
    draft = invoices.save_draft(book, InvoiceInput("C100", D0, [LineInput("x", 1000, 100)]))
    assert draft.number is None and draft.status == "draft"
    assert account_summary(book, "C100").balance == 0
    with pytest.raises(Refused):  # zero total: refused after the number would be taken
        invoices.post_invoice(book, InvoiceInput("C100", D0, [LineInput("free", 1000, 0)]))
    assert inv(book).number == "INV-000001"
    with pytest.raises(Conflict):
        invoices.save_draft(
            book, InvoiceInput("C100", D0, [LineInput("y", 1000, 200)]), draft.id, version=99
        )
    posted = invoices.post_draft(book, draft.id)
    assert posted.number == "INV-000002" and posted.open_amount == 100
    assert_clean(book)


def test_idempotent_command(book):
    add_customer(book)
    first = pay(book, 1000, command_id="cmd-1")
    with pytest.raises(AlreadyPosted, match="already posted") as info:
        pay(book, 1000, command_id="cmd-1")
    assert info.value.document_id == first.doc.id
    assert account_summary(book, "C100").balance == -1000


def test_credit_hold_blocks_invoices_when_settings_say(book):
    cid = add_customer(book)
    set_hold(book, cid, True, "cheques bounced")
    with pytest.raises(CreditHold, match="credit hold: cheques bounced"):
        inv(book)
    with pytest.raises(Refused, match="why"):
        set_hold(book, cid, True, "")
    set_hold(book, cid, False)
    assert inv(book).number == "INV-000001"


def test_over_credit_limit_warns(book):
    add_customer(book, credit_limit=5000)
    posted = invoices.post_invoice(book, InvoiceInput("C100", D0, [LineInput("big", 1000, 9000)]))
    assert "over the credit limit of 50.00" in posted.warnings[0]


def test_closed_period(book):
    add_customer(book)
    a = inv(book, amount=10000, on=dt.date(2026, 9, 1))
    before = aging(book, dt.date(2026, 9, 30))
    with pytest.raises(NotAllowed):
        close_period(as_user(book, "carl"), dt.date(2026, 9, 30))
    close_period(as_user(book, "sam"), dt.date(2026, 9, 30))
    with pytest.raises(ClosedPeriod, match="closed through 2026-09-30"):
        inv(book, on=dt.date(2026, 9, 30))
    with pytest.raises(ClosedPeriod):
        pay(book, 100, on=dt.date(2026, 9, 15))
    r = pay(book, 10000, on=dt.date(2026, 10, 1), applications=[(a.number, 10000)])
    assert r.applied[0].applied_on == dt.date(2026, 10, 1)
    assert aging(book, dt.date(2026, 9, 30)) == before  # the closed report is final
    assert_clean(book)


def test_customer_edit_race(book):
    cid = add_customer(book)
    v2 = update_customer(book, cid, 1, {"credit_limit": 100000})
    assert v2 == 2
    with pytest.raises(Conflict, match="alice changed Acme Ltd"):
        update_customer(as_user(book, "carl"), cid, 1, {"terms": "NET60"})


def test_aging_boundaries_by_due_date(book):
    """Invoices due 0, 1, 30, 31, 60, 61, 90 and 91 days before the as-of date."""
    add_customer(book, terms="DUE")
    as_of = dt.date(2026, 11, 24)
    amounts = {0: 1, 1: 10, 30: 100, 31: 1000, 60: 10000, 61: 100000, 90: 1000000, 91: 10000000}
    for days, amount in amounts.items():
        inv(book, amount=amount, on=as_of - dt.timedelta(days=days))
    row = aging(book, as_of).rows[0]
    # by hand: current holds due-today (0 days); 1-30 holds 1 and 30; 31-60 holds 31, 60;
    # 61-90 holds 61, 90; over 90 holds 91
    assert row.current == 1
    assert row.days_1_30 == 10 + 100
    assert row.days_31_60 == 1000 + 10000
    assert row.days_61_90 == 100000 + 1000000
    assert row.days_over_90 == 10000000
    assert row.balance == 11111111
    by_doc = aging(book, as_of, by="doc").rows[0]
    # by document date: 0-30 days old is current; 31-60; 61-90; over 90
    assert by_doc.current == 1 + 10 + 100
    assert by_doc.days_1_30 == 0
    assert by_doc.days_31_60 == 1000 + 10000
    assert by_doc.days_61_90 == 100000 + 1000000
    assert by_doc.days_over_90 == 10000000


def test_aging_as_of_before_and_after_payment(book):
    add_customer(book)
    a = inv(book, amount=10000, on=dt.date(2026, 9, 1))  # due 1 Oct
    pay(book, 4000, on=dt.date(2026, 10, 15), applications=[(a.number, 4000)])
    assert aging(book, dt.date(2026, 8, 31)).rows == ()  # nothing yet
    sep = aging(book, dt.date(2026, 9, 30)).rows[0]
    assert sep.current == 10000 and sep.balance == 10000
    oct14 = aging(book, dt.date(2026, 10, 14)).rows[0]
    assert oct14.days_1_30 == 10000  # 13 days past due, unpaid
    oct15 = aging(book, dt.date(2026, 10, 15)).rows[0]
    assert oct15.days_1_30 == 6000
    nov = aging(book, dt.date(2026, 11, 24)).rows[0]
    assert nov.days_31_60 == 6000  # 54 days past due
    for result in (sep, oct14, oct15, nov):
        assert result.balance == result.current + result.past_due + result.unapplied


def test_audit_chain_detects_tampering(book):
    add_customer(book)
    inv(book, amount=10000)
    assert_clean(book)
    with book.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE audit_event SET after = replace(after, '10000', '1') "
                "WHERE action = 'invoice.post'"
            )
        )
    problems = [str(p) for p in check_book(book)]
    assert any("changed after it was written" in p for p in problems)


def test_check_finds_a_tampered_open_amount(book):
    add_customer(book)
    a = inv(book, amount=10000)
    with book.engine.begin() as conn:
        conn.execute(text("UPDATE document SET open_amount = 5 WHERE id = :i"), {"i": a.id})
    problems = [str(p) for p in check_book(book)]
    assert any("[1 open amount]" in p for p in problems)
    assert any("[3 balance]" in p for p in problems)


def test_card_numbers_refused(book):
    add_customer(book)
    with pytest.raises(Refused, match="card number"):
        pay(book, 1000, memo="paid with 4111 1111 1111 1111")
    r = pay(book, 1000, method="card", card_brand="visa", card_last4="1111")
    assert r.doc.amount == 1000
    with pytest.raises(Refused, match="last four"):
        pay(book, 1000, method="card", card_brand="visa", card_last4="4111111111111111")
