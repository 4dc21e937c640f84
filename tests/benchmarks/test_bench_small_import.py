"""Import speed: ~5,000 invoice lines (1,250 invoices of 4 lines for 200 customers)
through `import_file`, all validation and the ledger's own posting path, in one
transaction. Prints the rate; no wall-clock assertion (the 100,000-line target, under
30 s, is measured by hand: `python -m tests.benchmarks.test_bench_small_import 100000`)."""

import datetime as dt
import random
import sys
import time
from pathlib import Path

from artui.book import open_book
from artui.csvio import import_file

TODAY = dt.date(2026, 11, 24)


def files(lines: int, customers: int = 200, per_invoice: int = 4, seed: int = 1):
    rng = random.Random(seed)
    cust = "account,name,terms\n" + "".join(
        f"C{i:05d},Customer {i},NET30\n" for i in range(customers)
    )
    out = ["number,account,date,description,quantity,unit_price,discount_pct,tax_rate"]
    n = inv = 0
    while n < lines:
        inv += 1
        acct = f"C{rng.randrange(customers):05d}"
        day = f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}"
        for _ in range(min(per_invoice, lines - n)):
            out.append(
                f"B-{inv:07d},{acct},{day},Widget {rng.randint(1, 99)},{rng.randint(1, 20)},"
                f"{rng.randint(100, 99999) / 100:.2f},{rng.choice(['', '5'])},"
                f"{rng.choice(['', '7.25'])}"
            )
            n += 1
    return cust.encode(), ("\n".join(out) + "\n").encode(), inv


def measure(path: Path, lines: int) -> tuple[int, float]:
    book = open_book(str(path), "alice", create=True, today=TODAY)
    customers, invoices, count = files(lines)
    import_file(book, "customers", customers)
    start = time.perf_counter()
    result = import_file(book, "invoices", invoices)
    seconds = time.perf_counter() - start
    book.dispose()
    assert (result.records, result.details) == (count, lines)
    return count, seconds


def test_small_import_rate(tmp_path):
    lines = 5000
    count, seconds = measure(tmp_path / "import.db", lines)
    print(
        f"\nimport invoices: {lines:,} lines ({count:,} invoices) in {seconds:.2f} s: "
        f"{lines / seconds:,.0f} lines/s, {count / seconds:,.0f} invoices/s "
        f"(100,000 lines would take about {100000 / (lines / seconds):.0f} s)"
    )


if __name__ == "__main__":  # a by-hand measurement at any size
    import tempfile

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    with tempfile.TemporaryDirectory() as folder:
        count, seconds = measure(Path(folder) / "import.db", size)
    print(f"{size:,} lines ({count:,} invoices) in {seconds:.1f} s: {size / seconds:,.0f} lines/s")
