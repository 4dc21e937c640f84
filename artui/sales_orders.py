"""Sales orders: entered like an invoice, billed into invoices whole or in part.

Each line keeps what has been billed; a billing asks for quantities up to what remains
(an order is never billed twice for the same quantity), posts the invoice and moves the
billed quantities in the same transaction. An order fully billed is `billed`.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from artui import audit, ledger
from artui.book import Tx, next_number, read_only, unit_of_work
from artui.errors import NotFound, Refused
from artui.invoices import InvoiceInput, PostedInvoice, post_invoice
from artui.money import format_quantity
from artui.pricing import LineInput, line_fields, price
from db.models import SalesOrder, SalesOrderLine

SO = SalesOrder.__table__
SL = SalesOrderLine.__table__


@dataclass(frozen=True)
class OrderInput:
    customer: int | str
    order_date: dt.date
    lines: Sequence[LineInput]
    reference: str = ""
    memo: str = ""


@dataclass(frozen=True)
class OrderLine:
    id: int
    line_no: int
    item_code: str
    description: str
    quantity: int
    unit_price: int
    discount_rate: int
    tax_rate: int
    billed_quantity: int

    @property
    def remaining(self) -> int:
        return self.quantity - self.billed_quantity

    def as_input(self, quantity: int) -> LineInput:
        return LineInput(
            self.description,
            quantity,
            self.unit_price,
            self.discount_rate,
            self.tax_rate,
            self.item_code,
        )


@dataclass(frozen=True)
class Order:
    id: int
    number: str
    customer_id: int
    account: str
    name: str
    order_date: dt.date
    reference: str
    status: str
    lines: tuple[OrderLine, ...]

    @property
    def total(self) -> int:
        return price([ln.as_input(ln.quantity) for ln in self.lines]).total

    @property
    def remaining_total(self) -> int:
        return price([ln.as_input(ln.remaining) for ln in self.lines]).total


@unit_of_work
def create_order(tx: Tx, inp: OrderInput) -> str:
    if not inp.lines:
        raise Refused("An order needs at least one line.", field="lines")
    for n, ln in enumerate(inp.lines, 1):
        if ln.quantity <= 0:
            raise Refused(f"Line {n}: order a quantity above zero.", field="lines")
    customer = ledger.customer_row(tx, inp.customer)
    number, _ = next_number(tx, "order")
    oid = tx.conn.execute(
        insert(SO).values(
            number=number,
            customer_id=customer["id"],
            order_date=inp.order_date,
            reference=inp.reference.strip(),
            memo=inp.memo.strip(),
            status="open",
            created_by=tx.user,
            created_at=tx.now,
        )
    ).inserted_primary_key[0]
    tx.conn.execute(
        insert(SL),
        [
            {"order_id": oid, "line_no": n, **line_fields(ln), "billed_quantity": 0}
            for n, ln in enumerate(inp.lines, 1)
        ],
    )
    audit.record(
        tx,
        "order.create",
        entity="sales_order",
        entity_id=oid,
        customer_id=customer["id"],
        after={"number": number, "lines": len(inp.lines)},
    )
    return number


def _order(tx: Tx, number: str, lock: bool = False) -> Order:
    from artui.ledger import C

    stmt = (
        select(SO, C.c.account, C.c.name)
        .select_from(SO.join(C, C.c.id == SO.c.customer_id))
        .where(SO.c.number == number)
    )
    row = tx.conn.execute(stmt).mappings().first()
    if row is None:
        raise NotFound(f"There is no sales order {number}.")
    lines_stmt = select(SL).where(SL.c.order_id == row["id"]).order_by(SL.c.line_no)
    if lock and not tx.sqlite:
        lines_stmt = lines_stmt.with_for_update()
    lines = tuple(
        OrderLine(
            r.id,
            r.line_no,
            r.item_code,
            r.description,
            r.quantity,
            r.unit_price,
            r.discount_rate,
            r.tax_rate,
            r.billed_quantity,
        )
        for r in tx.conn.execute(lines_stmt)
    )
    return Order(
        row["id"],
        row["number"],
        row["customer_id"],
        row["account"],
        row["name"],
        row["order_date"],
        row["reference"],
        row["status"],
        lines,
    )


@read_only
def get_order(tx: Tx, number: str) -> Order:
    return _order(tx, number)


@read_only
def open_orders(tx: Tx, customer_id: int | None = None) -> list[Order]:
    stmt = select(SO.c.number).where(SO.c.status == "open").order_by(SO.c.id.desc())
    if customer_id is not None:
        stmt = stmt.where(SO.c.customer_id == customer_id)
    return [_order(tx, r[0]) for r in tx.conn.execute(stmt)]


@unit_of_work
def bill_order(
    tx: Tx,
    number: str,
    on: dt.date | None = None,
    quantities: Mapping[int, int] | None = None,
) -> PostedInvoice:
    """Bill an order into an invoice: all that remains, or `quantities` (order line id ->
    quantity in thousandths; lines not named are not billed now)."""
    on = on or tx.today
    order = _order(tx, number, lock=True)
    if order.status != "open":
        raise Refused(f"Order {number} is {order.status}.")
    want = {ln.id: ln.remaining for ln in order.lines} if quantities is None else dict(quantities)
    lines = []
    for ln in order.lines:
        q = want.pop(ln.id, 0)
        if q < 0:
            raise Refused(f"Line {ln.line_no}: a quantity cannot be negative.", field="lines")
        if q > ln.remaining:
            raise Refused(
                f"Line {ln.line_no} ({ln.description}): {format_quantity(q)} is more than the "
                f"{format_quantity(ln.remaining)} not yet billed.",
                field="lines",
            )
        if q:
            lines.append((ln, q))
    if want:
        raise Refused(f"Order {number} has no line {sorted(want)[0]}.", field="lines")
    if not lines:
        raise Refused(
            f"Nothing of order {number} is left to bill."
            if quantities is None
            else "Choose a quantity to bill.",
            field="lines",
        )
    posted = post_invoice(
        tx,
        InvoiceInput(
            order.customer_id,
            on,
            [ln.as_input(q) for ln, q in lines],
            reference=order.reference,
            memo=f"Sales order {order.number}",
        ),
    )
    for ln, q in lines:
        tx.conn.execute(
            update(SL).where(SL.c.id == ln.id).values(billed_quantity=ln.billed_quantity + q)
        )
    done = all(
        ln.remaining - dict((x.id, q) for x, q in lines).get(ln.id, 0) == 0 for ln in order.lines
    )
    if done:
        tx.conn.execute(update(SO).where(SO.c.id == order.id).values(status="billed"))
    audit.record(
        tx,
        "order.bill",
        entity="sales_order",
        entity_id=order.id,
        customer_id=order.customer_id,
        document_id=posted.doc.id,
        after={"invoice": posted.doc.number, "lines": [[ln.line_no, q] for ln, q in lines]},
    )
    return posted
