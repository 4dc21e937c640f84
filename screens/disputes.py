"""Disputes from the account: open one on an invoice (reason, amount, note), and settle
one as agreed (a credit memo, a write-off, or rejected). A settlement beyond the clerk's
limits waits for a supervisor's approval, which posts exactly what was asked."""

from textual import work

from artui import approvals
from artui.collections import DISPUTE_REASONS, open_dispute
from artui.errors import DomainError
from artui.money import MoneyError, format_amount, parse_amount
from screens.customer_form import Form

HOW = {"c": "credit_memo", "credit": "credit_memo", "credit memo": "credit_memo",
       "w": "write_off", "write off": "write_off", "write-off": "write_off",
       "r": "rejected", "reject": "rejected", "rejected": "rejected"}  # fmt: skip


class DisputeDialog(Form):
    """Open a dispute on one of the customer's invoices."""

    MONEY_FIELDS = ("amount",)

    def __init__(self, book, customer_id: int, doc: dict) -> None:  # noqa: ANN001
        super().__init__()
        self.book, self.customer_id, self.doc = book, customer_id, doc
        self.title_text = f"Dispute on {doc['number']} ({format_amount(doc['open'])} open)"

    def fields(self) -> list[tuple[str, str, str]]:
        return [
            ("reason", "Reason", ""),
            ("amount", "Amount", format_amount(self.doc["open"])),
            ("note", "Note", ""),
        ]

    def action_save(self) -> None:
        reason = self.value("reason").strip().lower().replace(" ", "_")
        match = [r for r in DISPUTE_REASONS if r.startswith(reason)] if reason else []
        if len(match) != 1:
            self.show_errors({"reason": ", ".join(DISPUTE_REASONS)})
            return
        try:
            amount = parse_amount(self.value("amount"), self.doc.get("currency", "USD"),
                                  allow_negative=False)  # fmt: skip
        except MoneyError as exc:
            self.show_errors({"amount": str(exc)})
            return
        self.save(match[0], amount, self.value("note"))

    @work(thread=True, exclusive=True, group="form.save")
    def save(self, reason: str, amount: int, note: str) -> None:
        try:
            open_dispute(
                self.book, self.customer_id, reason, amount, document_id=self.doc["id"], note=note
            )
        except DomainError as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        self.app.call_from_thread(
            self.finish,
            f"{self.doc['number']}: {format_amount(amount)} in dispute ({reason}); it leaves "
            "dunning and the worklist's score.",
        )


class SettleDialog(Form):
    """Settle an open dispute: c credit memo, w write off, r reject."""

    def __init__(self, book, customer_id: int, case: dict) -> None:  # noqa: ANN001
        super().__init__()
        self.book, self.customer_id, self.case = book, customer_id, case
        on = case["document_number"] or "the account"
        self.title_text = (
            f"Settle the dispute on {on}: {format_amount(case['amount'])} ({case['reason']})"
        )

    def fields(self) -> list[tuple[str, str, str]]:
        return [("how", "How (c/w/r)", ""), ("note", "Note", "")]

    def action_save(self) -> None:
        how = HOW.get(self.value("how").strip().lower())
        if how is None:
            self.show_errors({"how": "c credit memo, w write off, r reject"})
            return
        if not self.value("note").strip():
            self.show_errors({"note": "Say what was agreed."})
            return
        self.save(how, self.value("note").strip())

    @work(thread=True, exclusive=True, group="form.save")
    def save(self, how: str, note: str) -> None:
        try:
            done = approvals.perform(
                self.book,
                "settle_dispute",
                self.case["id"],
                how,
                note=note,
                for_customer=self.customer_id,
                for_amount=self.case["amount"],
            )
        except DomainError as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        if done.waiting:
            message = done.message
        elif done.result:
            message = f"Dispute settled: {done.result} posted."
        else:
            message = "Dispute rejected: the amount is owed and back in collections."
        self.app.call_from_thread(self.finish, message)
