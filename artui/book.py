"""The open book: an engine, the user working in it, and units of work.

Every service function takes a `Tx` first. Called with a `Book` instead, it runs in a
transaction of its own (see `unit_of_work`); called with a `Tx`, it joins that one, so a
deposit batch or an import posts many documents in one transaction.
"""

import datetime as dt
import functools
import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError

from artui.errors import NotAllowed, NotFound, StorageFault, storage_fault
from artui.faultpoints import reached
from db import migrate
from db.engine import glance_unit, is_sqlite, make_engine, normalize_url, read_unit, run_write
from db.models import AppUser, Company, PaymentTerms, Sequence

_USER = AppUser.__table__

P = ParamSpec("P")
T = TypeVar("T")

ROLES = ("clerk", "supervisor", "admin")


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


SEQUENCES = {
    "invoice": "INV-",
    "debit_memo": "DM-",
    "finance_charge": "FC-",
    "returned_payment": "RP-",
    "refund": "RF-",
    "payment": "PMT-",
    "credit_memo": "CM-",
    "write_off": "WO-",
    "discount": "DSC-",
    "void": "VD-",
    "batch": "DEP-",
    "order": "SO-",
}
DEFAULT_TERMS = {
    "DUE": "Due on receipt",
    "NET15": "Net 15",
    "NET30": "Net 30",
    "NET45": "Net 45",
    "NET60": "Net 60",
    "2/10NET30": "2% 10, Net 30",
    "NET30EOM": "Net 30 EOM",
}


def login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry (containers)
        return os.environ.get("USER", "clerk")


def terminal_name() -> str:
    """Where the clerk sits: the SSH client address, else the tty."""
    ssh = os.environ.get("SSH_CLIENT") or os.environ.get("SSH_CONNECTION")
    if ssh:
        return "ssh:" + ssh.split()[0]
    try:
        return os.ttyname(0)
    except OSError:
        return "local"


@dataclass
class Tx:
    """One unit of work: a connection inside a transaction, and who is working."""

    conn: Connection
    user: str
    role: str
    today: dt.date
    now: dt.datetime
    terminal: str
    writable: bool
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def sqlite(self) -> bool:
        return is_sqlite(self.conn)

    def company(self) -> Any:
        """The company row, read once per transaction."""
        row = self.cache.get("company")
        if row is None:
            row = self.conn.execute(select(Company.__table__)).mappings().one()
            self.cache["company"] = row
        return row

    def can(self, role: str) -> bool:
        """Whether this user has `role` or a higher one."""
        return self.role in ROLES and ROLES.index(self.role) >= ROLES.index(role)

    def require(self, role: str, action: str) -> None:
        if not self.can(role):
            raise NotAllowed(
                f"{action} needs {_a(role)}; you ({self.user}) are {_a(self.role or 'guest')}."
            )


class Book:
    """A book of accounts, opened for one user."""

    def __init__(
        self,
        engine: Engine,
        user: str | None = None,
        *,
        today: dt.date | None = None,
        terminal: str | None = None,
    ) -> None:
        self.engine = engine
        self.user = user or os.environ.get("ARTUI_USER") or login_name()
        self._today = today
        self.terminal = terminal or terminal_name()
        self._role: str | None = None

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def sqlite(self) -> bool:
        return is_sqlite(self.engine)

    def today(self) -> dt.date:
        """The working date: fixed for tests and demos, else the calendar's."""
        if self._today is not None:
            return self._today
        env = os.environ.get("ARTUI_TODAY")
        return dt.date.fromisoformat(env) if env else dt.date.today()

    def set_today(self, value: dt.date | None) -> None:
        self._today = value

    def role(self) -> str:
        """The user's role; '' for a user the book does not know."""
        if self._role is None:
            try:
                with read_unit(self.engine) as conn:
                    row = conn.execute(
                        select(_USER.c.role, _USER.c.active).where(_USER.c.name == self.user)
                    ).first()
            except DBAPIError as exc:
                fault = self.fault(exc)
                if fault is None:
                    raise
                raise fault from exc
            self._role = row.role if row is not None and row.active else ""
        return self._role

    def is_read_only(self) -> bool:
        """Whether the book is read-only for this user: one it does not know, let in
        because the company's `unknown_user` setting says 'readonly' (artui.users.admit)."""
        return self.role() == ""

    def _tx(self, conn: Connection, writable: bool) -> Tx:
        role = self.role()
        if writable and not role:
            raise NotAllowed(
                f"{self.user} is not a user of this book, so it is read-only for you; "
                "ask an admin to add you (artui user add)."
            )
        return Tx(
            conn=conn,
            user=self.user,
            role=role or "clerk",
            today=self.today(),
            now=dt.datetime.now(dt.UTC),
            terminal=self.terminal,
            writable=writable,
        )

    def write(self, work: Callable[[Tx], T]) -> T:
        """Run `work` in one writing transaction (retried on lock or serialization
        conflicts; the whole of `work` runs again, so it must not have side effects
        outside the transaction)."""
        self.role()  # read before the write lock is taken

        def unit(conn: Connection) -> T:
            done = work(self._tx(conn, True))
            reached("write.before_commit")  # the work done, COMMIT not yet sent
            return done

        try:
            done = run_write(self.engine, unit)
            reached("write.after_commit")  # committed, the caller not yet told
            return done
        except DBAPIError as exc:
            fault = self.fault(exc)
            if fault is None:
                raise
            raise fault from exc

    def read(self, work: Callable[[Tx], T], *, moment: bool = True) -> T:
        """`work` in one read transaction; with `moment=False`, statements that need not
        see one moment (db.engine.glance_unit: no transaction on PostgreSQL)."""
        try:
            with (read_unit if moment else glance_unit)(self.engine) as conn:
                return work(self._tx(conn, False))
        except DBAPIError as exc:
            fault = self.fault(exc)
            if fault is None:
                raise
            raise fault from exc

    def fault(self, exc: DBAPIError) -> StorageFault | None:
        """A full disk or a read-only book as the clerk's sentence; None for other errors."""
        return storage_fault(exc, book_place(self.engine), sqlite=self.sqlite)

    def dispose(self) -> None:
        self.engine.dispose()


def unit_of_work(
    fn: Callable[Concatenate[Tx, P], T],
) -> Callable[Concatenate["Tx | Book", P], T]:
    """Let a writing service be called with a Book (own transaction) or a Tx (joins it)."""

    @functools.wraps(fn)
    def wrapper(target: "Tx | Book", *args: P.args, **kwargs: P.kwargs) -> T:
        if isinstance(target, Tx):
            return fn(target, *args, **kwargs)
        return target.write(lambda tx: fn(tx, *args, **kwargs))

    return wrapper


def _reading(
    fn: Callable[Concatenate[Tx, P], T], *, moment: bool
) -> Callable[Concatenate["Tx | Book", P], T]:
    @functools.wraps(fn)
    def wrapper(target: "Tx | Book", *args: P.args, **kwargs: P.kwargs) -> T:
        if isinstance(target, Tx):
            return fn(target, *args, **kwargs)
        return target.read(lambda tx: fn(tx, *args, **kwargs), moment=moment)

    return wrapper


def read_only(
    fn: Callable[Concatenate[Tx, P], T],
) -> Callable[Concatenate["Tx | Book", P], T]:
    """Let a reading function be called with a Book (own read transaction) or a Tx."""
    return _reading(fn, moment=True)


def glance(
    fn: Callable[Concatenate[Tx, P], T],
) -> Callable[Concatenate["Tx | Book", P], T]:
    """`read_only` for a read whose statements need not see one moment (a lookup)."""
    return _reading(fn, moment=False)


def seed(conn: Connection, *, company: str, currency: str, admin: str) -> None:
    """The rows every book starts with: the company, number sequences, terms, its admin."""
    if conn.execute(select(Company.id)).first() is not None:
        return
    conn.execute(insert(Company.__table__).values(id=1, name=company, currency=currency))
    conn.execute(
        insert(Sequence.__table__),
        [{"kind": k, "prefix": p, "width": 6, "next_value": 1} for k, p in SEQUENCES.items()],
    )
    conn.execute(
        insert(PaymentTerms.__table__),
        [{"code": c, "description": d} for c, d in DEFAULT_TERMS.items()],
    )
    conn.execute(insert(AppUser.__table__).values(name=admin, full_name=admin, role="admin"))


def is_initialized(engine: Engine) -> bool:
    if migrate.current_revision(engine) is None:
        return False
    with read_unit(engine) as conn:
        # the table, not the mapped class: the ORM's one-off set-up (~30 ms) waits until
        # after the first screen (artui/app.py _settle_gc)
        return conn.execute(select(Company.__table__.c.id)).first() is not None


def open_book(
    url: str | os.PathLike | None = None,
    user: str | None = None,
    *,
    create: bool = False,
    company: str = "My Company",
    currency: str = "USD",
    today: dt.date | None = None,
) -> Book:
    """Open (and migrate) a book; with `create`, make an empty one when there is none.
    A SQLite book in an unsafe place is refused first (artui/safety.py); a full disk or
    a read-only book is a StorageFault with its sentence."""
    from artui import safety

    engine = make_engine(url)
    book = Book(engine, user, today=today)
    _say_storage_faults(engine)
    try:
        safety.check_place(engine)
        if not is_initialized(engine):
            if not create:
                raise NotFound(
                    f"There is no book at {normalize_url(url)}; create one with `artui init` "
                    "or `artui demo`."
                )
            migrate.upgrade(engine)
            run_write(
                engine,
                lambda conn: seed(conn, company=company, currency=currency, admin=book.user),
            )
        else:
            migrate.upgrade(engine)
        safety.check_journal(engine)
    except DBAPIError as exc:
        engine.dispose()
        fault = book.fault(exc)
        if fault is None:
            raise
        raise fault from exc
    except Exception:
        engine.dispose()
        raise
    return book


def _say_storage_faults(engine: Engine) -> None:
    """Every statement on this engine, not only a Book's own units of work (the outbox,
    statement runs, migrations), turns a full disk or a read-only book into its sentence."""
    from sqlalchemy import event

    place, sqlite = book_place(engine), is_sqlite(engine)

    @event.listens_for(engine, "handle_error")
    def _fault(context: Any) -> None:
        fault = storage_fault(context.original_exception, place, sqlite=sqlite)
        if fault is not None:
            raise fault from context.sqlalchemy_exception


def book_place(engine: Engine) -> str:
    """Where the book is, for a sentence: its file, or the server and database."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return f"{url.host or 'localhost'}/{url.database}"


def _sequence_statements() -> tuple[Any, Any, Any, Any]:
    from db.models import Document

    seq, docs = Sequence.__table__, Document.__table__
    row = select(seq.c.prefix, seq.c.width, seq.c.next_value).where(seq.c.kind == bindparam("kind"))
    held = (
        select(docs.c.id)
        .where(docs.c.kind == bindparam("kind"), docs.c.seq == bindparam("seq"))
        .limit(1)
    )
    move = (
        update(seq).where(seq.c.kind == bindparam("b_kind")).values(next_value=bindparam("b_next"))
    )
    return row, row.with_for_update(), held, move


# Built once: building and keying a statement costs more than running it on SQLite.
_SEQ_ROW, _SEQ_ROW_LOCKED, _SEQ_HELD, _SEQ_MOVE = _sequence_statements()


def next_number(tx: Tx, kind: str) -> tuple[str, int]:
    """Take the next gapless number of a kind, inside the posting transaction. A number
    of the sequence's own form already held by an imported document is passed over: that
    document fills the value (it carries it as its `seq`)."""
    row = tx.conn.execute(_SEQ_ROW if tx.sqlite else _SEQ_ROW_LOCKED, {"kind": kind}).first()
    if row is None:
        raise NotFound(f"There is no number sequence for {kind}.")
    value = row.next_value
    while tx.conn.execute(_SEQ_HELD, {"kind": kind, "seq": value}).first() is not None:
        value += 1
    tx.conn.execute(_SEQ_MOVE, {"b_kind": kind, "b_next": value + 1})
    reached("write.numbered")  # a number taken inside the unit, the document not yet in
    return f"{row.prefix}{value:0{row.width}d}", value


def next_numbers(tx: Tx, kind: str, count: int) -> list[tuple[str, int]]:
    """Take `count` numbers of a kind at once (a batch posted together), passing over
    values held by imported documents as `next_number` does, in one look-up."""
    from db.models import Document

    row = tx.conn.execute(_SEQ_ROW if tx.sqlite else _SEQ_ROW_LOCKED, {"kind": kind}).first()
    if row is None:
        raise NotFound(f"There is no number sequence for {kind}.")
    d = Document.__table__
    held = {
        r[0]
        for r in tx.conn.execute(select(d.c.seq).where(d.c.kind == kind, d.c.seq >= row.next_value))
    }
    out: list[tuple[str, int]] = []
    value = row.next_value
    while len(out) < count:
        if value not in held:
            out.append((f"{row.prefix}{value:0{row.width}d}", value))
        value += 1
    tx.conn.execute(_SEQ_MOVE, {"b_kind": kind, "b_next": value})
    return out


def sequence_value(tx: Tx, kind: str, number: str) -> int | None:
    """The sequence value an outside number stands for, when it has the sequence's own
    form (`INV-000042` -> 42); None otherwise."""
    prefixes = tx.cache.get("prefixes")
    if prefixes is None:
        table = Sequence.__table__
        prefixes = dict(tx.conn.execute(select(table.c.kind, table.c.prefix)).all())
        tx.cache["prefixes"] = prefixes
    prefix = prefixes.get(kind)
    if prefix is None or not number.startswith(prefix):
        return None
    digits = number[len(prefix) :]
    return int(digits) if digits.isdigit() and int(digits) > 0 else None
