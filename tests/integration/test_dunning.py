"""Dunning levels from the net position."""

import datetime as dt

from artui import adjustments, dunning
from artui import collections as col
from artui.customers import ContactInput, save_contact
from artui.outbox import entries

from .conftest import TODAY, add_customer
from .test_ledger import inv


def ago(days):
    return TODAY - dt.timedelta(days=days)


def test_levels_by_days_and_net_position(book):
    a = add_customer(book, "A1", "Alpha", terms="DUE")
    add_customer(book, "B1", "Beta", terms="DUE")
    c = add_customer(book, "C1", "Gamma", terms="DUE")
    d = add_customer(book, "D1", "Delta", terms="DUE")
    add_customer(book, "E1", "Epsilon", terms="DUE")
    save_contact(book, a, ContactInput("Ann", email="ann@alpha.test", is_billing=True))
    inv(book, "A1", amount=10000, on=ago(20))  # level 1 (15+ days)
    inv(book, "B1", amount=10000, on=ago(45))  # level 2 (30+)
    inv(book, "C1", amount=10000, on=ago(70))  # covered by a credit: no letter
    adjustments.credit_memo(book, "C1", 10000, "goodwill")
    doc = inv(book, "D1", amount=10000, on=ago(70))  # disputed in full: no letter
    col.open_dispute(book, d, "pricing", document_id=doc.id)
    inv(book, "E1", amount=10000, on=ago(5))  # not late enough
    got = {x.account: x.level for x in dunning.preview(book)}
    assert got == {"A1": 1, "B1": 2}
    assert c not in [x.customer_id for x in dunning.preview(book)]


def test_send_queues_email_logs_and_respects_skip(book):
    a = add_customer(book, "A1", "Alpha", terms="DUE")
    add_customer(book, "B1", "Beta", terms="DUE")
    save_contact(book, a, ContactInput("Ann", email="ann@alpha.test", is_billing=True))
    inv(book, "A1", amount=10000, on=ago(65))
    inv(book, "B1", amount=10000, on=ago(65))
    cands = dunning.preview(book)
    cands = [c if c.account == "A1" else c.__class__(**{**c.__dict__, "skip": True}) for c in cands]
    letters = dunning.send(book, cands, overrides={a: 2})
    assert [(x.account, x.level) for x in letters] == [("A1", 2)]
    assert "100.00 USD" in letters[0].body
    [mail] = entries(book)
    assert mail["status"] == "pending"
    assert any("Dunning level 2" in f["note"] for f in col.follow_ups(book, a))
