"""People and roles: clerk, supervisor, admin."""

from dataclasses import dataclass

from sqlalchemy import insert, select, update

from artui import audit
from artui.book import ROLES, Book, Tx, read_only, unit_of_work
from artui.errors import NotAllowed, NotFound, Refused
from db.models import AppUser

U = AppUser.__table__


@dataclass(frozen=True)
class User:
    name: str
    full_name: str
    role: str
    email: str
    active: bool
    writeoff_limit: int


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise Refused(f"'{role}' is not a role; use clerk, supervisor or admin.", field="role")


@unit_of_work
def add_user(tx: Tx, name: str, role: str = "clerk", full_name: str = "", email: str = "") -> None:
    tx.require("admin", "Adding a user")
    _check_role(role)
    name = name.strip()
    if not name or not all(c.isalnum() or c in "._-" for c in name):
        raise Refused("A user name is a login name: letters, digits, dots, dashes.", field="name")
    if tx.conn.execute(select(U.c.name).where(U.c.name == name)).first():
        raise Refused(f"{name} is already a user.", field="name")
    row = {"name": name, "role": role, "full_name": full_name or name, "email": email}
    tx.conn.execute(insert(U).values(**row))
    audit.record(tx, "user.add", entity="user", entity_id=name, after=row)


@unit_of_work
def set_role(tx: Tx, name: str, role: str) -> None:
    tx.require("admin", "Changing a role")
    _check_role(role)
    old = tx.conn.execute(select(U.c.role).where(U.c.name == name)).scalar()
    if old is None:
        raise NotFound(f"{name} is not a user.")
    tx.conn.execute(update(U).where(U.c.name == name).values(role=role))
    audit.record(
        tx, "user.role", entity="user", entity_id=name, before={"role": old}, after={"role": role}
    )


@read_only
def list_users(tx: Tx) -> list[User]:
    return [User(**dict(r)) for r in tx.conn.execute(select(U).order_by(U.c.name)).mappings()]


def admit(book: Book) -> None:
    """At start (the workstation and every command): a user the book does not know is
    refused when the company's `unknown_user` setting says 'refuse', and otherwise works
    read-only (every write is refused, naming them: see Book._tx)."""
    if book.role():
        return
    policy = book.read(lambda tx: tx.company()["unknown_user"])
    if policy != "readonly":
        raise NotAllowed(
            f"{book.user} is not a user of this book, and it lets in no one it does not "
            f"know; ask an admin to add you (artui user add {book.user})."
        )
