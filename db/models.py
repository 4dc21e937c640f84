"""The book's tables.

Money is integer minor units; rates are integer thousandths of a percent (7.25 % -> 7250);
quantities are integer thousandths of a unit. Dates are `datetime.date`, timestamps are
UTC `datetime`. The services in `artui/` talk to these tables through SQLAlchemy Core
(`Model.__table__`), never through lazy-loading ORM objects.

No `from __future__ import annotations` here: it breaks SQLModel.
"""

import datetime as dt

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel
from sqlmodel.main import SQLModelConfig

from db import types  # noqa: F401  (STRICT-friendly type names on SQLite)

STRICT = {"sqlite_strict": True}


class Table(SQLModel):
    """The base of every table: the schemas pydantic would build for validating
    instances are built only if one is ever validated (the program reads and writes
    through the tables, never through model instances): a third of start-up otherwise."""

    model_config = SQLModelConfig(defer_build=True)


class Company(Table, table=True):
    """One row (id 1): the company whose book this is, and its settings."""

    __tablename__ = "company"
    __table_args__ = STRICT
    id: int = Field(default=1, primary_key=True)
    name: str = "My Company"
    currency: str = "USD"
    address: str = ""  # remit-to block, several lines
    email: str = ""
    phone: str = ""
    tax_id: str = ""
    closed_through: dt.date | None = None  # nothing posted or applied on or before
    hold_blocks_invoices: bool = True  # a customer on hold gets no new invoices
    over_limit_blocks_invoices: bool = False
    approval_limit: int = 100000  # credit memos/refunds above this need a supervisor
    writeoff_tolerance: int = 500  # a short pay up to this may be written off by a clerk
    tax_shipping: bool = False
    unknown_user: str = "refuse"  # refuse | readonly
    version: int = 1


class Setting(Table, table=True):
    """Free-form settings (dunning levels, mail, keymap) as key/value text."""

    __tablename__ = "setting"
    __table_args__ = STRICT
    key: str = Field(primary_key=True)
    value: str = ""


class Sequence(Table, table=True):
    """Gapless number sequences, one per document kind. Taken inside the posting
    transaction, so a rolled-back posting gives its number back."""

    __tablename__ = "sequence"
    __table_args__ = STRICT
    kind: str = Field(primary_key=True)
    prefix: str
    width: int = 6
    next_value: int = 1


class AppUser(Table, table=True):
    __tablename__ = "app_user"
    __table_args__ = STRICT
    name: str = Field(primary_key=True)  # login name
    full_name: str = ""
    role: str = "clerk"  # clerk | supervisor | admin
    email: str = ""
    active: bool = True
    writeoff_limit: int = 500


class PaymentTerms(Table, table=True):
    __tablename__ = "payment_terms"
    __table_args__ = STRICT
    code: str = Field(primary_key=True)  # NET30, 2/10NET30, DUE, NET30EOM
    description: str = ""


class Customer(Table, table=True):
    __tablename__ = "customer"
    __table_args__ = STRICT
    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(unique=True)
    name: str = Field(index=True)
    status: str = "active"  # active | inactive
    on_hold: bool = False
    hold_reason: str = ""
    terms: str = "NET30"
    credit_limit: int = 0  # 0 = no limit
    currency: str = "USD"
    tax_id: str = ""
    notes: str = ""
    collector: str = ""  # login name of the assigned collector
    delivery: str = "email"  # email | mail | portal
    portal: str = ""
    escalation: str = ""  # "" | supervisor | agency
    # Lowercased words of name, account, city, contacts, emails and every suffix of every
    # phone's digits: the FTS5 index (SQLite) or trigram index (PostgreSQL) reads this.
    search_text: str = ""
    version: int = 1
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    updated_by: str = ""


class Contact(Table, table=True):
    __tablename__ = "contact"
    __table_args__ = STRICT
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    name: str
    role: str = ""
    email: str = ""
    phone: str = ""
    mobile: str = ""
    is_billing: bool = False
    version: int = 1


class Address(Table, table=True):
    __tablename__ = "address"
    __table_args__ = STRICT
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    kind: str = "billing"  # billing | shipping
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""


class Item(Table, table=True):
    __tablename__ = "item"
    __table_args__ = STRICT
    code: str = Field(primary_key=True)
    description: str
    unit_price: int = 0
    tax_rate: int = 0  # thousandths of a percent
    active: bool = True


class CustomerPrice(Table, table=True):
    __tablename__ = "customer_price"
    __table_args__ = STRICT
    customer_id: int = Field(foreign_key="customer.id", primary_key=True)
    item_code: str = Field(foreign_key="item.code", primary_key=True)
    unit_price: int


class DepositBatch(Table, table=True):
    __tablename__ = "deposit_batch"
    __table_args__ = STRICT
    id: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, unique=True)
    deposit_date: dt.date
    bank_account: str = ""
    currency: str = "USD"
    expected_total: int = 0
    expected_count: int = 0
    status: str = "open"  # open | posted
    created_by: str = ""
    created_at: dt.datetime | None = None
    posted_at: dt.datetime | None = None
    posted_by: str = ""
    out_of_balance_reason: str = ""


class BatchReceipt(Table, table=True):
    """A receipt typed into an open deposit batch: not yet posted, so still editable.
    Posting the batch posts every line as a payment with its applications."""

    __tablename__ = "batch_receipt"
    __table_args__ = STRICT
    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="deposit_batch.id", index=True)
    line_no: int
    # empty while a line imported from a remittance file waits for the clerk to find it
    customer_id: int | None = Field(default=None, foreign_key="customer.id")
    amount: int
    method: str = "check"
    reference: str = ""
    card_brand: str = ""
    card_last4: str = ""
    payer: str = ""
    remittance: str = ""  # invoice numbers on the remittance, space-separated
    # planned applications: JSON [[document_id, amount, why], ...]; "" = auto at posting
    allocations: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    short_reason: str = ""  # dispute | discount | deduction, for a short payment
    write_off: int = 0  # of the short amount, within tolerance
    posted_document_id: int | None = Field(default=None, foreign_key="document.id")
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    version: int = 1
    created_by: str = ""
    created_at: dt.datetime | None = None


class Document(Table, table=True):
    """A posted (or draft) document. Debit kinds raise the balance, credit kinds lower it.
    `amount` is always positive; `open_amount` is kept with its applications."""

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("kind", "number", name="uq_document_kind_number"),
        UniqueConstraint("command_id", name="uq_document_command_id"),
        Index("ix_document_customer_date", "customer_id", "doc_date"),
        Index("ix_document_number", "number"),
        Index("ix_document_kind_seq", "kind", "seq"),
        Index("ix_document_reference", "reference"),
        Index("ix_document_closed_on", "closed_on"),
        Index(  # covers the aging's columns (migration 0007): it never reads the table
            "ix_document_open",
            "customer_id",
            "due_date",
            "doc_date",
            "kind",
            "status",
            "open_amount",
            sqlite_where=text("open_amount > 0"),
            # postgresql_where is added by postgresql_options(): naming it here loads
            # SQLAlchemy's PostgreSQL dialects (~50 ms of every start on SQLite)
        ),
        STRICT,
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str  # invoice, debit_memo, finance_charge, returned_payment, refund,
    #           payment, credit_memo, write_off, discount, void
    number: str | None = None  # None while a draft
    seq: int | None = None  # the sequence value behind `number`; None for imported numbers
    customer_id: int = Field(foreign_key="customer.id")
    currency: str
    doc_date: dt.date
    due_date: dt.date | None = None
    discount_until: dt.date | None = None
    discount_amount: int = 0  # early-payment discount offered by the terms
    terms: str = ""
    amount: int
    open_amount: int
    closed_on: dt.date | None = None  # the date open_amount last reached zero
    status: str = "posted"  # draft | posted
    subtotal: int = 0  # lines after line discounts
    discount_total: int = 0
    tax_total: int = 0
    shipping: int = 0
    reference: str = ""  # PO for invoices, check/wire reference for payments
    memo: str = ""
    reason: str = ""  # reason code for credits, write-offs, voids, returns
    batch_id: int | None = Field(default=None, foreign_key="deposit_batch.id", index=True)
    reverses_id: int | None = Field(default=None, foreign_key="document.id")
    command_id: str | None = None  # idempotency key made when the clerk started the entry
    created_by: str = ""
    created_at: dt.datetime | None = None
    version: int = 1


class DailyTotal(Table, table=True):
    """A control total: what was posted each day, per currency, kept in the posting's
    transaction. The aging ties out to it without summing millions of documents, and
    `artui check` recomputes it from the documents."""

    __tablename__ = "daily_total"
    __table_args__ = STRICT
    currency: str = Field(primary_key=True)
    day: dt.date = Field(primary_key=True)
    debits: int = 0
    credits: int = 0


class InvoiceLine(Table, table=True):
    __tablename__ = "invoice_line"
    __table_args__ = STRICT
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    line_no: int
    item_code: str = ""
    description: str = ""
    quantity: int = 1000  # thousandths
    unit_price: int = 0
    discount_rate: int = 0  # thousandths of a percent
    tax_rate: int = 0  # thousandths of a percent
    amount: int = 0  # quantity x price less discount, rounded half-up once
    credits_line_id: int | None = None  # on a credit memo: the invoice line it credits


class ReceiptDetail(Table, table=True):
    """How a payment arrived. Card payments keep brand and last four only."""

    __tablename__ = "receipt_detail"
    __table_args__ = STRICT
    document_id: int = Field(foreign_key="document.id", primary_key=True)
    method: str = "check"  # check | ach | wire | card | cash
    reference: str = ""
    card_brand: str = ""
    card_last4: str = ""
    payer: str = ""


class Application(Table, table=True):
    """Settles a debit document against a credit document. Never deleted: an
    un-application is a new row with the negative amount, dated the day it was undone."""

    __tablename__ = "application"
    __table_args__ = (
        Index("ix_application_debit", "debit_id", "applied_on"),
        Index("ix_application_credit", "credit_id", "applied_on"),
        Index("ix_application_applied_on", "applied_on"),
        # The aging's add-back (applications after a date), per customer, from the
        # index alone and in customer order.
        Index(
            "ix_application_aging",
            "customer_id",
            "applied_on",
            "debit_date",
            "debit_due",
            "credit_date",
            "amount",
        ),
        STRICT,
    )
    id: int | None = Field(default=None, primary_key=True)
    debit_id: int = Field(foreign_key="document.id")
    credit_id: int = Field(foreign_key="document.id")
    amount: int  # negative for an un-application
    applied_on: dt.date
    reason: str = ""
    undoes_id: int | None = Field(default=None, foreign_key="application.id")
    created_by: str = ""
    created_at: dt.datetime | None = None
    # Copied from the two documents, which never change once posted (see migration 0013).
    customer_id: int | None = None
    debit_date: dt.date | None = None
    debit_due: dt.date | None = None
    credit_date: dt.date | None = None


class FollowUp(Table, table=True):
    """A logged contact with the customer (call, email, letter, visit). Never edited."""

    __tablename__ = "follow_up"
    __table_args__ = (Index("ix_follow_up_customer", "customer_id", "created_at"), STRICT)
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    channel: str = "call"
    outcome: str = ""
    note: str = ""
    next_action_on: dt.date | None = None
    annotates_id: int | None = Field(default=None, foreign_key="follow_up.id")
    created_by: str = ""
    created_at: dt.datetime | None = None


class Promise(Table, table=True):
    __tablename__ = "promise"
    __table_args__ = (Index("ix_promise_customer", "customer_id", "due_on"), STRICT)
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    follow_up_id: int | None = Field(default=None, foreign_key="follow_up.id")
    plan_id: int | None = None  # instalments of one payment plan share it
    amount: int
    due_on: dt.date
    made_on: dt.date | None = None  # the working date it was made on (migration 0005)
    status: str = "open"  # open | kept | broken | cancelled
    settled_on: dt.date | None = None
    created_by: str = ""
    created_at: dt.datetime | None = None


class Dispute(Table, table=True):
    __tablename__ = "dispute"
    __table_args__ = (Index("ix_dispute_customer", "customer_id"), STRICT)
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    document_id: int | None = Field(default=None, foreign_key="document.id")
    amount: int
    reason: str = ""
    owner: str = ""
    note: str = ""
    status: str = "open"  # open | credited | written_off | rejected
    opened_on: dt.date
    resolved_on: dt.date | None = None
    created_by: str = ""


class ApprovalRequest(Table, table=True):
    __tablename__ = "approval_request"
    __table_args__ = STRICT
    id: int | None = Field(default=None, primary_key=True)
    action: str  # write_off, void, credit_memo, refund, batch_out_of_balance
    payload: str = Field(sa_column=Column(Text, nullable=False))  # canonical JSON
    customer_id: int | None = Field(default=None, foreign_key="customer.id")
    amount: int = 0
    status: str = "pending"  # pending | approved | rejected | posted
    requested_by: str = ""
    requested_at: dt.datetime | None = None
    decided_by: str = ""
    decided_at: dt.datetime | None = None
    note: str = ""


class AuditEvent(Table, table=True):
    """Who did what, with before and after, in a hash chain: each hash covers the
    event's content and the previous event's hash."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_customer", "customer_id"), STRICT)
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime
    user: str
    terminal: str = ""
    action: str
    entity: str = ""
    entity_id: str = ""
    customer_id: int | None = None
    document_id: int | None = None
    before: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    after: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    prev_hash: str = ""
    hash: str = ""


class Outbox(Table, table=True):
    """Side effects (mail, files) written with the transaction, sent after commit."""

    __tablename__ = "outbox"
    __table_args__ = STRICT
    id: int | None = Field(default=None, primary_key=True)
    kind: str
    payload: str = Field(sa_column=Column(Text, nullable=False))
    status: str = "pending"  # pending | sent | failed
    attempts: int = 0
    last_error: str = ""
    created_at: dt.datetime | None = None
    sent_at: dt.datetime | None = None


class Delivery(Table, table=True):
    """An invoice sent to its customer: by email (through the outbox, whose row says
    whether the server took it), on paper (a day's print file) or to the customer's
    portal (where, and the portal's confirmation number); confirmed once received."""

    __tablename__ = "delivery"
    __table_args__ = STRICT
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    channel: str  # email | mail | portal
    status: str = "queued"  # queued | sent | failed | confirmed
    address: str = ""  # the email address, the portal, or the print file
    detail: str = ""  # the server's reason, the portal's confirmation number, a note
    outbox_id: int | None = Field(default=None, foreign_key="outbox.id")
    sent_on: dt.date  # the working date it was sent (chasing counts from it)
    created_by: str = ""
    created_at: dt.datetime | None = None
    confirmed_at: dt.datetime | None = None


class StatementRun(Table, table=True):
    """A statement run: who was chosen, as of when, and how they were delivered; its
    statements can be printed again, identically, from it (migration 0006)."""

    __tablename__ = "statement_run"
    __table_args__ = STRICT
    id: int | None = Field(default=None, primary_key=True)
    as_of: dt.date
    period_from: dt.date | None = None  # set: activity statements; else open item
    criteria: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    delivery: str = "files"  # files | email | print
    folder: str = ""
    status: str = "running"  # running | done
    total: int = 0
    created_by: str = ""
    created_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None


class StatementRunItem(Table, table=True):
    __tablename__ = "statement_run_item"
    __table_args__ = (Index("ix_statement_run_item_run", "run_id", "position"), STRICT)
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="statement_run.id")
    position: int
    customer_id: int = Field(foreign_key="customer.id")
    balance: int = 0
    status: str = "pending"  # pending | done
    file: str = ""
    email: str = ""
    outbox_id: int | None = None


def _core_defaults() -> None:
    """Give every column the default its model field declares, so that Core inserts
    (which the services and bulk loads use) may leave those columns out."""
    from pydantic_core import PydanticUndefined
    from sqlalchemy import ColumnDefault

    for model in SQLModel.__subclasses__():
        table = getattr(model, "__table__", None)
        if table is None:
            continue
        for name, field in model.model_fields.items():
            column = table.columns.get(name)
            if column is None or column.default is not None or column.primary_key:
                continue
            if field.default is not PydanticUndefined and field.default is not None:
                column.default = ColumnDefault(field.default)
                column.default._set_parent(column)


_core_defaults()


class Contract(Table, table=True):
    """Recurring billing: a customer billed the same lines every cycle until the end."""

    __tablename__ = "contract"
    __table_args__ = STRICT
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    name: str
    cycle: str  # monthly | quarterly | yearly
    day: int  # of the month the cycle bills on (1-28)
    start: dt.date
    end: dt.date | None = None
    active: bool = True
    reference: str = ""  # the PO the invoices carry
    created_by: str = ""
    created_at: dt.datetime | None = None


class ContractLine(Table, table=True):
    __tablename__ = "contract_line"
    __table_args__ = STRICT
    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    line_no: int
    item_code: str = ""
    description: str = ""
    quantity: int = 1000
    unit_price: int = 0
    discount_rate: int = 0
    tax_rate: int = 0


class ContractBilling(Table, table=True):
    """One contract billed for one cycle date: at most once (the unique key)."""

    __tablename__ = "contract_billing"
    __table_args__ = (UniqueConstraint("contract_id", "cycle_date"), STRICT)
    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id")
    cycle_date: dt.date
    document_id: int | None = Field(default=None, foreign_key="document.id")
    status: str = "draft"  # draft | posted | skipped


class SalesOrder(Table, table=True):
    """What a customer ordered: billed into invoices, whole or in part, never twice."""

    __tablename__ = "sales_order"
    __table_args__ = STRICT
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    order_date: dt.date
    reference: str = ""  # the customer's PO
    memo: str = ""
    status: str = "open"  # open | billed | cancelled
    created_by: str = ""
    created_at: dt.datetime | None = None


class SalesOrderLine(Table, table=True):
    __tablename__ = "sales_order_line"
    __table_args__ = STRICT
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    line_no: int
    item_code: str = ""
    description: str = ""
    quantity: int = 1000  # thousandths
    unit_price: int = 0
    discount_rate: int = 0
    tax_rate: int = 0
    billed_quantity: int = 0


def postgresql_options() -> None:
    """The PostgreSQL half of the partial open-items index, added once a PostgreSQL
    engine is made (what `create_all` and alembic's comparison read)."""
    ix = next(i for i in Document.__table__.indexes if i.name == "ix_document_open")
    if ix.dialect_options["postgresql"]["where"] is None:
        ix.dialect_options["postgresql"]["where"] = text("open_amount > 0")
