"""Recurring billing (palette): a billing run for a date, and contracts made from an
invoice on the account (`k`).

The run drafts an invoice for every contract cycle due on or before the date and never
billed (running it again makes nothing twice); Space skips one, Enter opens its draft to
edit it, Ctrl+R posts the rest together.
"""

import datetime as dt

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Static

from artui import recurring
from artui.dates import DateError, parse_date
from artui.errors import DomainError
from artui.money import format_amount
from artui.pricing import LineInput
from screens.base import WorkScreen
from screens.customer_form import Form
from widgets.cells import day, money, plain
from widgets.fast_table import Table


class BillingRunScreen(WorkScreen):
    DEFAULT_CSS = """
    BillingRunScreen .row { height: 1; }
    BillingRunScreen .row Label { padding: 0 1; }
    BillingRunScreen #run_date { width: 12; }
    BillingRunScreen #error { color: $error; height: 1; padding: 0 1; }
    BillingRunScreen #summary { height: 1; padding: 0 1; }
    BillingRunScreen DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("space", "skip", "Skip/keep", id="run.skip"),
        Binding("ctrl+r", "post", "Post run", id="run.post"),
        Binding("escape", "back", "Back", id="run.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[recurring.RunLine] = []
        self.skipped: set[int] = set()

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label("Bill cycles due through")
            yield Input(self.book.today().isoformat(), id="run_date", compact=True)
            yield Label("(Enter drafts them)")
        yield Static("", id="error")
        yield Static("", id="summary")
        yield Table(id="run", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#run", DataTable)
        for name, width in (
            ("Account", 8),
            ("Contract", 24),
            ("Cycle", 10),
            ("Amount", 12),
            ("", 6),
        ):
            table.add_column(name, width=width)
        self.prepare()

    def _date(self) -> dt.date | None:
        return self.checked(lambda: self.read_day("run_date", required=True))

    @on(Input.Submitted, "#run_date")
    def date_typed(self) -> None:
        self.prepare()

    def prepare(self) -> None:
        on = self._date()
        if on is not None:
            self.make_drafts(on)

    @work(thread=True, exclusive=True, group="run.prepare")
    def make_drafts(self, on: dt.date) -> None:
        try:
            lines = recurring.prepare_run(self.book, on)
        except DomainError as exc:
            self.app.call_from_thread(self.app.report, exc)  # type: ignore[attr-defined]
            return
        self.app.call_from_thread(self._show, lines)

    def _show(self, lines: list[recurring.RunLine]) -> None:
        self.lines = lines
        self.skipped &= {x.billing_id for x in lines}
        table = self.query_one("#run", DataTable)
        keep = table.cursor_row
        table.clear()
        for x in lines:
            mark = "SKIP" if x.billing_id in self.skipped else ""
            table.add_row(
                plain(x.account), plain(x.contract), day(x.cycle_date), money(x.amount), plain(mark)
            )
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
            self.set_focus(table)
        going = [x for x in lines if x.billing_id not in self.skipped]
        self.query_one("#summary", Static).update(
            f"{len(going)} invoices to post, {format_amount(sum(x.amount for x in going))}"
            + (f" · {len(self.skipped)} skipped" if self.skipped else "")
            if lines
            else "Nothing is due: every cycle through this date is billed."
        )

    def action_skip(self) -> None:
        table = self.query_one("#run", DataTable)
        if not self.lines:
            return
        self.skipped ^= {self.lines[table.cursor_row].billing_id}
        self._show(self.lines)

    @on(DataTable.RowSelected, "#run")
    def edit(self, event: DataTable.RowSelected) -> None:
        line = self.lines[event.cursor_row]
        self.open_draft(line.document_id)

    @work(thread=True, exclusive=True, group="run.open")
    def open_draft(self, doc_id: int | None) -> None:
        from artui.invoices import with_lines

        if doc_id is None:
            return
        row, lines = with_lines(self.book, doc_id)
        self.app.call_from_thread(self._open, row, lines)

    def _open(self, row: dict, lines: list) -> None:
        from screens.invoice_entry import InvoiceScreen

        self.app.push_screen(InvoiceScreen(draft=row, lines=lines), lambda _r: self.prepare())

    def action_post(self) -> None:
        from screens.confirm import Confirm

        on = self._date()
        going = [x for x in self.lines if x.billing_id not in self.skipped]
        if on is None or not self.lines:
            return
        self.app.push_screen(
            Confirm(
                f"Post {len(going)} recurring invoices "
                f"({format_amount(sum(x.amount for x in going))}) and skip "
                f"{len(self.skipped)}?"
            ),
            lambda yes: self.post(on) if yes else None,
        )

    @work(thread=True, exclusive=True, group="run.post")
    def post(self, on: dt.date) -> None:
        try:
            done = recurring.post_run(self.book, on, self.skipped)
        except DomainError as exc:
            self.app.call_from_thread(self.app.report, exc)  # type: ignore[attr-defined]
            return
        message = f"Recurring run: {done.posted} posted, {done.skipped} skipped"
        if done.held:
            message += f"; kept as drafts (credit hold): {', '.join(done.held)}"
        self.app.call_from_thread(self.app.say, message + ".")  # type: ignore[attr-defined]
        self.skipped = set()
        self.app.call_from_thread(self.prepare)

    def action_back(self) -> None:
        self.app.pop_screen()


class ContractDialog(Form):
    """Bill an invoice's lines again every cycle: a contract made from it."""

    DATE_FIELDS = ("start", "end")

    def __init__(self, book, doc: dict, lines: list[dict]) -> None:  # noqa: ANN001
        super().__init__()
        self.book, self.doc, self.lines = book, doc, lines
        self.title_text = f"Bill the lines of {doc['number']} every cycle"

    def fields(self) -> list[tuple[str, str, str]]:
        start = self.book.today() + dt.timedelta(days=1)
        return [
            ("name", "Name", f"Recurring from {self.doc['number']}"),
            ("cycle", "Cycle", "monthly"),
            ("day", "Day of month", str(min(start.day, 28))),
            ("start", "Starts", start.isoformat()),
            ("end", "Ends", ""),
        ]

    def action_save(self) -> None:
        today = self.book.today()
        try:
            start = parse_date(self.value("start"), today)
            end = parse_date(self.value("end"), today) if self.value("end").strip() else None
        except DateError as exc:
            self.show_errors({"start": str(exc)})
            return
        day_text = self.value("day").strip()
        if not day_text.isdigit():
            self.show_errors({"day": "A day of the month, 1 to 28."})
            return
        lines = [
            LineInput(
                ln["description"],
                ln["quantity"],
                ln["unit_price"],
                ln["discount_rate"],
                ln["tax_rate"],
                ln["item_code"] or "",
            )
            for ln in self.lines
        ]
        inp = recurring.ContractInput(
            self.doc["customer_id"],
            self.value("name"),
            self.value("cycle").strip().lower(),
            int(day_text),
            start,
            lines,
            end,
            self.doc.get("reference") or "",
        )
        self.save(inp)

    @work(thread=True, exclusive=True, group="form.save")
    def save(self, inp: recurring.ContractInput) -> None:
        try:
            recurring.create_contract(self.book, inp)
        except DomainError as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        self.app.call_from_thread(
            self.finish, f"Contract saved: {inp.cycle} on day {inp.day} from {inp.start}."
        )
