"""The item catalogue as the invoice entry uses it: active items by code, with the
customer's own price where one is set."""

from dataclasses import dataclass

from sqlalchemy import select

from artui.book import Tx, read_only, unit_of_work
from db.models import CustomerPrice, Item

I = Item.__table__  # noqa: E741
CP = CustomerPrice.__table__


@dataclass(frozen=True)
class CatalogueItem:
    code: str
    description: str
    unit_price: int
    tax_rate: int  # thousandths of a percent
    customer_price: bool = False  # the customer's own price, not the list price


@read_only
def catalogue(tx: Tx, customer_id: int | None = None) -> dict[str, CatalogueItem]:
    """Active items by upper-cased code; a customer's prices replace the list prices."""
    own = {}
    if customer_id is not None:
        own = dict(
            tx.conn.execute(
                select(CP.c.item_code, CP.c.unit_price).where(CP.c.customer_id == customer_id)
            ).all()
        )
    out = {}
    for r in tx.conn.execute(select(I).where(I.c.active.is_(True)).order_by(I.c.code)):
        price = own.get(r.code, r.unit_price)
        out[r.code.upper()] = CatalogueItem(r.code, r.description, price, r.tax_rate, r.code in own)
    return out


def find(items: dict[str, CatalogueItem], typed: str) -> list[CatalogueItem]:
    """Items whose code is what was typed, else those it begins."""
    key = typed.strip().upper()
    if not key:
        return []
    if key in items:
        return [items[key]]
    return [v for k, v in items.items() if k.startswith(key)][:20]


@read_only
def all_items(tx: Tx) -> list[dict]:
    """Every item, active or not, by code."""
    return [dict(r) for r in tx.conn.execute(select(I).order_by(I.c.code)).mappings()]


@read_only
def customer_prices(tx: Tx, customer_id: int) -> dict[str, int]:
    return dict(
        tx.conn.execute(
            select(CP.c.item_code, CP.c.unit_price).where(CP.c.customer_id == customer_id)
        ).all()
    )


@unit_of_work
def save_item(
    tx: Tx, code: str, description: str, unit_price: int, tax_rate: int = 0, active: bool = True
) -> None:
    """Add an item, or change one (its code stays: invoices name it)."""
    from sqlalchemy import update

    from artui import audit
    from artui.errors import Refused
    from artui.sensitive import refuse_card_numbers

    code = code.strip()
    if not code or len(code) > 64 or any(c.isspace() for c in code):
        raise Refused("An item code is 1 to 64 characters without spaces.", field="code")
    if not description.strip():
        raise Refused("Describe the item.", field="description")
    refuse_card_numbers(description, "description")
    if unit_price < 0:
        raise Refused("A price cannot be negative.", field="unit_price")
    if not 0 <= tax_rate <= 100000:
        raise Refused("A tax rate is between 0 and 100 %.", field="tax_rate")
    values = {
        "description": description.strip(),
        "unit_price": unit_price,
        "tax_rate": tax_rate,
        "active": active,
    }
    old = tx.conn.execute(select(I).where(I.c.code == code)).mappings().first()
    if old is None:
        tx.conn.execute(I.insert().values(code=code, **values))
    else:
        tx.conn.execute(update(I).where(I.c.code == code).values(**values))
    audit.record(
        tx,
        "item.save",
        entity="item",
        entity_id=code,
        before={k: old[k] for k in values} if old else None,
        after=values,
    )


@unit_of_work
def set_customer_price(tx: Tx, customer_id: int, code: str, unit_price: int | None) -> None:
    """The customer's own price for an item; None goes back to the list price."""
    from sqlalchemy import delete

    from artui import audit, ledger
    from artui.errors import NotFound, Refused

    if tx.conn.execute(select(I.c.code).where(I.c.code == code)).first() is None:
        raise NotFound(f"There is no item {code}.")
    if unit_price is not None and unit_price < 0:
        raise Refused("A price cannot be negative.", field="unit_price")
    customer = ledger.customer_row(tx, customer_id)
    tx.conn.execute(delete(CP).where(CP.c.customer_id == customer["id"], CP.c.item_code == code))
    if unit_price is not None:
        tx.conn.execute(
            CP.insert().values(customer_id=customer["id"], item_code=code, unit_price=unit_price)
        )
    audit.record(
        tx,
        "price.set",
        entity="customer_price",
        entity_id=f"{customer['account']}/{code}",
        customer_id=customer["id"],
        after={"item": code, "price": unit_price},
    )
