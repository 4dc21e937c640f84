"""The item catalogue as the invoice entry uses it: active items by code, with the
customer's own price where one is set."""

from dataclasses import dataclass

from sqlalchemy import select

from artui.book import Tx, read_only
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
