"""A receipt in a deposit batch, and its application grid.

The clerk finds the customer (account, name, phone or any invoice number on the
remittance), types the amount and reference, and applies: Ctrl+A auto-applies (the
remittance's invoices, an exact amount, an exact combination, then oldest due first),
Space applies an item in full, digits type a part, Delete clears an item, w writes off
what a short payment leaves on the item. Ctrl+S saves the line into the batch.

The same grid applies a customer's open credits to charges without a receipt
(`credits_only`): choose the credits with Space, the charges they settle, Ctrl+S.
"""

from rich.text import Text
from textual import events, on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label, Select, Static

from artui import batches
from artui.account import account_summary
from artui.adjustments import writeoff_allowance
from artui.cash_application import Grid, apply_credits, open_items_of
from artui.errors import DomainError, Refused
from artui.ledger import KIND_LABEL
from artui.lookup import search
from artui.money import MoneyError, format_amount, parse_amount
from artui.receipts import CARD_BRANDS, METHODS
from artui.remittance import numbers_in
from screens.base import WorkScreen
from screens.pick_customer import choose
from widgets.cells import day, money, plain
from widgets.fast_table import Table

SHORT = [
    ("no short pay", ""),
    ("dispute", "dispute"),
    ("discount", "discount"),
    ("deduction", "deduction"),
]
ORDER = ("customer", "amount", "reference", "remittance")  # Enter's way; Tab reaches all


def short_why(why: str) -> str:
    """The auto-apply reason as the grid's narrow column says it."""
    if why.startswith("exact total of "):
        return "sum of " + why.split()[3]
    return {
        "named on the remittance": "on remittance",
        "exact amount of one open item": "exact amount",
    }.get(why, why)


class ApplicationGrid(Table):
    """The open items; the clerk's keys act on the row under the cursor."""

    BINDINGS = [
        Binding("space", "toggle", "Apply/clear", id="grid.toggle"),
        Binding("delete,backspace", "clear_row", "Clear", id="grid.clear"),
        Binding("x", "clear_all", "Clear all", show=False, id="grid.clear_all"),
        Binding("w", "write_off", "Write off rest", show=False, id="grid.write_off"),
    ]

    def action_toggle(self) -> None:
        self.screen.grid_key("toggle")  # type: ignore[attr-defined]

    def action_clear_row(self) -> None:
        self.screen.grid_key("clear")  # type: ignore[attr-defined]

    def action_clear_all(self) -> None:
        self.screen.grid_key("clear_all")  # type: ignore[attr-defined]

    def action_write_off(self) -> None:
        self.screen.grid_key("write_off")  # type: ignore[attr-defined]

    def on_key(self, event: events.Key) -> None:
        """A digit starts typing the part to apply to this item."""
        if event.character and (event.character.isdigit() or event.character in ".,$"):
            event.stop()
            event.prevent_default()
            self.screen.start_part(event.character)  # type: ignore[attr-defined]


class ReceiptScreen(WorkScreen):
    DEFAULT_CSS = """
    ReceiptScreen #title { height: 1; padding: 0 1; background: $boost; }
    ReceiptScreen .row { height: 1; }
    ReceiptScreen .row Label { padding: 0 1; }
    ReceiptScreen #customer { width: 22; }
    ReceiptScreen #who { width: 1fr; padding: 0 1; }
    ReceiptScreen #amount, ReceiptScreen #write_off { width: 13; }
    ReceiptScreen #reference { width: 12; }
    ReceiptScreen #remittance { width: 1fr; }
    ReceiptScreen #method { width: 11; }
    ReceiptScreen #short_reason { width: 16; }
    ReceiptScreen #card_brand { width: 14; }
    ReceiptScreen #card_last4 { width: 6; }
    ReceiptScreen #error { color: $error; height: 1; padding: 0 1; }
    ReceiptScreen ApplicationGrid { height: 1fr; }
    ReceiptScreen #part_row { height: 1; display: none; }
    ReceiptScreen #part_row.-on { display: block; }
    ReceiptScreen #part { width: 16; }
    ReceiptScreen #totals { height: 1; padding: 0 1; background: $boost; }
    """
    BINDINGS = [
        # priority: an Input takes Ctrl+A for Home
        Binding("ctrl+a", "auto_key", "Auto-apply", priority=True, id="receipt.auto"),
        Binding("ctrl+s", "save", "Save", id="receipt.save"),
        Binding("ctrl+g", "to_grid", "Grid", show=False, id="receipt.grid"),
        Binding("escape", "back", "Back", id="receipt.back"),
        Binding("enter", "enter", "Next", show=False, priority=True, id="receipt.enter"),
    ]

    def __init__(
        self,
        batch_id: int | None,
        line: dict | None = None,
        *,
        customer_id: int | None = None,
        credits_only: bool = False,
    ) -> None:
        super().__init__()
        self.batch_id = batch_id
        self.line = line  # a saved batch line being edited
        self.credits_only = credits_only
        self.customer_id = customer_id or (line or {}).get("customer_id")
        self.customer: dict | None = None
        self.grid = Grid([], 0)
        self.part_item: int | None = None
        self.saved = False
        self.changed = False  # the grid was worked
        self.initial: dict[str, object] = {}
        # not `loading`: that is Textual's own (a screen covered by a spinner, its focus
        # reset to the first field, so that keys typed ahead went astray)
        self.waiting = False  # the customer is being found or read
        self.finding = ""  # the text the customer is being found by
        self.pending: list[str] = []  # Ctrl+A / Ctrl+S pressed before that finished

    # -- layout ---------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        line = self.line or {}
        yield Static(id="title")
        with Horizontal(classes="row"):
            yield Label("Customer")
            yield Input(
                str(line.get("account") or ""),
                id="customer",
                compact=True,
                placeholder="account, name, phone, invoice",
            )
            yield Static("", id="who")
        if not self.credits_only:
            amount = format_amount(line["amount"]) if line.get("amount") else ""
            method = line.get("method") or "check"
            with Horizontal(classes="row"):
                yield Label("Amount  ")
                yield Input(amount, id="amount", compact=True, placeholder="0.00")
                yield Label("Method")
                yield Select(
                    [(m, m) for m in METHODS],
                    value=method,
                    allow_blank=False,
                    id="method",
                    compact=True,
                )
                yield Label("Ref")
                yield Input(line.get("reference", ""), id="reference", compact=True)
                yield Label("Remit")
                yield Input(
                    line.get("remittance", ""),
                    id="remittance",
                    compact=True,
                    placeholder="invoice numbers",
                )
            with Horizontal(classes="row"):
                yield Label("Short   ")
                yield Select(
                    SHORT,
                    value=line.get("short_reason", ""),
                    allow_blank=False,
                    id="short_reason",
                    compact=True,
                )
                yield Label("Write off")
                wo = format_amount(line["write_off"]) if line.get("write_off") else ""
                yield Input(wo, id="write_off", compact=True, placeholder="0.00")
                yield Label("Card")
                yield Select(
                    [(b, b) for b in CARD_BRANDS],
                    value=line.get("card_brand") or Select.NULL,
                    id="card_brand",
                    compact=True,
                    prompt="brand",
                )
                yield Input(
                    line.get("card_last4", ""),
                    id="card_last4",
                    compact=True,
                    placeholder="last4",
                    max_length=4,
                )
        yield Static("", id="error")
        yield ApplicationGrid(id="grid", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="part_row"):
            yield Label("", id="part_label")
            yield Input("", id="part", compact=True, select_on_focus=False)
        yield Static("", id="totals")

    def on_mount(self) -> None:
        table = self.query_one(ApplicationGrid)
        self.wide = self.app.size.width >= 100
        why_w = max(14, self.app.size.width - (84 if self.wide else 64))
        columns = [("Number", "number", 12)]
        if self.wide:
            columns.append(("Kind", "kind", 14))
        columns += [
            ("Due", "due", 10),
            (Text("Days", justify="right"), "days", 4),
            (Text("Open", justify="right"), "open", 11),
            (Text("Apply", justify="right"), "apply", 11),
            ("Why", "why", why_w),
        ]
        for label, key, width in columns:
            table.add_column(label, key=key, width=width)
        self.initial = self._fields()
        self._title()
        self._card_fields()
        if self.customer_id is not None:
            self.waiting = True
            self.load_customer(self.customer_id)
        else:
            self.set_focus(self.query_one("#customer", Input))
        self._totals()

    def _fields(self) -> dict[str, object]:
        return {w.id or "": w.value for w in self.query("Input, Select") if w.id != "part"}

    @property
    def dirty(self) -> bool:  # type: ignore[override]
        """Something typed or applied and not saved (asked about on Esc and on quit)."""
        return not self.saved and (self.changed or self._fields() != self.initial)

    def _title(self) -> None:
        if self.credits_only:
            text = "Apply open credits · Space chooses a credit and the charges it settles"
        elif self.line:
            text = f"Receipt line {self.line['line_no']}"
            if self.line.get("note"):
                text += f" · {self.line['note']}"
        else:
            text = "New receipt"
        if not self.credits_only and self.batch_id is not None:
            t = batches.totals(self.book, self.batch_id)
            text += f" · batch of {t.deposit_date.isoformat()}"
        self.query_one("#title", Static).update(Text(text, no_wrap=True, overflow="ellipsis"))

    def _card_fields(self) -> None:
        if self.credits_only:
            return
        card = self.query_one("#method", Select).value == "card"
        self.query_one("#card_brand", Select).disabled = not card
        self.query_one("#card_last4", Input).disabled = not card

    @on(Select.Changed, "#method")
    def method_changed(self) -> None:
        self._card_fields()

    # -- the customer ---------------------------------------------------------------
    def action_enter(self) -> None:
        """Enter in a field acts at once (type-ahead lands in the next field): the customer
        is looked up while the focus moves on; a part typed is applied; the others move on
        to the next field and then to the grid."""
        focused = self.focused
        if not isinstance(focused, Input):
            raise SkipAction  # the grid, a list: their own Enter
        if focused.id == "part":
            focused.call_later(lambda: self._commit_part(focused.value))
        elif focused.id == "customer":
            self._next_from("customer")  # at once: what is typed next is the amount
            focused.call_later(lambda: self.customer_typed(focused.value))
        else:
            self._next_from(focused.id or "")

    def customer_typed(self, value: str) -> None:
        text = value.strip()
        if not text:
            self._error("Type an account, a name, phone digits or an invoice number.", "customer")
            return
        if self.customer and text == self.customer["account"]:
            return
        if self.waiting and text == self.finding:
            return  # Enter and leaving the box both ask: one search
        self.waiting, self.finding = True, text
        self.find_customer(text)

    @on(Input.Blurred, "#customer")
    def customer_left(self, event: Input.Blurred) -> None:
        """Tab (or a click) out of the customer box finds the customer as Enter does: a
        clerk tabs through a form, and the open invoices never came."""
        if event.value.strip() and self.is_active:
            self.customer_typed(event.value)

    @work(thread=True, exclusive=True, group="receipt.find")
    def find_customer(self, text: str) -> None:
        rows = search(self.book, text, 20)
        self.app.call_from_thread(self._found, text, rows)

    def _found(self, text: str, rows: list) -> None:
        def none(sentence: str) -> None:
            self._not_found()
            self._error(sentence, "customer")

        choose(self, text, rows, self._chosen, none)

    def _not_found(self) -> None:
        self.waiting = False
        self.pending.clear()
        self.set_focus(self.query_one("#customer", Input))

    def _chosen(self, row) -> None:  # noqa: ANN001
        if row is None:
            self._not_found()
            return
        self.query_one("#customer", Input).value = row.account
        if row.document_number and not self.credits_only:
            remit = self.query_one("#remittance", Input)
            if row.document_number not in remit.value.split():
                remit.value = (remit.value + " " + row.document_number).strip()
        self.load_customer(row.customer_id)

    @work(thread=True, exclusive=True, group="receipt.customer")
    def load_customer(self, customer_id: int) -> None:
        try:
            summary = account_summary(self.book, customer_id)
            items = open_items_of(self.book, customer_id)
            allowance = self.book.read(writeoff_allowance)
        except Exception as exc:  # noqa: BLE001 - a sentence, never a traceback
            self.app.call_from_thread(self._not_found)
            self.app.call_from_thread(self.app.report, exc)  # type: ignore[attr-defined]
            return
        self.app.call_from_thread(self._loaded, summary, items, allowance)

    def _loaded(self, summary, items, allowance: int) -> None:  # noqa: ANN001
        c = summary.customer
        self.customer_id = c.id
        self.customer = {"id": c.id, "account": c.account, "currency": c.currency}
        self.allowance = allowance
        self.query_one("#customer", Input).value = c.account
        who = Text(no_wrap=True, overflow="ellipsis")
        who.append(c.name, style="bold")
        who.append(f" · Balance {format_amount(summary.balance, c.currency)}")
        if summary.past_due > 0:
            who.append(f" · Past due {format_amount(summary.past_due, c.currency)}", "bold")
        for flag in summary.flags:
            who.append(f" {flag}", style="reverse")
        self.query_one("#who", Static).update(who)
        old = self.grid
        self.grid = Grid(items, self._amount_or_zero(), currency=c.currency)
        if self.line and self.line.get("planned") and not old.items:
            self.grid.load(self.line["planned"])
        self._error("")
        self._fill()
        if self.focused is None or self.focused.id == "customer":
            if self.credits_only or self.line:
                self.set_focus(self.query_one(ApplicationGrid))
            else:
                self.set_focus(self.query_one("#amount", Input))
        self._ready()

    def _ready(self) -> None:
        """What was waiting for the customer or auto-apply runs now, in the order typed."""
        self.waiting = False
        while self.pending and not self.waiting:
            getattr(self, f"action_{self.pending.pop(0)}")()

    # -- fields ---------------------------------------------------------------------
    def _amount_or_zero(self) -> int:
        if self.credits_only:
            return 0
        try:
            return self._money("amount")
        except ValueError:
            return 0

    def _money(self, field: str) -> int:
        text = self.query_one(f"#{field}", Input).value.strip()
        if not text:
            return 0
        cur = self.customer["currency"] if self.customer else "USD"
        try:
            return parse_amount(text, cur, allow_negative=False)
        except MoneyError as exc:
            raise ValueError(field, f"{field.replace('_', ' ').capitalize()}: {exc}") from None

    @on(Input.Changed)
    def typed(self, event: Input.Changed) -> None:
        if event.input.id == "amount":
            self.grid.amount = self._amount_or_zero()
            self._totals()

    @on(Input.Blurred, "#amount")
    @on(Input.Blurred, "#write_off")
    def money_left(self, event: Input.Blurred) -> None:
        """An amount is shown formatted once the field is left; what cannot be read stays,
        marked, with the reason."""
        box = event.input
        box.remove_class("-invalid")
        try:
            value = self._money(box.id or "")
        except ValueError as exc:
            box.add_class("-invalid")
            self._error(exc.args[1])
            return
        if value:
            box.value = format_amount(value, self.customer["currency"] if self.customer else "USD")

    def _next_from(self, field: str) -> None:
        # set_focus, not focus(): focus() waits its turn behind the keys typed ahead
        if self.credits_only or field == "remittance" or field not in ORDER:
            self.action_to_grid()
            return
        self.set_focus(self.query_one(f"#{ORDER[ORDER.index(field) + 1]}"))

    def action_to_grid(self) -> None:
        self.set_focus(self.query_one(ApplicationGrid))

    # -- the grid -------------------------------------------------------------------
    def _fill(self) -> None:
        table = self.query_one(ApplicationGrid)
        keep = table.cursor_row
        cur = self.grid.currency
        with self.app.batch_update():
            table.clear()
            for i in self.grid.items:
                late = i.is_debit and i.days_past_due > 0
                applied = self.grid.applied.get(i.id)
                kind = [plain(KIND_LABEL.get(i.kind, i.kind))] if self.wide else []
                table.add_row(
                    plain(i.number),
                    *kind,
                    day(i.due_date),
                    Text(str(i.days_past_due) if late else "", justify="right"),
                    money(i.signed_open, cur, past_due=late),
                    money(None if applied is None else (applied if i.is_debit else -applied), cur),
                    plain(short_why(self.grid.why.get(i.id, ""))),
                    key=str(i.id),
                )
            if table.row_count:
                table.move_cursor(row=min(keep, table.row_count - 1))
        self._totals()

    def _totals(self) -> None:
        g = self.grid
        cur = g.currency
        t = Text(no_wrap=True, overflow="ellipsis")
        if not self.credits_only:
            t.append(f"Receipt {format_amount(g.amount, cur)}")
            t.append(f" · Applied {format_amount(g.cash_applied, cur)}")
            t.append(" · On account ")
            t.append(format_amount(g.on_account, cur), style="bold" if g.on_account else "")
        else:
            t.append(f"Credits {format_amount(g.credits_used, cur)}")
            t.append(f" · Charges {format_amount(g.charges, cur)}")
        if g.credits_used and not self.credits_only:
            t.append(f" · Credits used {format_amount(g.credits_used, cur)}")
        if g.shortfall:
            t.append(f" · Short {format_amount(g.shortfall, cur)}", style="bold")
        problem = g.problem()
        if problem:
            t.append(f" · {problem}", style="bold reverse")
        self.query_one("#totals", Static).update(t)

    def _current_item(self) -> int | None:
        table = self.query_one(ApplicationGrid)
        if not table.row_count:
            return None
        return self.grid.items[table.cursor_row].id

    def grid_key(self, key: str) -> None:
        item = self._current_item()
        if item is None and key != "clear_all":
            return
        try:
            if key == "toggle":
                assert item is not None
                self.grid.toggle(item)
                self._down()
            elif key == "clear":
                assert item is not None
                self.grid.set(item, 0)
            elif key == "clear_all":
                self.grid.clear()
            elif key == "write_off":
                assert item is not None
                self._write_off_rest(item)
        except Refused as exc:
            self._error(str(exc))
            return
        self.changed = True
        self._error("")
        self._fill()

    def _down(self) -> None:
        table = self.query_one(ApplicationGrid)
        if table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)

    def _write_off_rest(self, item_id: int) -> None:
        i = self.grid.by_id[item_id]
        applied = self.grid.applied.get(item_id, 0)
        if self.credits_only or not i.is_debit or not applied or applied >= i.open:
            raise Refused("w writes off what a short payment leaves on a partly applied charge.")
        rest = i.open - applied
        self.query_one("#write_off", Input).value = format_amount(rest, self.grid.currency)
        short = self.query_one("#short_reason", Select)
        if not short.value:
            short.value = "deduction"
        if rest > getattr(self, "allowance", 0):
            self._error(
                f"{format_amount(rest, self.grid.currency)} is above your write-off allowance "
                f"of {format_amount(self.allowance, self.grid.currency)}; a supervisor saves it."
            )

    def start_part(self, first: str) -> None:
        item = self._current_item()
        if item is None:
            return
        self.part_item = item
        number = self.grid.by_id[item].number
        self.query_one("#part_label", Label).update(f" Apply to {number}: ")
        box = self.query_one("#part", Input)
        box.value = first
        self.query_one("#part_row").add_class("-on")
        self.set_focus(box)
        box.cursor_position = len(box.value)

    def _commit_part(self, text: str) -> None:
        if self.part_item is None:
            return
        try:
            amount = parse_amount(text, self.grid.currency, allow_negative=False)
            self.grid.set(self.part_item, amount)
        except (MoneyError, Refused) as exc:
            self._error(str(exc))
            return
        self.changed = True
        self._end_part()
        self._error("")
        self._fill()
        self._down()

    def _end_part(self) -> None:
        self.part_item = None
        self.query_one("#part_row").remove_class("-on")
        self.set_focus(self.query_one(ApplicationGrid))

    # -- actions --------------------------------------------------------------------
    def action_auto_key(self) -> None:
        self.when_typed(self.action_auto)

    def action_auto(self) -> None:
        if self.waiting:
            self.pending.append("auto")
            return
        if self.customer is None:
            self._error("Find the customer first.", "customer")
            return
        remit = () if self.credits_only else numbers_in(self.query_one("#remittance", Input).value)
        self.grid.amount = self._amount_or_zero()
        if not self.credits_only and not self.grid.amount:
            self._error("Type the amount received first.", "amount")
            return
        self.waiting = True  # a Ctrl+S typed right after waits for the applications
        self.check_and_auto(remit)

    @work(thread=True, exclusive=True, group="receipt.auto")
    def check_and_auto(self, remit: tuple[str, ...]) -> None:
        from artui.cash_application import check_remittance

        try:
            self.book.read(lambda tx: check_remittance(tx, self.customer_id, remit))
        except DomainError as exc:
            self.app.call_from_thread(self._auto_refused, str(exc))
            return
        self.app.call_from_thread(self._auto, remit)

    def _auto_refused(self, message: str) -> None:
        self.waiting = False
        self.pending.clear()
        self._error(message, "remittance")

    def _auto(self, remit: tuple[str, ...]) -> None:
        self.grid.auto(remit)
        self.changed = True
        self._error("")
        self._fill()
        self.set_focus(self.query_one(ApplicationGrid))
        self._ready()

    def action_save(self) -> None:
        if self.waiting:
            self.pending.append("save")
            return
        if self.part_item is not None:
            self._commit_part(self.query_one("#part", Input).value)
            if self.part_item is not None:
                return  # the part typed was refused; its sentence is shown
        if self.customer is None:
            self._error("Find the customer first.", "customer")
            return
        problem = self.grid.problem()
        if problem:
            self._error(problem)
            return
        if self.credits_only:
            self.save_credits(self.grid.allocations())
            return
        try:
            line = self._line()
        except ValueError as exc:
            field, message = exc.args
            self._error(message, field)
            return
        self.save_line(line)

    def _line(self) -> batches.ReceiptLine:
        amount = self._money("amount")
        if not amount:
            raise ValueError("amount", "Type the amount received.")
        method = str(self.query_one("#method", Select).value)
        brand = self.query_one("#card_brand", Select).value
        assert self.customer is not None
        return batches.ReceiptLine(
            customer=self.customer["account"],
            amount=amount,
            method=method,
            reference=self.query_one("#reference", Input).value.strip(),
            card_brand=str(brand) if method == "card" and brand != Select.NULL else "",
            card_last4=self.query_one("#card_last4", Input).value.strip()
            if method == "card"
            else "",
            payer=(self.line or {}).get("payer", ""),
            remittance=numbers_in(self.query_one("#remittance", Input).value),
            allocations=self.grid.allocations(),
            short_reason=str(self.query_one("#short_reason", Select).value or ""),
            write_off=self._money("write_off"),
        )

    @work(thread=True, exclusive=True, group="receipt.save")
    def save_line(self, line: batches.ReceiptLine) -> None:
        try:
            if self.line:
                batches.update_receipt(self.book, self.line["id"], self.line["version"], line)
            else:
                assert self.batch_id is not None
                batches.add_receipt(self.book, self.batch_id, line)
        except DomainError as exc:
            self.app.call_from_thread(self._error, str(exc), exc.field)
            return
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.app.report, exc)  # type: ignore[attr-defined]
            return
        self.app.call_from_thread(self._saved)

    @work(thread=True, exclusive=True, group="receipt.save")
    def save_credits(self, allocations: tuple) -> None:
        try:
            apply_credits(self.book, self.customer_id, allocations)
        except DomainError as exc:
            self.app.call_from_thread(self._error, str(exc))
            return
        self.app.call_from_thread(self._saved)

    def _saved(self) -> None:
        self.saved = True
        g = self.grid
        if self.credits_only:
            msg = f"Applied {format_amount(g.credits_used, g.currency)} of credits."
        else:
            msg = f"Receipt {format_amount(g.amount, g.currency)} saved in the batch"
            msg += (
                f"; {format_amount(g.on_account, g.currency)} on account." if g.on_account else "."
            )
        self.dismiss(True)
        self.app.say(msg)  # type: ignore[attr-defined]  # on the screen now in view

    def keep_draft(self) -> str | None:
        """The connection dropped: keep the receipt typed so far in its batch (not
        posted: the batch is still open), when it can be read."""
        if self.credits_only or self.customer is None:
            return None
        try:
            line = self._line()
            if self.line:
                batches.update_receipt(self.book, self.line["id"], self.line["version"], line)
            elif self.batch_id is not None:
                batches.add_receipt(self.book, self.batch_id, line)
        except (ValueError, DomainError):
            return None
        amount = format_amount(line.amount)
        return f"the receipt of {amount} from {line.customer} is kept in its batch."

    def _error(self, message: str, field: str | None = None) -> None:
        self.query_one("#error", Static).update(Text(message))
        for box in self.query(Input):
            box.remove_class("-invalid")
        if field:
            try:
                widget = self.query_one(f"#{field}")
            except Exception:  # noqa: BLE001 - a field this screen does not show
                return
            widget.add_class("-invalid")
            self.set_focus(widget)

    def action_back(self) -> None:
        if self.part_item is not None:
            self._end_part()
            return
        if not self.dirty:
            self.dismiss(False)
            return
        from screens.confirm import Confirm

        self.app.push_screen(
            Confirm("Leave this receipt without saving it?"),
            lambda yes: self.dismiss(False) if yes else None,
        )
