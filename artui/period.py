"""Period close: once the book is closed through a date, nothing is posted or applied on
or before it, and every report up to it is final. A supervisor's action."""

import datetime as dt

from sqlalchemy import update

from artui import audit
from artui.book import Tx, unit_of_work
from artui.errors import Refused
from db.models import Company


@unit_of_work
def close_period(tx: Tx, through: dt.date) -> None:
    tx.require("supervisor", "Closing a period")
    current = tx.company()["closed_through"]
    if current is not None and through <= current:
        raise Refused(f"The book is already closed through {current.isoformat()}.")
    if through >= tx.today:
        raise Refused(f"A period can be closed only through a day before today ({tx.today}).")
    tx.conn.execute(update(Company.__table__).values(closed_through=through))
    tx.cache.pop("company", None)
    audit.record(
        tx,
        "period.close",
        entity="company",
        entity_id=1,
        before={"closed_through": current},
        after={"closed_through": through},
    )
