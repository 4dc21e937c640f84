"""Pilot on PostgreSQL: another process posts a receipt and the open account shows it
within two seconds, told by NOTIFY rather than the (then 15 s) poll."""

import asyncio
import datetime as dt
import os
import subprocess
import sys

import pytest

from artui.app import ArtuiApp
from artui.book import open_book
from artui.invoices import InvoiceInput, post_invoice
from artui.money import format_amount
from artui.pricing import LineInput
from tests.integration.conftest import _fresh_pg_url, add_customer

from .conftest import TODAY

POST = """
import sys, datetime as dt
from artui.book import open_book
from artui.receipts import PaymentInput, receive_payment
book = open_book(sys.argv[1], "bob", today=dt.date.fromisoformat(sys.argv[2]))
receive_payment(book, PaymentInput("L1", 1234, book.today(), reference="from bob"))
"""


@pytest.mark.postgres
def test_an_account_shows_a_receipt_posted_by_another_process(pg_url):
    url = _fresh_pg_url(pg_url)
    book = open_book(url, "alice", create=True, today=TODAY)
    from artui.users import add_user

    add_user(book, "bob", "clerk")
    cid = add_customer(book, "L1", "Live Ltd")
    post_invoice(book, InvoiceInput("L1", dt.date(2026, 11, 1), [LineInput("x", 1000, 5000)]))

    async def run() -> None:
        app = ArtuiApp(book)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.listener is not None and app.listener.listening.wait(5)
            app.open_account(cid)
            for _ in range(3):
                await pilot.pause()
                await app.workers.wait_for_complete()
            head = app.screen.query_one("#head")
            assert f"Balance {format_amount(5000)}" in str(head.render())
            # the other clerk's process, started and finished before the clock starts
            env = {**os.environ, "ARTUI_TODAY": TODAY.isoformat()}
            proc = await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-c", POST, url, TODAY.isoformat()],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert proc.returncode == 0, proc.stderr
            loop = asyncio.get_running_loop()
            started = loop.time()
            while loop.time() - started < 2.0:
                await asyncio.sleep(0.05)
                await pilot.pause()
                if f"Balance {format_amount(5000 - 1234)}" in str(head.render()):
                    break
            else:
                raise AssertionError("the account did not show the receipt within 2 s")

    try:
        asyncio.run(run())
    finally:
        book.dispose()
