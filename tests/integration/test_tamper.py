"""Tampering behind the app's back (issue #8): every kind of raw-SQL change to the audit
chain or to posted rows is found by `artui check --anchor HEAD`, on SQLite and on
PostgreSQL (as a superuser that switches the triggers of `artui db roles` off).

Why the anchor is kept outside the book: whoever can rewrite the audit table can also
re-hash every event after the one they changed, and the chain is then consistent with
itself (plain `artui check` passes). Only a head hash taken earlier and kept elsewhere
shows that the history it vouched for is gone. What an anchor cannot show is a well
chained event appended after it: the next anchor taken covers that. Posted rows are held
to the ledger invariants and to their posting events in the chain.
"""

import gc
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, select, text
from typer.testing import CliRunner

from artui.audit import GENESIS, event_hash
from artui.book import Book, open_book
from artui.receipts import PaymentInput, receive_payment
from artui.users import add_user
from db.engine import make_engine
from db.models import AuditEvent

from .conftest import TODAY, _fresh_pg_url, add_customer
from .test_ledger import D0, inv

ARTUI = str(Path(sys.executable).with_name("artui"))
_T = AuditEvent.__table__


def cli(url: str, *args: str, real: bool = False) -> SimpleNamespace:
    """`artui --db URL ARGS` as alice: in-process (the typer app), or as a real process."""
    if real:
        env = {**os.environ, "ARTUI_USER": "alice", "ARTUI_TODAY": TODAY.isoformat()}
        env.pop("ARTUI_DB", None)
        out = subprocess.run(
            [ARTUI, "--db", url, *args], capture_output=True, text=True, env=env, timeout=120
        )
        return SimpleNamespace(returncode=out.returncode, stdout=out.stdout, stderr=out.stderr)
    from artui.cli import app

    result = CliRunner().invoke(
        app,
        ["--db", url, "--user", "alice", *args],
        env={"ARTUI_TODAY": TODAY.isoformat(), "ARTUI_DB": None},
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    gc.collect()  # the command's engine, and its connections, go now
    return SimpleNamespace(returncode=result.exit_code, stdout=result.stdout, stderr=result.stderr)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def template(request, tmp_path_factory) -> tuple[str, str, str]:
    """(kind, url, anchor): a book with invoices, a payment applied to one and a payment
    on account, made once; its anchor taken by `artui audit anchor`. On PostgreSQL the
    triggers that keep history unchanged are in place, as `artui db roles` makes them."""
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("tamper") / "book.db")
    else:
        url = _fresh_pg_url(request.getfixturevalue("pg_url"))
    book = open_book(url, "alice", create=True, company="Test Co", today=TODAY)
    add_user(book, "sam", "supervisor")
    add_user(book, "carl", "clerk")
    add_customer(book)
    first = inv(book, amount=10000)
    inv(book, amount=5000)
    receive_payment(book, PaymentInput("C100", 3000, D0, applications=[(first.number, 3000)]))
    receive_payment(book, PaymentInput("C100", 2000, D0, auto=False))
    if not book.sqlite:  # the guards of `artui db roles`, which the tamperer turns off
        from db import roles

        with book.engine.begin() as conn:
            for sql in (*roles._FUNCTIONS, *roles._triggers()):
                roles._run(conn, sql)
    book.dispose()
    out = cli(url, "audit", "anchor", real=True)
    assert out.returncode == 0, out.stderr
    head, count = out.stdout.split()[:2]
    assert int(count) >= 7
    return request.param, url, head


@pytest.fixture
def posted(template, tmp_path):
    """(book, url, anchor): a copy of the template book, for one test to tamper with."""
    kind, url, head = template
    if kind == "sqlite":
        for f in Path(url).parent.glob("book.db*"):
            shutil.copy(f, tmp_path / f.name)
        copy = str(tmp_path / "book.db")
    else:
        base, source = url.rsplit("/", 1)
        name = "t_" + uuid.uuid4().hex[:12]
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
        admin.dispose()
        copy = f"{base}/{name}"
    book = Book(make_engine(copy), "alice", today=TODAY)
    yield book, copy, head
    book.dispose()


def tamper(book, *statements: tuple[str, dict]) -> None:
    """Raw SQL in one transaction; on PostgreSQL with the triggers off (a superuser)."""
    with book.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        for sql, params in statements:
            conn.execute(text(sql), params)


def ids(book) -> list[int]:
    with book.engine.connect() as conn:
        return list(conn.execute(select(_T.c.id).order_by(_T.c.id)).scalars())


def rehash(book, from_id: int, through_id: int | None = None) -> None:
    """Re-hash events from `from_id` on (through `through_id`), each on the one before
    it, as a forger would."""
    with book.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        rows = conn.execute(select(_T).order_by(_T.c.id)).mappings().all()
        prev = GENESIS
        for r in rows:
            if r["id"] >= from_id and (through_id is None or r["id"] <= through_id):
                row = {**r, "prev_hash": prev}
                row["hash"] = event_hash(row)
                conn.execute(
                    _T.update()
                    .where(_T.c.id == r["id"])
                    .values(prev_hash=row["prev_hash"], hash=row["hash"])
                )
                prev = row["hash"]
            else:
                prev = r["hash"]


def change_payload(book, event_id: int) -> None:
    """Someone else did it: the event's user and its payment reference are rewritten."""
    tamper(
        book,
        (
            "UPDATE audit_event SET \"user\" = 'mallory', "
            'after = replace(after, \'"reference":""\', \'"reference":"cash"\') '
            "WHERE id = :i",
            {"i": event_id},
        ),
    )


def assert_caught(url: str, head: str, *needles: str, real: bool = False) -> str:
    out = cli(url, "check", "--anchor", head, real=real)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    for needle in needles:
        assert needle in out.stderr, out.stderr
    return out.stderr


def middle_payment_event(book) -> int:
    with book.engine.connect() as conn:
        return conn.execute(
            select(_T.c.id).where(_T.c.after.like("%3000%")).order_by(_T.c.id).limit(1)
        ).scalar_one()


def test_untouched_book_passes_against_its_anchor(posted):
    _, url, head = posted
    out = cli(url, "check", "--anchor", head, real=True)
    assert out.returncode == 0, out.stderr


def test_changed_payload(posted):
    book, url, head = posted
    mid = middle_payment_event(book)
    change_payload(book, mid)
    assert_caught(url, head, f"audit event {mid} was changed after it was written", real=True)


def test_on_postgresql_only_a_superuser_turning_the_triggers_off_gets_this_far(posted):
    book, _, _ = posted
    if book.sqlite:
        pytest.skip("SQLite has no roles: whoever can write the file can edit it")
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError, match="history"), book.engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET after = '' WHERE id = :i"), {"i": ids(book)[0]})


def test_changed_payload_with_its_own_hash_recomputed(posted):
    book, url, head = posted
    mid = middle_payment_event(book)
    change_payload(book, mid)
    rehash(book, mid, mid)
    nxt = min(i for i in ids(book) if i > mid)
    err = assert_caught(url, head, f"audit event {nxt} does not follow the one before it")
    assert f"audit event {mid} " not in err  # the re-hashed event itself looks whole


def test_fully_rehashed_chain_passes_alone_but_not_against_the_anchor(posted):
    book, url, head = posted
    mid = middle_payment_event(book)
    change_payload(book, mid)
    rehash(book, mid)
    # consistent with itself: without the anchor kept outside the book, nothing shows
    alone = cli(url, "check")
    assert alone.returncode == 0, alone.stderr
    assert_caught(url, head, "anchored head is no longer in the audit chain")


def test_posted_amount_in_an_event_changed_and_the_chain_rehashed(posted):
    """Even without the anchor: the posting event no longer agrees with the document."""
    book, url, head = posted
    mid = middle_payment_event(book)
    tamper(
        book,
        (
            "UPDATE audit_event SET after = replace(after, :old, :new) WHERE id = :i",
            {"old": '"amount":3000', "new": '"amount":30', "i": mid},
        ),
    )
    rehash(book, mid)
    alone = cli(url, "check")
    assert alone.returncode == 1 and f"but audit event {mid} posted it" in alone.stderr
    assert_caught(url, head, "anchored head is no longer in the audit chain")


def test_event_deleted_in_the_middle(posted):
    book, url, head = posted
    mid = middle_payment_event(book)
    tamper(book, ("DELETE FROM audit_event WHERE id = :i", {"i": mid}))
    nxt = min(i for i in ids(book) if i > mid)
    assert_caught(url, head, f"audit event {nxt} does not follow the one before it")


def test_event_deleted_in_the_middle_and_the_rest_rehashed(posted):
    book, url, head = posted
    mid = middle_payment_event(book)
    tamper(book, ("DELETE FROM audit_event WHERE id = :i", {"i": mid}))
    rehash(book, mid)
    assert_caught(url, head, "anchored head is no longer in the audit chain")


def test_last_events_deleted(posted):
    book, url, head = posted
    last_two = ids(book)[-2:]
    tamper(book, ("DELETE FROM audit_event WHERE id >= :i", {"i": last_two[0]}))
    # what is left is a whole chain, only shorter: the anchor is what shows the loss
    assert cli(url, "check").returncode == 0
    assert_caught(url, head, "anchored head is no longer in the audit chain")


def test_two_events_swapped(posted):
    book, url, head = posted
    mid = middle_payment_event(book)
    nxt = min(i for i in ids(book) if i > mid)
    tamper(
        book,
        ("UPDATE audit_event SET id = -1 WHERE id = :a", {"a": mid}),
        ("UPDATE audit_event SET id = :a WHERE id = :b", {"a": mid, "b": nxt}),
        ("UPDATE audit_event SET id = :b WHERE id = -1", {"b": nxt}),
    )
    assert_caught(url, head, f"audit event {mid} does not follow the one before it")


def test_two_events_swapped_and_rehashed(posted):
    book, url, head = posted
    mid = middle_payment_event(book)
    nxt = min(i for i in ids(book) if i > mid)
    tamper(
        book,
        ("UPDATE audit_event SET id = -1 WHERE id = :a", {"a": mid}),
        ("UPDATE audit_event SET id = :a WHERE id = :b", {"a": mid, "b": nxt}),
        ("UPDATE audit_event SET id = :b WHERE id = -1", {"b": nxt}),
    )
    rehash(book, mid)
    assert cli(url, "check").returncode == 0
    assert_caught(url, head, "anchored head is no longer in the audit chain")


def _forge(book, at_id: int, prev_hash: str, *, well_chained: bool) -> None:
    with book.engine.connect() as conn:
        model = dict(conn.execute(select(_T).where(_T.c.id == min(ids(book)))).mappings().one())
    row = {
        **model,
        "id": at_id,
        "action": "writeoff.post",
        "entity": "document",
        "entity_id": "999",
        "after": '{"amount":7000}',
        "prev_hash": prev_hash,
    }
    row["hash"] = event_hash(row) if well_chained else "f" * 64
    with book.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(_T.insert().values(**row))


def test_forged_event_inserted_in_the_middle(posted):
    book, url, head = posted
    mid = middle_payment_event(book)
    tamper(book, ("UPDATE audit_event SET id = id + 1000 WHERE id > :i", {"i": mid}))
    with book.engine.connect() as conn:
        mid_hash = conn.execute(select(_T.c.hash).where(_T.c.id == mid)).scalar_one()
    _forge(book, mid + 1, mid_hash, well_chained=True)
    nxt = min(i for i in ids(book) if i > mid + 1)
    assert_caught(url, head, f"audit event {nxt} does not follow the one before it")


def test_forged_event_inserted_in_the_middle_and_the_rest_rehashed(posted):
    book, url, head = posted
    mid = middle_payment_event(book)
    tamper(book, ("UPDATE audit_event SET id = id + 1000 WHERE id > :i", {"i": mid}))
    _forge(book, mid + 1, "0" * 64, well_chained=False)
    rehash(book, mid + 1)
    assert cli(url, "check").returncode == 0
    assert_caught(url, head, "anchored head is no longer in the audit chain")


def test_forged_event_appended_with_a_made_up_hash(posted):
    book, url, head = posted
    last = ids(book)[-1]
    with book.engine.connect() as conn:
        last_hash = conn.execute(select(_T.c.hash).where(_T.c.id == last)).scalar_one()
    _forge(book, last + 1, last_hash, well_chained=False)
    assert_caught(url, head, f"audit event {last + 1} was changed after it was written")


def test_forged_event_appended_well_chained_is_beyond_the_anchor(posted):
    """The limit of an anchor, pinned down: it vouches for the history up to it. An event
    appended after it and chained properly is what the app itself would write (on
    PostgreSQL the clerks' role may insert audit rows); the next anchor taken covers it,
    and the ledger invariants still hold the documents to account."""
    book, url, head = posted
    last = ids(book)[-1]
    with book.engine.connect() as conn:
        last_hash = conn.execute(select(_T.c.hash).where(_T.c.id == last)).scalar_one()
    _forge(book, last + 1, last_hash, well_chained=True)
    assert cli(url, "check", "--anchor", head).returncode == 0


@pytest.mark.parametrize(
    "sql, needle",
    [
        (
            "UPDATE document SET amount = amount + 100 WHERE kind = 'invoice' AND amount = 10000",
            "[1 open amount]",
        ),
        (
            "UPDATE document SET open_amount = open_amount - 100 "
            "WHERE kind = 'invoice' AND amount = 10000",
            "[1 open amount]",
        ),
        (
            "UPDATE application SET amount = amount - 100 WHERE amount = 3000",
            "[1 open amount]",
        ),
        (
            "DELETE FROM application WHERE amount = 3000",
            "[1 open amount]",
        ),
    ],
    ids=["document amount", "open amount", "application amount", "application deleted"],
)
def test_changed_posted_rows(posted, sql, needle):
    book, url, head = posted
    tamper(book, (sql, {}))
    assert_caught(url, head, needle)


def test_document_rewritten_consistently_with_its_control_total(posted):
    """Every ledger invariant still holds; the posting event in the chain says otherwise."""
    book, url, head = posted
    tamper(
        book,
        (
            "UPDATE document SET amount = amount - 4000, open_amount = open_amount - 4000 "
            "WHERE kind = 'invoice' AND amount = 5000",
            {},
        ),
        (
            "UPDATE daily_total SET debits = debits - 4000 WHERE day = :d",
            {"d": D0},
        ),
    )
    assert_caught(url, head, "[7 audit] invoice INV-000002: 1000 now, but audit event")
