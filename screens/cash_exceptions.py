"""The exceptions of cash application, one step each, from the account screen: a payment
that bounced, a refund of unapplied cash or a credit memo, an application undone."""

import datetime as dt

from textual import work
from textual.app import ComposeResult
from textual.widgets import Checkbox

from artui.dates import DateError, parse_date
from artui.errors import DomainError
from artui.money import MoneyError, format_amount, parse_amount
from artui.receipts import refund, reverse_payment
from screens.customer_form import Form


class _CashForm(Form):
    DATE_FIELDS = ("date",)
    MONEY_FIELDS = ("amount", "fee")

    def __init__(self, book, doc: dict) -> None:  # noqa: ANN001
        super().__init__()
        self.book = book
        self.doc = doc

    def day(self, name: str) -> dt.date:
        try:
            return parse_date(self.value(name) or "t", self.book.today())
        except DateError as exc:
            raise ValueError(name, str(exc)) from None

    def amount(self, name: str, *, blank: int | None = 0) -> int | None:
        text = self.value(name).strip()
        if not text:
            return blank
        try:
            return parse_amount(text, self.doc.get("currency", "USD"), allow_negative=False)
        except MoneyError as exc:
            raise ValueError(name, str(exc)) from None

    def read(self, fn):  # noqa: ANN001, ANN201
        try:
            return fn()
        except ValueError as exc:
            field, message = exc.args
            self.show_errors({field: message})
            return None


class BounceDialog(_CashForm):
    """A payment came back: reverse it dated today, reopening exactly what it paid;
    optionally a bank fee and a credit hold."""

    def __init__(self, book, doc: dict) -> None:  # noqa: ANN001
        super().__init__(book, doc)
        self.title_text = (
            f"Payment {doc['number']} ({format_amount(doc['amount'])}) bounced: reverse it"
        )

    def fields(self) -> list[tuple[str, str, str]]:
        return [
            ("date", "Date", self.book.today().isoformat()),
            ("fee", "Bank fee", ""),
            ("reason", "Reason", "returned: insufficient funds"),
        ]

    def extra(self) -> ComposeResult:
        yield Checkbox("Put the customer on credit hold", id="f_hold", compact=True)

    def action_save(self) -> None:
        got = self.read(lambda: (self.day("date"), self.amount("fee")))
        if got is None:
            return
        on, fee = got
        hold = self.query_one("#f_hold", Checkbox).value
        self.save(on, fee or 0, self.value("reason").strip() or "returned", hold)

    @work(thread=True, exclusive=True, group="form.save")
    def save(self, on: dt.date, fee: int, reason: str, hold: bool) -> None:
        try:
            done = reverse_payment(self.book, self.doc["id"], on, fee=fee, reason=reason, hold=hold)
        except DomainError as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        reopened = ", ".join(a.debit_number or "" for a in done.reopened) or "nothing"
        message = f"{done.returned.number} reverses {self.doc['number']}; reopened {reopened}."
        if done.fee:
            message += f" Fee {done.fee.number}."
        self.app.call_from_thread(self.finish, message)


class RefundDialog(_CashForm):
    """Pay back unapplied cash or a credit memo (all of what is open, or part)."""

    def __init__(self, book, doc: dict) -> None:  # noqa: ANN001
        super().__init__(book, doc)
        self.title_text = f"Refund {doc['number']}: {format_amount(doc['open'])} is open on it"

    def fields(self) -> list[tuple[str, str, str]]:
        return [
            ("amount", "Amount", format_amount(self.doc["open"])),
            ("date", "Date", self.book.today().isoformat()),
            ("reference", "Check/ref", ""),
            ("reason", "Reason", "refund of credit balance"),
        ]

    def action_save(self) -> None:
        got = self.read(lambda: (self.amount("amount", blank=None), self.day("date")))
        if got is None:
            return
        amount, on = got
        self.save(amount, on, self.value("reference").strip(), self.value("reason").strip())

    @work(thread=True, exclusive=True, group="form.save")
    def save(self, amount: int | None, on: dt.date, reference: str, reason: str) -> None:
        try:
            doc = refund(
                self.book, self.doc["id"], amount, on, reason or "refund", reference=reference
            )
        except DomainError as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        self.app.call_from_thread(
            self.finish, f"Refund {doc.number} of {format_amount(doc.amount)} posted."
        )


class CreditDialog(_CashForm):
    """A credit memo of one amount, on account, with a reason (above the approval limit
    it waits for a supervisor)."""

    def __init__(self, book, customer_id: int) -> None:  # noqa: ANN001
        super().__init__(book, {"currency": "USD"})
        self.customer_id = customer_id
        self.title_text = "Credit memo on account (select an invoice first to credit its lines)"

    def fields(self) -> list[tuple[str, str, str]]:
        return [("amount", "Amount", ""), ("reason", "Reason", ""), ("date", "Date", "t")]

    def action_save(self) -> None:
        got = self.read(lambda: (self.amount("amount", blank=None), self.day("date")))
        if got is None:
            return
        amount, on = got
        if not amount:
            self.show_errors({"amount": "Type the amount to credit."})
            return
        self.save(amount, self.value("reason"), on)

    @work(thread=True, exclusive=True, group="form.save")
    def save(self, amount: int, reason: str, on: dt.date) -> None:
        from artui import approvals

        try:
            done = approvals.perform(
                self.book,
                "credit_memo",
                self.customer_id,
                amount,
                reason,
                on,
                for_customer=self.customer_id,
                for_amount=amount,
            )
        except DomainError as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        if done.waiting:
            message = done.message
        else:
            doc, _ = done.result
            message = f"Credit memo {doc.number} of {format_amount(doc.amount)} posted on account."
        self.app.call_from_thread(self.finish, message)
