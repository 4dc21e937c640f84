"""Two workstation figures for the benchmark suite (issue #10): the cursor moving in the
long tables, and the peak memory of a workstation with the whole book open in every
screen.

`python -m tests.benchmarks.ui_figures memory DB` (from the checkout) is the memory
figure's own process; with `--trace N` it also prints the N lines of code holding the
most memory at the end (tracemalloc: several times slower, and its own overhead counts
in the peak, so the figure is measured without it)."""

import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

from artui.book import Book

from .suite import TODAY, Figure, _painted, pct

MOVES_PER_TABLE = 60  # Down presses; a PageDown after every fifth


async def _move(app, table, key: str, more_due) -> tuple[float, bool] | None:  # noqa: ANN001
    """One keystroke as the terminal sends it, timed to the table painted after it, and
    whether it brought more rows; None when the cursor cannot move. When the move brings
    the next page (`more_due(row)`), the time runs until those rows are in and painted."""
    from textual import events

    before, count = table.cursor_row, table.row_count
    if before >= count - 1:
        return None
    start = time.perf_counter()
    event = events.Key(key, None)
    event.set_sender(app)
    app._driver.send_message(event)
    deadline = start + 10
    while table.cursor_row == before:
        await asyncio.sleep(0.0005)
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{key} did not move the cursor of {table.id}")
    if more_due(table.cursor_row):
        while table.row_count == count:
            await asyncio.sleep(0.0005)
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no more rows came into {table.id}")
    await _painted(app)
    return (time.perf_counter() - start) * 1000, table.row_count > count


async def _walk(app, table, more_due=lambda _row: False, moves: int = MOVES_PER_TABLE) -> list:  # noqa: ANN001
    """Down, and a PageDown after every fifth Down, until `moves` Downs or the end:
    [(key, ms)], the key "page" for a move that brought the next page of rows."""
    out = []
    for n in range(moves):
        for key in ("down", "pagedown") if n % 5 == 4 else ("down",):
            moved = await _move(app, table, key, more_due)
            if moved is None:
                return out
            ms, loaded = moved
            out.append(("page" if loaded else key, ms))
    return out


def measure_cursor(book: Book) -> Figure:
    """Cursor moves in the long tables, all together (see measure_cursor_parts)."""
    return measure_cursor_parts(book)[0]


def measure_cursor_parts(book: Book) -> list[Figure]:
    """Cursor moves (Down and PageDown) in the account's open items and history (the
    customer with 2,000 documents, across the pages they load), the lookup results and
    the worklist, at 80x24: each keystroke to the table painted. The figure for all the
    moves, then one line for each table."""
    from textual.widgets import DataTable, Input

    from artui.app import ArtuiApp
    from artui.customers import get_customer
    from screens.account import AccountScreen

    cid = get_customer(book, "BIG1").id
    samples: dict[str, list[tuple[str, float]]] = {}

    async def run() -> None:
        app = ArtuiApp(book)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            # the lookup results: a query with a full page of them
            lookup = app.screen
            box = lookup.query_one(Input)
            box.value = "a"
            while not lookup.rows:  # type: ignore[attr-defined]
                await asyncio.sleep(0.001)
            await pilot.press("down")  # into the results
            samples["lookup results"] = await _walk(app, lookup.query_one("#results", DataTable))

            app.open_account(cid)
            while not (isinstance(app.screen, AccountScreen) and app.screen.data):
                await asyncio.sleep(0.001)
            screen = app.screen
            await pilot.pause()
            data = screen.data
            assert data is not None

            opened = screen.query_one("#open_items", DataTable)
            screen.set_focus(opened)
            await pilot.pause()
            samples["open items"] = await _walk(
                app,
                opened,
                lambda row: (
                    row >= screen.open_shown - 5
                    and screen.open_shown < len(data.summary.open_items)
                ),
                moves=120,
            )

            await pilot.press("2")
            await pilot.pause()
            history = screen.query_one("#history_table", DataTable)
            samples["history"] = await _walk(
                app,
                history,
                lambda row: screen.history_next is not None and row >= history.row_count - 5,
                moves=120,
            )

            app.action_worklist()
            await app.workers.wait_for_complete()
            await pilot.pause()
            await app.workers.wait_for_complete()  # an empty "mine" turns to everyone's
            await pilot.pause()
            samples["worklist"] = await _walk(app, app.screen.query_one("#work", DataTable))

    asyncio.run(run())
    moves = [move for part in samples.values() for move in part]
    ms = [m for _key, m in moves]
    figures = [
        Figure(
            f"cursor move to painted, {len(ms)} Down/PageDown",
            statistics.median(ms),
            pct(ms, 0.95),
            "ms",
            "p95 < 40 ms",
            pct(ms, 0.95) < 40,
        )
    ]
    parts = {name: [m for _key, m in part] for name, part in samples.items()}
    for key, name in (("down", "Down"), ("pagedown", "PageDown"), ("page", "loading a page")):
        parts[name] = [m for k, m in moves if k == key]
    for name, part in parts.items():
        if part:
            figures.append(
                Figure(
                    f"  {name} ({len(part)})", statistics.median(part), pct(part, 0.95), "ms", ""
                )
            )
    return figures


def measure_memory(db_path: str) -> Figure:
    """Peak memory of a workstation process that visits every screen on the book: its own
    ru_maxrss, so the process is its own."""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.ui_figures", "memory", str(db_path)],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    )
    mb = float(done.stdout.strip().splitlines()[-1].split()[-1])
    return Figure(
        "peak memory, the book open in every screen",
        mb,
        None,
        "MB",
        "< 150 MB",
        mb < 150,
    )


async def _visit_every_screen(book: Book, trace: int = 0) -> None:
    """Lookup with results, the big account on every tab, invoice entry, cash receipts,
    the worklist, the aging summary and detail for the whole book, statements, approvals
    and settings: each pushed over the last, so all stay open."""
    from textual.widgets import DataTable, Input, Select

    from artui.app import ArtuiApp
    from artui.customers import get_customer
    from screens.account import AccountScreen
    from screens.reports import ReportsScreen

    app = ArtuiApp(book)

    async def settle(pilot, step: str) -> None:  # noqa: ANN001
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        # where the peak grows: a line for each step
        print(f"peak {_peak_mb():6.1f} MB, now {_rss_mb():6.1f} MB: {step}", flush=True)

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, "started")
        app.screen.query_one(Input).value = "a"
        await settle(pilot, "lookup 'a'")
        app.open_account(get_customer(book, "BIG1").id)
        await settle(pilot, "account BIG1")
        assert isinstance(app.screen, AccountScreen)
        for tab in "123456":
            await pilot.press(tab)
            await settle(pilot, f"account tab {tab}")
        for action, step in (
            (app.action_new_invoice, "invoice entry (F3)"),
            (app.action_receipts, "cash receipts (F4)"),
            (app.action_worklist, "worklist (F5)"),
        ):
            action()
            await settle(pilot, step)
        await settle(pilot, "worklist, everyone's")  # when "mine" is empty
        app.action_reports("aging")
        await settle(pilot, "reports (F7): aging summary")
        reports = app.screen
        assert isinstance(reports, ReportsScreen)
        reports.query_one("#report", Select).value = "aging-detail"
        await settle(pilot, "reports: aging detail")
        assert reports.table is not None and reports.table.name == "aging-detail"
        # The clerk scrolls: each End near the last row read brings the next page.
        rows = reports.query_one("#rows", DataTable)
        reports.set_focus(rows)
        first = rows.row_count
        for _ in range(5):
            await pilot.press("end")
            await settle(pilot, f"reports: aging detail, End ({rows.row_count:,} rows held)")
        assert rows.row_count > first, "End brought no more rows"
        for action, step in (
            (app.action_statements, "statements (F6)"),
            (app.action_approvals, "approvals (F8)"),
            (app.action_settings, "settings (F9)"),
        ):
            action()
            await settle(pilot, step)
        names = [type(s).__name__ for s in app.screen_stack]
        print("screens open:", " ".join(names))
        if trace:  # while every screen is still open
            import tracemalloc

            snap = tracemalloc.take_snapshot()
            current, peak = tracemalloc.get_traced_memory()
            print(f"traced now {current / 2**20:.0f} MB, traced peak {peak / 2**20:.0f} MB")
            for stat in snap.statistics("lineno")[:trace]:
                print(stat)


def _peak_mb() -> float:
    """This program's peak resident set. On Linux it is read from VmHWM: getrusage's
    ru_maxrss keeps, across exec, the size of the process that started it (under
    pytest, the test process's own 200-300 MB, which made the figure the parent's)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    """The resident set now (Linux), beside the peak."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096 / 2**20
    except OSError:
        return 0.0


def _memory_main(db_path: str, trace: int) -> None:
    from artui.book import open_book

    if trace:
        import tracemalloc

        tracemalloc.start()
    book = open_book(db_path, "bench", today=TODAY)
    asyncio.run(_visit_every_screen(book, trace))
    book.dispose()
    print(f"peak_rss_mb {_peak_mb():.1f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    trace = 0
    if "--trace" in args:
        i = args.index("--trace")
        trace = int(args[i + 1])
        del args[i : i + 2]
    if args[:1] != ["memory"] or len(args) != 2:
        sys.exit("usage: python -m tests.benchmarks.ui_figures memory DB [--trace N]")
    _memory_main(args[1], trace)
