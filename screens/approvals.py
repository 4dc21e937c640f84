"""Approvals and audit (F8 / Alt+A).

1 Queue: what waits for a supervisor (write-offs, voids of paid invoices, credit memos and
refunds above the limit, unbalanced batches, dispute settlements); `a` approves (which
posts exactly what was asked), `r` rejects with a note; nobody decides their own request.
2 Mine: the clerk's own requests and what became of them.
3 Audit: the audit trail, filtered by user, customer, document, action and dates.
"""

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Static, TabbedContent, TabPane

from artui import approvals
from artui.audit import EventFilter, events
from artui.errors import DomainError
from artui.money import format_amount
from screens.base import WorkScreen
from widgets.cells import money, plain
from widgets.fast_table import Table


def _when(value) -> str:  # noqa: ANN001
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


class ApprovalsScreen(WorkScreen):
    DEFAULT_CSS = """
    ApprovalsScreen TabbedContent { height: 1fr; }
    ApprovalsScreen DataTable { height: 1fr; }
    ApprovalsScreen .row { height: 1; }
    ApprovalsScreen .row Label { padding: 0 1; }
    ApprovalsScreen .row Input { width: 1fr; }
    ApprovalsScreen #error { color: $error; height: 1; padding: 0 1; }
    ApprovalsScreen #detail { height: 2; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("a", "approve", "Approve", id="approvals.approve"),
        Binding("r", "reject", "Reject", id="approvals.reject"),
        Binding("1", "tab('queue')", "Queue", show=False),
        Binding("2", "tab('mine')", "Mine", show=False),
        Binding("3", "tab('audit')", "Audit", show=False),
        Binding("escape", "back", "Back", id="approvals.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.queue: list[approvals.Request] = []
        self.audit_rows: list[dict] = []

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="tabs", initial="queue"):
            with TabPane("1 Queue", id="queue"):
                yield Table(id="queue_table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="detail")
            with TabPane("2 Mine", id="mine"):
                yield Table(id="mine_table", cursor_type="row", zebra_stripes=True)
            with TabPane("3 Audit", id="audit"):
                with Horizontal(classes="row"):
                    for name, hint in (("user", "user"), ("account", "account"),
                                       ("document", "document no."), ("action", "action"),
                                       ("day_from", "from"), ("day_to", "to")):  # fmt: skip
                        yield Input("", id=name, placeholder=hint, compact=True)
                yield Table(id="audit_table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="error")

    def on_mount(self) -> None:
        for table_id, cols in (
            ("queue_table", [("#", 5), ("What", 18), ("Customer", 10), ("Amount", 12),
                             ("Asked by", 9), ("When", 16)]),
            ("mine_table", [("#", 5), ("What", 18), ("Amount", 12), ("Status", 9),
                            ("By", 9), ("Note", 20)]),
            ("audit_table", [("When", 16), ("User", 8), ("Action", 20), ("Account", 8),
                             ("Document", 11), ("What", 30)]),
        ):  # fmt: skip
            table = self.query_one(f"#{table_id}", DataTable)
            for name, width in cols:
                label = Text(name, justify="right") if name == "Amount" else name
                table.add_column(label, width=width)
        self.load_requests()
        self.set_focus(self.query_one("#queue_table", DataTable))

    def action_tab(self, tab: str) -> None:
        if isinstance(self.focused, Input):
            return  # a digit typed in a filter box stays there
        self.query_one(TabbedContent).active = tab
        table = {"queue": "#queue_table", "mine": "#mine_table", "audit": "#audit_table"}[tab]
        self.set_focus(self.query_one(table, DataTable))
        if tab == "audit":
            self.load_audit(self._filter())

    def action_back(self) -> None:
        self.app.pop_screen()

    # -- the queue ------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="approvals.load")
    def load_requests(self) -> None:
        def read(tx):  # noqa: ANN001, ANN202
            from artui.ledger import customer_row

            pending = approvals.requests(tx, "pending")
            mine = approvals.requests(tx, None, requested_by=tx.user)
            names = {}
            for r in [*pending, *mine]:
                if r.customer_id is not None and r.customer_id not in names:
                    names[r.customer_id] = customer_row(tx, r.customer_id)["account"]
            return pending, mine, names

        pending, mine, names = self.book.read(read)
        self.app.call_from_thread(self._show_requests, pending, mine, names)

    def _show_requests(self, pending: list, mine: list, names: dict) -> None:
        self.queue = pending
        table = self.query_one("#queue_table", DataTable)
        table.clear()
        for r in pending:
            table.add_row(plain(r.id), plain(r.label), plain(names.get(r.customer_id, "")),
                          money(r.amount or None), plain(r.requested_by),
                          plain(_when(r.requested_at)))  # fmt: skip
        self._detail()
        table = self.query_one("#mine_table", DataTable)
        table.clear()
        for r in mine:
            status = Text(r.status, style="bold" if r.status == "rejected" else "")
            table.add_row(plain(r.id), plain(r.label), money(r.amount or None), status,
                          plain(r.decided_by), plain(r.note))  # fmt: skip

    @on(DataTable.RowHighlighted, "#queue_table")
    def _detail(self) -> None:
        table = self.query_one("#queue_table", DataTable)
        box = self.query_one("#detail", Static)
        if not self.queue or not table.row_count:
            box.update("Nothing waits for approval." if not self.queue else "")
            return
        r = self.queue[min(table.cursor_row, len(self.queue) - 1)]
        params = ", ".join(f"{k}={v}" for k, v in r.params.items() if k != "args")
        args = " ".join(str(a) for a in r.params.get("args", []))
        box.update(Text(f"#{r.id} {r.label}: {args} {params}".strip(), overflow="ellipsis"))

    def _current(self) -> approvals.Request | None:
        table = self.query_one("#queue_table", DataTable)
        if self.query_one(TabbedContent).active != "queue" or not self.queue:
            return None
        return self.queue[min(table.cursor_row, len(self.queue) - 1)]

    def action_approve(self) -> None:
        from screens.prompt import Prompt

        r = self._current()
        if r is None:
            return
        amount = f" of {format_amount(r.amount)}" if r.amount else ""
        self.app.push_screen(
            Prompt(
                f"Approve request #{r.id}, {r.label}{amount} by {r.requested_by}? It "
                "posts now, exactly as asked.",
                "Note",
                "approved",
            ),  # fmt: skip
            lambda note: self.decide(r.id, True, note) if note else None,
        )

    def action_reject(self) -> None:
        from screens.prompt import Prompt

        r = self._current()
        if r is None:
            return
        self.app.push_screen(
            Prompt(f"Reject request #{r.id}, {r.label} by {r.requested_by}: why?", "Note"),
            lambda note: self.decide(r.id, False, note) if note else None,
        )

    @work(thread=True, exclusive=True, group="approvals.decide")
    def decide(self, request_id: int, yes: bool, note: str) -> None:
        try:
            if yes:
                approvals.approve(self.book, request_id, note)
            else:
                approvals.reject(self.book, request_id, note)
        except DomainError as exc:
            self.app.call_from_thread(self._error, str(exc))
            return
        word = "approved and posted" if yes else "rejected"
        self.app.call_from_thread(self.app.say, f"Request #{request_id} {word}.")  # type: ignore[attr-defined]
        self.app.call_from_thread(self._error, "")
        self.app.call_from_thread(self.load_requests)

    def _error(self, message: str) -> None:
        self.query_one("#error", Static).update(Text(message))

    # -- the audit trail -----------------------------------------------------------
    def _filter(self) -> EventFilter | None:
        def read() -> EventFilter:
            value = {n: self.query_one(f"#{n}", Input).value.strip() for n in
                     ("user", "account", "document", "action")}  # fmt: skip
            return EventFilter(
                **value, day_from=self.read_day("day_from"), day_to=self.read_day("day_to")
            )

        return self.checked(read)

    @on(Input.Changed)
    def filter_changed(self) -> None:
        f = self._filter()
        if f is not None:
            self.load_audit(f)

    @work(thread=True, exclusive=True, group="approvals.audit")
    def load_audit(self, f: EventFilter | None) -> None:
        if f is None:
            return
        rows = events(self.book, f, 300)
        self.app.call_from_thread(self._show_audit, rows)

    def _show_audit(self, rows: list[dict]) -> None:
        self.audit_rows = rows
        table = self.query_one("#audit_table", DataTable)
        table.clear()
        for e in rows:
            what = e["after"] or e["before"]
            table.add_row(plain(_when(e["at"])), plain(e["user"]), plain(e["action"]),
                          plain(e["account"] or ""), plain(e["document_number"] or ""),
                          plain(what))  # fmt: skip
