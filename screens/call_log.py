"""Log a call in a few keys: the outcome by one letter, the note, a promise (amount and
date, or a plan of instalments), the next action. Saved calls are never edited.

With a promise: `p`, the note, then Enter on the amount (the past-due amount is filled
in), Enter on the date (a week from today), Enter through the plan and next action (the
day after the promise); or Ctrl+S at any point.
"""

import datetime as dt

from textual import events, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label, Select, Static

from artui.collections import CHANNELS, CallInput, PromiseInput, log_call, split_promise
from artui.customers import contacts
from artui.dates import DateError, parse_date
from artui.errors import DomainError
from artui.money import MoneyError, format_amount, parse_amount
from screens.base import when_typed
from screens.customer_form import Form

# the outcome's letter: what the clerk presses in the outcome field
OUTCOME_KEYS = {
    "r": "reached",
    "v": "voicemail",
    "n": "no_answer",
    "w": "wrong_number",
    "p": "promised",
    "d": "disputed",
    "dollar_sign": "paid",
    "x": "refused",
}
LETTER = {"dollar_sign": "$"}
# the next action a call's outcome suggests, in days
NEXT_DAYS = {"voicemail": 2, "no_answer": 1, "wrong_number": 1, "refused": 3, "paid": 14}


class OutcomeBox(Input):
    """The outcome field: letters are not typed into it but choose the outcome (the
    dialog's bindings), so it gives them up instead of consuming them as an Input does."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return False


class CallDialog(Form):
    DATE_FIELDS = ("promise_on", "next")
    MONEY_FIELDS = ("promise",)
    DEFAULT_CSS = """
    CallDialog Horizontal { height: 1; }
    CallDialog Horizontal Label { padding: 0 1 0 0; }
    CallDialog Select { width: 1fr; }
    CallDialog #hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding(key, f"outcome('{code}')", show=False, priority=True)
        for key, code in OUTCOME_KEYS.items()
    ]

    def __init__(self, book, customer_id: int, name: str, past_due: int, currency: str) -> None:  # noqa: ANN001
        super().__init__()
        self.book, self.customer_id = book, customer_id
        self.past_due, self.currency = past_due, currency
        self.people = contacts(book, customer_id)
        self.outcome = ""
        shown = format_amount(past_due, currency)
        self.title_text = f"Log a call: {name} · past due {shown}"

    def fields(self) -> list[tuple[str, str, str]]:
        return [
            ("outcome", "Outcome", ""),
            ("note", "Note", ""),
            ("promise", "Promise", ""),
            ("promise_on", "Promise by", ""),
            ("instalments", "Instalments", "1"),
            ("every", "Every", "month"),
            ("next", "Next action", "+7"),
        ]

    def extra(self) -> ComposeResult:
        hint = " · ".join(
            f"{LETTER.get(k, k)} {v.replace('_', ' ')}" for k, v in OUTCOME_KEYS.items()
        )
        yield Static(hint, id="hint", markup=False)
        people = [(p.name + (" (billing)" if p.is_billing else ""), p.id) for p in self.people]
        billing = next((p.id for p in self.people if p.is_billing), None)
        with Horizontal():
            yield Label("Contact")
            yield Select(
                people,
                value=billing if billing is not None else Select.NULL,
                id="contact",
                compact=True,
                prompt="no contact",
            )
            yield Label(" Channel")
            yield Select(
                [(c, c) for c in CHANNELS],
                value="call",
                allow_blank=False,
                id="channel",
                compact=True,
            )

    def make_input(self, name: str, value: str) -> Input:
        if name == "outcome":
            # nothing is typed: a letter chooses (see action_outcome)
            return OutcomeBox(
                value, id="f_outcome", compact=True, placeholder="press a letter", restrict=r"\A\Z"
            )
        return super().make_input(name, value)

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#f_outcome", Input))

    def action_outcome(self, code: str) -> None:
        """In the outcome field a letter chooses the outcome and moves on to the note (at
        once: the note typed next lands in the note); elsewhere the letter is typed."""
        if self.focused is not self.query_one("#f_outcome", Input):
            raise SkipAction
        self.outcome = code
        self.query_one("#f_outcome", Input).value = code.replace("_", " ")
        self.dirty = True
        today = self.book.today()
        if code == "promised":
            if not self.query_one("#f_promise", Input).value:
                self.query_one("#f_promise", Input).value = format_amount(
                    max(self.past_due, 0), self.currency
                )
            promised_on = today + dt.timedelta(days=7)
            self.query_one("#f_promise_on", Input).value = promised_on.isoformat()
            self.query_one("#f_next", Input).value = (
                promised_on + dt.timedelta(days=1)
            ).isoformat()
        elif code in NEXT_DAYS:
            self.query_one("#f_next", Input).value = f"+{NEXT_DAYS[code]}"
        self.set_focus(self.query_one("#f_note", Input))

    def on_key(self, event: events.Key) -> None:
        """A letter typed before the dialog had its focus (l then p in one burst) still
        chooses the outcome; what follows goes into the note."""
        outcome = self.query_one("#f_outcome", Input)
        if event.key in OUTCOME_KEYS and self.focused in (None, outcome):
            event.stop()
            self.set_focus(outcome)
            self.action_outcome(OUTCOME_KEYS[event.key])
            return
        super().on_key(event)

    def action_next_field(self) -> None:
        focused = self.focused
        if isinstance(focused, Input) and focused.id == "f_promise_on":
            # the next action follows the promise date unless typed otherwise
            focused.call_later(self._next_after_promise)
        super().action_next_field()

    def _next_after_promise(self) -> None:
        try:
            on = parse_date(self.value("promise_on"), self.book.today())
        except DateError:
            return
        self.query_one("#f_next", Input).value = (on + dt.timedelta(days=1)).isoformat()

    def action_save(self) -> None:
        # values are read once every field has handled the keys typed before Ctrl+S/Enter
        when_typed(self, self._save_now)

    def _save_now(self) -> None:
        try:
            inp = self._read()
        except ValueError as exc:
            field, message = exc.args
            self.show_errors({field: message})
            return
        self.show_errors({})
        self.save(inp)

    def _day(self, name: str) -> dt.date | None:
        text = self.value(name).strip()
        if not text:
            return None
        try:
            return parse_date(text, self.book.today())
        except DateError as exc:
            raise ValueError(name, str(exc)) from None

    def _read(self) -> CallInput:
        if not self.outcome:
            raise ValueError("outcome", "Press the outcome's letter (r, v, n, w, p, d, $, x).")
        promises: tuple[PromiseInput, ...] = ()
        text = self.value("promise").strip()
        if text:
            try:
                amount = parse_amount(text, self.currency, allow_negative=False)
            except MoneyError as exc:
                raise ValueError("promise", str(exc)) from None
            on = self._day("promise_on")
            if on is None:
                raise ValueError("promise_on", "A promise needs the date it is due.")
            count_text = self.value("instalments").strip() or "1"
            if not count_text.isdigit():
                raise ValueError("instalments", "How many instalments: a whole number.")
            every = self.value("every").strip().lower() or "month"
            if every not in ("month", "monthly") and not every.rstrip("d").isdigit():
                raise ValueError("every", "Every: 'month' or a number of days, such as 14.")
            every = "month" if every.startswith("month") else every.rstrip("d")
            try:
                promises = split_promise(amount, int(count_text), on, every)
            except DomainError as exc:
                raise ValueError(exc.field or "promise", str(exc)) from None
        elif self.outcome == "promised":
            raise ValueError("promise", "A promise to pay needs an amount.")
        contact = self.query_one("#contact", Select).value
        return CallInput(
            customer_id=self.customer_id,
            outcome=self.outcome,
            note=self.value("note"),
            channel=str(self.query_one("#channel", Select).value),
            contact_id=contact if isinstance(contact, int) else None,
            next_action_on=self._day("next"),
            promises=promises,
        )

    @work(thread=True, exclusive=True, group="form.save")
    def save(self, inp: CallInput) -> None:
        try:
            log_call(self.book, inp)
        except DomainError as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        total = sum(p.amount for p in inp.promises)
        message = f"Call logged: {inp.outcome.replace('_', ' ')}"
        if inp.promises:
            message += f", promise of {format_amount(total, self.currency)}"
            if len(inp.promises) > 1:
                message += f" in {len(inp.promises)} instalments"
        if inp.next_action_on:
            message += f"; next action {inp.next_action_on.isoformat()}"
        self.app.call_from_thread(self.finish, message + ".")
