"""Book fixtures: every integration test runs on SQLite and on a real PostgreSQL."""

import datetime as dt
import email
import socket
import uuid

import pytest
from sqlalchemy import create_engine, text

from artui.book import Book, open_book
from artui.customers import CustomerInput, create_customer
from artui.outbox import MailSettings

TODAY = dt.date(2026, 11, 24)


def _fresh_pg_url(base: str) -> str:
    """A new empty database on the test server, so tests never see each other."""
    name = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
def book_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "book.db")
    pg = request.getfixturevalue("pg_url")
    return _fresh_pg_url(pg)


@pytest.fixture
def book(book_url) -> Book:
    b = open_book(book_url, "alice", create=True, company="Test Co", today=TODAY)
    from artui.users import add_user

    add_user(b, "sam", "supervisor")
    add_user(b, "carl", "clerk")
    yield b
    b.dispose()


@pytest.fixture
def sqlite_book(tmp_path) -> Book:
    b = open_book(str(tmp_path / "book.db"), "alice", create=True, company="Test Co", today=TODAY)
    yield b
    b.dispose()


def add_customer(book: Book, account: str = "C100", name: str = "Acme Ltd", **kw) -> int:
    return create_customer(book, CustomerInput(account=account, name=name, **kw))


def as_user(book: Book, user: str) -> Book:
    return Book(book.engine, user, today=book.today())


# -- a real SMTP server on loopback ----------------------------------------------


class Catcher:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001
        if address.startswith("nobody@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    """(catcher, settings): an aiosmtpd server on 127.0.0.1 that keeps what it gets and
    refuses any nobody@ recipient."""
    from aiosmtpd.controller import Controller

    catcher = Catcher()
    port = free_port()
    controller = Controller(catcher, hostname="127.0.0.1", port=port)
    controller.start()
    yield catcher, MailSettings(host="127.0.0.1", port=port, sender="ar@example.com")
    controller.stop()
