"""Customer lookup: the home screen. One box; results after every key."""

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static
from textual.worker import get_current_worker

from artui.lookup import LookupRow, search
from screens.base import WorkScreen
from widgets.cells import money, plain
from widgets.fast_table import Table

RESULTS = 30  # a page or two of rows: cheap to draw on every keystroke


class ResultsTable(Table):
    """Lookup results: Up on the first row goes back to the box."""

    BINDINGS = [Binding("up", "up_or_box", "Up", show=False)]

    def action_up_or_box(self) -> None:
        if self.cursor_row <= 0:
            self.screen.focus_box()  # type: ignore[attr-defined]
        else:
            self.action_cursor_up()


class LookupScreen(WorkScreen):
    """Find a customer by name, account, phone digits, email, contact, document or PO."""

    DEFAULT_CSS = """
    LookupScreen #box { margin: 0 0 0 0; }
    LookupScreen #hint { color: $text-muted; width: 1fr; height: 1; padding: 0 1; }
    LookupScreen ResultsTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("down", "to_results", "Results", show=False, id="lookup.down"),
        Binding("enter", "open", "Open", id="lookup.open"),
        Binding("escape", "back", "Back", id="lookup.back"),
        Binding("ctrl+n", "app.new_customer", "New customer", id="lookup.new"),
    ]

    def __init__(self, returning: bool = False) -> None:
        super().__init__()
        self.returning = returning
        self.rows: list[LookupRow] = []
        self.shown_count = 0  # result sets drawn (the benchmark waits on it)
        self.shown_query = ""  # the text the rows on screen answer
        self.open_when_shown = False  # Enter came before the results of what was typed

    def compose_body(self) -> ComposeResult:
        yield Input(
            placeholder="Name, account, phone digits, email, contact, invoice or PO number",
            id="box",
            compact=True,
        )
        yield Static("Type to search · ↓ results · Enter opens · Ctrl+N new customer", id="hint")
        table = ResultsTable(id="results", cursor_type="row", zebra_stripes=True)
        table.can_focus = True
        yield table

    def on_mount(self) -> None:
        table = self.query_one(ResultsTable)
        for label, key, width in self._columns():
            table.add_column(label, key=key, width=width)
        self.focus_box()

    def _columns(self) -> list[tuple[str | Text, str, int]]:
        """The result columns for the terminal's width. The name takes what is left: at
        80 columns the phone gives way to it (14 characters left "Northern Ligh…" four
        times over, for four different customers), from 90 the phone is back, and from
        110 the city and the flags spelled out."""
        width = self.app.size.width
        wide, phone = width >= 110, width >= 90
        fixed = 7 + 12 + 12 + (16 if wide else 7) + (16 if phone else 0) + (12 if wide else 0)
        columns = 5 + phone + wide
        name_w = max(14, width - fixed - 2 * columns - (1 if wide else 0))
        cols: list[tuple[str | Text, str, int]] = [
            ("Account", "account", 7),
            ("Name", "name", name_w),
        ]
        if wide:
            cols.append(("City", "city", 12))
        if phone:
            cols.append(("Phone", "phone", 16))
        cols += [
            (Text("Balance", justify="right"), "balance", 12),
            (Text("Past due", justify="right"), "past_due", 12),
            ("Flags", "flags", 7 if not wide else 16),
        ]
        return cols

    def focus_box(self) -> None:
        box = self.query_one("#box", Input)
        box.focus()
        if self.is_mounted and self.shown_query == box.value:
            self.say_found(box.value, self.rows)  # not the chosen customer's any more

    @on(Input.Changed, "#box")
    def typed(self, event: Input.Changed) -> None:
        self.open_when_shown = False
        self.run_search(event.value)

    @work(thread=True, exclusive=True, group="lookup.search")
    def run_search(self, query: str) -> None:
        worker = get_current_worker()
        try:
            rows = search(self.book, query, RESULTS)
        except Exception as exc:  # noqa: BLE001 - shown as a sentence, never a traceback
            if not worker.is_cancelled:
                self.app.call_from_thread(self.app.report, exc)  # type: ignore[attr-defined]
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self.show, query, rows)

    def show(self, query: str, rows: list[LookupRow]) -> None:
        if query != self.query_one("#box", Input).value:
            return  # a newer keystroke is on its way
        self.rows = rows
        self.shown_query = query
        table = self.query_one(ResultsTable)
        keys = [str(k.value) for k in table.columns]
        wide = "city" in keys
        with self.app.batch_update():
            table.clear()
            for r in rows:
                cells = {
                    "account": plain(r.account),
                    "name": plain(r.name),
                    "city": plain(r.city),
                    "phone": plain(r.phone),
                    "balance": money(r.balance, r.currency),
                    "past_due": money(r.past_due, r.currency, past_due=True, blank_zero=True),
                    "flags": plain(" ".join(r.flags) if wide else "".join(f[0] for f in r.flags)),
                }
                table.add_row(*(cells[k] for k in keys), key=str(r.customer_id))
            table.settle()
        self.shown_count += 1
        if self.open_when_shown:
            self.open_when_shown = False
            if rows:
                self.call_after_refresh(self.action_open)
        self.say_found(query, rows)

    def say_found(self, query: str, rows: list[LookupRow]) -> None:
        """What the query found, in the hint line."""
        hint = self.query_one("#hint", Static)
        if not query.strip():
            hint.update(
                "Type to search · ↓ results · Enter opens · Ctrl+N new customer", layout=False
            )
        elif rows:
            matched = rows[0].document_number
            extra = f" · {matched} matched" if matched else ""
            hint.update(f"{len(rows)} found{extra} · ↓ to choose · Enter opens", layout=False)
        else:
            hint.update(Text(f"Nothing found for {query!r}"), layout=False)

    def action_to_results(self) -> None:
        table = self.query_one(ResultsTable)
        if self.rows:
            table.focus()
            table.move_cursor(row=0)
            self.describe(0)

    @on(DataTable.RowHighlighted, "#results")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.query_one(ResultsTable).has_focus:
            self.describe(event.cursor_row)

    def describe(self, index: int) -> None:
        """Where the phone column gave way to the name (under 90 columns), the chosen
        customer's city and phone in the hint line: two customers of the same name are
        told apart while the caller is on the line."""
        table = self.query_one(ResultsTable)
        if not 0 <= index < len(self.rows) or "phone" in [str(k.value) for k in table.columns]:
            return
        row = self.rows[index]
        said = " · ".join(x for x in (row.account, row.city, row.phone) if x)
        # its size is fixed: no layout, so a Down repaints this line and the cursor's rows
        # alone (a layout pass sent 1,000 bytes more a keystroke over SSH)
        hint = self.query_one("#hint", Static)
        hint.update(Text(f"{said} · Enter opens · ↑ to search"), layout=False)

    def action_open(self) -> None:
        if not self.rows:
            return
        table = self.query_one(ResultsTable)
        index = table.cursor_row if table.has_focus else 0
        row = self.rows[max(0, min(index, len(self.rows) - 1))]
        self.app.open_account(row.customer_id, row.document_id)  # type: ignore[attr-defined]

    @on(Input.Submitted, "#box")
    def submitted(self, event: Input.Submitted) -> None:
        """Enter in the box opens the first result for what was typed, even when a fast
        typist's Enter arrives before that query has answered."""
        event.stop()
        if self.shown_query != event.value:
            self.open_when_shown = True
            return
        self.action_open()

    @on(DataTable.RowSelected)
    def selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_back(self) -> None:
        table = self.query_one(ResultsTable)
        if table.has_focus:
            self.focus_box()
        elif self.returning:
            self.app.pop_screen()
        else:
            self.query_one("#box", Input).value = ""
