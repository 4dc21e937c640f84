"""Invoice entry (F3 / Alt+I): the header, a grid of lines, live totals from the core.

Enter moves field to field and cell to cell; leaving the last cell of the last line adds
a line; Enter twice on an empty line ends the lines; an item code fills description,
price and tax from the catalogue (the customer's own price where set); Ctrl+D repeats the
cell above. Ctrl+S saves a draft (no number), F10 posts (the gapless number is taken
then; a customer on hold or over the limit is warned first, refused where the settings
say so), Ctrl+E posts and sends it the customer's way, Esc leaves (asking when typed).
"""

import datetime as dt

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Label, Static

from artui.catalogue import CatalogueItem, catalogue, find
from artui.dates import DateError, TermsError, due_date, parse_date, parse_terms
from artui.errors import CreditHold, DomainError
from artui.invoices import InvoiceInput, credit_check_for, post_draft, post_invoice, save_draft
from artui.lookup import search
from artui.money import (
    MoneyError,
    QuantityError,
    RateError,
    format_amount,
    format_quantity,
    format_rate,
    parse_amount,
    parse_quantity,
    parse_rate,
)
from artui.pricing import LineInput, Totals, price
from screens.base import WorkScreen
from screens.pick_customer import choose

CELLS = ("item", "desc", "qty", "price", "disc", "tax")
SPARE = 3  # blank lines kept ready below the last one typed
HEAD = ("customer", "date", "terms", "due", "po")


class LineRow(Horizontal):
    """One line of the grid: six cells and the amount the core computes."""

    DEFAULT_CSS = """
    LineRow { height: 1; }
    LineRow Input, LineRow Label { margin: 0 1 0 0; }
    HeadRow Label { color: $text-muted; }
    LineRow .item { width: 10; }
    LineRow .desc { width: 1fr; }
    LineRow .qty { width: 7; }
    LineRow .price { width: 10; }
    LineRow .disc { width: 6; }
    LineRow .tax { width: 6; }
    LineRow .amount { width: 12; text-align: right; }
    LineRow .no { width: 3; color: $text-muted; }
    """

    def __init__(self, n: int, values: dict[str, str] | None = None) -> None:
        super().__init__(classes="line")
        self.n = n
        self.values = values or {}

    def compose(self) -> ComposeResult:
        yield Label(f"{self.n:>2}", classes="no")
        for cell in CELLS:
            box = Input(self.values.get(cell, ""), classes=cell, compact=True)
            box.cell = cell  # type: ignore[attr-defined]
            yield box
        yield Static("", classes="amount")

    def box(self, cell: str) -> Input:
        return self.query_one(f".{cell}", Input)

    @property
    def ready(self) -> bool:
        """Its cells exist (a row just added is composed on the next refresh)."""
        return bool(self.query(Input))

    def is_blank(self) -> bool:
        return not self.ready or not any(self.box(c).value.strip() for c in CELLS)


class HeadRow(LineRow):
    """The column names, laid out by the same rules as the lines."""

    def compose(self) -> ComposeResult:
        yield Label("", classes="no")
        for cell, name in zip(
            CELLS, ("Item", "Description", "Qty", "Price", "Disc%", "Tax%"), strict=True
        ):
            yield Label(name, classes=cell)
        yield Static("Amount", classes="amount")


class InvoiceScreen(WorkScreen):
    DEFAULT_CSS = """
    InvoiceScreen #title { height: 1; padding: 0 1; background: $boost; }
    InvoiceScreen .row { height: 1; }
    InvoiceScreen .row Label { padding: 0 1; }
    InvoiceScreen #customer { width: 16; }
    InvoiceScreen #who { width: 1fr; padding: 0 1; }
    InvoiceScreen #date, InvoiceScreen #due { width: 12; }
    InvoiceScreen #terms { width: 11; }
    InvoiceScreen #po, InvoiceScreen #reason { width: 1fr; }
    InvoiceScreen #lines { height: 1fr; }
    InvoiceScreen #notes { width: 1fr; }
    InvoiceScreen #shipping { width: 12; }
    InvoiceScreen #error { color: $error; height: 1; padding: 0 1; }
    InvoiceScreen #totals { height: 1; padding: 0 1; background: $boost; }
    """
    BINDINGS = [
        Binding("enter", "enter", "Next", show=False, priority=True, id="invoice.enter"),
        Binding("ctrl+s", "save_draft", "Save draft", id="invoice.draft"),
        Binding("f10", "post", "Post", id="invoice.post"),
        # priority: an Input takes Ctrl+E for End
        Binding("ctrl+e", "post_send", "Post+send", priority=True, id="invoice.send"),
        # priority: an Input takes Ctrl+D for delete-right (Delete does that too)
        Binding("ctrl+d", "ditto", "Ditto", priority=True, id="invoice.ditto"),
        Binding("ctrl+n", "add_line", "Line+", show=False, id="invoice.line"),
        Binding("ctrl+k", "drop_line", "Line-", show=False, id="invoice.drop"),
        Binding("escape", "back", "Back", id="invoice.back"),
    ]

    def __init__(
        self,
        *,
        customer_id: int | None = None,
        draft: dict | None = None,
        lines: list[dict] | None = None,
        credit_for: dict | None = None,
        order_entry: bool = False,
        bill: object = None,
    ) -> None:
        """`draft` (a document row) and its `lines` reopen a draft; with `lines` but no
        draft id, a copy of an invoice becomes a new draft."""
        super().__init__()
        # a credit memo against `credit_for` (an invoice row): its lines offered, each
        # at what is left to credit; a quantity of 0 leaves a line out
        self.credit_for = credit_for
        if credit_for is not None:
            customer_id = credit_for["customer_id"]
        # a sales order being entered, or one being billed (its lines at what remains)
        self.order_entry = order_entry
        self.bill = bill
        if bill is not None:
            customer_id = bill.customer_id  # type: ignore[attr-defined]
            lines = [
                {
                    "item_code": ln.item_code,
                    "description": ln.description,
                    "quantity": ln.remaining,
                    "unit_price": ln.unit_price,
                    "discount_rate": ln.discount_rate,
                    "tax_rate": ln.tax_rate,
                    "order_line_id": ln.id,
                }
                for ln in bill.lines  # type: ignore[attr-defined]
                if ln.remaining > 0
            ]
        self.customer_id = customer_id or (draft or {}).get("customer_id")
        self.draft = draft if draft and draft.get("status") == "draft" else None
        self.source = draft
        self.source_lines = lines or []
        self.customer: dict | None = None
        self.finding = ""  # the text the customer is being looked up by, till found
        self.items: dict[str, CatalogueItem] = {}
        self.totals: Totals | None = None
        self.saved = False
        self.changed = False
        self.busy = False

    # -- layout ---------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        src = self.source or {}
        today = self.book.today().isoformat()
        yield Static(id="title")
        with Horizontal(classes="row"):
            yield Label("Customer")
            yield Input("", id="customer", compact=True, placeholder="account, name, phone")
            yield Static("", id="who")
        with Horizontal(classes="row"):
            yield Label("Date")
            yield Input(
                src["doc_date"].isoformat() if self.draft else today, id="date", compact=True
            )
            if self.credit_for is not None:
                yield Label("Reason")
                yield Input("", id="reason", compact=True, placeholder="why it is credited")
            else:
                yield Label("Terms")
                yield Input(src.get("terms", ""), id="terms", compact=True)
                yield Label("Due")
                yield Input("", id="due", compact=True, placeholder="from terms")
                yield Label("PO")
                yield Input(src.get("reference", ""), id="po", compact=True)
        yield HeadRow(0)
        yield VerticalScroll(id="lines")
        with Horizontal(classes="row"):
            yield Label("Notes")
            yield Input(src.get("memo", ""), id="notes", compact=True)
            yield Label("Shipping", classes="ship")
            ship = format_amount(src["shipping"]) if src.get("shipping") else ""
            yield Input(ship, id="shipping", compact=True, placeholder="0.00")
        yield Static("", id="error")
        yield Static("", id="totals")

    def on_mount(self) -> None:
        box = self.query_one("#lines", VerticalScroll)
        # blank lines always wait at the end: Enter moves into the next one at once, and
        # new blank ones are added behind (adding a row takes a refresh; typing does not)
        rows = [self._values(ln) for ln in self.source_lines]
        made = [LineRow(n, v) for n, v in enumerate(rows, 1)]
        if self.credit_for is not None:  # each line remembers the invoice line it credits
            for row, ln in zip(made, self.source_lines, strict=True):
                row.credits_line_id = ln["credits_line_id"]  # type: ignore[attr-defined]
        elif self.bill is not None:  # and the order line it bills
            for row, ln in zip(made, self.source_lines, strict=True):
                row.order_line_id = ln["order_line_id"]  # type: ignore[attr-defined]
        else:
            made += [LineRow(len(made) + n, {}) for n in range(1, SPARE + 1)]
        box.mount_all(made)
        self.load_catalogue()
        if self.credit_for is not None:  # a credit memo credits lines, not shipping
            self.query_one("#shipping", Input).display = False
            self.query("Label").filter(".ship").set(display=False)
        if self.draft and self.draft.get("due_date"):
            self.query_one("#due", Input).value = self.draft["due_date"].isoformat()
        self._title()
        if self.customer_id is not None:
            self.load_customer(self.customer_id)
        else:
            self.set_focus(self.query_one("#customer", Input))
        self.initial = self._snapshot()
        self.call_after_refresh(self._recalc)

    @staticmethod
    def _values(ln: dict) -> dict[str, str]:
        return {
            "item": ln.get("item_code") or "",
            "desc": ln.get("description") or "",
            "qty": format_quantity(ln["quantity"]),
            "price": format_amount(ln["unit_price"]),
            "disc": format_rate(ln["discount_rate"]) if ln["discount_rate"] else "",
            "tax": format_rate(ln["tax_rate"]) if ln["tax_rate"] else "",
        }

    def _title(self) -> None:
        if self.order_entry or self.bill is not None:
            text = (
                "New sales order · F10 saves it"
                if self.order_entry
                else f"Bill order {self.bill.number}: quantity 0 leaves a line for later"  # type: ignore[attr-defined]
            )
            self.query_one("#title", Static).update(Text(text, no_wrap=True, overflow="ellipsis"))
            return
        if self.credit_for is not None:
            text = f"Credit memo against {self.credit_for['number']}: quantity 0 leaves a line out"
            self.query_one("#title", Static).update(Text(text, no_wrap=True, overflow="ellipsis"))
            return
        if self.draft:
            text = f"Draft invoice (saved by {self.draft.get('created_by') or '?'})"
        elif self.source:
            text = f"New invoice, a copy of {self.source.get('number') or 'a draft'}"
        else:
            text = "New invoice"
        text += " · Enter next · Ctrl+S draft · F10 post"
        self.query_one("#title", Static).update(Text(text, no_wrap=True, overflow="ellipsis"))

    def _snapshot(self) -> list[str]:
        return [b.value for b in self.query(Input)]

    @property
    def dirty(self) -> bool:  # type: ignore[override]
        return not self.saved and self._snapshot() != getattr(self, "initial", [])

    def rows(self) -> list[LineRow]:
        """The lines whose cells exist, in order."""
        return [r for r in self.query(LineRow) if not isinstance(r, HeadRow) and r.ready]

    # -- the customer ---------------------------------------------------------------
    def _customer_typed(self, text: str) -> None:
        if not text.strip():
            self._error("Type an account, a name or phone digits.", "customer")
            return
        if self.customer and text.strip() == self.customer["account"]:
            return
        if text.strip() == self.finding:
            return  # Enter and leaving the box both ask: one search
        self.finding = text.strip()
        self.find_customer(text.strip())

    @on(Input.Blurred, "#customer")
    def customer_left(self, event: Input.Blurred) -> None:
        """Tab (or a click) out of the customer box finds the customer as Enter does: a
        clerk tabs through the header, and the customer's prices and terms never came."""
        if event.value.strip() and self.is_active:
            self._customer_typed(event.value)

    @work(thread=True, exclusive=True, group="invoice.find")
    def find_customer(self, text: str) -> None:
        rows = search(self.book, text, 20)
        self.app.call_from_thread(self._found, text, rows)

    def _found(self, text: str, rows: list) -> None:
        self.finding = ""
        choose(
            self,
            text,
            rows,
            lambda row: self.load_customer(row.customer_id) if row else None,
            lambda sentence: self._error(sentence, "customer"),
        )

    @work(thread=True, exclusive=True, group="invoice.catalogue")
    def load_catalogue(self) -> None:
        items = catalogue(self.book)  # list prices, until the customer's are known
        self.app.call_from_thread(self._catalogue, items)

    def _catalogue(self, items: dict) -> None:
        if not self.items:
            self.items = items

    @work(thread=True, exclusive=True, group="invoice.customer")
    def load_customer(self, customer_id: int) -> None:
        from artui.account import account_summary

        try:
            summary = account_summary(self.book, customer_id)
            items = catalogue(self.book, customer_id)
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.app.report, exc)  # type: ignore[attr-defined]
            return
        self.app.call_from_thread(self._customer_loaded, summary, items)

    def _customer_loaded(self, summary, items) -> None:  # noqa: ANN001
        c = summary.customer
        self.customer_id = c.id
        self.customer = {"id": c.id, "account": c.account, "currency": c.currency, "terms": c.terms}
        self.items = items
        self.query_one("#customer", Input).value = c.account
        if self.credit_for is None:
            terms = self.query_one("#terms", Input)
            if not terms.value:
                terms.value = c.terms
        who = Text(no_wrap=True, overflow="ellipsis")
        who.append(c.name, style="bold")
        who.append(f" · Balance {format_amount(summary.balance, c.currency)}")
        if c.credit_limit:
            who.append(f" · Limit {format_amount(c.credit_limit, c.currency)}")
        for flag in summary.flags:
            who.append(f" {flag}", style="bold reverse")
        self.query_one("#who", Static).update(who)
        self._error("")
        if self.focused is None or self.focused.id == "customer":
            self.set_focus(self.query_one("#date", Input))
        self._recalc()

    # -- moving about ---------------------------------------------------------------
    def action_enter(self) -> None:
        """Enter moves on at once (what is typed next lands in the next field): through
        the header, then cell by cell; the last cell of the last line adds a line; Enter
        twice on an empty line ends them."""
        f = self.focused
        if not isinstance(f, Input):
            raise SkipAction
        if f.id == "customer":
            self.set_focus(self.query_one("#date", Input))
            f.call_later(lambda: self._customer_typed(f.value))
            return
        head = ("customer", "date", "reason") if self.credit_for is not None else HEAD
        if f.id in head:
            order = [*head, "first"]
            nxt = order[order.index(f.id) + 1]
            if nxt == "first":
                self._move(self.rows()[0].box("item"))
            else:
                self.set_focus(self.query_one(f"#{nxt}", Input))
            return
        if f.id == "notes":
            self.set_focus(self.query_one("#shipping", Input))
            return
        if f.id == "shipping":
            f.call_later(self._recalc)
            return
        cell = getattr(f, "cell", None)
        if cell is None:
            raise SkipAction
        row = f.parent
        assert isinstance(row, LineRow)
        if cell == "item":
            row.item_empty = self._nothing_typed(f)  # type: ignore[attr-defined]
            f.call_later(lambda: self._item_typed(row))
        empty = cell == "desc" and getattr(row, "item_empty", False) and self._nothing_typed(f)
        if empty and row is not self.rows()[0]:
            # Enter, Enter on an empty line: the lines are done
            self.set_focus(self.query_one("#notes", Input))
            return
        nxt = CELLS.index(cell) + 1
        if nxt < len(CELLS):
            self._move(row.box(CELLS[nxt]))
            f.call_later(self._recalc)
            return
        rows = self.rows()
        if row is rows[-1]:  # no line ready below (they are added ahead of need)
            self.set_focus(self.query_one("#notes", Input))
            return
        following = rows[rows.index(row) + 1]
        self._move(following.box("item"))
        for _ in range(SPARE - (len(rows) - rows.index(following) - 1)):
            self.action_add_line()
        f.call_later(self._recalc)

    def _move(self, box: Input) -> None:
        """Focus `box` now, noting how many keys the app had taken by then."""
        self.set_focus(box)
        self.arrived = (box, self.app.keys_seen)  # type: ignore[attr-defined]

    def _nothing_typed(self, box: Input) -> bool:
        """Enter is the first key since Enter brought the focus to `box` (its value may
        not show keys still on their way; the app's count of keys does)."""
        arrived = getattr(self, "arrived", None)
        if arrived is not None and arrived[0] is box:
            return self.app.keys_seen == arrived[1] + 1  # type: ignore[attr-defined]
        return not box.value.strip()

    def _item_typed(self, row: LineRow) -> None:
        typed = row.box("item").value.strip()
        if not typed:
            return
        found = find(self.items, typed)
        if len(found) != 1:
            if not found:
                self._error(f"Line {row.n}: no item {typed!r} in the catalogue; type the line.")
            else:
                self._error(f"Line {row.n}: {', '.join(i.code for i in found[:6])}…")
            return
        item = found[0]
        row.box("item").value = item.code
        for cell, value in (
            ("desc", item.description),
            ("price", format_amount(item.unit_price)),
            ("tax", format_rate(item.tax_rate) if item.tax_rate else ""),
        ):
            if not row.box(cell).value.strip():
                row.box(cell).value = value
        if not row.box("qty").value.strip():
            row.box("qty").value = "1"
        self._error("")
        self._recalc()

    def action_add_line(self) -> None:
        """A new blank line at the end (the focus stays where it is)."""
        self.added = getattr(self, "added", 0) + 1
        n = len(self.rows()) + self.added  # rows being mounted are not counted yet
        self.query_one("#lines", VerticalScroll).mount(LineRow(n))
        self.call_after_refresh(self._mounted)

    def _mounted(self) -> None:
        self.added = 0

    def action_drop_line(self) -> None:
        f = self.focused
        row = f.parent if f is not None else None
        if not isinstance(row, LineRow) or len(self.rows()) == 1:
            return
        row.remove()
        self.call_after_refresh(self._renumber)

    def _renumber(self) -> None:
        for n, row in enumerate(self.rows(), 1):
            row.n = n
            row.query_one(".no", Label).update(f"{n:>2}")
        self._recalc()

    def action_ditto(self) -> None:
        """The value of the same cell on the line above."""
        f = self.focused
        row = f.parent if f is not None else None
        cell = getattr(f, "cell", None)
        rows = self.rows()
        if not isinstance(row, LineRow) or cell is None or rows.index(row) == 0:
            return
        assert isinstance(f, Input)
        f.value = rows[rows.index(row) - 1].box(cell).value
        f.cursor_position = len(f.value)
        self._recalc()

    @on(Input.Changed)
    def changed(self, event: Input.Changed) -> None:
        if getattr(event.input, "cell", None) in ("qty", "price", "disc", "tax") or (
            event.input.id == "shipping"
        ):
            self._recalc(quiet=True)

    # -- reading and totals ---------------------------------------------------------
    def read_lines(self) -> list[LineInput]:
        out = []
        for row in self.rows():
            if row.is_blank():
                continue
            v = {c: row.box(c).value.strip() for c in CELLS}
            where = f"Line {row.n}"
            try:
                qty = parse_quantity(v["qty"] or "1")
            except QuantityError as exc:
                raise ValueError(row.box("qty"), f"{where}, quantity: {exc}") from None
            try:
                unit = parse_amount(v["price"], self._currency(), allow_negative=False)
            except MoneyError as exc:
                raise ValueError(row.box("price"), f"{where}, price: {exc}") from None
            rates = []
            for cell in ("disc", "tax"):
                try:
                    rates.append(parse_rate(v[cell].rstrip("%")) if v[cell] else 0)
                except RateError as exc:
                    raise ValueError(row.box(cell), f"{where}, {cell}: {exc}") from None
            if not v["desc"] and not v["item"]:
                raise ValueError(row.box("desc"), f"{where}: say what it is.")
            credits = getattr(row, "credits_line_id", None)
            if credits is not None and qty == 0:
                continue  # not credited
            out.append(
                LineInput(v["desc"] or v["item"], qty, unit, rates[0], rates[1], v["item"], credits)
            )
        return out

    def _currency(self) -> str:
        return self.customer["currency"] if self.customer else "USD"

    def _shipping(self) -> int:
        text = self.query_one("#shipping", Input).value.strip()
        if not text:
            return 0
        try:
            return parse_amount(text, self._currency(), allow_negative=False)
        except MoneyError as exc:
            raise ValueError(self.query_one("#shipping", Input), f"Shipping: {exc}") from None

    def _recalc(self, quiet: bool = False) -> None:
        """The totals as the core computes them; a cell that cannot be read is marked."""
        for box in self.query(Input):
            box.remove_class("-invalid")
        try:
            lines = self.read_lines()
            shipping = self._shipping()
        except ValueError as exc:
            box, message = exc.args
            box.add_class("-invalid")
            if not quiet:
                self._error(message)
            return
        for row, amount in zip(
            [r for r in self.rows() if not r.is_blank()],
            price(lines).line_amounts if lines else (),
            strict=False,
        ):
            row.query_one(".amount", Static).update(format_amount(amount, self._currency()))
        t = price(lines, shipping)
        self.totals = t
        cur = self._currency()
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append("Total ")
        out.append(format_amount(t.total, cur), style="bold")
        out.append(f" · {len(lines)} lines {format_amount(t.subtotal, cur)}")
        if t.discount_total:
            out.append(f" · Disc {format_amount(t.discount_total, cur)}")
        if self.app.size.width >= 100:  # each rate where there is room, else the sum
            for tax in t.taxes:
                out.append(f" · Tax {format_rate(tax.rate)}% {format_amount(tax.tax, cur)}")
        elif t.tax_total:
            out.append(f" · Tax {format_amount(t.tax_total, cur)}")
        if t.shipping:
            out.append(f" · Ship {format_amount(t.shipping, cur)}")
        self.query_one("#totals", Static).update(out)
        self._due_hint()

    def _due_hint(self) -> None:
        if self.credit_for is not None:
            return
        try:
            day = parse_date(self.query_one("#date", Input).value, self.book.today())
            terms = parse_terms(self.query_one("#terms", Input).value or "NET30")
        except (DateError, TermsError):
            return
        self.query_one("#due", Input).placeholder = due_date(day, terms).isoformat()

    def read(self) -> InvoiceInput:
        if self.customer is None:
            raise ValueError(self.query_one("#customer", Input), "Choose the customer first.")
        try:
            day = parse_date(self.query_one("#date", Input).value, self.book.today())
        except DateError as exc:
            raise ValueError(self.query_one("#date", Input), f"Date: {exc}") from None
        if self.credit_for is not None:
            return InvoiceInput(  # carried to post_credit_memo by _post
                customer=self.customer["account"],
                doc_date=day,
                lines=self.read_lines(),
                memo=self.query_one("#notes", Input).value.strip(),
            )
        due_text = self.query_one("#due", Input).value.strip()
        due: dt.date | None = None
        if due_text:
            try:
                due = parse_date(due_text, self.book.today())
            except DateError as exc:
                raise ValueError(self.query_one("#due", Input), f"Due: {exc}") from None
        lines = self.read_lines()
        if not lines:
            raise ValueError(self.rows()[0].box("item"), "An invoice needs at least one line.")
        return InvoiceInput(
            customer=self.customer["account"],
            doc_date=day,
            lines=lines,
            terms=self.query_one("#terms", Input).value.strip().upper() or None,
            due_date=due,
            reference=self.query_one("#po", Input).value.strip(),
            memo=self.query_one("#notes", Input).value.strip(),
            shipping=self._shipping(),
        )

    def _checked(self) -> InvoiceInput | None:
        try:
            return self.read()
        except ValueError as exc:
            box, message = exc.args
            box.add_class("-invalid")
            self.set_focus(box)
            self._error(message)
            return None

    # -- saving and posting ---------------------------------------------------------
    def action_save_draft(self) -> None:
        self.when_typed(self._save_draft_now)

    def _save_draft_now(self) -> None:
        inp = self._checked()
        if inp is not None and not self.busy:
            self.busy = True
            self.save(inp)

    @work(thread=True, exclusive=True, group="invoice.save")
    def save(self, inp: InvoiceInput) -> None:
        try:
            doc = save_draft(
                self.book,
                inp,
                self.draft["id"] if self.draft else None,
                self.draft["version"] if self.draft else None,
            )
        except DomainError as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        self.app.call_from_thread(self._done, f"Draft saved ({format_amount(doc.amount)}).")

    def action_post(self) -> None:
        self.send_after = False
        self.when_typed(self._post_now)

    def action_post_send(self) -> None:
        """Post, then send it the customer's way (email or the mail room's pile)."""
        self.send_after = True
        self.when_typed(self._post_now)

    def _post_now(self) -> None:
        inp = self._checked()
        if inp is not None and not self.busy:
            self.busy = True
            self.check_then_post(inp)

    @work(thread=True, exclusive=True, group="invoice.save")
    def check_then_post(self, inp: InvoiceInput) -> None:
        """A customer on hold or over the limit: the warning first, then post if the
        clerk says so (refused where the settings make it block)."""
        if self.credit_for is not None or self.order_entry:
            self._post(inp)
            return
        check = credit_check_for(self.book, inp.customer, price(inp.lines, inp.shipping).total)
        if check.blocks:
            self.app.call_from_thread(self._refused, CreditHold(check.message, field="customer"))
            return
        if check.message:
            self.app.call_from_thread(self._ask_then_post, inp, check.message)
            return
        self._post(inp)

    def _ask_then_post(self, inp: InvoiceInput, message: str) -> None:
        from screens.confirm import Confirm

        def answered(yes: bool | None) -> None:
            if yes:
                self.post_anyway(inp)
            else:
                self.busy = False

        self.app.push_screen(Confirm(f"{message} Post the invoice anyway?"), answered)

    @work(thread=True, exclusive=True, group="invoice.save")
    def post_anyway(self, inp: InvoiceInput) -> None:
        self._post(inp)

    def _post(self, inp: InvoiceInput) -> None:
        if self.credit_for is not None:
            self._post_credit(inp)
            return
        if self.order_entry or self.bill is not None:
            self._post_order(inp)
            return
        try:
            if self.draft:
                save_draft(self.book, inp, self.draft["id"], self.draft["version"])
                doc = post_draft(self.book, self.draft["id"])
            else:
                doc = post_invoice(self.book, inp).doc
        except DomainError as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.app.report, exc)  # type: ignore[attr-defined]
            self.busy = False
            return
        message = f"Invoice {doc.number} posted: {format_amount(doc.amount)}."
        if getattr(self, "send_after", False):
            message = f"{doc.number} ({format_amount(doc.amount)}) posted; " + self._send(
                doc.number
            )
        self.app.call_from_thread(self._done, message)

    def _send(self, number: str) -> str:
        """Send a posted invoice (in the worker); what happened, as a sentence."""
        from artui import delivery
        from screens.invoice_actions import describe

        try:
            line = delivery.send_invoice(self.book, number)
        except (DomainError, OSError) as exc:
            return f"not sent: {exc}"
        if line.channel == "email" and line.status != "failed":
            return f"emailed to {line.address}."
        return describe(line)

    def _post_order(self, inp: InvoiceInput) -> None:
        from artui import sales_orders as so

        try:
            if self.order_entry:
                number = so.create_order(
                    self.book,
                    so.OrderInput(inp.customer, inp.doc_date, inp.lines, inp.reference, inp.memo),
                )
                message = f"Sales order {number} saved; bill it from Sales orders (palette)."
            else:
                quantities = self.app.call_from_thread(self._bill_quantities)
                posted = so.bill_order(
                    self.book,
                    self.bill.number,
                    inp.doc_date,
                    quantities,  # type: ignore[attr-defined]
                )
                message = (
                    f"Invoice {posted.doc.number} posted from {self.bill.number}: "  # type: ignore[attr-defined]
                    f"{format_amount(posted.doc.amount)}."
                )
        except DomainError as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        self.app.call_from_thread(self._done, message)

    def _bill_quantities(self) -> dict[int, int]:
        out = {}
        for row in self.rows():
            line_id = getattr(row, "order_line_id", None)
            text = row.box("qty").value.strip()
            if line_id is not None and text:
                out[line_id] = parse_quantity(text)
        return out

    def _post_credit(self, inp: InvoiceInput) -> None:
        from dataclasses import asdict

        from artui import approvals

        reason = self.app.call_from_thread(lambda: self.query_one("#reason", Input).value)
        try:
            done = approvals.perform(
                self.book,
                "credit_memo_lines",
                inp.customer,
                inp.doc_date,
                reason,
                [asdict(ln) for ln in inp.lines],
                self.credit_for["number"],  # type: ignore[index]
                for_customer=self.customer_id,
                for_amount=price(inp.lines).total,
            )
        except DomainError as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        if done.waiting:
            message = done.message
        else:
            doc = done.result
            message = f"Credit memo {doc.number} posted: {format_amount(doc.amount)}."
        self.app.call_from_thread(self._done, message)

    def _refused(self, exc: DomainError) -> None:
        self.busy = False
        self._error(str(exc), exc.field if exc.field in HEAD else None)

    def _done(self, message: str) -> None:
        self.saved = True
        self.busy = False
        self.dismiss(True)
        self.app.say(message)  # type: ignore[attr-defined]

    def _error(self, message: str, field: str | None = None) -> None:
        self.query_one("#error", Static).update(Text(message))
        if field:
            box = self.query_one(f"#{field}", Input)
            box.add_class("-invalid")
            self.set_focus(box)

    def keep_draft(self) -> str | None:
        """The connection dropped: keep the invoice typed so far as a draft (on the UI
        thread: the app is going down), or its fields in a file when it cannot be one."""
        if self.credit_for is not None or self.order_entry or self.bill is not None:
            return None
        try:
            inp = self.read()
        except ValueError:
            return self._keep_file()
        doc = save_draft(self.book, inp, self.draft["id"] if self.draft else None, None)
        return (
            f"the invoice for {inp.customer} ({format_amount(doc.amount)}) is kept as a draft "
            "(Draft invoices in the palette)."
        )

    def _keep_file(self) -> str:
        import json
        import time

        from artui.app import kept_file

        path = kept_file().parent / f"invoice-typed-{int(time.time())}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        fields = {
            b.id or f"line{getattr(b.parent, 'n', '')}.{getattr(b, 'cell', '')}": b.value
            for b in self.query(Input)
            if b.value
        }
        path.write_text(json.dumps(fields, indent=1), encoding="utf-8")
        return f"an invoice not yet complete; what was typed is in {path}."

    def action_back(self) -> None:
        if not self.dirty:
            self.dismiss(False)
            return
        from screens.confirm import Confirm

        self.app.push_screen(
            Confirm("Leave this invoice without saving it? (Ctrl+S keeps it as a draft)"),
            lambda yes: self.dismiss(False) if yes else None,
        )
