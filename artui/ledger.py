"""The open-item ledger's primitives: documents, applications and their rules.

Everything that changes what a customer owes is a posted document; everything that
settles one document against another is an application. The operations clerks perform
(invoices.py, receipts.py, adjustments.py) are built from the functions here, inside
one transaction each.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ARRAY, Integer, any_, bindparam, func, insert, select, text, update

from artui import audit
from artui.book import Tx, next_number, sequence_value
from artui.errors import AlreadyPosted, ClosedPeriod, NotFound, Refused
from artui.money import format_amount
from db.models import Application, Customer, DailyTotal, Document

DEBIT_KINDS = ("invoice", "debit_memo", "finance_charge", "returned_payment", "refund")
CREDIT_KINDS = ("payment", "credit_memo", "write_off", "discount", "void")
KIND_LABEL = {
    "invoice": "Invoice",
    "debit_memo": "Debit memo",
    "finance_charge": "Finance charge",
    "returned_payment": "Returned payment",
    "refund": "Refund",
    "payment": "Payment",
    "credit_memo": "Credit memo",
    "write_off": "Write-off",
    "discount": "Discount",
    "void": "Void",
}

D = Document.__table__
A = Application.__table__
C = Customer.__table__
T = DailyTotal.__table__

# "open_amount > 0" as literal SQL: SQLite uses a partial index only when the query's
# condition is the index's own, and a bound parameter (open_amount > ?) never is.
IS_OPEN = text("document.open_amount > 0")

# Statements built once: constructing them per call cost more than running them.
_INSERT_DOC = insert(D)
_INSERT_DOC_RETURNING = insert(D).returning(*D.c)
_INSERT_APP = insert(A)
# several applications and their ids, in the order given (one statement on PostgreSQL)
_INSERT_APPS_RETURNING = insert(A).returning(A.c.id, sort_by_parameter_order=True)
_SELECT_DOC = select(D).where(D.c.id == bindparam("doc_id"))
# PostgreSQL: the ids as one array, so that the statement's text is the same for any
# number of them (an IN list of 600 cost more to send and plan than to run).
_LOCK_DOCS = (
    select(D)
    .where(D.c.id == any_(bindparam("ids", type_=ARRAY(Integer))))
    .order_by(D.c.id)
    .with_for_update()
)
# Built once: building and keying a statement costs more than running it on SQLite.
_CUSTOMER_BY = {
    "id": select(C).where(C.c.id == bindparam("key")),
    "account": select(C).where(C.c.account == bindparam("key")),
}
_CUSTOMER_LOCKED = {k: v.with_for_update() for k, v in _CUSTOMER_BY.items()}
_NUMBER_TAKEN = select(D.c.id).where(D.c.kind == bindparam("kind"), D.c.number == bindparam("n"))
_SEQ_TAKEN = select(D.c.id).where(D.c.kind == bindparam("kind"), D.c.seq == bindparam("seq"))
_SET_OPEN = (
    update(D)
    .where(D.c.id == bindparam("doc_id"))
    .values(open_amount=bindparam("new_open"), closed_on=bindparam("new_closed"))
)
_LAST_DEBIT_APP = select(func.max(A.c.applied_on)).where(A.c.debit_id == bindparam("doc_id"))
_LAST_CREDIT_APP = select(func.max(A.c.applied_on)).where(A.c.credit_id == bindparam("doc_id"))


def carried(debit: Mapping[str, Any], credit_date: dt.date) -> dict[str, Any]:
    """What an application row carries of its documents for the aging (migration 0013):
    fixed once they are posted, so copying them can never go stale."""
    return {
        "customer_id": debit["customer_id"],
        "debit_date": debit["doc_date"],
        "debit_due": debit["due_date"],
        "credit_date": credit_date,
    }


def is_debit(kind: str) -> bool:
    return kind in DEBIT_KINDS


@dataclass(frozen=True)
class Doc:
    id: int
    kind: str
    number: str | None
    customer_id: int
    currency: str
    doc_date: dt.date
    due_date: dt.date | None
    amount: int
    open_amount: int
    status: str
    reference: str = ""
    memo: str = ""
    reason: str = ""
    closed_on: dt.date | None = None
    reverses_id: int | None = None
    batch_id: int | None = None

    @property
    def is_debit(self) -> bool:
        return self.kind in DEBIT_KINDS

    @property
    def label(self) -> str:
        return f"{KIND_LABEL.get(self.kind, self.kind)} {self.number or '(draft)'}"

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> "Doc":
        return cls(**{f: row[f] for f in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Applied:
    """One application made by an operation, and why it was chosen."""

    id: int
    debit_id: int
    credit_id: int
    amount: int
    applied_on: dt.date
    reason: str = ""
    debit_number: str | None = None


def money(amount: int, currency: str) -> str:
    return format_amount(amount, currency)


# -- customers and periods ---------------------------------------------------------


def customer_row(tx: Tx, customer: int | str, *, lock: bool = False) -> Mapping[str, Any]:
    """A customer by id or account number."""
    by = "id" if isinstance(customer, int) else "account"
    stmt = (_CUSTOMER_LOCKED if lock and not tx.sqlite else _CUSTOMER_BY)[by]
    row = tx.conn.execute(stmt, {"key": customer}).mappings().first()
    if row is None:
        raise NotFound(f"There is no customer with account {customer}.", field="account")
    return row


def check_open_period(tx: Tx, when: dt.date, what: str = "A posting") -> None:
    closed = tx.company()["closed_through"]
    if closed is not None and when <= closed:
        raise ClosedPeriod(
            f"{what} dated {when.isoformat()} falls in a closed period: the book is closed "
            f"through {closed.isoformat()}.",
            field="date",
        )


def check_amount(amount: int, currency: str, what: str = "The amount") -> None:
    if amount <= 0:
        raise Refused(
            f"{what} must be more than zero (it is {money(amount, currency)}).", field="amount"
        )


# -- documents ----------------------------------------------------------------------


def _docs(tx: Tx) -> dict[int, dict[str, Any]]:
    """Documents read (and locked) in this transaction, kept current by our writes."""
    return tx.cache.setdefault("docs", {})


def load_docs(tx: Tx, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Read documents inside the writing transaction (locking them on PostgreSQL, in id
    order so that two clerks never deadlock)."""
    cache = _docs(tx)
    want = sorted({i for i in ids if i not in cache})
    if len(want) == 1 and tx.sqlite:  # the common case, on a statement built once
        row = tx.conn.execute(_SELECT_DOC, {"doc_id": want[0]}).mappings().first()
        if row is not None:
            cache[want[0]] = dict(row)
    elif want:
        if tx.sqlite:
            rows = tx.conn.execute(select(D).where(D.c.id.in_(want)).order_by(D.c.id))
        else:
            rows = tx.conn.execute(_LOCK_DOCS, {"ids": want})
        for row in rows.mappings():
            cache[row["id"]] = dict(row)
    out = {}
    for i in ids:
        if i not in cache:
            raise NotFound(f"There is no document with id {i}.")
        out[i] = cache[i]
    return out


def remember_docs(tx: Tx, rows: Iterable[dict[str, Any]]) -> None:
    """Documents the caller read whole inside this transaction (locked, on PostgreSQL),
    for `load_docs` to find without reading them again; one already held is kept."""
    cache = _docs(tx)
    for row in rows:
        cache.setdefault(row["id"], row)


def load_doc(tx: Tx, doc_id: int) -> dict[str, Any]:
    return load_docs(tx, [doc_id])[doc_id]


def find_document(tx: Tx, number: str, kinds: Iterable[str] | None = None) -> dict[str, Any]:
    """A posted document by its number (any kind, or one of `kinds`)."""
    stmt = select(D.c.id).where(D.c.number == number.strip(), D.c.status == "posted")
    if kinds:
        stmt = stmt.where(D.c.kind.in_(list(kinds)))
    ids = [r[0] for r in tx.conn.execute(stmt.limit(2))]
    if not ids:
        raise NotFound(f"There is no document numbered {number}.", field="number")
    if len(ids) > 1:
        raise Refused(f"More than one document is numbered {number}; say which kind.")
    return load_doc(tx, ids[0])


def check_command(tx: Tx, command_id: str | None) -> None:
    """A command posted before (pressing post twice, a retry after a reconnect)."""
    if not command_id:
        return
    row = tx.conn.execute(
        select(D.c.id, D.c.kind, D.c.number).where(D.c.command_id == command_id)
    ).first()
    if row is not None:
        raise AlreadyPosted(
            f"{KIND_LABEL.get(row.kind, row.kind)} {row.number} is already posted; "
            "nothing was posted again.",
            row.id,
        )


def insert_document(
    tx: Tx,
    *,
    kind: str,
    customer: Mapping[str, Any],
    doc_date: dt.date,
    amount: int,
    number: str | None = None,
    due_date: dt.date | None = None,
    audit_action: str | None = None,
    audit_after: Mapping[str, Any] | None = None,
    audit_it: bool = True,
    **values: Any,
) -> dict[str, Any]:
    """Post a document: its number is taken now (gapless), unless it comes from outside."""
    check_amount(amount, customer["currency"])
    check_open_period(tx, doc_date, KIND_LABEL[kind])
    seq = None
    if number is None:
        number, seq = next_number(tx, kind)
    else:
        number = number.strip()
        exists = tx.conn.execute(_NUMBER_TAKEN, {"kind": kind, "n": number}).first()
        if exists is not None:
            raise Refused(f"{KIND_LABEL[kind]} {number} already exists.", field="number")
        seq = sequence_value(tx, kind, number)
        if (
            seq is not None
            and tx.conn.execute(_SEQ_TAKEN, {"kind": kind, "seq": seq}).first() is not None
        ):
            raise Refused(
                f"{KIND_LABEL[kind]} {number} is already taken in another form.", field="number"
            )
    if is_debit(kind) and due_date is None:
        due_date = doc_date
    row = {
        "kind": kind,
        "number": number,
        "seq": seq,
        "customer_id": customer["id"],
        "currency": customer["currency"],
        "doc_date": doc_date,
        "due_date": due_date if is_debit(kind) else None,
        "amount": amount,
        "open_amount": amount,
        "closed_on": None,
        "status": "posted",
        "created_by": tx.user,
        "created_at": tx.now,
        **values,
    }
    if tx.sqlite:
        row["id"] = tx.conn.execute(_INSERT_DOC, row).inserted_primary_key[0]
        full = dict(tx.conn.execute(_SELECT_DOC, {"doc_id": row["id"]}).mappings().one())
    else:  # the stored row comes back with the INSERT: one round trip, not two
        full = dict(tx.conn.execute(_INSERT_DOC_RETURNING, row).mappings().one())
        row["id"] = full["id"]
    add_to_control(tx, full["currency"], doc_date, kind, amount)
    _docs(tx)[row["id"]] = full
    if not audit_it:
        return full
    audit.record(
        tx,
        audit_action or f"{kind}.post",
        entity="document",
        entity_id=row["id"],
        customer_id=customer["id"],
        document_id=row["id"],
        after=audit_after
        or {
            "kind": kind,
            "number": number,
            "date": doc_date,
            "amount": amount,
            "currency": customer["currency"],
        },
    )
    return full


# -- applications -------------------------------------------------------------------


_CONTROL: dict[str, Any] = {}


def _control_statement(dialect: str) -> Any:
    """The upsert of a day's control total, built once per dialect."""
    if dialect not in _CONTROL:
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as upsert
        else:
            from sqlalchemy.dialects.postgresql import insert as upsert
        stmt = upsert(T).values(
            currency=bindparam("cur"),
            day=bindparam("day"),
            debits=bindparam("dr"),
            credits=bindparam("cr"),
        )
        _CONTROL[dialect] = stmt.on_conflict_do_update(
            index_elements=[T.c.currency, T.c.day],
            set_={
                "debits": T.c.debits + stmt.excluded.debits,
                "credits": T.c.credits + stmt.excluded.credits,
            },
        )
    return _CONTROL[dialect]


def add_to_control(tx: Tx, currency: str, day: dt.date, kind: str, amount: int) -> None:
    """Add a posting to the day's control total, in the posting's transaction."""
    debit, credit = (amount, 0) if is_debit(kind) else (0, amount)
    tx.conn.execute(
        _control_statement(tx.conn.dialect.name),
        {"cur": currency, "day": day, "dr": debit, "cr": credit},
    )


def _set_open(tx: Tx, doc: dict[str, Any], new_open: int) -> None:
    closed_on = None
    if new_open == 0:
        last = _LAST_DEBIT_APP if is_debit(doc["kind"]) else _LAST_CREDIT_APP
        closed_on = tx.conn.execute(last, {"doc_id": doc["id"]}).scalar()
    tx.conn.execute(_SET_OPEN, {"doc_id": doc["id"], "new_open": new_open, "new_closed": closed_on})
    doc["open_amount"] = new_open
    doc["closed_on"] = closed_on


def set_open_many(tx: Tx, rows: list[dict[str, Any]]) -> None:
    """Several documents' open amounts at once: [{"doc_id", "new_open", "new_closed"}]."""
    tx.conn.execute(_SET_OPEN, rows)


def _describe(doc: Mapping[str, Any]) -> str:
    return f"{KIND_LABEL.get(doc['kind'], doc['kind'])} {doc['number'] or '(draft)'}"


def apply(
    tx: Tx,
    debit_id: int,
    credit_id: int,
    amount: int,
    on: dt.date,
    reason: str = "",
    *,
    audit_it: bool = True,
) -> Applied:
    """Settle `amount` of a debit document against a credit document."""
    docs = load_docs(tx, [debit_id, credit_id])
    debit, credit = docs[debit_id], docs[credit_id]
    _check_apply(tx, debit, credit, amount, on, debit["open_amount"], credit["open_amount"])
    app_id = tx.conn.execute(
        _INSERT_APP, _application(tx, debit, credit, amount, on, reason)
    ).inserted_primary_key[0]
    _set_open(tx, debit, debit["open_amount"] - amount)
    _set_open(tx, credit, credit["open_amount"] - amount)
    if audit_it:
        _audit_apply(tx, app_id, debit, credit, amount, on, reason)
    return Applied(app_id, debit_id, credit_id, amount, on, reason, debit["number"])


def _check_apply(
    tx: Tx,
    debit: Mapping[str, Any],
    credit: Mapping[str, Any],
    amount: int,
    on: dt.date,
    debit_open: int,
    credit_open: int,
) -> None:
    """What an application must satisfy, given what is still open on either side."""
    if not is_debit(debit["kind"]) or is_debit(credit["kind"]):
        raise Refused(
            f"{_describe(credit)} cannot be applied to {_describe(debit)}: an application "
            "settles a charge against a credit."
        )
    for doc in (debit, credit):
        if doc["status"] != "posted":
            raise Refused(f"{_describe(doc)} is a draft and cannot be applied.")
    cur = debit["currency"]
    check_amount(amount, cur, "An application")
    if debit["customer_id"] != credit["customer_id"]:
        raise Refused(
            f"{_describe(debit)} belongs to another customer; it cannot be settled by "
            f"{_describe(credit)}.",
            field="number",
        )
    if debit["currency"] != credit["currency"]:
        raise Refused(
            f"{_describe(debit)} is in {debit['currency']} and {_describe(credit)} in "
            f"{credit['currency']}: applications never cross currencies."
        )
    latest = max(debit["doc_date"], credit["doc_date"])
    if on < latest:
        raise Refused(
            f"An application dated {on.isoformat()} would come before its documents "
            f"(the later is dated {latest.isoformat()}).",
            field="date",
        )
    check_open_period(tx, on, "An application")
    if amount > debit_open:
        raise Refused(
            f"{money(amount, cur)} is more than the {money(debit_open, cur)} still "
            f"open on {_describe(debit)}.",
            field="amount",
        )
    if amount > credit_open:
        raise Refused(
            f"{money(amount, cur)} is more than the {money(credit_open, cur)} left "
            f"on {_describe(credit)}.",
            field="amount",
        )


def _application(
    tx: Tx,
    debit: Mapping[str, Any],
    credit: Mapping[str, Any],
    amount: int,
    on: dt.date,
    reason: str,
) -> dict[str, Any]:
    return {
        "debit_id": debit["id"],
        "credit_id": credit["id"],
        "amount": amount,
        "applied_on": on,
        "reason": reason,
        "undoes_id": None,
        "created_by": tx.user,
        "created_at": tx.now,
        **carried(debit, credit["doc_date"]),
    }


def _audit_apply(
    tx: Tx,
    app_id: int,
    debit: Mapping[str, Any],
    credit: Mapping[str, Any],
    amount: int,
    on: dt.date,
    reason: str,
) -> None:
    audit.record(
        tx,
        "apply",
        entity="application",
        entity_id=app_id,
        customer_id=debit["customer_id"],
        document_id=debit["id"],
        after={
            "debit": debit["number"],
            "credit": credit["number"],
            "amount": amount,
            "on": on,
            "reason": reason,
        },
    )


def apply_many(
    tx: Tx,
    credit_id: int,
    items: Sequence[tuple[int, int, str]],
    on: dt.date,
    *,
    audit_it: bool = True,
) -> list[Applied]:
    """Settle several debits (debit id, amount, reason) against one credit, as `apply`
    one after another would (the same rules, checked in order on what each leaves open;
    the same rows), written with fewer statements: on PostgreSQL the applications in
    one INSERT and the open amounts in one UPDATE, each document's once."""
    if not items:
        return []
    docs = load_docs(tx, [credit_id, *(i[0] for i in items)])
    credit = docs[credit_id]
    left = {i: d["open_amount"] for i, d in docs.items()}
    for debit_id, amount, _reason in items:
        debit = docs[debit_id]
        _check_apply(tx, debit, credit, amount, on, left[debit_id], left[credit_id])
        left[debit_id] -= amount
        left[credit_id] -= amount
    rows = [_application(tx, docs[d], credit, amount, on, why) for d, amount, why in items]
    if tx.sqlite:  # statements cost microseconds here: the plain ones, one by one
        ids = [tx.conn.execute(_INSERT_APP, r).inserted_primary_key[0] for r in rows]
        for doc_id in dict.fromkeys([*(i[0] for i in items), credit_id]):
            _set_open(tx, docs[doc_id], left[doc_id])
    else:
        ids = [r[0] for r in tx.conn.execute(_INSERT_APPS_RETURNING, rows)]
        changed = list(dict.fromkeys([*(i[0] for i in items), credit_id]))
        set_open_pg(tx, [docs[i] for i in changed], [left[i] for i in changed])
    out = []
    for app_id, (debit_id, amount, why) in zip(ids, items, strict=True):
        if audit_it:
            _audit_apply(tx, app_id, docs[debit_id], credit, amount, on, why)
        out.append(Applied(app_id, debit_id, credit_id, amount, on, why, docs[debit_id]["number"]))
    return out


# PostgreSQL: many open amounts in one statement; a document that reaches zero closes on
# its latest application's date, as `_set_open` reads it.
_SET_OPEN_PG = """
UPDATE document AS d SET open_amount = v.open_amount,
    closed_on = CASE WHEN v.open_amount <> 0 THEN NULL
        WHEN v.is_debit THEN (SELECT max(a.applied_on) FROM application a WHERE a.debit_id = d.id)
        ELSE (SELECT max(a.applied_on) FROM application a WHERE a.credit_id = d.id) END
FROM unnest(%b::integer[], %b::integer[], %b::boolean[]) AS v(id, open_amount, is_debit)
WHERE d.id = v.id
RETURNING d.id, d.closed_on
"""


def set_open_pg(tx: Tx, docs: list[dict[str, Any]], new_open: list[int]) -> None:
    """PostgreSQL: documents' new open amounts (and closing dates) with one statement,
    the documents' dicts (this transaction's cache) kept current."""
    closed = dict(
        tx.conn.exec_driver_sql(
            _SET_OPEN_PG,
            ([d["id"] for d in docs], new_open, [is_debit(d["kind"]) for d in docs]),
        ).all()
    )
    for doc, value in zip(docs, new_open, strict=True):
        doc["open_amount"] = value
        doc["closed_on"] = closed[doc["id"]]


def net_applications(tx: Tx, doc_id: int) -> list[dict[str, Any]]:
    """The applications on a document that are still in force (not yet undone)."""
    undone = select(A.c.undoes_id).where(A.c.undoes_id.is_not(None))
    rows = tx.conn.execute(
        select(A)
        .where(
            (A.c.debit_id == doc_id) | (A.c.credit_id == doc_id),
            A.c.amount > 0,
            A.c.id.not_in(undone),
        )
        .order_by(A.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def unapply(tx: Tx, application_id: int, on: dt.date, reason: str = "") -> Applied:
    """Undo an application: a new row with the negative amount, dated `on`."""
    row = tx.conn.execute(select(A).where(A.c.id == application_id)).mappings().first()
    if row is None:
        raise NotFound(f"There is no application {application_id}.")
    if row["amount"] <= 0:
        raise Refused("That row is itself an un-application and cannot be undone.")
    again = tx.conn.execute(select(A.c.id).where(A.c.undoes_id == application_id)).first()
    if again is not None:
        raise Refused("That application was already undone.")
    if on < row["applied_on"]:
        raise Refused(
            f"An un-application dated {on.isoformat()} would come before the application "
            f"it undoes ({row['applied_on'].isoformat()}).",
            field="date",
        )
    check_open_period(tx, on, "An un-application")
    docs = load_docs(tx, [row["debit_id"], row["credit_id"]])
    debit, credit = docs[row["debit_id"]], docs[row["credit_id"]]
    amount = row["amount"]
    app_id = tx.conn.execute(
        insert(A).values(
            debit_id=debit["id"],
            credit_id=credit["id"],
            amount=-amount,
            applied_on=on,
            reason=reason or "unapplied",
            undoes_id=application_id,
            created_by=tx.user,
            created_at=tx.now,
            **carried(debit, credit["doc_date"]),
        )
    ).inserted_primary_key[0]
    _set_open(tx, debit, debit["open_amount"] + amount)
    _set_open(tx, credit, credit["open_amount"] + amount)
    audit.record(
        tx,
        "unapply",
        entity="application",
        entity_id=app_id,
        customer_id=debit["customer_id"],
        document_id=debit["id"],
        before={"application": application_id, "amount": amount},
        after={"debit": debit["number"], "credit": credit["number"], "amount": -amount, "on": on},
    )
    return Applied(app_id, debit["id"], credit["id"], -amount, on, reason, debit["number"])


def open_debits(tx: Tx, customer_id: int) -> list[dict[str, Any]]:
    """The customer's open charges, oldest due first (read inside the writing unit)."""
    ids = [
        r[0]
        for r in tx.conn.execute(
            select(D.c.id)
            .where(
                D.c.customer_id == customer_id,
                IS_OPEN,
                D.c.status == "posted",
                D.c.kind.in_(DEBIT_KINDS),
            )
            .order_by(D.c.due_date, D.c.doc_date, D.c.id)
        )
    ]
    docs = load_docs(tx, ids)
    return [docs[i] for i in ids]


def open_credits(tx: Tx, customer_id: int) -> list[dict[str, Any]]:
    ids = [
        r[0]
        for r in tx.conn.execute(
            select(D.c.id)
            .where(
                D.c.customer_id == customer_id,
                IS_OPEN,
                D.c.status == "posted",
                D.c.kind.in_(CREDIT_KINDS),
            )
            .order_by(D.c.doc_date, D.c.id)
        )
    ]
    docs = load_docs(tx, ids)
    return [docs[i] for i in ids]


def documents_of(tx: Tx, ids: Iterable[int]) -> list[Doc]:
    return [Doc.of(d) for d in load_docs(tx, list(ids)).values()]
