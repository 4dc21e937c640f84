"""Reports (F7): any report for any date or period, on screen, to CSV and to PDF.

The screen shows what `artui.report_tables.build` returns, the same table the CLI
prints and the PDF holds. The aging shows its buckets as a chart above the table, and
the tie-out lines under it. The screen holds the totals and the rows the clerk has
scrolled to: the first page, and each next page as the cursor nears the last row
(Down, PageDown, End). Each page is read when it is asked for; a saved file reads all
its rows again, with the totals, in one read transaction.
"""

import datetime as dt
from dataclasses import replace
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Select, Static

from artui.dates import BUCKET_LABELS
from artui.report_tables import (
    PAGE,
    PERIOD,
    TITLES,
    Page,
    ReportTable,
    build,
    with_count,
    write_csv,
)
from screens.base import WorkScreen
from widgets.aging_chart import bucket_chart
from widgets.cells import plain
from widgets.fast_table import Table

MORE_WITHIN = 40  # the next page is read when the cursor is this near the last row
WINDOW = 3  # pages the table holds: scrolled past, a page leaves (and is read again)
CHOICES = [(title, name) for name, title in TITLES.items()]


class ReportRows(Table):
    """The report's rows: End and Home go to the last and first row read, as a clerk
    expects of a long list (DataTable's own End and Home go sideways), so End near the
    end reads the next page."""

    BINDINGS = [
        Binding("end", "scroll_bottom", "Last row", show=False),
        Binding("home", "scroll_top", "First row", show=False),
    ]


def default_folder() -> Path:
    return Path.home() / "artui-reports"


class ReportsScreen(WorkScreen):
    DEFAULT_CSS = """
    ReportsScreen #criteria { height: 1; margin: 0 0 1 0; }
    ReportsScreen #criteria Label { padding: 0 1 0 0; }
    ReportsScreen #criteria Input { width: 12; }
    ReportsScreen #report { width: 30; }
    ReportsScreen #error { color: $error; height: auto; padding: 0 1; }
    ReportsScreen #subtitle { height: 1; padding: 0 1; text-style: bold; }
    ReportsScreen #chart { height: auto; padding: 0 1; }
    ReportsScreen #rows { height: 1fr; }
    ReportsScreen #footer-lines { height: auto; max-height: 4; padding: 0 1; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save('csv')", "Save CSV", id="reports.csv"),
        Binding("ctrl+o", "save('pdf')", "Save PDF", id="reports.pdf"),
        Binding("escape", "back", "Back", id="reports.back"),
    ]

    def __init__(self, report: str = "aging", folder: Path | None = None) -> None:
        super().__init__()
        self.report = report
        self.folder = folder or default_folder()
        self.table: ReportTable | None = None
        self.asked: tuple | None = None
        self.save_asked: str | None = None  # Ctrl+S/O pressed while the report was read
        self.asking: tuple | None = None  # (report, page) being read
        self.starts: list[object] = [None]  # where each page known starts
        self.first = 0  # the first page held
        self.sizes: list[int] = []  # the rows of each page held
        self.held_before = 0  # rows of the pages before the first held

    def compose_body(self) -> ComposeResult:
        today = self.app.book.today().isoformat()  # type: ignore[attr-defined]
        with Horizontal(id="criteria"):
            yield Select(CHOICES, value=self.report, allow_blank=False, id="report", compact=True)
            yield Label(" As of")
            yield Input(today, id="as_of", compact=True)
            yield Label(" From")
            yield Input("", id="from", placeholder="month start", compact=True)
            yield Label(" To")
            yield Input("", id="to", placeholder="as of", compact=True)
        yield Static("", id="error")
        yield Static("", id="subtitle")
        yield Static("", id="chart")
        yield ReportRows(id="rows", zebra_stripes=True, cursor_type="row")
        yield Static("", id="footer-lines")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#report", Select))
        self.refresh_report()

    def ask(self) -> tuple:
        """(name, as of, from, to) as typed; a ValueError names the field."""
        name = str(self.query_one("#report", Select).value)
        as_of = self.read_day("as_of") or self.book.today()
        start, end = self.read_day("from"), self.read_day("to")
        if start and (end or as_of) < start:
            raise ValueError("from", "The period starts after it ends.")
        return name, as_of, start, end

    @on(Input.Changed)
    @on(Select.Changed)
    def criteria_changed(self) -> None:
        self.refresh_report()

    def refresh_report(self) -> None:
        asked = self.checked(self.ask)
        if asked is None:
            return
        period = asked[0] in PERIOD
        for field in ("from", "to"):
            self.query_one(f"#{field}", Input).disabled = not period
        if asked == self.asked:
            return  # the same question (mounting sends a change too): one answer is enough
        self.asked = asked
        self.save_asked = None  # a save asked of the report before this one
        # The old answer goes before the new one is built: a whole-book aging detail is
        # a quarter of a million rows.
        self.table = None
        self.load(asked)

    @work(thread=True, exclusive=True, group="report")
    def load(self, asked: tuple) -> None:
        name, as_of, start, end = asked

        def read(tx):  # noqa: ANN001, ANN202
            # Uncounted: the first page shows while the rows are counted (a whole-book
            # aging detail as of a year ago takes seconds to count).
            t = build(tx, name, as_of=as_of, start=start, end=end, counted=False)
            page = t.rows.page(tx, None, PAGE)
            if t.count is None and page.after is None:
                t = with_count(t, len(page.values))  # one page: the count is known
            return t, page

        try:
            table, page = self.app.book.read(read)  # type: ignore[attr-defined]
        except Exception as exc:  # the sentence beside the fields, never a traceback
            self.app.call_from_thread(self.query_one("#error", Static).update, str(exc))
            return
        self.app.call_from_thread(self.show, asked, table, page)
        if table.count is None:
            self.count_rows(asked, table)

    @work(thread=True, exclusive=True, group="report.count")
    def count_rows(self, asked: tuple, t: ReportTable) -> None:
        try:
            count = self.app.book.read(t.rows.count)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.app.report, exc)  # type: ignore[attr-defined]
            return
        self.app.call_from_thread(self._counted, asked, count)

    def _counted(self, asked: tuple, count: int) -> None:
        if asked == self.asked and self.table is not None:
            self.table = replace(self.table, count=count)
            self._say_rows()

    def show(self, asked: tuple, t: ReportTable, page: Page) -> None:
        if asked != self.asked:
            return  # an older answer
        self.table = t
        chart = self.query_one("#chart", Static)
        if t.chart:
            drawn = Text(f"{t.chart_currency} by bucket\n", style="dim")
            drawn.append_text(bucket_chart(t.chart, t.chart_currency, self.app.size.width - 2))
            chart.update(drawn)
            chart.display = True
        else:
            chart.display = False
        rows = self.query_one("#rows", DataTable)
        rows.clear(columns=True)
        first = t.shown(page.values)
        for i, (col, numeric) in enumerate(zip(t.columns, t.numeric, strict=True)):
            label = BUCKET_LABELS.get(col) or col.replace("_", " ")
            # Widths from the cells, not left to the table: every figure shows whole.
            width = max([len(label), *(len(r[i]) for r in first)])
            if t.amounts[i] and page.after is not None:
                width = max(width, t.amount_width)  # the rows to come fit too
            rows.add_column(
                Text(label, justify="right") if numeric else label,
                key=col,
                width=width if numeric else min(width, 28),
            )
        self.starts = [None] if page.after is None else [None, page.after]
        self.first, self.sizes, self.held_before, self.asking = 0, [len(first)], 0, None
        self._add_rows(first)
        self._say_rows()
        lines = self.query_one("#footer-lines", Static)
        style = "bold" if t.ties else "bold red"
        lines.update(Text("\n".join(t.footer), style=style))
        lines.display = bool(t.footer)
        if self.save_asked is not None:
            kind, self.save_asked = self.save_asked, None
            self.action_save(kind)

    # -- the pages held: a window of at most WINDOW pages, read again when scrolled back
    def _add_rows(self, shown: list[tuple[str, ...]]) -> None:
        t = self.table
        assert t is not None
        rows = self.query_one("#rows", DataTable)
        for cells in shown:
            rows.add_row(
                *(
                    Text(v, justify="right", no_wrap=True) if n else plain(v)
                    for v, n in zip(cells, t.numeric, strict=True)
                )
            )

    @property
    def offset(self) -> int:
        """The report's row number (from 0) of the table's first row."""
        return self.held_before

    def _say_rows(self) -> None:
        t = self.table
        assert t is not None
        held = self.query_one("#rows", DataTable).row_count
        rows = "counting rows" if t.count is None else f"{t.count:,} rows"
        whole = self.first == 0 and len(self.starts) == len(self.sizes)
        more = "" if whole else f"  ·  rows {self.offset + 1:,}-{self.offset + held:,} read"
        self.query_one("#subtitle", Static).update(f"{t.title}, {t.subtitle}: {rows}{more}")

    @on(DataTable.RowHighlighted, "#rows")
    def rows_scrolled(self, event: DataTable.RowHighlighted) -> None:
        """Keyset paging: the next page when the cursor nears the last row held, the one
        before when it nears the first (the cursor's place now, not the event's: a
        table rebuilt sends one for row 0)."""
        table = event.data_table
        row = table.cursor_row
        after = self.first + len(self.sizes)
        if row >= table.row_count - MORE_WITHIN and after < len(self.starts):
            self._fetch(after)
        elif row < MORE_WITHIN and self.first > 0:
            self._fetch(self.first - 1)

    def _fetch(self, index: int) -> None:
        if self.asking == (self.asked, index):
            return  # asked already: the cursor moves on meanwhile
        self.asking = (self.asked, index)
        self.more(self.asked, index, self.starts[index])

    @work(thread=True, exclusive=True, group="report.more")
    def more(self, asked: tuple | None, index: int, start: object) -> None:
        t = self.table
        if t is None:
            return
        try:
            page = self.app.book.read(lambda tx: t.rows.page(tx, start, PAGE))  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self._not_read, exc)
            return
        self.app.call_from_thread(self._place, asked, index, page)

    def _not_read(self, exc: Exception) -> None:
        self.asking = None  # the next move near the edge asks again
        self.app.report(exc)  # type: ignore[attr-defined]

    def _place(self, asked: tuple | None, index: int, page: Page) -> None:
        """A page read: after the held ones or before them. Past WINDOW pages, the page
        at the other end leaves the table (the table is built again, the cursor kept on
        its row)."""
        self.asking = None
        t = self.table
        if asked != self.asked or t is None:
            return  # another report
        if index == len(self.starts) - 1 and page.after is not None:
            self.starts.append(page.after)
        table = self.query_one("#rows", DataTable)
        shown = t.shown(page.values)
        forward = index == self.first + len(self.sizes)
        if not forward and index != self.first - 1:
            return  # the window moved on meanwhile
        if forward and len(self.sizes) < WINDOW:
            self._add_rows(shown)
            self.sizes.append(len(shown))
            self._say_rows()
            return
        cells = [table.get_row_at(i) for i in range(table.row_count)]
        row, y = table.cursor_row, table.scroll_y
        if forward:
            dropped = self.sizes.pop(0)
            self.first += 1
            self.held_before += dropped
            self.sizes.append(len(shown))
            kept, shift = cells[dropped:], -dropped
        else:
            self.sizes.pop()
            self.first -= 1
            self.held_before -= len(shown)
            self.sizes.insert(0, len(shown))
            kept, shift = cells[: sum(self.sizes[1:])], len(shown)
        with self.app.batch_update():
            table.clear()
            if not forward:
                self._add_rows(shown)
            for c in kept:
                table.add_row(*c)
            if forward:
                self._add_rows(shown)
            table.move_cursor(row=row + shift, scroll=False)
            self.call_after_refresh(table.scroll_to, y=max(0, y + shift), animate=False)
        self._say_rows()

    def action_save(self, kind: str) -> None:
        t = self.table
        if self.asked is None:
            return
        if t is None:  # still being read: saved as soon as it is shown, not dropped
            self.save_asked = kind
            self.app.say(f"The report is being read: it is saved as {kind.upper()} next.")  # type: ignore[attr-defined]
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = t.subtitle.replace("as of ", "").replace(" to ", "_").split(",")[0]
        self.save(self.asked, self.folder / f"{t.name}-{stamp}.{kind}", kind)

    @work(thread=True, exclusive=True, group="report.save")
    def save(self, asked: tuple, path: Path, kind: str) -> None:
        """The whole report, read again with its totals in one read transaction and
        written as it is read (a PDF is made whole, then written)."""
        name, as_of, start, end = asked

        def write(tx):  # noqa: ANN001, ANN202
            t = build(tx, name, as_of=as_of, start=start, end=end, counted=False)
            if kind == "csv":
                with open(path, "w", newline="", encoding="utf-8") as fh:
                    return t, write_csv(t, fh, tx)
            from artui.pdf.report import render_table

            shown = t.shown(t.rows.stream(tx))
            path.write_bytes(
                render_table(
                    t.title,
                    t.subtitle,
                    t.columns,
                    shown,
                    t.numeric,
                    dt.datetime.now(dt.UTC).replace(microsecond=0),
                    t.footer,
                )
            )
            return t, len(shown)

        try:
            t, count = self.app.book.read(write)  # type: ignore[attr-defined]
        except OSError as exc:
            self.app.call_from_thread(
                self.app.say,  # type: ignore[attr-defined]
                f"Could not write {path}: {exc.strerror or exc}.",
                error=True,
            )
            return
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.app.report, exc)  # type: ignore[attr-defined]
            return
        home = str(Path.home())
        shown = "~" + str(path)[len(home) :] if str(path).startswith(home) else str(path)
        self.app.call_from_thread(self.app.say, f"{t.title}: {count:,} rows saved to {shown}.")  # type: ignore[attr-defined]
        self.app.call_from_thread(self.app.hand_over, path)  # type: ignore[attr-defined]

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
