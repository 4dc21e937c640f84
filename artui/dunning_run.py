"""A dunning run end to end: the letters as PDF (one file per customer, and one merged
file of those that go by post), the emails with their letter attached, each letter
logged on its account, fees charged, then the mail delivered."""

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from artui import outbox
from artui.book import Book
from artui.dunning import Candidate, Letter, compose, level_of, send
from artui.errors import Refused
from artui.pdf.base import merge, split
from artui.pdf.letter import LetterPage, render
from artui.statements import statement


@dataclass(frozen=True)
class DunningRun:
    letters: tuple[Letter, ...]
    files: Mapping[int, str]  # customer id -> the letter's PDF
    print_file: str | None  # the letters that go by post, merged for the mail room
    delivered: tuple[outbox.DeliveryResult, ...]

    @property
    def emailed(self) -> int:
        return sum(1 for lt in self.letters if lt.outbox_id is not None)


def file_name(account: str, as_of: dt.date, level: int) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", account).strip("._") or "account"
    return f"dunning-{as_of.isoformat()}-{safe}-level{level}.pdf"


def letter_pages(
    book: Book,
    candidates: Sequence[Candidate],
    as_of: dt.date,
    overrides: Mapping[int, int] | None = None,
) -> list[LetterPage]:
    def read(tx):  # noqa: ANN001, ANN202
        company = tx.company()["name"]
        pages = []
        for cand in candidates:
            level = level_of(tx, cand, overrides)
            subject, body = compose(cand, level, company)
            pages.append(
                LetterPage(statement(tx, cand.customer_id, as_of), level.level, subject, body)
            )
        return pages

    return book.read(read)


def run(
    book: Book,
    candidates: Sequence[Candidate],
    folder: str | Path,
    *,
    as_of: dt.date | None = None,
    overrides: Mapping[int, int] | None = None,
    mail: outbox.MailSettings | None = None,
) -> DunningRun:
    as_of = as_of or book.today()
    chosen = [c for c in candidates if not c.skip]
    if not chosen:
        raise Refused("There are no letters to send: every account is skipped.")
    pages = letter_pages(book, chosen, as_of, overrides)
    data, ranges = render(pages, dt.datetime.now(dt.UTC))
    target = Path(folder).expanduser()
    target.mkdir(parents=True, exist_ok=True)
    files: dict[int, str] = {}
    for page, part in zip(pages, split(data, ranges), strict=True):
        path = target / file_name(page.statement.account, as_of, page.level)
        path.write_bytes(part)
        files[page.statement.customer_id] = str(path)
    letters = send(book, chosen, overrides=overrides, files=files)
    by_post = [Path(files[lt.customer_id]) for lt in letters if lt.outbox_id is None]
    print_file = None
    if by_post:
        merged = target / f"dunning-{as_of.isoformat()}-print.pdf"
        merge(by_post, merged)
        print_file = str(merged)
    delivered: list[outbox.DeliveryResult] = []
    if any(lt.outbox_id is not None for lt in letters):
        delivered = outbox.deliver(book, mail, limit=len(letters) + 10)
    return DunningRun(tuple(letters), files, print_file, tuple(delivered))
