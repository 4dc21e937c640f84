"""A small deterministic book for the UI tests, built once per test session."""

import datetime as dt
import shutil

import pytest

from artui import demo
from artui.book import Book, open_book

TODAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="session")
def template_book(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("template") / "book.db"
    b = open_book(str(path), "alice", create=True, company="Demo Co", today=TODAY)
    demo.build(b, customers=40, seed=7, today=TODAY)
    b.dispose()
    return str(path)


@pytest.fixture
def book(template_book, tmp_path) -> Book:
    path = tmp_path / "book.db"
    shutil.copy(template_book, path)
    b = open_book(str(path), "alice", today=TODAY)
    yield b
    b.dispose()
