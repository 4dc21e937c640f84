"""Book settings kept as key/value text (mail server, dunning levels, keymap...).

Secrets never live in the book: the SMTP password comes from the environment
(ARTUI_SMTP_PASSWORD) or a file named in the settings.
"""

import json
from typing import Any

from sqlalchemy import insert, select, update

from artui import audit
from artui.book import Tx, read_only, unit_of_work
from artui.errors import Refused
from db.models import Setting

S = Setting.__table__
SECRET_WORDS = ("password", "secret", "token")


@read_only
def get_settings(tx: Tx, prefix: str = "") -> dict[str, Any]:
    rows = tx.conn.execute(select(S).where(S.c.key.startswith(prefix)))
    return {r.key: json.loads(r.value) if r.value else None for r in rows}


@unit_of_work
def set_setting(tx: Tx, key: str, value: Any) -> None:
    tx.require("admin", "Changing settings")
    if any(w in key.lower() for w in SECRET_WORDS) and not key.endswith("_file"):
        raise Refused(
            "Passwords are never stored in the book; name a file or use the "
            "environment (ARTUI_SMTP_PASSWORD).",
            field=key,
        )
    old = tx.conn.execute(select(S.c.value).where(S.c.key == key)).scalar()
    text = json.dumps(value, sort_keys=True)
    if old is None:
        tx.conn.execute(insert(S).values(key=key, value=text))
    else:
        tx.conn.execute(update(S).where(S.c.key == key).values(value=text))
    audit.record(
        tx,
        "setting.change",
        entity="setting",
        entity_id=key,
        before=None if old is None else json.loads(old),
        after=value,
    )


COMPANY_FIELDS = (
    "name",
    "address",
    "phone",
    "email",
    "tax_id",
    "approval_limit",
    "writeoff_tolerance",
    "hold_blocks_invoices",
    "over_limit_blocks_invoices",
    "tax_shipping",
    "unknown_user",
)


@unit_of_work
def update_company(tx: Tx, version: int, changes: dict[str, Any]) -> int:
    """The company's details and controls, by an admin; refused when another admin
    changed them since `version`. Returns the new version."""
    from artui.errors import Conflict
    from artui.sensitive import refuse_card_numbers
    from db.models import Company

    tx.require("admin", "Changing the company's settings")
    unknown = set(changes) - set(COMPANY_FIELDS)
    if unknown:
        raise Refused(f"{', '.join(sorted(unknown))} cannot be changed here.")
    c = Company.__table__
    old = tx.conn.execute(select(c)).mappings().one()
    if old["version"] != version:
        raise Conflict("Another admin changed the company's settings; reopen them.")
    if "name" in changes and not str(changes["name"]).strip():
        raise Refused("The company needs a name.", field="name")
    for key in ("approval_limit", "writeoff_tolerance"):
        if key in changes and (not isinstance(changes[key], int) or changes[key] < 0):
            raise Refused("An amount of zero or more.", field=key)
    if changes.get("unknown_user", "refuse") not in ("refuse", "readonly"):
        raise Refused("An unknown user is refused or read-only.", field="unknown_user")
    for key in ("name", "address", "phone", "email", "tax_id"):
        if key in changes:
            refuse_card_numbers(str(changes[key]), key)
    tx.conn.execute(update(c).values(**changes, version=version + 1))
    tx.cache.pop("company", None)
    audit.record(
        tx,
        "company.change",
        entity="company",
        entity_id=1,
        before={k: old[k] for k in changes},
        after=changes,
    )
    return version + 1
