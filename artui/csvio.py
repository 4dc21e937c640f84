"""CSV import and export (FORMATS.md): customers, items, invoices, payments, credits.

An import is all or nothing. The whole file is read and every row checked first (in
Python, against the book as read inside the writing transaction); any problem refuses
the file with every problem listed as `row N, column C: what is wrong` (rows numbered as
a spreadsheet shows them: the header is row 1) and nothing is written. A clean file is
then posted in ONE writing transaction through the ledger's own services
(`create_customer`, `post_invoice`, `receive_payment`, `credit_memo`, `apply_credit`),
which compose inside it; a refusal the checks did not foresee still names its row and
rolls everything back. A dry run does all of it and rolls back.

Export writes the same columns, so an export re-imports into an empty book and gives
the same aging. Text cells a spreadsheet would take for a formula (starting with `=`,
`+`, `-`, `@`, tab or CR) are written with a leading single quote; the importer takes
that quote off again, so names round-trip exactly as typed. Amount and date columns are
never neutralised (`-20.00` is a number).

Semantics beyond the column list (compatible additions):
- payments: a row naming an invoice applies `applied` to it (or, with `applied` empty,
  as much as is open and left of the payment); a row naming no invoice but giving
  `applied` keeps that much on account. Only a payment whose rows name no invoice and
  give no `applied` is applied automatically (oldest due first). An application to a
  document dated after the payment is made on the document's date.
- credits: the optional column `applied` works as for payments; a credit memo is never
  applied automatically (rows naming no invoice keep it on account).
- Header fields (account, date, terms, amount, ...) of a multi-row invoice, payment or
  credit are read from its first row; a later row that names a different value is a
  problem, never silently ignored.
- Export carries the other debit kinds (debit memos, finance charges, returned
  payments, refunds) as one-line invoices and the other credit kinds (write-offs,
  discounts, voids) as credits, with the applications in force today, so the aging of
  the re-imported book is the same as of today (and as of any earlier date on which
  every application was dated with its later document, the usual case).
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy import func, insert, select

from artui import audit
from artui.book import ROLES, Book, Tx
from artui.dates import DateError, TermsError, parse_file_date, parse_terms
from artui.errors import DomainError
from artui.ledger import CREDIT_KINDS, DEBIT_KINDS, KIND_LABEL, A, C, D
from artui.money import (
    MoneyError,
    QuantityError,
    RateError,
    format_amount,
    format_quantity,
    format_rate,
    parse_file_amount,
    parse_quantity,
    parse_rate,
)
from artui.pricing import LineInput, price
from artui.sensitive import card_numbers
from db.models import Address, Contact, InvoiceLine, Item, ReceiptDetail

KINDS = ("customers", "items", "invoices", "payments", "credits")
DANGER = ("=", "+", "-", "@", "\t", "\r")
MAX_AMOUNT = 10**15  # minor units: far above any real document, far below 2**63
MAX_QUANTITY = 10**9 * 1000  # thousandths
CHUNK = 500  # keys per IN (...) query
csv.field_size_limit(1 << 30)  # a long cell is reported by its column, not by the reader


@dataclass(frozen=True)
class Spec:
    kind: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    text: tuple[str, ...]  # neutralised on export, the quote restored on import
    multiline: tuple[str, ...] = ()
    max_len: Mapping[str, int] = field(default_factory=dict)


SPECS = {
    "customers": Spec(
        "customers",
        (
            "account",
            "name",
            "email",
            "phone",
            "contact",
            "terms",
            "credit_limit",
            "currency",
            "address1",
            "address2",
            "city",
            "region",
            "postal_code",
            "country",
        ),
        ("account", "name"),
        (
            "account",
            "name",
            "email",
            "phone",
            "contact",
            "address1",
            "address2",
            "city",
            "region",
            "postal_code",
            "country",
        ),
        max_len={"account": 32, "name": 200, "email": 254, "phone": 40, "terms": 20},
    ),
    "items": Spec(
        "items",
        ("code", "description", "unit_price", "tax_rate"),
        ("code", "description", "unit_price"),
        ("code", "description"),
        multiline=("description",),
        max_len={"code": 64, "description": 2000},
    ),
    "invoices": Spec(
        "invoices",
        (
            "number",
            "account",
            "date",
            "terms",
            "due_date",
            "po",
            "item",
            "description",
            "quantity",
            "unit_price",
            "discount_pct",
            "tax_rate",
            "shipping",
        ),
        ("number", "account", "date", "quantity", "unit_price"),
        ("number", "account", "po", "item", "description"),
        multiline=("description",),
        max_len={"number": 40, "account": 32, "po": 100, "item": 64, "description": 2000},
    ),
    "payments": Spec(
        "payments",
        ("reference", "account", "date", "amount", "method", "invoice", "applied"),
        ("reference", "account", "date", "amount"),
        ("reference", "account", "invoice"),
        max_len={"reference": 100, "account": 32, "invoice": 40, "method": 10},
    ),
    "credits": Spec(
        "credits",
        ("number", "account", "date", "amount", "reason", "invoice", "applied"),
        ("number", "account", "date", "amount"),
        ("number", "account", "reason", "invoice"),
        max_len={"number": 40, "account": 32, "reason": 500, "invoice": 40},
    ),
}
DEFAULT_MAX_LEN = 200


# -- cells --------------------------------------------------------------------------


def neutralise(value: str) -> str:
    """A text cell as written to a file: a leading quote where a spreadsheet would see a
    formula (and where the text itself starts with quotes before such a character, so
    that `restore` gives back exactly what was stored)."""
    if not value:
        return value
    bare = value.lstrip("'")
    if bare and bare[0] in DANGER and (value[0] in DANGER or value[0] == "'"):
        return "'" + value
    return value


def restore(value: str) -> str:
    """A text cell as read from a file: the neutralising quote taken off again."""
    if value.startswith("'"):
        bare = value[1:].lstrip("'")
        if bare and bare[0] in DANGER:
            return value[1:]
    return value


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NOT_UTF8 = re.compile(r"[\udc80-\udcff]")


def _control_problem(value: str, multiline: bool) -> str | None:
    if not multiline and ("\n" in value or "\r" in value):
        return "has a line break; keep it on one line."
    m = _CONTROL.search(value.replace("\r\n", "\n").replace("\n", "") if multiline else value)
    if m is None:
        return None
    ch = m.group()
    if ch == "\x1b":
        return "holds an escape sequence (ESC, U+001B), which would drive a terminal; remove it."
    if "\u202a" <= ch <= "\u2069":
        return f"holds a text-direction override (U+{ord(ch):04X}); remove it."
    if ch == "\t":
        return "holds a tab character; remove it."
    return f"holds a control character (U+{ord(ch):04X}); remove it."


# -- problems -----------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    row: int
    column: str  # a column name, a column number for a cell beyond the header, or ""
    message: str
    order: int = 0

    def __str__(self) -> str:
        if self.column:
            return f"row {self.row}, column {self.column}: {self.message}"
        return f"row {self.row}: {self.message}"


class ImportRefused(DomainError):
    """The file was refused; `problems` lists every one. Nothing was written."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(sorted(problems, key=lambda p: (p.row, p.order, p.message)))
        super().__init__("\n".join(str(p) for p in self.problems))


class Problems:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.items: list[Problem] = []
        self._order = {c: i for i, c in enumerate(spec.columns)}
        self._cells: set[tuple[int, str]] = set()

    def add(self, row: int, column: str, message: str) -> None:
        """One problem per cell: the first found (a cell already refused for its bytes
        is not also reported as empty)."""
        if column:
            if (row, column) in self._cells:
                return
            self._cells.add((row, column))
        self.items.append(Problem(row, column, message, self._order.get(column, 99)))

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass
class Row:
    n: int  # the spreadsheet row number
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True)
class ImportResult:
    kind: str
    rows: int
    records: int  # customers, items, invoices, payments or credits
    details: int  # invoice lines; applications of payments and credits
    totals: tuple[tuple[str, int], ...]  # per currency: the amount posted
    dry_run: bool

    def describe(self) -> str:
        noun = {
            "customers": "customer",
            "items": "item",
            "invoices": "invoice",
            "payments": "payment",
            "credits": "credit memo",
        }[self.kind]
        text = f"{_count(self.records, noun)} from {_count(self.rows, 'row')}"
        if self.kind == "invoices":
            text += f" ({_count(self.details, 'line')})"
        elif self.kind in ("payments", "credits"):
            text += f" ({_count(self.details, 'application')})"
        if self.totals:
            text += ", " + ", ".join(
                f"{cur} {format_amount(total, cur)}" for cur, total in self.totals
            )
        return text


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


class _DryRun(Exception):
    def __init__(self, result: ImportResult) -> None:
        self.result = result


# -- reading ------------------------------------------------------------------------


def read_rows(data: bytes, spec: Spec, problems: Problems) -> list[Row]:
    """The file's rows, cells restored and checked for encoding and control characters.
    Problems with the header or the cells are added to `problems`."""
    text = data.decode("utf-8", errors="surrogateescape")
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        problems.add(1, "", f"the header cannot be read as CSV: {exc}.")
        return []
    if not header or not any(h.strip() for h in header):
        problems.add(
            1,
            "",
            f"the file has no header row; the {spec.kind} columns are {', '.join(spec.columns)}.",
        )
        return []
    names: list[str] = []
    for i, raw in enumerate(header, 1):
        if _NOT_UTF8.search(raw):
            problems.add(1, str(i), "the header is not UTF-8 text; save the file as UTF-8.")
            names.append("")
            continue
        name = raw.strip().lower()
        names.append(name)
        if not name:
            problems.add(1, str(i), "a column without a name.")
        elif ";" in name or "\t" in name:
            problems.add(
                1,
                _shown(name),
                "the header is not separated by commas (semicolons or tabs?); use commas.",
            )
        elif name not in spec.columns:
            problems.add(
                1,
                _shown(name),
                f"unknown column; the {spec.kind} columns are {', '.join(spec.columns)}.",
            )
        elif names.count(name) > 1:
            problems.add(1, name, "the column appears twice.")
    for col in spec.required:
        if col not in names:
            problems.add(1, col, "the required column is missing.")
    if problems:
        return []
    rows: list[Row] = []
    n = 1
    try:
        for record in reader:
            n += 1
            if not any(cell.strip() for cell in record):
                continue  # a blank row
            cells: dict[str, str] = {}
            for i, raw in enumerate(record):
                if i >= len(names):
                    if raw.strip():
                        problems.add(
                            n,
                            str(i + 1),
                            f"a cell beyond the header's {len(names)} columns (a comma "
                            "too many, or a value with a comma that is not quoted?).",
                        )
                    continue
                col = names[i]
                cell = _cell(raw, col, spec, n, problems)
                if cell is not None:
                    cells[col] = cell
            rows.append(Row(n, cells))
    except csv.Error as exc:
        problems.add(n + 1, "", f"the file cannot be read as CSV from here on: {exc}.")
    return rows


def _shown(name: str) -> str:
    """A column name from the file, safe to print."""
    name = _NOT_UTF8.sub("?", _CONTROL.sub("?", name))
    return name if len(name) <= 40 else name[:39] + "\u2026"


def _cell(raw: str, col: str, spec: Spec, n: int, problems: Problems) -> str | None:
    m = _NOT_UTF8.search(raw)
    if m is not None:
        byte = ord(m.group()) - 0xDC00
        problems.add(n, col, f"is not UTF-8 text (byte 0x{byte:02X}); save the file as UTF-8.")
        return None
    value = raw.strip()
    limit = spec.max_len.get(col, DEFAULT_MAX_LEN)
    if len(value) > limit:
        problems.add(n, col, f"is {len(value):,} characters long; at most {limit} are allowed.")
        return None
    multiline = col in spec.multiline
    if col in spec.text:
        value = restore(value)
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    bad = _control_problem(value, multiline)
    if bad:
        problems.add(n, col, bad)
        return None
    return value


# -- the import ---------------------------------------------------------------------


def import_file(book: Book, kind: str, data: bytes, *, dry_run: bool = False) -> ImportResult:
    """Import a file of `kind`: all or nothing. Raises ImportRefused with every problem."""
    if kind not in SPECS:
        raise ValueError(f"unknown kind {kind}")
    spec = SPECS[kind]
    problems = Problems(spec)
    rows = read_rows(data, spec, problems)
    if problems and not rows:
        raise ImportRefused(problems.items)
    importer = _IMPORTERS[kind]

    def work(tx: Tx) -> ImportResult:
        post = importer(tx, rows, problems)
        if problems:
            raise ImportRefused(problems.items)
        result = post()
        result = ImportResult(kind, len(rows), *result, dry_run=dry_run)
        if dry_run:
            raise _DryRun(result)
        return result

    try:
        return book.write(work)
    except _DryRun as done:
        return done.result


class _Posting:
    """Post planned records one by one; a refusal names the row it came from."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems

    def run(self, row: Row, column_of: Mapping[str, str], fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except DomainError as exc:
            col = column_of.get(exc.field or "", "")
            self.problems.add(row.n, col, str(exc))
            raise ImportRefused(self.problems.items) from exc


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def _customers(tx: Tx, accounts: Iterable[str]) -> dict[str, Mapping[str, Any]]:
    out: dict[str, Mapping[str, Any]] = {}
    for part in _chunks(sorted(set(accounts))):
        for r in tx.conn.execute(select(C).where(C.c.account.in_(part))).mappings():
            out[r["account"]] = r
    return out


def amount_cell(
    problems: Problems,
    row: Row,
    col: str,
    currency: str,
    *,
    what: str,
    required: bool = False,
    zero: bool = True,
) -> int | None:
    """A non-negative amount (zero allowed unless `zero` is false); None if empty or bad."""
    text = row[col]
    if not text:
        if required:
            problems.add(row.n, col, f"the {col.replace('_', ' ')} is required.")
        return None
    try:
        value = parse_file_amount(text, currency)
    except MoneyError as exc:
        problems.add(row.n, col, str(exc))
        return None
    if abs(value) >= MAX_AMOUNT:
        problems.add(row.n, col, f"'{text}' is too large for an amount.")
        return None
    if value < 0:
        problems.add(row.n, col, f"{text} is negative; {what} cannot be negative.")
        return None
    if value == 0 and not zero:
        problems.add(row.n, col, f"{what} must be more than zero.")
        return None
    return value


def date_cell(problems: Problems, row: Row, col: str, *, required: bool = False) -> dt.date | None:
    text = row[col]
    if not text:
        if required:
            problems.add(row.n, col, "a date is required (YYYY-MM-DD).")
        return None
    try:
        value = parse_file_date(text)
    except DateError as exc:
        problems.add(row.n, col, str(exc))
        return None
    if not 1900 <= value.year <= 2999:
        problems.add(row.n, col, f"{text} is not a plausible date.")
        return None
    return value


def _rate(problems: Problems, row: Row, col: str) -> int:
    text = row[col]
    if not text:
        return 0
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        problems.add(row.n, col, f"'{text}' is not a percentage such as 7.25 (no % sign).")
        return 0
    try:
        return parse_rate(text)
    except RateError as exc:
        problems.add(row.n, col, str(exc))
        return 0


def _required(problems: Problems, row: Row, col: str, what: str) -> str:
    value = row[col]
    if not value:
        problems.add(row.n, col, f"{what} is required.")
    return value


def no_card_cells(problems: Problems, row: Row, *cols: str) -> None:
    for col in cols:
        if row[col] and card_numbers(row[col]):
            problems.add(
                row.n,
                col,
                "holds what looks like a card number; card numbers are never stored.",
            )


def _closed(tx: Tx, problems: Problems, row: Row, col: str, day: dt.date | None) -> None:
    closed = tx.company()["closed_through"]
    if day is not None and closed is not None and day <= closed:
        problems.add(
            row.n,
            col,
            f"{day.isoformat()} falls in a closed period: the book is closed through "
            f"{closed.isoformat()}.",
        )


def _customer(
    problems: Problems, row: Row, known: Mapping[str, Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    account = row["account"]
    if not account:
        problems.add(row.n, "account", "the account is required.")
        return None
    cust = known.get(account)
    if cust is None:
        problems.add(row.n, "account", f"there is no customer with account {account}.")
    return cust


def _group(rows: Sequence[Row], key: str, problems: Problems, what: str) -> dict[str, list[Row]]:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        value = row[key]
        if not value:
            problems.add(row.n, key, f"the {what} is required.")
            continue
        groups.setdefault(value, []).append(row)
    return groups


def _same_as_first(
    problems: Problems, rows: Sequence[Row], columns: Sequence[str], what: str, key: str
) -> None:
    """Header fields come from a record's first row; a later row naming another value
    is a problem."""
    first = rows[0]
    for row in rows[1:]:
        for col in columns:
            if row[col] and row[col] != first[col]:
                shown = first[col] or "(empty)"
                if col == "account":
                    problems.add(
                        row.n,
                        col,
                        f"{what} is for {shown} on row {first.n}; one {key} belongs to "
                        "one customer.",
                    )
                else:
                    problems.add(
                        row.n,
                        col,
                        f"'{row[col]}' differs from '{shown}' on row {first.n}, the first "
                        f"row of {what}.",
                    )


# -- customers ----------------------------------------------------------------------

_CUSTOMER_FIELDS = {
    "account": "account",
    "name": "name",
    "terms": "terms",
    "credit_limit": "credit_limit",
    "currency": "currency",
    "email": "email",
}


def _import_customers(tx: Tx, rows: Sequence[Row], problems: Problems) -> Callable[[], tuple]:
    from artui.customers import CustomerInput, create_customer, validate_customer

    home = tx.company()["currency"]
    existing = _customers(tx, (r["account"] for r in rows if r["account"]))
    seen: dict[str, int] = {}
    plans: list[tuple[Row, Any]] = []
    for row in rows:
        account = _required(problems, row, "account", "the account")
        _required(problems, row, "name", "the name")
        if account in existing:
            problems.add(row.n, "account", f"account {account} already exists in the book.")
        elif account and account in seen:
            problems.add(row.n, "account", f"account {account} is also on row {seen[account]}.")
        if account:
            seen.setdefault(account, row.n)
        currency = (row["currency"] or home).upper()
        limit = amount_cell(problems, row, "credit_limit", currency, what="a credit limit")
        terms = row["terms"] or "NET30"
        inp = CustomerInput(
            account=account,
            name=row["name"],
            terms=terms,
            credit_limit=limit or 0,
            currency=currency,
            contact=row["contact"],
            email=row["email"],
            phone=row["phone"],
            address1=row["address1"],
            address2=row["address2"],
            city=row["city"],
            region=row["region"],
            postal_code=row["postal_code"],
            country=row["country"],
        )
        for fld, message in validate_customer(inp).items():
            col = _CUSTOMER_FIELDS.get(fld, "name" if fld in ("notes", "tax_id") else fld)
            if col in ("account", "name") and not row[col]:
                continue  # said above
            problems.add(row.n, col, message[0].lower() + message[1:])
        no_card_cells(problems, row, "contact", "phone", "address1", "address2")
        plans.append((row, inp))

    def post() -> tuple:
        posting = _Posting(problems)
        cols = {f: f for f in SPECS["customers"].columns} | {"customer": "account"}
        for row, inp in plans:
            posting.run(row, cols, lambda inp=inp: create_customer(tx, inp))
        return len(plans), 0, ()

    return post


# -- items --------------------------------------------------------------------------


def _import_items(tx: Tx, rows: Sequence[Row], problems: Problems) -> Callable[[], tuple]:
    home = tx.company()["currency"]
    I = Item.__table__  # noqa: E741, N806
    codes = sorted({r["code"] for r in rows if r["code"]})
    existing: set[str] = set()
    for part in _chunks(codes):
        existing.update(x for (x,) in tx.conn.execute(select(I.c.code).where(I.c.code.in_(part))))
    seen: dict[str, int] = {}
    plans: list[dict[str, Any]] = []
    for row in rows:
        code = _required(problems, row, "code", "the item code")
        if code in existing:
            problems.add(row.n, "code", f"item {code} already exists in the book.")
        elif code and code in seen:
            problems.add(row.n, "code", f"item {code} is also on row {seen[code]}.")
        if code:
            seen.setdefault(code, row.n)
        _required(problems, row, "description", "the description")
        no_card_cells(problems, row, "description")
        price_ = amount_cell(problems, row, "unit_price", home, what="a unit price", required=True)
        rate = _rate(problems, row, "tax_rate")
        plans.append(
            {
                "code": code,
                "description": row["description"],
                "unit_price": price_ or 0,
                "tax_rate": rate,
                "active": True,
            }
        )

    def post() -> tuple:
        if plans:
            for part in _chunks(plans):
                tx.conn.execute(insert(I), list(part))
            for p in plans:
                audit.record(tx, "item.create", entity="item", entity_id=p["code"], after=p)
        return len(plans), 0, ()

    return post


# -- invoices -----------------------------------------------------------------------

_INVOICE_FIELDS = {
    "number": "number",
    "date": "date",
    "terms": "terms",
    "amount": "unit_price",
    "lines": "quantity",
    "shipping": "shipping",
    "customer": "account",
    "account": "account",
    "reference": "po",
    "memo": "description",
    "description": "description",
}


def _import_invoices(tx: Tx, rows: Sequence[Row], problems: Problems) -> Callable[[], tuple]:
    from artui.invoices import InvoiceInput, post_invoice

    company = tx.company()
    customers = _customers(tx, (r["account"] for r in rows if r["account"]))
    groups = _group(rows, "number", problems, "invoice number")
    taken: set[str] = set()
    for part in _chunks(sorted(groups)):
        taken.update(
            n
            for (n,) in tx.conn.execute(
                select(D.c.number).where(D.c.kind == "invoice", D.c.number.in_(part))
            )
        )
    I = Item.__table__  # noqa: N806, E741
    item_codes = sorted({r["item"] for r in rows if r["item"]})
    catalogue: dict[str, str] = {}
    for part in _chunks(item_codes):
        catalogue.update(
            (c, d)
            for c, d in tx.conn.execute(select(I.c.code, I.c.description).where(I.c.code.in_(part)))
        )
    balances: dict[int, int] = {}
    plans: list[tuple[Row, InvoiceInput]] = []
    lines_total = 0
    totals: dict[str, int] = {}
    for number, group in groups.items():
        first = group[0]
        what = f"invoice {number}"
        before = len(problems.items)
        if number in taken:
            problems.add(first.n, "number", f"invoice {number} already exists in the book.")
        _same_as_first(
            problems,
            group,
            ("account", "date", "terms", "due_date", "po", "shipping"),
            what,
            "number",
        )
        cust = _customer(problems, first, customers)
        for row in group[1:]:
            if not row["account"]:
                problems.add(row.n, "account", "the account is required.")
        day = date_cell(problems, first, "date", required=True)
        for row in group[1:]:
            if not row["date"]:
                problems.add(row.n, "date", "a date is required (YYYY-MM-DD).")
        _closed(tx, problems, first, "date", day)
        due = date_cell(problems, first, "due_date")
        if due and day and due < day:
            problems.add(first.n, "due_date", f"{due} is before the invoice date {day}.")
        terms = first["terms"]
        if terms:
            try:
                terms = parse_terms(terms).code
            except TermsError as exc:
                problems.add(first.n, "terms", str(exc))
        currency = cust["currency"] if cust is not None else company["currency"]
        shipping = amount_cell(problems, first, "shipping", currency, what="shipping") or 0
        no_card_cells(problems, first, "po")
        lines = []
        for row in group:
            qty = 0
            if not row["quantity"]:
                problems.add(row.n, "quantity", "a quantity is required.")
            else:
                try:
                    qty = parse_quantity(row["quantity"])
                except QuantityError as exc:
                    problems.add(row.n, "quantity", str(exc))
                if qty > MAX_QUANTITY:
                    problems.add(row.n, "quantity", f"'{row['quantity']}' is too large.")
                    qty = 0
            unit = amount_cell(
                problems, row, "unit_price", currency, what="a unit price", required=True
            )
            disc = _rate(problems, row, "discount_pct")
            rate = _rate(problems, row, "tax_rate")
            no_card_cells(problems, row, "description")
            desc = row["description"] or catalogue.get(row["item"], "")
            lines.append(LineInput(desc, qty, unit or 0, disc, rate, row["item"]))
        totals_ = price(lines, shipping, tax_shipping=company["tax_shipping"])
        if totals_.total <= 0 and len(problems.items) == before:
            problems.add(
                first.n, "unit_price", f"{what} totals 0; an invoice must be more than zero."
            )
        if totals_.total >= MAX_AMOUNT:
            problems.add(first.n, "unit_price", f"{what} totals more than any real invoice.")
        if cust is not None:
            _credit_rules(tx, problems, first, cust, totals_.total, balances)
            totals[currency] = totals.get(currency, 0) + totals_.total
        lines_total += len(lines)
        if cust is not None and day is not None:
            plans.append(
                (
                    first,
                    InvoiceInput(
                        cust["id"],
                        day,
                        lines,
                        terms=terms or None,
                        due_date=due,
                        reference=first["po"],
                        shipping=shipping,
                        number=number,
                    ),
                )
            )

    def post() -> tuple:
        posting = _Posting(problems)
        for row, inp in plans:
            posting.run(row, _INVOICE_FIELDS, lambda inp=inp: post_invoice(tx, inp))
        return len(plans), lines_total, tuple(sorted(totals.items()))

    return post


def _credit_rules(
    tx: Tx,
    problems: Problems,
    row: Row,
    cust: Mapping[str, Any],
    amount: int,
    balances: dict[int, int],
) -> None:
    """What post_invoice would refuse for the customer: a hold, a limit (as set)."""
    company = tx.company()
    if cust["on_hold"] and company["hold_blocks_invoices"]:
        problems.add(
            row.n,
            "account",
            f"{cust['account']} is on credit hold ({cust['hold_reason'] or 'no reason given'}); "
            "it gets no new invoices.",
        )
        return
    if not (company["over_limit_blocks_invoices"] and cust["credit_limit"]):
        return
    if cust["id"] not in balances:
        from artui.invoices import credit_check

        balances[cust["id"]] = credit_check(tx, cust, 0).balance_after
    balances[cust["id"]] += amount
    if balances[cust["id"]] > cust["credit_limit"]:
        cur = cust["currency"]
        problems.add(
            row.n,
            "account",
            f"this invoice takes {cust['account']} to {format_amount(balances[cust['id']], cur)},"
            f" over the credit limit of {format_amount(cust['credit_limit'], cur)}.",
        )


# -- payments and credits -----------------------------------------------------------


@dataclass
class _Open:
    id: int
    number: str
    kind: str
    customer_id: int
    doc_date: dt.date
    open: int


def _open_debits(tx: Tx, numbers: Iterable[str]) -> dict[str, list[_Open]]:
    out: dict[str, list[_Open]] = {}
    for part in _chunks(sorted(set(numbers))):
        stmt = select(
            D.c.id, D.c.number, D.c.kind, D.c.customer_id, D.c.doc_date, D.c.open_amount
        ).where(D.c.number.in_(part), D.c.kind.in_(DEBIT_KINDS), D.c.status == "posted")
        for r in tx.conn.execute(stmt):
            out.setdefault(r.number, []).append(
                _Open(r.id, r.number, r.kind, r.customer_id, r.doc_date, r.open_amount)
            )
    return out


@dataclass
class _Settlement:
    row: Row
    account: Mapping[str, Any]
    day: dt.date
    amount: int
    number: str
    method: str = "check"
    reason: str = ""
    applications: list[tuple[Row, _Open, int]] = field(default_factory=list)
    auto: bool = False
    on_account: int = 0  # kept on account by rows naming no invoice


def _settle_now(tx: Tx, problems: Problems, p: _Settlement) -> list[tuple[Row, _Open, int]]:
    """The applications again, against what is open now inside the posting transaction
    (the ledger's own reads: earlier records of the file may have settled an item)."""
    from artui.ledger import load_doc

    cur = p.account["currency"]
    left = p.amount - p.on_account
    out: list[tuple[Row, _Open, int]] = []
    for row, debit, planned in p.applications:
        taken = sum(a for _, d, a in out if d.id == debit.id)
        open_now = load_doc(tx, debit.id)["open_amount"] - taken
        amount = planned if row["applied"] else min(open_now, left)
        if amount <= 0 or amount > open_now:
            col = "applied" if row["applied"] else "invoice"
            problems.add(
                row.n,
                col,
                f"{format_amount(amount, cur)} is more than the {format_amount(open_now, cur)}"
                f" still open on {debit.number} once the rows above are posted."
                if amount > 0
                else f"nothing is open on {debit.number} once the rows above are posted.",
            )
            raise ImportRefused(problems.items)
        left -= amount
        out.append((row, debit, amount))
    return out


def _applications(
    tx: Tx,
    problems: Problems,
    group: Sequence[Row],
    cust: Mapping[str, Any],
    day: dt.date | None,
    amount: int,
    debits: Mapping[str, list[_Open]],
    what: str,
) -> tuple[list[tuple[Row, _Open, int]], bool, int]:
    """The rows' applications, checked against what is open (as left by earlier rows of
    the file); and whether the record names nothing at all (auto-apply for payments)."""
    cur = cust["currency"]
    apps: list[tuple[Row, _Open, int]] = []
    used = 0
    on_account = 0
    named = any(r["invoice"] or r["applied"] for r in group)
    for row in group:
        number = row["invoice"]
        applied = amount_cell(problems, row, "applied", cur, what="an applied amount", zero=False)
        if not number:
            if applied is not None:
                used += applied  # kept on account
                on_account += applied
                if used > amount:
                    problems.add(
                        row.n,
                        "applied",
                        f"the rows of {what} use "
                        f"{format_amount(used, cur)}, more than its amount "
                        f"{format_amount(amount, cur)}.",
                    )
            continue
        found = debits.get(number, [])
        if not found:
            problems.add(
                row.n,
                "invoice",
                f"there is no invoice or other charge numbered {number} in the book.",
            )
            continue
        mine = [d for d in found if d.customer_id == cust["id"]]
        if not mine:
            problems.add(
                row.n, "invoice", f"{number} belongs to another customer, not to {cust['account']}."
            )
            continue
        if len(mine) > 1:
            problems.add(row.n, "invoice", f"more than one charge is numbered {number}.")
            continue
        debit = mine[0]
        left = amount - used
        if applied is None:
            if row["applied"]:
                continue  # a bad amount, said above
            applied = min(debit.open, left)
            if applied <= 0:
                problems.add(
                    row.n,
                    "invoice",
                    f"nothing is left to apply to {number}: "
                    + ("it is settled." if debit.open <= 0 else f"{what} is used up."),
                )
                continue
        if applied > debit.open:
            problems.add(
                row.n,
                "applied",
                f"{format_amount(applied, cur)} is more than the "
                f"{format_amount(debit.open, cur)} still open on {number}.",
            )
            continue
        if applied > left:
            problems.add(
                row.n,
                "applied",
                f"the rows of {what} apply {format_amount(used + applied, cur)}, more than "
                f"its amount {format_amount(amount, cur)}.",
            )
            continue
        used += applied
        debit.open -= applied
        if day is not None:
            _closed(tx, problems, row, "invoice", max(day, debit.doc_date))
        apps.append((row, debit, applied))
    return apps, not named, on_account


def _import_payments(tx: Tx, rows: Sequence[Row], problems: Problems) -> Callable[[], tuple]:
    from artui.receipts import METHODS, PaymentInput, apply_credit, receive_payment

    customers = _customers(tx, (r["account"] for r in rows if r["account"]))
    groups = _group(rows, "reference", problems, "reference")
    debits = _open_debits(tx, (r["invoice"] for r in rows if r["invoice"]))
    already: dict[tuple[int, str], str] = {}
    ids = {c["id"] for c in customers.values()}
    refs = sorted(groups)
    for part in _chunks(refs):
        stmt = select(D.c.customer_id, D.c.reference, D.c.number).where(
            D.c.kind == "payment", D.c.reference.in_(part), D.c.status == "posted"
        )
        for r in tx.conn.execute(stmt):
            if r.customer_id in ids:
                already[(r.customer_id, r.reference)] = r.number
    plans: list[_Settlement] = []
    totals: dict[str, int] = {}
    count_apps = 0
    for ref, group in groups.items():
        first = group[0]
        what = f"payment {ref}"
        _same_as_first(problems, group, ("account", "date", "amount", "method"), what, "reference")
        no_card_cells(problems, first, "reference")
        cust = _customer(problems, first, customers)
        day = date_cell(problems, first, "date", required=True)
        _closed(tx, problems, first, "date", day)
        method = (first["method"] or "check").lower()
        if method not in METHODS:
            problems.add(
                first.n,
                "method",
                f"'{first['method']}' is not a payment method; use one of {', '.join(METHODS)}.",
            )
        if cust is None:
            continue
        if (cust["id"], ref) in already:
            problems.add(
                first.n,
                "reference",
                f"payment {ref} from {cust['account']} is already in the book "
                f"({already[(cust['id'], ref)]}); it would be posted twice.",
            )
        cur = cust["currency"]
        amount = amount_cell(
            problems, first, "amount", cur, what="a payment", required=True, zero=False
        )
        if amount is None:
            continue
        apps, auto, kept = _applications(tx, problems, group, cust, day, amount, debits, what)
        count_apps += len(apps)
        totals[cur] = totals.get(cur, 0) + amount
        if day is not None:
            plans.append(_Settlement(first, cust, day, amount, ref, method, "", apps, auto, kept))

    cols = {
        "amount": "amount",
        "date": "date",
        "method": "method",
        "reference": "reference",
        "applications": "invoice",
        "number": "invoice",
        "customer": "account",
    }

    def post() -> tuple:
        posting = _Posting(problems)
        for p in plans:
            apps = _settle_now(tx, problems, p)
            now = [(d.id, amt) for _, d, amt in apps if d.doc_date <= p.day]
            later = [(r, d, amt) for r, d, amt in apps if d.doc_date > p.day]
            inp = PaymentInput(
                p.account["id"],
                p.amount,
                p.day,
                method=p.method,
                reference=p.number,
                applications=None if p.auto else now,
            )
            paid = posting.run(p.row, cols, lambda inp=inp: receive_payment(tx, inp))
            for row, debit, amt in later:
                posting.run(
                    row,
                    cols,
                    lambda d=debit, a=amt, c=paid.doc.id: apply_credit(
                        tx, c, d.id, a, d.doc_date, "as given"
                    ),
                )
        return len(plans), count_apps, tuple(sorted(totals.items()))

    return post


def _import_credits(tx: Tx, rows: Sequence[Row], problems: Problems) -> Callable[[], tuple]:
    from artui.adjustments import credit_memo
    from artui.receipts import apply_credit

    customers = _customers(tx, (r["account"] for r in rows if r["account"]))
    groups = _group(rows, "number", problems, "credit number")
    debits = _open_debits(tx, (r["invoice"] for r in rows if r["invoice"]))
    taken: set[str] = set()
    for part in _chunks(sorted(groups)):
        taken.update(
            n
            for (n,) in tx.conn.execute(
                select(D.c.number).where(D.c.kind == "credit_memo", D.c.number.in_(part))
            )
        )
    company = tx.company()
    supervisor = ROLES.index(tx.role) >= ROLES.index("supervisor")
    plans: list[_Settlement] = []
    totals: dict[str, int] = {}
    count_apps = 0
    for number, group in groups.items():
        first = group[0]
        what = f"credit {number}"
        if number in taken:
            problems.add(first.n, "number", f"credit memo {number} already exists in the book.")
        _same_as_first(problems, group, ("account", "date", "amount", "reason"), what, "number")
        no_card_cells(problems, first, "reason")
        cust = _customer(problems, first, customers)
        day = date_cell(problems, first, "date", required=True)
        _closed(tx, problems, first, "date", day)
        if cust is None:
            continue
        cur = cust["currency"]
        amount = amount_cell(
            problems, first, "amount", cur, what="a credit", required=True, zero=False
        )
        if amount is None:
            continue
        if amount > company["approval_limit"] and not supervisor:
            problems.add(
                first.n,
                "amount",
                f"a credit memo above the approval limit of "
                f"{format_amount(company['approval_limit'], cur)} needs a supervisor; you "
                f"({tx.user}) are a {tx.role}.",
            )
        apps, _, kept = _applications(tx, problems, group, cust, day, amount, debits, what)
        count_apps += len(apps)
        totals[cur] = totals.get(cur, 0) + amount
        if day is not None:
            plans.append(
                _Settlement(
                    first,
                    cust,
                    day,
                    amount,
                    number,
                    reason=first["reason"] or "Imported",
                    applications=apps,
                    on_account=kept,
                )
            )

    cols = {
        "amount": "amount",
        "date": "date",
        "reason": "reason",
        "number": "number",
        "invoice": "invoice",
        "customer": "account",
    }

    def post() -> tuple:
        posting = _Posting(problems)
        for p in plans:
            doc, _ = posting.run(
                p.row,
                cols,
                lambda p=p: credit_memo(
                    tx, p.account["id"], p.amount, p.reason, p.day, number=p.number
                ),
            )
            for row, debit, amt in _settle_now(tx, problems, p):
                posting.run(
                    row,
                    cols,
                    lambda d=debit, a=amt, c=doc.id, p=p: apply_credit(
                        tx, c, d.id, a, max(p.day, d.doc_date), p.reason
                    ),
                )
        return len(plans), count_apps, tuple(sorted(totals.items()))

    return post


_IMPORTERS: dict[str, Callable[[Tx, Sequence[Row], Problems], Callable[[], tuple]]] = {
    "customers": _import_customers,
    "items": _import_items,
    "invoices": _import_invoices,
    "payments": _import_payments,
    "credits": _import_credits,
}


# -- export -------------------------------------------------------------------------


def _plain(amount: int, currency: str) -> str:
    return format_amount(amount, currency, thousands=False)


def _writer(out: IO[str], spec: Spec) -> Callable[[Mapping[str, Any]], None]:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(spec.columns)
    text = set(spec.text)

    def write(values: Mapping[str, Any]) -> None:
        w.writerow(
            [
                neutralise(str(values.get(c) or "")) if c in text else str(values.get(c, ""))
                for c in spec.columns
            ]
        )

    return write


def export_kind(book: Book, kind: str, out: IO[str]) -> int:
    """Write every record of `kind` in the import columns, in one read transaction;
    returns the rows written."""
    if kind not in SPECS:
        raise ValueError(f"unknown kind {kind}")
    return book.read(lambda tx: _EXPORTERS[kind](tx, _writer(out, SPECS[kind])))


def _export_customers(tx: Tx, write: Callable[[Mapping[str, Any]], None]) -> int:
    K = Contact.__table__  # noqa: N806
    AD = Address.__table__  # noqa: N806
    billing = (
        select(K.c.customer_id, func.min(K.c.id).label("kid"))
        .where(K.c.is_billing.is_(True))
        .group_by(K.c.customer_id)
        .subquery("billing")
    )
    first_contact = (
        select(K.c.customer_id, func.min(K.c.id).label("kid")).group_by(K.c.customer_id)
    ).subquery("first_contact")
    first_address = (
        select(AD.c.customer_id, func.min(AD.c.id).label("aid"))
        .where(AD.c.kind == "billing")
        .group_by(AD.c.customer_id)
        .subquery("first_address")
    )
    kid = func.coalesce(billing.c.kid, first_contact.c.kid)
    stmt = (
        select(
            C.c.account,
            C.c.name,
            C.c.terms,
            C.c.credit_limit,
            C.c.currency,
            K.c.name.label("contact"),
            K.c.email,
            K.c.phone,
            AD.c.line1,
            AD.c.line2,
            AD.c.city,
            AD.c.region,
            AD.c.postal_code,
            AD.c.country,
        )
        .select_from(
            C.outerjoin(billing, billing.c.customer_id == C.c.id)
            .outerjoin(first_contact, first_contact.c.customer_id == C.c.id)
            .outerjoin(K, K.c.id == kid)
            .outerjoin(first_address, first_address.c.customer_id == C.c.id)
            .outerjoin(AD, AD.c.id == first_address.c.aid)
        )
        .order_by(C.c.account)
    )
    n = 0
    for r in tx.conn.execute(stmt):
        write(
            {
                "account": r.account,
                "name": r.name,
                "email": r.email or "",
                "phone": r.phone or "",
                "contact": r.contact or "",
                "terms": r.terms,
                "credit_limit": _plain(r.credit_limit, r.currency),
                "currency": r.currency,
                "address1": r.line1 or "",
                "address2": r.line2 or "",
                "city": r.city or "",
                "region": r.region or "",
                "postal_code": r.postal_code or "",
                "country": r.country or "",
            }
        )
        n += 1
    return n


def _export_items(tx: Tx, write: Callable[[Mapping[str, Any]], None]) -> int:
    I = Item.__table__  # noqa: N806, E741
    home = tx.company()["currency"]
    n = 0
    for r in tx.conn.execute(select(I).order_by(I.c.code)):
        write(
            {
                "code": r.code,
                "description": r.description,
                "unit_price": _plain(r.unit_price, home),
                "tax_rate": format_rate(r.tax_rate),
            }
        )
        n += 1
    return n


def _export_invoices(tx: Tx, write: Callable[[Mapping[str, Any]], None]) -> int:
    L = InvoiceLine.__table__  # noqa: N806
    stmt = (
        select(
            D.c.id,
            D.c.kind,
            D.c.number,
            D.c.doc_date,
            D.c.due_date,
            D.c.terms,
            D.c.reference,
            D.c.shipping,
            D.c.amount,
            D.c.currency,
            D.c.memo,
            D.c.reason,
            C.c.account,
            L.c.item_code,
            L.c.description,
            L.c.quantity,
            L.c.unit_price,
            L.c.discount_rate,
            L.c.tax_rate,
            L.c.line_no,
        )
        .select_from(D.join(C, C.c.id == D.c.customer_id).outerjoin(L, L.c.document_id == D.c.id))
        .where(D.c.status == "posted", D.c.kind.in_(DEBIT_KINDS))
        .order_by(D.c.doc_date, D.c.id, L.c.line_no)
    )
    n = 0
    for r in tx.conn.execute(stmt.execution_options(yield_per=2000)):
        cur = r.currency
        head = {
            "number": r.number,
            "account": r.account,
            "date": r.doc_date.isoformat(),
            "due_date": r.due_date.isoformat() if r.due_date else "",
        }
        if r.kind == "invoice" and r.line_no is not None:
            row = {
                **head,
                "terms": r.terms,
                "po": r.reference,
                "item": r.item_code,
                "description": r.description,
                "quantity": format_quantity(r.quantity),
                "unit_price": _plain(r.unit_price, cur),
                "discount_pct": format_rate(r.discount_rate) if r.discount_rate else "",
                "tax_rate": format_rate(r.tax_rate) if r.tax_rate else "",
                "shipping": _plain(r.shipping, cur) if r.shipping else "",
            }
        else:
            # another kind of charge: one line for its whole amount, due as it was
            row = {
                **head,
                "terms": "DUE",
                "po": r.reference,
                "description": r.memo or r.reason or KIND_LABEL.get(r.kind, r.kind),
                "quantity": "1",
                "unit_price": _plain(r.amount, cur),
            }
        write(row)
        n += 1
    return n


def _net_applications(tx: Tx, credit_kinds: Sequence[str]) -> Iterator[Any]:
    """(credit id, debit number, amount) for applications in force, by credit."""
    deb = D.alias("deb")
    cre = D.alias("cre")
    stmt = (
        select(
            A.c.credit_id,
            deb.c.number,
            func.sum(A.c.amount).label("amount"),
            func.min(A.c.id).label("first"),
        )
        .select_from(A.join(deb, deb.c.id == A.c.debit_id).join(cre, cre.c.id == A.c.credit_id))
        .where(cre.c.kind.in_(list(credit_kinds)), cre.c.status == "posted")
        .group_by(A.c.credit_id, A.c.debit_id, deb.c.number)
        .having(func.sum(A.c.amount) != 0)
        .order_by(A.c.credit_id, func.min(A.c.id))
    )
    return iter(tx.conn.execute(stmt.execution_options(yield_per=2000)))


def _export_settlements(
    tx: Tx,
    write: Callable[[Mapping[str, Any]], None],
    kinds: Sequence[str],
    head: Callable[[Any], dict[str, Any]],
    extra: Any = None,
) -> int:
    stmt = (
        select(
            D.c.id,
            D.c.kind,
            D.c.number,
            D.c.reference,
            D.c.doc_date,
            D.c.amount,
            D.c.currency,
            D.c.reason,
            C.c.account,
            *([extra] if extra is not None else []),
        )
        .select_from(
            D.join(C, C.c.id == D.c.customer_id)
            if extra is None
            else D.join(C, C.c.id == D.c.customer_id).outerjoin(
                ReceiptDetail.__table__, ReceiptDetail.__table__.c.document_id == D.c.id
            )
        )
        .where(D.c.status == "posted", D.c.kind.in_(list(kinds)))
        .order_by(D.c.id)
    )
    apps = _net_applications(tx, kinds)
    pending = next(apps, None)
    n = 0
    for r in tx.conn.execute(stmt.execution_options(yield_per=2000)):
        while pending is not None and pending.credit_id < r.id:
            pending = next(apps, None)
        base = head(r)
        base.update(
            account=r.account, date=r.doc_date.isoformat(), amount=_plain(r.amount, r.currency)
        )
        used = 0
        while pending is not None and pending.credit_id == r.id:
            write(
                {**base, "invoice": pending.number, "applied": _plain(pending.amount, r.currency)}
            )
            used += pending.amount
            n += 1
            pending = next(apps, None)
        if used < r.amount:
            write({**base, "invoice": "", "applied": _plain(r.amount - used, r.currency)})
            n += 1
    return n


def _export_payments(tx: Tx, write: Callable[[Mapping[str, Any]], None]) -> int:
    R = ReceiptDetail.__table__  # noqa: N806
    dup = {
        ref
        for (ref,) in tx.conn.execute(
            select(D.c.reference)
            .where(D.c.kind == "payment", D.c.status == "posted")
            .group_by(D.c.reference)
            .having(func.count() > 1)
        )
    }
    pay = D.alias("pay")
    # references that are another payment's number (that payment may need it as its key)
    clash = {
        ref
        for (ref,) in tx.conn.execute(
            select(D.c.reference)
            .join(pay, pay.c.number == D.c.reference)
            .where(D.c.kind == "payment", pay.c.kind == "payment", pay.c.id != D.c.id)
        )
    }

    def head(r: Any) -> dict[str, Any]:
        """The key that makes one payment's rows: its reference where that is unique,
        else its number (never another payment's kept reference: see `clash`)."""
        ref = r.reference
        if not ref or ref in dup or ref in clash:
            ref = r.number
        return {"reference": ref, "method": r.method or "check"}

    return _export_settlements(tx, write, ("payment",), head, R.c.method)


def _export_credits(tx: Tx, write: Callable[[Mapping[str, Any]], None]) -> int:
    def head(r: Any) -> dict[str, Any]:
        return {"number": r.number, "reason": r.reason}

    return _export_settlements(tx, write, tuple(k for k in CREDIT_KINDS if k != "payment"), head)


_EXPORTERS: dict[str, Callable[[Tx, Callable[[Mapping[str, Any]], None]], int]] = {
    "customers": _export_customers,
    "items": _export_items,
    "invoices": _export_invoices,
    "payments": _export_payments,
    "credits": _export_credits,
}
