"""The item catalogue and price list (palette): `n` adds an item, Enter edits one, `x`
makes it inactive (or active again); with a customer typed above, the list shows that
customer's own prices and `p` sets (or clears) one."""

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Static

from artui import catalogue
from artui.errors import DomainError
from artui.money import MoneyError, RateError, format_amount, format_rate, parse_amount, parse_rate
from screens.base import WorkScreen
from screens.customer_form import Form
from widgets.cells import money, plain
from widgets.fast_table import Table


class CatalogueScreen(WorkScreen):
    DEFAULT_CSS = """
    CatalogueScreen .row { height: 1; }
    CatalogueScreen .row Label { padding: 0 1; }
    CatalogueScreen #customer { width: 16; }
    CatalogueScreen #who { width: 1fr; padding: 0 1; }
    CatalogueScreen DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("n", "new", "New item", id="catalogue.new"),
        Binding("x", "toggle", "Active/inactive", id="catalogue.toggle"),
        Binding("p", "price", "Customer price", id="catalogue.price"),
        Binding("escape", "back", "Back", id="catalogue.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[dict] = []
        self.prices: dict[str, int] = {}
        self.customer: tuple[int, str] | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label("Prices of customer")
            yield Input("", id="customer", compact=True, placeholder="account (optional)")
            yield Static("", id="who")
        yield Table(id="items", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#items", DataTable)
        for name, width in (
            ("Code", 10),
            ("Description", 26),
            ("List price", 11),
            ("Tax %", 6),
            ("Own price", 11),
            ("", 8),
        ):
            right = name in ("List price", "Tax %", "Own price")
            table.add_column(Text(name, justify="right") if right else name, width=width)
        self.load()
        self.set_focus(table)

    @work(thread=True, exclusive=True, group="catalogue.load")
    def load(self) -> None:
        items = catalogue.all_items(self.book)
        prices = catalogue.customer_prices(self.book, self.customer[0]) if self.customer else {}
        self.app.call_from_thread(self._show, items, prices)

    def _show(self, items: list[dict], prices: dict[str, int]) -> None:
        self.items, self.prices = items, prices
        table = self.query_one("#items", DataTable)
        keep = table.cursor_row
        table.clear()
        for it in items:
            own = prices.get(it["code"])
            table.add_row(
                plain(it["code"]),
                plain(it["description"]),
                money(it["unit_price"]),
                Text(format_rate(it["tax_rate"]) if it["tax_rate"] else "", justify="right"),
                money(own),
                plain("" if it["active"] else "inactive"),
            )
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))

    @on(Input.Submitted, "#customer")
    def customer_typed(self, event: Input.Submitted) -> None:
        self.find_customer(event.value.strip())

    @work(thread=True, exclusive=True, group="catalogue.customer")
    def find_customer(self, account: str) -> None:
        from artui.ledger import customer_row

        found = None
        if account:
            try:
                row = self.book.read(lambda tx: customer_row(tx, account))
                found = (row["id"], f"{row['name']} ({row['account']})")
            except DomainError as exc:
                self.app.call_from_thread(self.app.report, exc)  # type: ignore[attr-defined]
                return
        self.customer = found
        self.app.call_from_thread(
            self.query_one("#who", Static).update, found[1] if found else "list prices only"
        )
        self.load()

    def _current(self) -> dict | None:
        table = self.query_one("#items", DataTable)
        return self.items[table.cursor_row] if self.items and table.row_count else None

    def action_new(self) -> None:
        self.app.push_screen(ItemForm(self.book, None), lambda _r: self.load())

    @on(DataTable.RowSelected, "#items")
    def edit(self) -> None:
        item = self._current()
        if item is not None:
            self.app.push_screen(ItemForm(self.book, item), lambda _r: self.load())

    def action_toggle(self) -> None:
        item = self._current()
        if item is not None:
            self.toggle(item)

    @work(thread=True, exclusive=True, group="catalogue.save")
    def toggle(self, item: dict) -> None:
        catalogue.save_item(
            self.book,
            item["code"],
            item["description"],
            item["unit_price"],
            item["tax_rate"],
            not item["active"],
        )
        self.load()

    def action_price(self) -> None:
        from screens.prompt import Prompt

        item = self._current()
        if item is None:
            return
        if self.customer is None:
            self.app.say("Type the customer's account above first.", error=True)  # type: ignore[attr-defined]
            return
        own = self.prices.get(item["code"])
        self.app.push_screen(
            Prompt(
                f"{self.customer[1]}'s price for {item['code']} (list "
                f"{format_amount(item['unit_price'])}; type 'list' to go back to it)",
                "Price",
                format_amount(own) if own is not None else "",
            ),
            lambda text: self.set_price(item["code"], text) if text else None,
        )

    @work(thread=True, exclusive=True, group="catalogue.price")
    def set_price(self, code: str, text: str) -> None:
        assert self.customer is not None
        try:
            price = None if text.strip().lower() == "list" else parse_amount(text)
            catalogue.set_customer_price(self.book, self.customer[0], code, price)
        except (MoneyError, DomainError) as exc:
            self.app.call_from_thread(self.app.say, str(exc), error=True)  # type: ignore[attr-defined]
            return
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()


class ItemForm(Form):
    def __init__(self, book, item: dict | None) -> None:  # noqa: ANN001
        super().__init__()
        self.book, self.item = book, item
        self.title_text = f"Item {item['code']}" if item else "New item"

    def fields(self) -> list[tuple[str, str, str]]:
        it = self.item or {}
        fields = [] if self.item else [("code", "Code", "")]
        return fields + [
            ("description", "Description", it.get("description", "")),
            ("unit_price", "Unit price", format_amount(it["unit_price"]) if it else ""),
            ("tax_rate", "Tax %", format_rate(it["tax_rate"]) if it.get("tax_rate") else ""),
        ]

    def action_save(self) -> None:
        try:
            price = parse_amount(self.value("unit_price"), allow_negative=False)
        except MoneyError as exc:
            self.show_errors({"unit_price": str(exc)})
            return
        try:
            rate = parse_rate(self.value("tax_rate")) if self.value("tax_rate").strip() else 0
        except RateError as exc:
            self.show_errors({"tax_rate": str(exc)})
            return
        code = self.item["code"] if self.item else self.value("code")
        active = self.item["active"] if self.item else True
        self.save(code, self.value("description"), price, rate, active)

    @work(thread=True, exclusive=True, group="form.save")
    def save(self, code: str, description: str, price: int, rate: int, active: bool) -> None:
        try:
            catalogue.save_item(self.book, code, description, price, rate, active)
        except DomainError as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        self.app.call_from_thread(self.finish, f"Item {code.strip()} saved.")
