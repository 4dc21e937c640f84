"""The role matrix (issue #8): every command and every core write, against every role.

The expected table is written out here from the rules (README "Users and roles",
ARCHITECTURE.md section 5), not read from the code: clerks post; supervisors also
approve write-offs above the clerk's limit, voids of paid invoices, large credit memos
and refunds, and close periods; admins (above supervisors) manage users and settings;
nobody approves their own request; someone the book does not know is turned away, or
with `unknown_user = 'readonly'` may look but not write.

Every cell runs on its own copy of one small book. A refused cell must say why in a
sentence (never a traceback) and change nothing (the audit event count is unchanged);
a cell that needs approval files exactly one request and posts nothing.
"""

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from artui import approvals, batches
from artui.book import Book, open_book
from artui.customers import CustomerInput, create_customer, set_hold
from artui.errors import DomainError, NotAllowed
from artui.invoices import InvoiceInput, post_invoice
from artui.period import close_period
from artui.pricing import LineInput
from artui.receipts import PaymentInput, receive_payment, reverse_payment, unapply
from artui.settings import set_setting, update_company
from artui.users import add_user, admit, set_role
from db.engine import make_engine
from db.models import Company

from .conftest import TODAY, add_customer
from .test_ledger import D0, inv

ARTUI = str(Path(sys.executable).with_name("artui"))
ROLES = ("clerk", "supervisor", "admin", "unknown/refuse", "unknown/readonly")
USER = {
    "clerk": "carl",
    "supervisor": "sam",
    "admin": "alice",
    "unknown/refuse": "zed",
    "unknown/readonly": "zed",
}
OK, REFUSED, WAITS, USAGE = "ok", "refused", "needs approval", "usage"
NA = None  # not run: it would open the workstation or serve it


def _row(clerk: str | None, supervisor: str | None, admin: str | None, **unknown: str | None):
    cells = dict(zip(ROLES[:3], (clerk, supervisor, admin), strict=True))
    cells["unknown/refuse"] = unknown.get("refuse", REFUSED)
    cells["unknown/readonly"] = unknown.get("readonly", REFUSED)
    return cells


def _table(rows: dict[str, dict[str, str | None]]) -> dict[tuple[str, str], str | None]:
    return {(action, role): cell for action, cells in rows.items() for role, cell in cells.items()}


# -- the expected outcomes, from the rules --------------------------------------------

CLERK_WORK = _row(OK, OK, OK)
BEYOND_A_CLERK = _row(WAITS, OK, OK)  # a clerk's request waits for a supervisor
SUPERVISOR_ONLY = _row(REFUSED, OK, OK)
ADMIN_ONLY = _row(REFUSED, REFUSED, OK)
NOBODY = _row(REFUSED, REFUSED, REFUSED)

CORE = _table(
    {
        "post invoice": CLERK_WORK,
        "receive payment": CLERK_WORK,
        "add a customer": CLERK_WORK,
        "put a customer on hold": CLERK_WORK,
        "un-apply a payment": CLERK_WORK,
        "reverse a bounced payment": CLERK_WORK,
        "write-off within the limit": CLERK_WORK,
        "write-off above the limit": BEYOND_A_CLERK,
        "void an unpaid invoice": CLERK_WORK,
        "void a paid invoice": BEYOND_A_CLERK,
        "credit memo within the limit": CLERK_WORK,
        "credit memo above the limit": BEYOND_A_CLERK,
        "refund within the limit": CLERK_WORK,
        "refund above the limit": BEYOND_A_CLERK,
        "approve another's request": SUPERVISOR_ONLY,
        "reject another's request": SUPERVISOR_ONLY,
        "approve own request": NOBODY,
        "reject own request": NOBODY,
        "discount beyond the terms": BEYOND_A_CLERK,
        "post a balanced deposit batch": CLERK_WORK,
        "post a deposit batch out of balance": SUPERVISOR_ONLY,
        "close a period": SUPERVISOR_ONLY,
        "change a setting": ADMIN_ONLY,
        "change the company's controls": ADMIN_ONLY,
        "add a user": ADMIN_ONLY,
        "change a role": ADMIN_ONLY,
    }
)

LOOK = _row(OK, OK, OK, readonly=OK)  # reading: anyone the book lets in
ANYONE = _row(OK, OK, OK, refuse=OK, readonly=OK)  # a new book: its maker is its admin

# (argv after `artui --db BOOK --user NAME`; {dir} is the cell's folder, {new} a new book)
CLI_COMMANDS: dict[str, tuple[list[str], dict[str, str | None]]] = {
    "init (a new book)": (["--db", "{new}", "init"], ANYONE),
    "init (this book)": (["init"], NOBODY),  # there is a book already
    "demo (a new book)": (["--db", "{new}", "demo", "--customers", "2"], ANYONE),
    "demo (this book)": (["demo", "--customers", "2"], NOBODY),  # it has customers
    "import customers": (["import", "customers", "{dir}/new.csv"], CLERK_WORK),
    # a dry run is an import rolled back: a write transaction, so read-only users are
    # refused it too
    "import --dry-run": (["import", "customers", "{dir}/new.csv", "--dry-run"], CLERK_WORK),
    "import credits (within the limit)": (["import", "credits", "{dir}/small.csv"], CLERK_WORK),
    "import credits (above the limit)": (["import", "credits", "{dir}/large.csv"], SUPERVISOR_ONLY),
    "export customers": (["export", "customers", "-o", "{dir}/c.csv"], LOOK),
    "export journal": (["export", "journal", "--format", "csv", "-o", "{dir}/j.csv"], LOOK),
    "aging": (["aging"], LOOK),
    "aging --detail --format csv": (["aging", "--detail", "--format", "csv"], LOOK),
    "account": (["account", "C100"], LOOK),
    "invoice": (["invoice", "INV-000001", "-o", "{dir}/i.pdf"], LOOK),
    "statement": (["statement", "C100", "-o", "{dir}/s.pdf"], LOOK),
    # a run is logged in the book (and may mail customers): a write
    "statements": (["statements", "--out", "{dir}/run"], CLERK_WORK),
    "statement-runs": (["statement-runs"], LOOK),
    "report aging": (["report", "aging"], LOOK),
    "report my-activity": (["report", "my-activity"], LOOK),
    "report month-end": (
        ["report", "month-end", "--from", "2026-09-01", "--to", "2026-09-30"],
        LOOK,
    ),
    "check": (["check"], LOOK),
    "audit anchor": (["audit", "anchor"], LOOK),
    "close": (["close", "2026-10-31"], SUPERVISOR_ONLY),
    "backup": (["backup", "{dir}/copy.db"], LOOK),
    # migrations are the database's business, not the book's users': on SQLite whoever
    # may write the file may migrate it; on PostgreSQL only the owner role can
    "db upgrade": (["db", "upgrade"], ANYONE),
    "db roles": (["db", "roles"], NOBODY),  # PostgreSQL only
    "user add": (["user", "add", "newbie", "--role", "clerk"], ADMIN_ONLY),
    "serve --host 0.0.0.0": (
        ["serve", "--host", "0.0.0.0"],
        _row(USAGE, USAGE, USAGE, refuse=USAGE, readonly=USAGE),
    ),
    "serve --port 0": (
        ["serve", "--port", "0"],
        _row(USAGE, USAGE, USAGE, refuse=USAGE, readonly=USAGE),
    ),
    # these would serve or open the workstation for anyone the book lets in
    "serve": (["serve"], _row(NA, NA, NA, refuse=REFUSED, readonly=NA)),
    "(the workstation)": ([], _row(NA, NA, NA, refuse=REFUSED, readonly=NA)),
}
CLI = _table({name: cells for name, (_, cells) in CLI_COMMANDS.items()})


# -- the book every cell starts from --------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> dict[str, Any]:
    """Two copies of one small book (unknown users refused / read-only) and its ids."""
    folder = tmp_path_factory.mktemp("roles")
    path = folder / "refuse.db"
    b = open_book(str(path), "alice", create=True, company="Test Co", today=TODAY)
    add_user(b, "sam", "supervisor")
    add_user(b, "carl", "clerk")
    add_user(b, "cathy", "clerk")
    add_customer(b)
    unpaid = inv(b, amount=10000)  # INV-000001
    paid = inv(b, amount=200000)  # INV-000002: 30.00 paid on it
    part = receive_payment(b, PaymentInput("C100", 3000, D0, applications=[(paid.number, 3000)]))
    on_account = receive_payment(b, PaymentInput("C100", 150000, D0, auto=False)).doc
    balanced = batches.open_batch(b, TODAY, 1000, 1)
    batches.add_receipt(b, balanced, batches.ReceiptLine("C100", 1000, reference="101"))
    unbalanced = batches.open_batch(b, TODAY, 5000, 2)
    batches.add_receipt(b, unbalanced, batches.ReceiptLine("C100", 1000, reference="102"))
    cathy = Book(b.engine, "cathy", today=TODAY)
    other = approvals.perform(cathy, "write_off", paid.id, "bad debt")
    own = approvals.perform(cathy, "write_off", unpaid.id, "bad debt")
    assert other.waiting and own.waiting
    version = b.read(lambda tx: tx.company()["version"])
    b.dispose()
    shutil.copy(path, folder / "readonly.db")
    r = open_book(str(folder / "readonly.db"), "alice", today=TODAY)
    update_company(r, version, {"unknown_user": "readonly"})
    r.dispose()
    (folder / "new.csv").write_text("account,name\nN900,New Customer\n")
    (folder / "small.csv").write_text("number,account,date,amount\nCR-1,C100,2026-11-20,50.00\n")
    (folder / "large.csv").write_text("number,account,date,amount\nCR-2,C100,2026-11-20,1500.00\n")
    return {
        "folder": folder,
        "unpaid": unpaid.id,
        "paid": paid.id,
        "on_account": on_account.id,
        "payment": part.doc.id,
        "balanced": balanced,
        "unbalanced": unbalanced,
        "application": part.applied[0].id,
        "customer": on_account.customer_id,
        "other_request": other.request_id,
        "own_request": own.request_id,
    }


def cell_book(template: dict[str, Any], role: str, cell: Path) -> Path:
    """A copy of the book for one cell, in its own folder."""
    cell.mkdir(parents=True)
    source = "readonly.db" if role == "unknown/readonly" else "refuse.db"
    shutil.copy(template["folder"] / source, cell / "book.db")
    for name in ("new.csv", "small.csv", "large.csv"):
        shutil.copy(template["folder"] / name, cell / name)
    return cell / "book.db"


def audit_count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM audit_event").fetchone()[0]


def pending(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT count(*) FROM approval_request WHERE status = 'pending'"
        ).fetchone()[0]


def matrix(title: str, actions: list[str], got: dict[tuple[str, str], str | None]) -> str:
    """The matrix as text: one line per action, a column per role."""
    width = max(map(len, actions)) + 2
    short = {WAITS: "waits", None: "-"}
    lines = [title, f"{'':<{width}}" + "".join(f"{r:>18}" for r in ROLES)]
    for a in actions:
        lines.append(
            f"{a:<{width}}" + "".join(f"{short.get(got[a, r], got[a, r])!s:>18}" for r in ROLES)
        )
    return "\n".join(lines)


def show(request: pytest.FixtureRequest, text: str) -> None:
    """Printed with -s, and in the run's summary (tests/conftest.py shows `figures`)."""
    print("\n" + text)
    request.node.user_properties.append(("figures", text))


# -- the core write actions, as the workstation calls them -----------------------------


def _company_version(b: Book) -> int:
    return b.read(lambda tx: tx.conn.execute(select(Company.__table__.c.version)).scalar_one())


CORE_ACTIONS: dict[str, Callable[[Book, dict[str, Any]], Any]] = {
    "post invoice": lambda b, t: post_invoice(
        b, InvoiceInput("C100", TODAY, [LineInput("Widgets", 1000, 5000)])
    ),
    "receive payment": lambda b, t: receive_payment(b, PaymentInput("C100", 1000, TODAY)),
    "add a customer": lambda b, t: create_customer(b, CustomerInput("N900", "New Customer")),
    "put a customer on hold": lambda b, t: set_hold(b, t["customer"], True, "pays late"),
    "un-apply a payment": lambda b, t: unapply(b, t["application"], reason="wrong invoice"),
    "reverse a bounced payment": lambda b, t: reverse_payment(b, t["payment"]),
    "write-off within the limit": lambda b, t: approvals.perform(
        b, "write_off", t["unpaid"], "short pay", amount=300
    ),
    "write-off above the limit": lambda b, t: approvals.perform(
        b, "write_off", t["unpaid"], "bad debt"
    ),
    "void an unpaid invoice": lambda b, t: approvals.perform(b, "void", t["unpaid"], "twice"),
    "void a paid invoice": lambda b, t: approvals.perform(b, "void", t["paid"], "twice"),
    "credit memo within the limit": lambda b, t: approvals.perform(
        b, "credit_memo", "C100", 5000, "damaged"
    ),
    "credit memo above the limit": lambda b, t: approvals.perform(
        b, "credit_memo", "C100", 150000, "damaged"
    ),
    "refund within the limit": lambda b, t: approvals.perform(b, "refund", t["on_account"], 5000),
    "refund above the limit": lambda b, t: approvals.perform(b, "refund", t["on_account"]),
    "approve another's request": lambda b, t: approvals.approve(b, t["other_request"], "ok"),
    "reject another's request": lambda b, t: approvals.reject(b, t["other_request"], "call"),
    "approve own request": lambda b, t: approvals.approve(b, t["own_request"], "ok"),
    "reject own request": lambda b, t: approvals.reject(b, t["own_request"], "call"),
    "discount beyond the terms": lambda b, t: approvals.perform(b, "discount", t["paid"], 1000),
    "post a balanced deposit batch": lambda b, t: batches.post_batch(b, t["balanced"]),
    "post a deposit batch out of balance": lambda b, t: batches.post_batch(
        b, t["unbalanced"], "the bank slip says so"
    ),
    "close a period": lambda b, t: close_period(b, dt.date(2026, 10, 31)),
    "change a setting": lambda b, t: set_setting(b, "statement.footer", "Thank you"),
    "change the company's controls": lambda b, t: update_company(
        b, _company_version(b), {"approval_limit": 50000}
    ),
    "add a user": lambda b, t: add_user(b, "newbie", "clerk"),
    "change a role": lambda b, t: set_role(b, "cathy", "supervisor"),
}


def run_core(template: dict[str, Any], action: str, role: str, cell: Path) -> tuple[str, str]:
    """(outcome, what went wrong with it or '')."""
    db = cell_book(template, role, cell)
    user = USER[role]
    if "own request" in action:  # the request is the actor's own
        with sqlite3.connect(db) as conn:
            conn.execute(
                "UPDATE approval_request SET requested_by = ? WHERE id = ?",
                (user, template["own_request"]),
            )
    before, waiting = audit_count(db), pending(db)
    b = Book(make_engine(str(db)), user, today=TODAY)
    try:
        admit(b)  # as the workstation does at start
        result = CORE_ACTIONS[action](b, template)
    except NotAllowed as exc:
        changed = audit_count(db) != before
        return REFUSED, ("but something changed" if changed else "") + (
            "" if str(exc).strip() else " without a sentence"
        )
    except DomainError as exc:
        return f"error: {exc}", ""
    finally:
        b.dispose()
    if isinstance(result, approvals.Outcome) and result.waiting:
        ok = audit_count(db) == before + 1 and pending(db) == waiting + 1
        return WAITS, "" if ok else "but did more than file one request"
    return OK, "" if audit_count(db) > before else "but wrote no audit event"


def test_core_actions_against_every_role(template, tmp_path, request):
    got, notes = {}, []
    for n, (action, role) in enumerate(CORE):
        outcome, note = run_core(template, action, role, tmp_path / f"c{n}")
        got[action, role] = outcome
        if note:
            notes.append(f"{action} / {role}: {outcome} {note}")
    show(request, matrix("Role matrix: core writes", list(CORE_ACTIONS), got))
    wrong = [
        f"{a} / {r}: expected {CORE[a, r]}, got {got[a, r]}"
        for a, r in CORE
        if got[a, r] != CORE[a, r]
    ]
    assert not wrong + notes, "\n".join(wrong + notes)


# -- the command line -----------------------------------------------------------------


def cli_argv(name: str, db: Path, role: str) -> list[str]:
    args, _ = CLI_COMMANDS[name]
    folder = db.parent
    args = [a.format(dir=folder, new=folder / "new.db") for a in args]
    return ["--db", str(db), "--user", USER[role], *args]


def classify(code: int, stderr: str, exception: BaseException | None = None) -> str:
    if "Traceback" in stderr or (exception is not None and not isinstance(exception, DomainError)):
        return f"traceback: {exception or stderr[-300:]}"
    if code == 0:
        return OK
    if code == 2:
        return USAGE
    if code == 1 and (stderr.strip() or exception is not None):
        return REFUSED
    return f"exit {code} {stderr.strip()!r}"


def run_cli_in_process(
    template: dict[str, Any], name: str, role: str, cell: Path
) -> tuple[str, str]:
    """The typer app in-process (what `artui.cli.run` does: a domain error escaping a
    command is its sentence and exit 1)."""
    from artui.cli import app

    db = cell_book(template, role, cell)
    before = audit_count(db)
    result = CliRunner().invoke(
        app, cli_argv(name, db, role), env={"ARTUI_TODAY": TODAY.isoformat(), "ARTUI_DB": None}
    )
    exc = result.exception if not isinstance(result.exception, SystemExit) else None
    outcome = classify(result.exit_code, result.stderr, exc)
    note = ""
    if outcome in (REFUSED, USAGE) and audit_count(db) != before:
        note = "but something changed"
    return outcome, note


def test_cli_commands_against_every_role(template, tmp_path, request):
    got, notes = {}, []
    for n, (name, role) in enumerate(CLI):
        if CLI[name, role] is NA:
            got[name, role] = NA
            continue
        outcome, note = run_cli_in_process(template, name, role, tmp_path / f"c{n}")
        got[name, role] = outcome
        if note:
            notes.append(f"{name} / {role}: {outcome} {note}")
    show(request, matrix("Role matrix: artui commands", list(CLI_COMMANDS), got))
    wrong = [
        f"{a} / {r}: expected {CLI[a, r]}, got {got[a, r]}"
        for a, r in CLI
        if got[a, r] != CLI[a, r]
    ]
    assert not wrong + notes, "\n".join(wrong + notes)


def test_every_registered_command_is_in_the_matrix():
    """A command added later must be added to the matrix too."""
    import typer.main

    from artui.cli import app

    group = typer.main.get_command(app)
    names = set()
    for name, command in group.commands.items():
        subs = getattr(command, "commands", None)
        names |= {f"{name} {s}" for s in subs} if subs else {name}
    covered = set()
    for args, _ in CLI_COMMANDS.values():
        words = [a for a in args if not a.startswith("--") and "{" not in a]
        if words:
            covered.add(words[0])
            covered.add(" ".join(words[:2]))
    assert names <= covered, sorted(names - covered)


SPOT_CHECKS = [
    ("close", "clerk"),
    ("user add", "supervisor"),
    ("import customers", "unknown/readonly"),
    ("aging", "unknown/refuse"),
    ("aging", "clerk"),
    ("close", "supervisor"),
]


def test_the_real_process_agrees(template, tmp_path):
    """A few cells again as real processes: exit codes and sentences as a script sees."""

    def one(n: int, name: str, role: str) -> tuple[str, str, str]:
        db = cell_book(template, role, tmp_path / f"p{n}")
        before = audit_count(db)
        env = {**os.environ, "ARTUI_TODAY": TODAY.isoformat()}
        env.pop("ARTUI_DB", None)
        env.pop("ARTUI_USER", None)
        out = subprocess.run(
            [ARTUI, *cli_argv(name, db, role)], capture_output=True, text=True, env=env, timeout=120
        )
        outcome = classify(out.returncode, out.stderr)
        if outcome == REFUSED and audit_count(db) != before:
            outcome += " but something changed"
        return name, role, outcome

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda a: one(*a), [(n, *c) for n, c in enumerate(SPOT_CHECKS)]))
    wrong = [f"{n} / {r}: expected {CLI[n, r]}, got {o}" for n, r, o in results if o != CLI[n, r]]
    assert not wrong, "\n".join(wrong)
