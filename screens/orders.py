"""Open sales orders (palette): Enter bills one (whole or in part), `n` enters a new one."""

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from artui import sales_orders as so
from widgets.cells import day, money, plain
from widgets.fast_table import Table


class OrdersList(ModalScreen):
    DEFAULT_CSS = """
    OrdersList { align: center middle; }
    OrdersList > Vertical {
        width: 78; max-width: 100%; height: auto; max-height: 22;
        border: round $accent; background: $surface; padding: 0 1;
    }
    OrdersList DataTable { height: auto; max-height: 18; }
    """
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("n", "new_order", "New order"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Open sales orders: Enter bills one · n new order · Esc closes", id="hint")
            yield Table(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name, width in (("Order", 10), ("Account", 8), ("Customer", 22), ("Date", 10)):
            table.add_column(name, width=width)
        table.add_column(Text("To bill", justify="right"), width=12)
        self.load()

    @work(thread=True, exclusive=True, group="orders.load")
    def load(self) -> None:
        orders = so.open_orders(self.app.book)  # type: ignore[attr-defined]
        self.app.call_from_thread(self._show, orders)

    def _show(self, orders: list) -> None:
        self.orders = orders
        table = self.query_one(DataTable)
        table.clear()
        for o in orders:
            table.add_row(
                plain(o.number),
                plain(o.account),
                plain(o.name),
                day(o.order_date),
                money(o.remaining_total),
            )
        if not orders:
            self.query_one("#hint", Label).update("No open sales orders · n new order · Esc")
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        from screens.invoice_entry import InvoiceScreen

        event.stop()
        order = self.orders[event.cursor_row]
        self.dismiss(None)
        self.app.push_screen(InvoiceScreen(bill=order))

    def action_new_order(self) -> None:
        from screens.invoice_entry import InvoiceScreen

        self.dismiss(None)
        self.app.push_screen(InvoiceScreen(order_entry=True))
