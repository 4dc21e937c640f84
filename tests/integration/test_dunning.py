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


def test_a_run_writes_letters_emails_them_with_the_pdf_and_prints_the_rest(book, smtp, tmp_path):
    from dataclasses import replace

    from pypdf import PdfReader

    from artui import dunning_run

    catcher, settings = smtp
    a = add_customer(book, "A1", "Alpha", terms="DUE")
    add_customer(book, "B1", "Beta", terms="DUE")  # no email: a letter by post
    d = add_customer(book, "D1", "Delta", terms="DUE")
    save_contact(book, a, ContactInput("Ann", email="ann@alpha.test", is_billing=True))
    first = inv(book, "A1", amount=12345, on=ago(40))
    inv(book, "A1", amount=5000, on=ago(20))
    inv(book, "B1", amount=10000, on=ago(65))
    disputed = inv(book, "A1", amount=7000, on=ago(50))
    col.open_dispute(book, a, "pricing", document_id=disputed.id)
    inv(book, "D1", amount=900, on=ago(90))
    cands = dunning.preview(book)
    cands = [replace(c, skip=c.customer_id == d) for c in cands]
    done = dunning_run.run(book, cands, tmp_path, mail=settings)
    assert sorted((x.account, x.level) for x in done.letters) == [("A1", 2), ("B1", 3)]
    assert done.emailed == 1 and [r.status for r in done.delivered] == ["sent"]
    # the email carries the letter as a PDF, and the PDF says what is past due
    [(to, msg)] = catcher.messages
    assert to == ["ann@alpha.test"]
    assert msg["Subject"] == "Second notice: account A1"
    [pdf_part] = [p for p in msg.walk() if p.get_content_type() == "application/pdf"]
    text = PdfReader(tmp_path / pdf_part.get_filename()).pages[0].extract_text()
    assert "Second notice: account A1" in text
    assert first.number in text and "123.45" in text
    assert f"{disputed.number} *" in text  # disputed: marked, left out of what is asked
    assert "173.45 USD" in text  # 123.45 + 50.00: the net past due, not the disputed 70.00
    # the letter going by post is in the mail room's file; the skipped customer has none
    printed = PdfReader(done.print_file)
    assert len(printed.pages) == 1
    assert "Final notice" in printed.pages[0].extract_text()
    assert d not in done.files
    assert any("Dunning level 2" in f["note"] for f in col.follow_ups(book, a))
