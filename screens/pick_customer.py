"""Several customers match what was typed: choose one (Enter), or Esc to type again."""

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from artui.lookup import LookupRow
from widgets.cells import money, plain
from widgets.fast_table import Table


class PickCustomer(ModalScreen[LookupRow | None]):
    DEFAULT_CSS = """
    PickCustomer { align: center middle; }
    PickCustomer > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 20;
        border: round $accent; background: $surface; padding: 0 1;
    }
    PickCustomer DataTable { height: auto; max-height: 16; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, rows: list[LookupRow], typed: str) -> None:
        super().__init__()
        self.rows = rows
        self.typed = typed

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"{len(self.rows)} customers match {self.typed!r}: Enter chooses"))
            yield Table(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Account", width=8)
        table.add_column("Name", width=30)
        table.add_column("Matched", width=12)
        table.add_column(Text("Balance", justify="right"), width=13)
        for r in self.rows:
            table.add_row(
                plain(r.account),
                plain(r.name),
                plain(r.document_number),
                money(r.balance, r.currency),
            )
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.dismiss(self.rows[event.cursor_row])

    def action_cancel(self) -> None:
        self.dismiss(None)


def choose(screen, text: str, rows: list[LookupRow], chosen, none) -> None:  # noqa: ANN001
    """What a customer box does with the search's answer: the exact account or the only
    match is taken; several open the picker; none calls `none` with the sentence."""
    exact = [r for r in rows if r.account.upper() == text.upper()]
    if exact or len(rows) == 1:
        chosen((exact or rows)[0])
    elif not rows:
        none(f"No customer matches {text!r}.")
    else:
        screen.app.push_screen(PickCustomer(rows, text), chosen)
