"""Dunning: reminder letters by level, from each customer's net position.

Levels live in the settings (`dunning.levels`): days past due, letter text, channel and
an optional fee. A run first computes who would get which level (the preview, where the
clerk may skip or change one), then produces the letters, queues the emails through the
outbox and logs each letter on the account — in one transaction.

The net position: past-due charges, less disputed amounts, less open credits
(unapplied cash and credit memos), less open promises. A customer whose credits cover
what is past due gets no letter; an account escalated to an agency gets none either.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from sqlalchemy import func, insert, select

from artui import audit, ledger
from artui.book import Tx, read_only, unit_of_work
from artui.errors import Refused
from artui.ledger import CREDIT_KINDS, DEBIT_KINDS, IS_OPEN, C, D
from db.models import Contact, Dispute, FollowUp, Promise

DS = Dispute.__table__
P = Promise.__table__
F = FollowUp.__table__
K = Contact.__table__


@dataclass(frozen=True)
class Level:
    level: int
    days: int
    subject: str
    text: str
    channel: str = "email"  # email | letter
    fee: int = 0


DEFAULT_LEVELS = (
    Level(
        1,
        15,
        "Friendly reminder",
        "Our records show {past_due} past due on your account. If you have already paid, "
        "thank you; otherwise please send payment at your earliest convenience.",
    ),
    Level(
        2,
        30,
        "Second notice",
        "{past_due} on your account is now more than 30 days past due. Please pay it or "
        "call us to discuss it.",
    ),
    Level(
        3,
        60,
        "Final notice",
        "{past_due} on your account is more than 60 days past due. Unless it is paid "
        "within ten days we will place your account on credit hold.",
        "email",
        0,
    ),
)


def levels(tx: Tx) -> tuple[Level, ...]:
    from artui.settings import get_settings

    raw = get_settings(tx, "dunning.levels").get("dunning.levels")
    if not raw:
        return DEFAULT_LEVELS
    return tuple(sorted((Level(**x) for x in raw), key=lambda lv: lv.days))


@dataclass(frozen=True)
class Candidate:
    customer_id: int
    account: str
    name: str
    currency: str
    level: int
    oldest_days: int
    past_due: int
    disputed: int
    credits: int
    promised: int
    email: str
    skip: bool = False

    @property
    def net(self) -> int:
        return self.past_due - self.disputed - self.credits - self.promised


@read_only
def preview(tx: Tx, as_of: dt.date | None = None) -> list[Candidate]:
    """Who gets which letter, as of a date (nothing is written)."""
    as_of = as_of or tx.today
    lv = levels(tx)
    if not lv:
        return []
    first = lv[0].days
    # Past-due charges not covered by a dispute on them, per customer.
    disputed_doc = (
        select(DS.c.document_id, func.sum(DS.c.amount).label("amt"))
        .where(DS.c.status == "open", DS.c.document_id.is_not(None))
        .group_by(DS.c.document_id)
        .subquery("dd")
    )
    rows = tx.conn.execute(
        select(
            D.c.customer_id,
            D.c.due_date,
            D.c.open_amount,
            func.coalesce(disputed_doc.c.amt, 0).label("disputed"),
        )
        .select_from(D.outerjoin(disputed_doc, disputed_doc.c.document_id == D.c.id))
        .where(
            D.c.status == "posted",
            IS_OPEN,
            D.c.kind.in_(DEBIT_KINDS),
            D.c.due_date < as_of - dt.timedelta(days=first - 1),
        )
    ).all()
    per: dict[int, dict[str, int]] = {}
    for r in rows:
        p = per.setdefault(r.customer_id, {"past_due": 0, "disputed": 0, "oldest": 0})
        undisputed = r.open_amount - min(r.disputed, r.open_amount)
        p["past_due"] += r.open_amount
        p["disputed"] += min(r.disputed, r.open_amount)
        if undisputed > 0:
            p["oldest"] = max(p["oldest"], (as_of - r.due_date).days)
    if not per:
        return []
    ids = list(per)
    credits = dict(
        tx.conn.execute(
            select(D.c.customer_id, func.sum(D.c.open_amount))
            .where(
                D.c.customer_id.in_(ids),
                D.c.status == "posted",
                IS_OPEN,
                D.c.kind.in_(CREDIT_KINDS),
            )
            .group_by(D.c.customer_id)
        ).all()
    )
    promised = dict(
        tx.conn.execute(
            select(P.c.customer_id, func.sum(P.c.amount))
            .where(P.c.customer_id.in_(ids), P.c.status == "open")
            .group_by(P.c.customer_id)
        ).all()
    )
    other_disputes = dict(
        tx.conn.execute(
            select(DS.c.customer_id, func.sum(DS.c.amount))
            .where(DS.c.customer_id.in_(ids), DS.c.status == "open", DS.c.document_id.is_(None))
            .group_by(DS.c.customer_id)
        ).all()
    )
    emails = {}
    for cid, email in tx.conn.execute(
        select(K.c.customer_id, K.c.email)
        .where(K.c.customer_id.in_(ids), K.c.email != "")
        .order_by(K.c.is_billing, K.c.id)
    ):
        emails[cid] = email  # the billing contact comes last, so it wins
    out = []
    for c in tx.conn.execute(
        select(C.c.id, C.c.account, C.c.name, C.c.currency, C.c.escalation)
        .where(C.c.id.in_(ids))
        .order_by(C.c.account)
    ):
        if c.escalation == "agency":
            continue
        p = per[c.id]
        cand = Candidate(
            c.id,
            c.account,
            c.name,
            c.currency,
            0,
            p["oldest"],
            p["past_due"],
            p["disputed"] + int(other_disputes.get(c.id, 0) or 0),
            int(credits.get(c.id, 0) or 0),
            int(promised.get(c.id, 0) or 0),
            emails.get(c.id, ""),
        )
        level = max((x.level for x in lv if p["oldest"] >= x.days), default=0)
        if cand.net > 0 and level:
            out.append(replace(cand, level=level))
    return out


@dataclass(frozen=True)
class Letter:
    customer_id: int
    account: str
    level: int
    subject: str
    body: str
    email: str
    outbox_id: int | None
    fee_document: str | None


def compose(cand: Candidate, level: Level, company: str) -> tuple[str, str]:
    """A letter's subject and text (the email's body and the PDF's letter)."""
    amount = ledger.money(cand.net, cand.currency) + " " + cand.currency
    body = (
        f"Dear {cand.name},\n\n"
        + level.text.format(past_due=amount)
        + f"\n\nAccount {cand.account}\n{company}\n"
    )
    return f"{level.subject}: account {cand.account}", body


def level_of(tx: Tx, cand: Candidate, overrides: Mapping[int, int] | None = None) -> Level:
    lv = {x.level: x for x in levels(tx)}
    level_no = (overrides or {}).get(cand.customer_id, cand.level)
    if level_no not in lv:
        raise Refused(f"There is no dunning level {level_no}.")
    return lv[level_no]


@unit_of_work
def send(
    tx: Tx,
    candidates: Iterable[Candidate],
    *,
    overrides: Mapping[int, int] | None = None,
    company: str | None = None,
    files: Mapping[int, str] | None = None,
) -> list[Letter]:
    """Produce the letters of a previewed run: skip the skipped, apply level overrides
    (customer id -> level), queue the emails (with the letter's PDF from `files`, by
    customer id, where there is one), charge fees, log each on the account."""
    company = company or tx.company()["name"]
    from pathlib import Path

    from artui.adjustments import debit_memo
    from artui.outbox import Attachment, Mail, enqueue

    letters = []
    for cand in candidates:
        if cand.skip:
            continue
        level = level_of(tx, cand, overrides)
        level_no = level.level
        subject, body = compose(cand, level, company)
        amount = ledger.money(cand.net, cand.currency) + " " + cand.currency
        outbox_id = None
        if level.channel == "email" and cand.email:
            pdf = (files or {}).get(cand.customer_id)
            outbox_id = enqueue(
                tx,
                Mail(
                    cand.email,
                    subject,
                    body,
                    attachments=(Attachment(Path(pdf).name, pdf),) if pdf else (),
                    customer_id=cand.customer_id,
                ),
            )
        fee_no = None
        if level.fee:
            fee_no = debit_memo(
                tx, cand.customer_id, level.fee, f"dunning fee level {level_no}"
            ).number
        tx.conn.execute(
            insert(F).values(
                customer_id=cand.customer_id,
                channel="letter" if not outbox_id else "email",
                outcome="letter_sent",
                note=f"Dunning level {level_no}: {level.subject} ({amount})",
                created_by=tx.user,
                created_at=tx.now,
            )
        )
        audit.record(
            tx,
            "dunning.letter",
            entity="customer",
            entity_id=cand.customer_id,
            customer_id=cand.customer_id,
            after={"level": level_no, "net": cand.net, "outbox": outbox_id},
        )
        letters.append(
            Letter(
                cand.customer_id,
                cand.account,
                level_no,
                level.subject,
                body,
                cand.email,
                outbox_id,
                fee_no,
            )
        )
    return letters
