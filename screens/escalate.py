"""Escalate an account to a supervisor or an outside agency (or take it back), with a
note; an escalated account leaves the clerk's worklist and shows its state everywhere."""

from textual import work

from artui.collections import escalate
from artui.errors import DomainError
from screens.customer_form import Form

TO = {"s": "supervisor", "supervisor": "supervisor", "a": "agency", "agency": "agency",
      "none": "", "back": "", "-": ""}  # fmt: skip


class EscalateDialog(Form):
    def __init__(self, book, customer_id: int, name: str) -> None:  # noqa: ANN001
        super().__init__()
        self.book, self.customer_id = book, customer_id
        self.title_text = f"Escalate {name}"

    def fields(self) -> list[tuple[str, str, str]]:
        return [("to", "To", "supervisor"), ("note", "Note", "")]

    def action_save(self) -> None:
        to = TO.get(self.value("to").strip().lower())
        if to is None:
            self.show_errors({"to": "supervisor (s), agency (a), or none to take it back"})
            return
        note = self.value("note").strip()
        if to and not note:
            self.show_errors({"note": "Say why it is escalated."})
            return
        self.save(to, note)

    @work(thread=True, exclusive=True, group="form.save")
    def save(self, to: str, note: str) -> None:
        try:
            escalate(self.book, self.customer_id, to, note)
        except DomainError as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        message = f"Escalated to {to}." if to else "Escalation withdrawn."
        self.app.call_from_thread(self.finish, message)
