"""Customer records: the customer form, the contact form and the credit-hold dialog.

Each field validates beside itself; the core validates again on save. A save that lost
a race with another clerk says who changed the record and keeps what was typed.
"""

import contextlib
import datetime as dt

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from artui.customers import (
    ContactInput,
    CustomerInput,
    create_customer,
    get_customer,
    save_contact,
    set_hold,
    update_customer,
    validate_customer,
)
from artui.dates import DateError, parse_date
from artui.errors import DomainError
from artui.money import MoneyError, format_amount, parse_amount

FIELDS = [
    # (field, label, new only)
    ("account", "Account", True),
    ("name", "Name", False),
    ("terms", "Terms", False),
    ("credit_limit", "Credit limit", False),
    ("currency", "Currency", True),
    ("tax_id", "Tax id", False),
    ("collector", "Collector", False),
    ("contact", "Contact", True),
    ("email", "Email", True),
    ("phone", "Phone", True),
    ("address1", "Address", True),
    ("city", "City", True),
    ("region", "Region", True),
    ("postal_code", "Postal code", True),
    ("country", "Country", True),
    ("notes", "Notes", False),
]


class Form(ModalScreen):
    """A form: Enter moves to the next field (and saves from the last); Ctrl+S saves;
    Esc leaves, asking first when something typed would be lost."""

    DEFAULT_CSS = """
    Form { align: center middle; }
    Form > Vertical {
        width: 78; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    Form .title { text-style: bold; }
    Form VerticalScroll { height: auto; max-height: 18; }
    Form Grid { grid-size: 3; grid-columns: 14 1fr 1fr; grid-rows: 1; height: auto; }
    Form Grid > Label { padding: 0 1 0 0; }
    Form Input { background: $boost; }
    Form Input:focus { background: $primary 30%; }
    Form .error { color: $error; text-style: bold; }
    Form #message { height: auto; }
    Form #message.-error { color: $error; text-style: bold; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="form.save"),
        Binding("escape", "leave", "Cancel", id="form.cancel"),
        # A priority binding runs before the key reaches the field, and moves the focus
        # at once: keys typed ahead (a fast typist, a burst over SSH) land in the next
        # field instead of piling into this one.
        Binding("enter", "next_field", "Next", show=False, priority=True, id="form.next"),
    ]

    dirty = False
    title_text = ""
    AUTO_FOCUS = "Input"
    # Fields shown as they were understood once left: a date (`fri` as 2026-12-11, `+7`)
    # and an amount (`1151.5` as 1,151.50), or the reason beside a field it cannot read.
    DATE_FIELDS: tuple[str, ...] = ()
    MONEY_FIELDS: tuple[str, ...] = ()

    def fields(self) -> list[tuple[str, str, str]]:
        """(name, label, initial value)"""
        return []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            with VerticalScroll(can_focus=False), Grid():
                for name, label, value in self.fields():
                    yield Label(label)
                    yield self.make_input(name, value)
                    yield Label("", id=f"e_{name}", classes="error")
            yield from self.extra()
            yield Static("Enter next field · Ctrl+S save · Esc cancel", id="message")

    def extra(self) -> ComposeResult:
        yield from ()

    def make_input(self, name: str, value: str) -> Input:
        return Input(value, id=f"f_{name}", compact=True)

    def on_mount(self) -> None:
        inputs = list(self.query(Input))
        if inputs:
            inputs[0].focus()

    @on(Input.Changed)
    def changed(self) -> None:
        self.dirty = True

    def form_today(self) -> dt.date:
        """The working date the form's dates are read against."""
        book = getattr(self, "book", None)
        return book.today() if book is not None else dt.date.today()

    def form_currency(self) -> str:
        """The currency the form's amounts are in."""
        doc = getattr(self, "doc", None)
        return getattr(self, "currency", None) or (doc or {}).get("currency") or "USD"

    @on(Input.Blurred)
    def understood(self, event: Input.Blurred) -> None:
        name = (event.input.id or "").removeprefix("f_")
        text = event.value.strip()
        if not text or name not in (*self.DATE_FIELDS, *self.MONEY_FIELDS):
            return
        try:
            if name in self.DATE_FIELDS:
                shown = parse_date(text, self.form_today()).isoformat()
            else:
                cur = self.form_currency()
                shown = format_amount(parse_amount(text, cur, allow_negative=True), cur)
        except (DateError, MoneyError) as exc:
            problem = str(exc)  # said beside the field; the focus stays where it went
        else:
            problem = ""
            if shown != event.value:
                event.input.value = shown
        with contextlib.suppress(Exception):  # a field with no label for its reason
            self.query_one(f"#e_{name}", Label).update(problem)

    def on_key(self, event: events.Key) -> None:
        """Keys typed before the first field took the focus reach the form itself: they
        go into the field that has the focus now (the first one, if none has), not
        nowhere."""
        if not (event.is_printable and event.character):
            return
        target = self.focused
        if target is None:
            fields = list(self.query(Input))
            if not fields:
                return
            target = fields[0]
            self.set_focus(target)
        if isinstance(target, Input) and target.check_consume_key(event.key, event.character):
            target.insert_text_at_cursor(event.character)
            event.stop()

    def action_next_field(self) -> None:
        focused = self.focused
        if focused is None:
            fields = list(self.query(Input))
            if fields:
                self.set_focus(fields[0])
            return
        if isinstance(focused, Button):
            focused.press()
            return
        fields = [w for w in self.query("Input, Checkbox") if w.focusable]
        if focused not in fields or fields.index(focused) == len(fields) - 1:
            self.action_save()
            return
        self.set_focus(fields[fields.index(focused) + 1])

    def value(self, name: str) -> str:
        return self.query_one(f"#f_{name}", Input).value

    def show_errors(self, problems: dict[str, str]) -> None:
        for label in self.query(".error"):
            label.update("")  # type: ignore[attr-defined]
        for field, message in problems.items():
            try:
                self.query_one(f"#e_{field}", Label).update(message)
            except Exception:  # noqa: BLE001 - a field this form does not show
                self.say(message, error=True)
        if problems:
            first = next(iter(problems))
            with contextlib.suppress(Exception):  # a field this form does not show
                self.query_one(f"#f_{first}", Input).focus()

    def say(self, message: str, *, error: bool = False) -> None:
        msg = self.query_one("#message", Static)
        msg.update(message)
        msg.set_class(error, "-error")

    def action_save(self) -> None:
        raise NotImplementedError

    def finish(self, message: str) -> None:
        """Close the form and say what was done on the screen under it (one step on the
        UI thread: once dismissed, the form's worker can no longer reach the app)."""
        self.dismiss(True)
        self.app.say(message)  # type: ignore[attr-defined]

    def _refused(self, exc: DomainError) -> None:
        """The core's sentence beside its field; what was typed stays in the fields."""
        if exc.field:
            self.show_errors({exc.field: str(exc)})
        self.say(str(exc), error=True)

    def action_leave(self) -> None:
        if not self.dirty:
            self.dismiss(None)
            return
        from screens.confirm import Confirm

        self.app.push_screen(
            Confirm("Leave without saving what you typed?"),
            lambda yes: self.dismiss(None) if yes else None,
        )


class CustomerForm(Form):
    """A new customer, or edits to one."""

    def __init__(self, book, customer_id: int | None = None) -> None:  # noqa: ANN001
        super().__init__()
        self.book = book
        self.customer_id = customer_id
        self.record = get_customer(book, customer_id) if customer_id else None
        self.title_text = (
            f"Edit {self.record.name} ({self.record.account})" if self.record else "New customer"
        )

    def fields(self) -> list[tuple[str, str, str]]:
        r = self.record
        out = []
        for name, label, new_only in FIELDS:
            if r is not None and new_only:
                continue
            if r is None:
                value = {"terms": "NET30", "currency": "USD", "credit_limit": "0"}.get(name, "")
            elif name == "credit_limit":
                value = format_amount(r.credit_limit, r.currency)
            else:
                value = str(getattr(r, name))
            out.append((name, label, value))
        return out

    def _gather(self) -> tuple[dict[str, object], dict[str, str]]:
        problems: dict[str, str] = {}
        values: dict[str, object] = {}
        currency = self.record.currency if self.record else self.value("currency").upper()
        for name, _label, new_only in FIELDS:
            if self.record is not None and new_only:
                continue
            raw = self.value(name)
            if name == "credit_limit":
                try:
                    values[name] = parse_amount(raw or "0", currency or "USD", allow_negative=False)
                except MoneyError as exc:
                    problems[name] = str(exc)
            elif name in ("currency", "terms"):
                values[name] = raw.strip().upper()
            else:
                values[name] = raw
        return values, problems

    def action_save(self) -> None:
        values, problems = self._gather()
        if self.record is None:
            inp = CustomerInput(**values)  # type: ignore[arg-type]
        else:
            r = self.record
            base = {
                k: getattr(r, k)
                for k in (
                    "terms",
                    "credit_limit",
                    "tax_id",
                    "notes",
                    "status",
                    "collector",
                    "delivery",
                    "portal",
                )
            }
            inp = CustomerInput(account=r.account, currency=r.currency, **{**base, **values})  # type: ignore[arg-type]
        problems = {**validate_customer(inp), **problems}
        self.show_errors(problems)
        if problems:
            self.say("Fix the marked fields.", error=True)
            return
        self.save(inp, values)

    @work(thread=True, exclusive=True, group="form.save")
    def save(self, inp: CustomerInput, values: dict) -> None:
        try:
            if self.record is None:
                cid = create_customer(self.book, inp)
            else:
                changes = {k: v for k, v in values.items() if v != getattr(self.record, k)}
                update_customer(self.book, self.record.id, self.record.version, changes)
                cid = self.record.id
        except DomainError as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        self.app.call_from_thread(self._saved, cid)

    def _saved(self, cid: int) -> None:
        self.dirty = False
        self.app.say("Saved.")  # type: ignore[attr-defined]
        self.dismiss(cid)


class ContactForm(Form):
    """Add or edit a contact; one contact is the billing contact."""

    def __init__(self, book, customer_id: int, contact=None) -> None:  # noqa: ANN001
        super().__init__()
        self.book, self.customer_id, self.contact = book, customer_id, contact
        self.title_text = f"Edit contact {contact.name}" if contact else "New contact"

    def fields(self) -> list[tuple[str, str, str]]:
        c = self.contact
        return [
            (n, label, getattr(c, n) if c else "")
            for n, label in (
                ("name", "Name"),
                ("role", "Role"),
                ("email", "Email"),
                ("phone", "Phone"),
                ("mobile", "Mobile"),
            )
        ]

    def extra(self) -> ComposeResult:
        yield Checkbox(
            "Billing contact",
            self.contact.is_billing if self.contact else False,
            id="billing",
            compact=True,
        )

    def action_save(self) -> None:
        inp = ContactInput(
            self.value("name"),
            self.value("role"),
            self.value("email"),
            self.value("phone"),
            self.value("mobile"),
            self.query_one("#billing", Checkbox).value,
        )
        self.save(inp)

    @work(thread=True, exclusive=True, group="form.save")
    def save(self, inp: ContactInput) -> None:
        try:
            save_contact(
                self.book,
                self.customer_id,
                inp,
                self.contact.id if self.contact else None,
                self.contact.version if self.contact else None,
            )
        except DomainError as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        self.app.call_from_thread(self.dismiss, True)


class HoldDialog(Form):
    """Put a customer on credit hold (with a reason), or take them off it."""

    def __init__(self, book, customer_id: int, on_hold: bool, name: str) -> None:  # noqa: ANN001
        super().__init__()
        self.book, self.customer_id, self.on_hold = book, customer_id, on_hold
        self.title_text = (
            f"Take {name} off credit hold?" if on_hold else f"Put {name} on credit hold"
        )

    def fields(self) -> list[tuple[str, str, str]]:
        return [] if self.on_hold else [("reason", "Reason", "")]

    def extra(self) -> ComposeResult:
        if self.on_hold:
            yield Button("Release hold (Enter)", id="release", variant="primary")

    def on_mount(self) -> None:
        if self.on_hold:
            self.query_one("#release", Button).focus()
        else:
            super().on_mount()

    @on(Button.Pressed, "#release")
    def release(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        reason = "" if self.on_hold else self.value("reason")
        self.save(not self.on_hold, reason)

    @work(thread=True, exclusive=True, group="form.save")
    def save(self, hold: bool, reason: str) -> None:
        try:
            set_hold(self.book, self.customer_id, hold, reason)
        except DomainError as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        self.app.call_from_thread(self.dismiss, True)
