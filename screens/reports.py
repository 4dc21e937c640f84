"""Reports (F7): any report for any date or period, on screen, to CSV and to PDF.

The screen shows what `artui.report_tables.build` returns, the same table the CLI
prints and the PDF holds. The aging shows its buckets as a chart above the table, and
the tie-out lines under it.
"""

import datetime as dt
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Select, Static

from artui.dates import BUCKET_LABELS
from artui.report_tables import PERIOD, TITLES, ReportTable, build, write_csv
from screens.base import WorkScreen
from widgets.aging_chart import bucket_chart
from widgets.cells import plain
from widgets.fast_table import Table

SHOWN = 500  # rows drawn; the CSV and the PDF carry them all
CHOICES = [(title, name) for name, title in TITLES.items()]


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
        yield Table(id="rows", zebra_stripes=True, cursor_type="row")
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
        # The old answer goes before the new one is built: a whole-book aging detail is
        # a quarter of a million rows.
        self.table = None
        self.load(asked)

    @work(thread=True, exclusive=True, group="report")
    def load(self, asked: tuple) -> None:
        name, as_of, start, end = asked
        try:
            table = build(self.app.book, name, as_of=as_of, start=start, end=end)  # type: ignore[attr-defined]
        except Exception as exc:  # the sentence beside the fields, never a traceback
            self.app.call_from_thread(self.query_one("#error", Static).update, str(exc))
            return
        self.app.call_from_thread(self.show, asked, table)

    def show(self, asked: tuple, t: ReportTable) -> None:
        if asked != self.asked:
            return  # an older answer
        self.table = t
        more = f"  ·  first {SHOWN} of {len(t.values):,} shown" if len(t.values) > SHOWN else ""
        self.query_one("#subtitle", Static).update(
            f"{t.title}, {t.subtitle}: {len(t.values):,} rows{more}"
        )
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
        first = t.shown_rows(SHOWN)
        for i, (col, numeric) in enumerate(zip(t.columns, t.numeric, strict=True)):
            label = BUCKET_LABELS.get(col) or col.replace("_", " ")
            # Widths from the cells, not left to the table: every figure shows whole.
            width = max([len(label), *(len(r[i]) for r in first)])
            rows.add_column(
                Text(label, justify="right") if numeric else label,
                key=col,
                width=width if numeric else min(width, 28),
            )
        for shown in first:
            rows.add_row(
                *(
                    Text(v, justify="right", no_wrap=True) if n else plain(v)
                    for v, n in zip(shown, t.numeric, strict=True)
                )
            )
        lines = self.query_one("#footer-lines", Static)
        style = "bold" if t.ties else "bold red"
        lines.update(Text("\n".join(t.footer), style=style))
        lines.display = bool(t.footer)

    def action_save(self, kind: str) -> None:
        t = self.table
        if t is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = t.subtitle.replace("as of ", "").replace(" to ", "_").split(",")[0]
        path = self.folder / f"{t.name}-{stamp}.{kind}"
        try:
            if kind == "csv":
                with open(path, "w", newline="", encoding="utf-8") as fh:
                    write_csv(t, fh)
            else:
                from artui.pdf.report import render_table

                path.write_bytes(
                    render_table(
                        t.title,
                        t.subtitle,
                        t.columns,
                        t.shown,
                        t.numeric,
                        dt.datetime.now(dt.UTC).replace(microsecond=0),
                        t.footer,
                    )
                )
        except OSError as exc:
            self.app.say(f"Could not write {path}: {exc.strerror or exc}.", error=True)  # type: ignore[attr-defined]
            return
        home = str(Path.home())
        shown = "~" + str(path)[len(home) :] if str(path).startswith(home) else str(path)
        self.app.say(f"{t.title}: {len(t.values):,} rows saved to {shown}.")  # type: ignore[attr-defined]
        self.app.hand_over(path)  # type: ignore[attr-defined]

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
