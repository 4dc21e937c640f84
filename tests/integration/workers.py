"""Processes for the concurrency and crash tests (run as `python -m`)."""

import datetime as dt
import json
import os
import random
import sys

from artui.book import open_book
from artui.errors import DomainError
from artui.invoices import InvoiceInput, post_invoice
from artui.pricing import LineInput
from artui.receipts import PaymentInput, receive_payment

TODAY = dt.date(2026, 11, 24)


def apply_receipts(url: str, ops: int, seed: int, invoice_numbers: list[str]) -> None:
    """Receipts of 3.00, each applied to a random one of the same open invoices."""
    book = open_book(url, "alice", today=TODAY)
    rng = random.Random(seed)
    done = refused = 0
    applied = 0
    for _ in range(ops):
        number = rng.choice(invoice_numbers)
        try:
            r = receive_payment(book, PaymentInput("C1", 300, TODAY, applications=[(number, 300)]))
            done += 1
            applied += sum(a.amount for a in r.applied)
        except DomainError:
            refused += 1  # more than is open: the other process got there first
    print(json.dumps({"done": done, "refused": refused, "applied": applied}))


def post_forever(url: str, ack_path: str, seed: int) -> None:
    """Post invoices of three lines and payments, writing each acknowledged command id
    to `ack_path` (fsynced) only after its commit returned."""
    book = open_book(url, "alice", today=TODAY)
    rng = random.Random(seed)
    with open(ack_path, "a") as ack:
        n = 0
        while True:
            n += 1
            cmd = f"{seed}-{n}"
            if rng.random() < 0.6:
                lines = [LineInput(f"line {k}", 1000, rng.randint(100, 9999)) for k in range(3)]
                post_invoice(book, InvoiceInput("C1", TODAY, lines, command_id="inv-" + cmd))
                ack.write("inv-" + cmd + "\n")
            else:
                receive_payment(
                    book,
                    PaymentInput("C1", rng.randint(100, 20000), TODAY, command_id="pay-" + cmd),
                )
                ack.write("pay-" + cmd + "\n")
            ack.flush()
            os.fsync(ack.fileno())


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "apply":
        apply_receipts(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5].split(","))
    elif kind == "post":
        post_forever(sys.argv[2], sys.argv[3], int(sys.argv[4]))
