"""What a clerk does with a posted invoice, from the account: send it (email, mail or
portal), read its delivery log and confirm it was received, void it; and, from the
palette, the day's print file and the invoices sent but never confirmed."""

from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from artui import delivery
from artui.errors import DomainError
from screens.customer_form import Form
from widgets.cells import day, money, plain
from widgets.fast_table import Table


class SendDialog(Form):
    """Send an invoice the customer's way (or another): email, mail or portal."""

    def __init__(self, book, number: str, channel: str, email: str, portal: str) -> None:  # noqa: ANN001
        super().__init__()
        self.book, self.number = book, number
        self.defaults = {"channel": channel or "email", "to": email, "portal": portal}
        self.title_text = f"Send invoice {number}"

    def fields(self) -> list[tuple[str, str, str]]:
        d = self.defaults
        return [
            ("channel", "By", d["channel"]),
            ("to", "Email to", d["to"]),
            ("portal", "Portal", d["portal"]),
            ("confirmation", "Portal conf. #", ""),
        ]

    def action_save(self) -> None:
        channel = self.value("channel").strip().lower()
        if channel not in delivery.CHANNELS:
            self.show_errors({"channel": "email, mail or portal"})
            return
        self.send(channel, self.value("to"), self.value("portal"), self.value("confirmation"))

    @work(thread=True, exclusive=True, group="form.save")
    def send(self, channel: str, to: str, portal: str, confirmation: str) -> None:
        try:
            line = delivery.send_invoice(
                self.book, self.number, channel, to=to, portal=portal, confirmation=confirmation
            )
        except DomainError as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        except OSError as exc:
            self.app.call_from_thread(self.say, f"The PDF could not be written: {exc}", error=True)
            return
        self.app.call_from_thread(self.finish, describe(line))


def describe(line: delivery.DeliveryLine) -> str:
    if line.channel == "email":
        if line.status == "failed":
            return f"{line.number} to {line.address} failed: {line.detail}"
        return f"{line.number} emailed to {line.address} ({line.status})."
    if line.channel == "mail":
        return f"{line.number} waits for the day's print file (palette: print mailed invoices)."
    return f"{line.number} recorded as uploaded to {line.address}, confirmation {line.detail}."


class DeliveryLog(ModalScreen):
    """An invoice's deliveries, newest first; Enter marks one received."""

    DEFAULT_CSS = """
    DeliveryLog { align: center middle; }
    DeliveryLog > Vertical {
        width: 78; max-width: 100%; height: auto; max-height: 20;
        border: round $accent; background: $surface; padding: 0 1;
    }
    DeliveryLog DataTable { height: auto; max-height: 14; }
    """
    BINDINGS = [Binding("escape", "dismiss", "Close")]

    def __init__(self, book, number: str) -> None:  # noqa: ANN001
        super().__init__()
        self.book, self.number = book, number
        self.lines: list[delivery.DeliveryLine] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Deliveries of {self.number}: Enter marks one received · Esc closes")
            yield Table(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name, width in (("When", 16), ("By", 7), ("Status", 9), ("To", 18), ("Detail", 20)):
            table.add_column(name, width=width)
        self.load()

    @work(thread=True, exclusive=True, group="delivery.load")
    def load(self) -> None:
        lines = delivery.deliveries(self.book, self.number)
        self.app.call_from_thread(self._show, lines)

    def _show(self, lines: list) -> None:
        self.lines = lines
        table = self.query_one(DataTable)
        table.clear()
        for ln in lines:
            when = ln.created_at.strftime("%Y-%m-%d %H:%M") if ln.created_at else ""
            status = Text(ln.status, style="bold" if ln.status == "failed" else "")
            table.add_row(
                plain(when), plain(ln.channel), status, plain(ln.address), plain(ln.detail)
            )
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        from screens.prompt import Prompt

        line = self.lines[event.cursor_row]
        self.app.push_screen(
            Prompt(f"The customer has {line.number}: how do you know?", "Note", "confirmed"),
            lambda note: self.confirm(line.id, note) if note else None,
        )

    @work(thread=True, exclusive=True, group="delivery.confirm")
    def confirm(self, delivery_id: int, note: str) -> None:
        delivery.confirm_received(self.book, delivery_id, note)
        self.app.call_from_thread(self.load)


class ChaseList(ModalScreen):
    """Invoices sent more than a week ago, still open, never confirmed received."""

    DEFAULT_CSS = """
    ChaseList { align: center middle; }
    ChaseList > Vertical {
        width: 78; max-width: 100%; height: auto; max-height: 22;
        border: round $accent; background: $surface; padding: 0 1;
    }
    ChaseList DataTable { height: auto; max-height: 18; }
    """
    BINDINGS = [Binding("escape", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Sent over 7 days ago, never confirmed: Enter opens the account")
            yield Table(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name, width in (
            ("Invoice", 11),
            ("Account", 8),
            ("Customer", 22),
            ("Sent", 10),
            ("By", 6),
        ):
            table.add_column(name, width=width)
        table.add_column(Text("Open", justify="right"), width=12)
        self.load()

    @work(thread=True, exclusive=True, group="chase.load")
    def load(self) -> None:
        rows = delivery.unconfirmed(self.app.book, 7)  # type: ignore[attr-defined]
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[dict]) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        for r in rows:
            table.add_row(
                plain(r["number"]),
                plain(r["account"]),
                plain(r["name"]),
                day(r["sent_on"]),
                plain(r["channel"]),
                money(r["open_amount"], r["currency"]),
            )
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.dismiss(None)
        self.app.open_account(self.rows[event.cursor_row]["customer_id"])  # type: ignore[attr-defined]


def write_print_file(app, path: str) -> None:  # noqa: ANN001
    """The day's mailed invoices merged for the mail room (run in a worker)."""
    n, target = delivery.print_file(app.book, Path(path).expanduser())
    message = f"{n} invoices to print in {target}." if n else "No invoices wait to be printed."
    app.call_from_thread(app.say, message)
    if target is not None:
        app.hand_over(target)
