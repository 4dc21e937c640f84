"""Draft invoices (from the palette): Enter reopens one for editing and posting, Delete
deletes it (asked first). A draft has no number and counts in no balance."""

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from artui.invoices import delete_draft, draft_list, with_lines
from widgets.cells import day, money, plain
from widgets.fast_table import Table


class DraftsScreen(ModalScreen):
    DEFAULT_CSS = """
    DraftsScreen { align: center middle; }
    DraftsScreen > Vertical {
        width: 78; max-width: 100%; height: auto; max-height: 22;
        border: round $accent; background: $surface; padding: 0 1;
    }
    DraftsScreen DataTable { height: auto; max-height: 18; }
    """
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("delete", "delete", "Delete draft"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Draft invoices: Enter reopens, Delete deletes, Esc closes", id="hint")
            yield Table(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name, width in (("Account", 8), ("Customer", 28), ("Date", 10), ("By", 8)):
            table.add_column(name, width=width)
        table.add_column(Text("Amount", justify="right"), width=12)
        self.load()

    @work(thread=True, exclusive=True, group="drafts.load")
    def load(self) -> None:
        self.app.call_from_thread(self._show, draft_list(self.app.book))  # type: ignore[attr-defined]

    def _show(self, rows: list) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        table.clear()
        for d in rows:
            table.add_row(
                plain(d.account),
                plain(d.name),
                day(d.doc_date),
                plain(d.created_by),
                money(d.amount, d.currency),
            )
        if not rows:
            self.query_one("#hint", Label).update("No drafts. Esc closes.")
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.reopen(self.rows[event.cursor_row].id)

    @work(thread=True, exclusive=True, group="drafts.open")
    def reopen(self, draft_id: int) -> None:
        row, lines = with_lines(self.app.book, draft_id)  # type: ignore[attr-defined]
        self.app.call_from_thread(self._open, row, lines)

    def _open(self, row: dict, lines: list) -> None:
        from screens.invoice_entry import InvoiceScreen

        self.dismiss(None)
        self.app.push_screen(InvoiceScreen(draft=row, lines=lines))

    def action_delete(self) -> None:
        from screens.confirm import Confirm

        table = self.query_one(DataTable)
        if not getattr(self, "rows", None):
            return
        d = self.rows[table.cursor_row]
        self.app.push_screen(
            Confirm(f"Delete the draft for {d.account} of {d.doc_date}?"),
            lambda yes: self.delete_draft(d.id) if yes else None,
        )

    @work(thread=True, exclusive=True, group="drafts.delete")
    def delete_draft(self, draft_id: int) -> None:
        delete_draft(self.app.book, draft_id)  # type: ignore[attr-defined]
        self.app.call_from_thread(self.load)
