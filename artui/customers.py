"""Customer records: customers, contacts, addresses, credit hold.

Every change is audited with before and after, in the same transaction; records carry a
version, so a save that lost a race with another clerk says who changed it and
overwrites nothing. The search index is rebuilt in the same transaction.
"""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import insert, select, update

from artui import audit
from artui.book import Tx, read_only, unit_of_work
from artui.dates import TermsError, parse_terms
from artui.errors import Conflict, NotFound, Refused
from artui.sensitive import refuse_card_numbers
from db.models import Address, Contact, Customer
from db.search import build_search_text

C = Customer.__table__
K = Contact.__table__
AD = Address.__table__

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_ANSI = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Text as stored: escape sequences, control characters and bidi overrides removed
    (they would drive the clerk's terminal), NFC-normalised, outer spaces trimmed."""
    value = _ANSI.sub("", value or "")
    if multiline:
        value = value.replace("\r\n", "\n")
        value = "\n".join(_CONTROL.sub("", line) for line in value.split("\n"))
    else:
        value = _CONTROL.sub(" ", value)
    return unicodedata.normalize("NFC", value.translate(_BIDI)).strip()


@dataclass(frozen=True)
class CustomerInput:
    account: str
    name: str
    terms: str = "NET30"
    credit_limit: int = 0
    currency: str = "USD"
    tax_id: str = ""
    notes: str = ""
    status: str = "active"
    collector: str = ""
    delivery: str = "email"
    portal: str = ""
    # first contact and billing address, for new customers
    contact: str = ""
    email: str = ""
    phone: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""


@dataclass(frozen=True)
class ContactInput:
    name: str
    role: str = ""
    email: str = ""
    phone: str = ""
    mobile: str = ""
    is_billing: bool = False


EDITABLE = (
    "name",
    "terms",
    "credit_limit",
    "tax_id",
    "notes",
    "status",
    "collector",
    "delivery",
    "portal",
)


def validate_customer(inp: CustomerInput) -> dict[str, str]:
    """Problems by field name; empty when the record may be saved."""
    problems: dict[str, str] = {}
    if not clean_text(inp.account):
        problems["account"] = "The account number is required."
    elif not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,31}", clean_text(inp.account)):
        problems["account"] = "An account number is 1-32 letters, digits, dots, dashes or slashes."
    if not clean_text(inp.name):
        problems["name"] = "The name is required."
    elif len(inp.name) > 200:
        problems["name"] = "A name is at most 200 characters."
    try:
        parse_terms(inp.terms)
    except TermsError as exc:
        problems["terms"] = str(exc)
    if inp.credit_limit < 0:
        problems["credit_limit"] = "A credit limit cannot be negative (0 means none)."
    if not re.fullmatch(r"[A-Z]{3}", inp.currency or ""):
        problems["currency"] = f"'{inp.currency}' is not a currency code such as USD."
    if inp.email and not _EMAIL.match(inp.email.strip()):
        problems["email"] = f"'{inp.email}' is not an email address."
    if inp.status not in ("active", "inactive"):
        problems["status"] = "Status is active or inactive."
    if inp.delivery not in ("email", "mail", "portal"):
        problems["delivery"] = "Delivery is email, mail or portal."
    for name in ("notes", "tax_id", "name"):
        try:
            refuse_card_numbers(getattr(inp, name), name)
        except Refused as exc:
            problems[name] = str(exc)
    return problems


def _raise_first(problems: Mapping[str, str]) -> None:
    if problems:
        field, message = next(iter(problems.items()))
        raise Refused(message, field=field)


def refresh_search(tx: Tx, customer_id: int) -> None:
    """Rebuild one customer's search words from its record and contacts."""
    cust = tx.conn.execute(select(C.c.account, C.c.name).where(C.c.id == customer_id)).one()
    city = tx.conn.execute(
        select(AD.c.city).where(AD.c.customer_id == customer_id).order_by(AD.c.id).limit(1)
    ).scalar()
    contacts = [
        (r.name, r.email, r.phone + " " + r.mobile)
        for r in tx.conn.execute(
            select(K.c.name, K.c.email, K.c.phone, K.c.mobile).where(K.c.customer_id == customer_id)
        )
    ]
    phones = [p for _, _, ph in contacts for p in ph.split()]
    text = build_search_text(
        cust.account, cust.name, city or "", [(n, e, "") for n, e, _ in contacts], phones
    )
    tx.conn.execute(update(C).where(C.c.id == customer_id).values(search_text=text))


@unit_of_work
def create_customer(tx: Tx, inp: CustomerInput) -> int:
    _raise_first(validate_customer(inp))
    account = clean_text(inp.account)
    if tx.conn.execute(select(C.c.id).where(C.c.account == account)).first() is not None:
        raise Refused(f"Account {account} already exists.", field="account")
    values = {f: getattr(inp, f) for f in EDITABLE}
    values.update(
        name=clean_text(inp.name),
        notes=clean_text(inp.notes, multiline=True),
        terms=parse_terms(inp.terms).code,
        account=account,
        currency=inp.currency,
        created_at=tx.now,
        updated_at=tx.now,
        updated_by=tx.user,
    )
    cid = tx.conn.execute(insert(C).values(**values)).inserted_primary_key[0]
    if inp.contact or inp.email or inp.phone:
        tx.conn.execute(
            insert(K).values(
                customer_id=cid,
                name=clean_text(inp.contact) or clean_text(inp.name),
                email=inp.email.strip(),
                phone=clean_text(inp.phone),
                is_billing=True,
            )
        )
    if any((inp.address1, inp.city, inp.postal_code, inp.country)):
        tx.conn.execute(
            insert(AD).values(
                customer_id=cid,
                kind="billing",
                line1=clean_text(inp.address1),
                line2=clean_text(inp.address2),
                city=clean_text(inp.city),
                region=clean_text(inp.region),
                postal_code=clean_text(inp.postal_code),
                country=clean_text(inp.country),
            )
        )
    refresh_search(tx, cid)
    audit.record(
        tx,
        "customer.create",
        entity="customer",
        entity_id=cid,
        customer_id=cid,
        after={f.name: getattr(inp, f.name) for f in fields(inp)},
    )
    return cid


@unit_of_work
def update_customer(tx: Tx, customer_id: int, version: int, changes: Mapping[str, Any]) -> int:
    """Save edits made from `version`. Returns the new version."""
    old = tx.conn.execute(select(C).where(C.c.id == customer_id)).mappings().first()
    if old is None:
        raise NotFound("That customer no longer exists.")
    if old["version"] != version:
        raise Conflict(
            f"{old['updated_by'] or 'Another clerk'} changed {old['name']} after you opened "
            "it; your changes are kept on screen, reopen the record to see theirs.",
        )
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Refused(f"{', '.join(sorted(unknown))} cannot be changed here.")
    merged = {f: old[f] for f in EDITABLE} | dict(changes)
    inp = CustomerInput(account=old["account"], currency=old["currency"], **merged)
    _raise_first(validate_customer(inp))
    values = dict(changes)
    if "name" in values:
        values["name"] = clean_text(values["name"])
    if "notes" in values:
        values["notes"] = clean_text(values["notes"], multiline=True)
    if "terms" in values:
        values["terms"] = parse_terms(values["terms"]).code
    before = {k: old[k] for k in values}
    if before == values:
        return version
    tx.conn.execute(
        update(C)
        .where(C.c.id == customer_id, C.c.version == version)
        .values(**values, version=version + 1, updated_at=tx.now, updated_by=tx.user)
    )
    if "name" in values:
        refresh_search(tx, customer_id)
    audit.record(
        tx,
        "customer.update",
        entity="customer",
        entity_id=customer_id,
        customer_id=customer_id,
        before=before,
        after=values,
    )
    return version + 1


def set_hold_in(tx: Tx, customer_id: int, on_hold: bool, reason: str) -> None:
    old = tx.conn.execute(select(C).where(C.c.id == customer_id)).mappings().one()
    reason = clean_text(reason)
    if on_hold and not reason:
        raise Refused("Say why the customer goes on hold.", field="reason")
    refuse_card_numbers(reason, "reason")
    tx.conn.execute(
        update(C)
        .where(C.c.id == customer_id)
        .values(
            on_hold=on_hold,
            hold_reason=reason if on_hold else "",
            version=old["version"] + 1,
            updated_at=tx.now,
            updated_by=tx.user,
        )
    )
    audit.record(
        tx,
        "customer.hold" if on_hold else "customer.release",
        entity="customer",
        entity_id=customer_id,
        customer_id=customer_id,
        before={"on_hold": old["on_hold"], "hold_reason": old["hold_reason"]},
        after={"on_hold": on_hold, "hold_reason": reason if on_hold else ""},
    )


@unit_of_work
def set_hold(tx: Tx, customer_id: int, on_hold: bool, reason: str = "") -> None:
    """Put a customer on credit hold (with a reason) or take them off it."""
    set_hold_in(tx, customer_id, on_hold, reason)


def _validate_contact(inp: ContactInput) -> None:
    if not clean_text(inp.name):
        raise Refused("A contact needs a name.", field="name")
    if inp.email and not _EMAIL.match(inp.email.strip()):
        raise Refused(f"'{inp.email}' is not an email address.", field="email")
    for name in ("phone", "mobile"):
        value = getattr(inp, name)
        if value and not re.fullmatch(r"[0-9+()./ x-]{3,32}", value.strip()):
            raise Refused(f"'{value}' is not a phone number.", field=name)


@unit_of_work
def save_contact(
    tx: Tx,
    customer_id: int,
    inp: ContactInput,
    contact_id: int | None = None,
    version: int | None = None,
) -> int:
    """Add or edit a contact; marking one as billing contact unmarks the others."""
    _validate_contact(inp)
    values = {
        "name": clean_text(inp.name),
        "role": clean_text(inp.role),
        "email": inp.email.strip(),
        "phone": clean_text(inp.phone),
        "mobile": clean_text(inp.mobile),
        "is_billing": inp.is_billing,
    }
    if inp.is_billing:
        tx.conn.execute(update(K).where(K.c.customer_id == customer_id).values(is_billing=False))
    if contact_id is None:
        contact_id = tx.conn.execute(
            insert(K).values(customer_id=customer_id, **values)
        ).inserted_primary_key[0]
        before = None
    else:
        old = tx.conn.execute(select(K).where(K.c.id == contact_id)).mappings().first()
        if old is None or old["customer_id"] != customer_id:
            raise NotFound("That contact no longer exists.")
        if version is not None and old["version"] != version:
            raise Conflict("Another clerk changed this contact after you opened it.")
        before = {k: old[k] for k in values}
        tx.conn.execute(
            update(K).where(K.c.id == contact_id).values(**values, version=old["version"] + 1)
        )
    refresh_search(tx, customer_id)
    audit.record(
        tx,
        "contact.save",
        entity="contact",
        entity_id=contact_id,
        customer_id=customer_id,
        before=before,
        after=values,
    )
    return contact_id


@dataclass(frozen=True)
class CustomerRecord:
    id: int
    account: str
    name: str
    status: str
    on_hold: bool
    hold_reason: str
    terms: str
    credit_limit: int
    currency: str
    tax_id: str
    notes: str
    collector: str
    delivery: str
    portal: str
    escalation: str
    version: int
    updated_by: str


@dataclass(frozen=True)
class ContactRecord:
    id: int
    name: str
    role: str
    email: str
    phone: str
    mobile: str
    is_billing: bool
    version: int


@dataclass(frozen=True)
class AddressRecord:
    id: int
    kind: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str

    def lines(self) -> list[str]:
        city = " ".join(p for p in (self.city, self.region, self.postal_code) if p)
        return [p for p in (self.line1, self.line2, city, self.country) if p]


def _record(cls: type, row: Mapping[str, Any]) -> Any:
    return cls(**{f.name: row[f.name] for f in fields(cls)})


@read_only
def get_customer(tx: Tx, customer: int | str) -> CustomerRecord:
    cond = C.c.id == customer if isinstance(customer, int) else C.c.account == customer
    row = tx.conn.execute(select(C).where(cond)).mappings().first()
    if row is None:
        raise NotFound(f"There is no customer with account {customer}.", field="account")
    return _record(CustomerRecord, row)


@read_only
def contacts(tx: Tx, customer_id: int) -> list[ContactRecord]:
    rows = tx.conn.execute(
        select(K).where(K.c.customer_id == customer_id).order_by(K.c.is_billing.desc(), K.c.id)
    ).mappings()
    return [_record(ContactRecord, r) for r in rows]


@read_only
def addresses(tx: Tx, customer_id: int) -> list[AddressRecord]:
    rows = tx.conn.execute(
        select(AD).where(AD.c.customer_id == customer_id).order_by(AD.c.id)
    ).mappings()
    return [_record(AddressRecord, r) for r in rows]
