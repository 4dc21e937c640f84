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
