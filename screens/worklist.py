"""The follow-up worklist (F5): the accounts to call now, most important first.

Accounts whose next action is due today or earlier come first, then past-due accounts
with nothing planned, each group ranked by the core's documented score (past-due amount
net of disputes, age of the oldest item, broken promises, days since the last contact).
`l` logs a call without leaving the list, and the cursor moves on to the next account;
Enter opens the account on its follow-ups tab; `a` assigns the account to a collector;
`x` escalates it to a supervisor or an agency (it then leaves the list); `n` skips.
"""

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Select, Static

from artui.collections import WorkItem, assign_collector, worklist
from artui.errors import DomainError
from artui.money import format_amount
from screens.base import WorkScreen
from widgets.cells import day, money, plain
from widgets.fast_table import Table

WHO = [("my accounts", "mine"), ("everyone's", "all"), ("a collector's", "collector")]


class WorklistScreen(WorkScreen):
    DEFAULT_CSS = """
    WorklistScreen .row { height: 1; }
    WorklistScreen .row Label { padding: 0 1; }
    WorklistScreen #who { width: 18; }
    WorklistScreen #collector { width: 16; }
    WorklistScreen #summary { height: 1; padding: 0 1; color: $text-muted; }
    WorklistScreen #work { height: 1fr; }
    """
    # Priority: the dialog opens as the key arrives, so what is typed next goes into it
    # (the collector box, an Input, still takes its letters: it consumes them).
    BINDINGS = [
        Binding("l", "log_call", "Log call", priority=True, id="worklist.call"),
        Binding("n", "skip", "Next", priority=True, id="worklist.next"),
        Binding("a", "assign", "Assign", priority=True, id="worklist.assign"),
        Binding("x", "escalate", "Escalate", priority=True, id="worklist.escalate"),
        Binding("ctrl+d", "dunning", "Dunning", id="worklist.dunning"),
        Binding("escape", "back", "Back", id="worklist.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[WorkItem] = []
        self.done: set[int] = set()  # logged from this list today
        self.first = True

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label("Show")
            yield Select(WHO, value="mine", allow_blank=False, id="who", compact=True)
            yield Label("Collector", id="collector_label")
            yield Input(self.book.user, id="collector", compact=True)
        yield Static("", id="summary")
        yield Table(id="work", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#work", DataTable)
        # the name takes what the other columns, their padding and the scroll bar leave
        name_w = max(12, self.app.size.width - 59)
        for label, key, width in (
            ("Account", "account", 7),
            ("Name", "name", name_w),
            (Text("Past due", justify="right"), "past_due", 12),
            (Text("Days", justify="right"), "days", 4),
            (Text("Brk", justify="right"), "broken", 3),
            ("Contact", "contact", 7),
            ("Next", "next", 10),
        ):
            table.add_column(label, key=key, width=width)
        self.show_collector(False)
        self.refresh_list()
        self.set_focus(table)

    def show_collector(self, shown: bool) -> None:
        """The collector's box, and its label, only when a collector's list is asked for."""
        self.query_one("#collector", Input).display = shown
        self.query_one("#collector_label", Label).display = shown

    # -- the list -------------------------------------------------------------------
    def collector(self) -> str | None:
        who = self.query_one("#who", Select).value
        if who == "all":
            return None
        if who == "mine":
            return self.book.user
        return self.query_one("#collector", Input).value.strip() or None

    @on(Select.Changed, "#who")
    def who_changed(self, event: Select.Changed) -> None:
        self.show_collector(event.value == "collector")
        self.refresh_list()

    @on(Input.Submitted, "#collector")
    def collector_typed(self) -> None:
        self.refresh_list()
        self.set_focus(self.query_one("#work", DataTable))

    @work(thread=True, exclusive=True, group="worklist.load")
    def refresh_list(self, keep: int | None = None) -> None:
        try:
            items = worklist(self.book, self.collector())
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.app.report, exc)  # type: ignore[attr-defined]
            return
        self.app.call_from_thread(self._show, items, keep)

    def _show(self, items: list[WorkItem], keep: int | None) -> None:
        who = self.query_one("#who", Select)
        if self.first and not items and who.value == "mine":
            # nobody is assigned to this user yet: everyone's list, rather than nothing
            self.first = False
            who.value = "all"
            return
        self.first = False
        table = self.query_one("#work", DataTable)
        row = table.cursor_row if keep is None else keep
        self.items = items
        with self.app.batch_update():
            table.clear()
            for w in items:
                contact = "never" if w.days_since_contact is None else f"{w.days_since_contact}d"
                account = Text(w.account, style="bold" if w.due_now else "")
                table.add_row(
                    account,
                    plain(w.name),
                    money(w.past_due, w.currency, blank_zero=True),
                    Text(str(w.oldest_days) if w.oldest_days else "", justify="right"),
                    Text(str(w.broken_promises) if w.broken_promises else "", justify="right"),
                    plain(contact),
                    day(w.next_action_on),
                    key=str(w.customer_id),
                )
            if table.row_count:
                table.move_cursor(row=min(row, table.row_count - 1))
        due = sum(1 for w in items if w.due_now)
        total = sum(w.past_due for w in items)
        # whose list the Show box above says; the total past due, last, must fit in 80
        self.query_one("#summary", Static).update(
            Text(
                f"{len(items)} accounts · {due} due now · "
                f"{len(items) - due} with nothing planned · "
                f"{format_amount(total)} past due",
                no_wrap=True,
                overflow="ellipsis",
            )
        )

    def _current(self) -> WorkItem | None:
        table = self.query_one("#work", DataTable)
        if not self.items or not table.row_count:
            return None
        return self.items[min(table.cursor_row, len(self.items) - 1)]

    # -- actions --------------------------------------------------------------------
    @on(DataTable.RowSelected, "#work")
    def open_account(self, event: DataTable.RowSelected) -> None:
        item = self._current()
        if item is None:
            return
        self.app.open_account(item.customer_id, tab="follow")  # type: ignore[attr-defined]

    def action_log_call(self) -> None:
        from screens.call_log import CallDialog

        item = self._current()
        if item is None:
            return
        row = self.query_one("#work", DataTable).cursor_row

        def logged(saved: bool | None) -> None:
            if saved:
                self.done.add(item.customer_id)
                # the account usually leaves the list (its next action is now planned),
                # which puts the cursor on the next one; if it stays, step past it
                self.refresh_list(keep=row)

        self.app.push_screen(
            CallDialog(self.book, item.customer_id, item.name, item.past_due, item.currency),
            logged,
        )

    def action_skip(self) -> None:
        table = self.query_one("#work", DataTable)
        if table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)

    def action_assign(self) -> None:
        from screens.prompt import Prompt

        item = self._current()
        if item is None:
            return
        self.app.push_screen(
            Prompt(
                f"Assign {item.name} ({item.account}) to the collector", "Collector", item.collector
            ),  # fmt: skip
            lambda who: self._assign(item, who) if who else None,
        )

    @work(thread=True, exclusive=True, group="worklist.save")
    def _assign(self, item: WorkItem, who: str) -> None:
        try:
            assign_collector(self.book, [item.customer_id], who)
        except DomainError as exc:
            self.app.call_from_thread(self.app.report, exc)  # type: ignore[attr-defined]
            return
        self.app.call_from_thread(self.app.say, f"{item.account} is now {who}'s.")  # type: ignore[attr-defined]
        self.app.call_from_thread(self.refresh_list)

    def action_escalate(self) -> None:
        from screens.escalate import EscalateDialog

        item = self._current()
        if item is None:
            return

        def done(saved: bool | None) -> None:
            if saved:
                self.refresh_list()

        self.app.push_screen(EscalateDialog(self.book, item.customer_id, item.name), done)

    def action_dunning(self) -> None:
        from screens.dunning import DunningScreen

        self.app.push_screen(DunningScreen())

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_screen_resume(self) -> None:
        self.refresh_list()
