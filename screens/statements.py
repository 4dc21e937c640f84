"""Statements (F6): choose who, preview any one, run them with a progress bar.

The list of who would get a statement follows the criteria as they are typed (a worker
asks the core's `choose`, the same function the run uses). Enter on a row previews that
customer's statement as the PDF will say it. Ctrl+R asks, then runs: a numbered run,
logged, that `artui statements --resume N` can finish if the terminal goes away.
"""

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, ProgressBar, Select, Static

from artui import statement_runs as runs
from artui.money import MoneyError, format_amount, parse_amount
from artui.statements import Statement, statement
from screens.base import WorkScreen
from widgets.cells import money, plain
from widgets.fast_table import Table

WHO = [
    ("all with a balance", "all"),
    ("past due only", "past_due"),
    ("no credit balances", "no_credits"),
    ("credit balances only", "credits_only"),
    ("these accounts", "accounts"),
]
DELIVERY = [("PDF files", "files"), ("email each", "email"), ("merged to print", "print")]
SHOWN = 500  # customers listed: enough to scroll through; the run takes them all


def default_folder() -> str:
    return "~/artui-statements"


def short(path: str) -> str:
    """A path with the home folder as ~, as a clerk would type it."""
    home = str(Path.home())
    return "~" + path[len(home) :] if path.startswith(home + "/") else path


class StatementsScreen(WorkScreen):
    DEFAULT_CSS = """
    StatementsScreen .row { height: 1; margin: 0 0 1 0; }
    StatementsScreen .row Label { padding: 0 1 0 0; }
    StatementsScreen Input { width: 14; }
    StatementsScreen #accounts, StatementsScreen #folder { width: 1fr; }
    StatementsScreen Select { width: 26; }
    StatementsScreen #error { color: $error; height: 1; padding: 0 1; }
    StatementsScreen #chosen { height: 1fr; }
    StatementsScreen #summary { height: auto; max-height: 2; padding: 0 1; }
    StatementsScreen #progress-row { height: 1; }
    StatementsScreen #progress-label { padding: 0 1; width: 1fr; }
    """
    BINDINGS = [
        Binding("ctrl+r", "run", "Run", id="statements.run"),
        Binding("ctrl+e", "preview", "Preview", id="statements.preview"),
        Binding("escape", "back", "Back", id="statements.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.chosen = 0  # how many statements the criteria take (the run reads them again)
        self.running = False
        self.criteria: runs.RunCriteria | None = None

    def compose_body(self) -> ComposeResult:
        today = self.app.book.today().isoformat()  # type: ignore[attr-defined]
        with Horizontal(classes="row"):
            yield Label("As of")
            yield Input(today, id="as_of", compact=True)
            yield Label(" From")
            yield Input("", id="from", placeholder="open items", compact=True)
            yield Label(" Min balance")
            yield Input("", id="min_balance", placeholder="0.00", compact=True)
        with Horizontal(classes="row"):
            yield Label("Who  ")
            yield Select(WHO, value="all", allow_blank=False, id="who", compact=True)
            yield Label(" Accounts")
            yield Input("", id="accounts", placeholder="C10001 C10002 ...", compact=True)
        with Horizontal(classes="row"):
            yield Label("Send ")
            yield Select(DELIVERY, value="files", allow_blank=False, id="delivery", compact=True)
            yield Label(" Folder")
            yield Input(default_folder(), id="folder", compact=True)
        yield Static("", id="error")
        yield Static("", id="summary")
        table = Table(id="chosen", cursor_type="row", zebra_stripes=True)
        yield table
        with Horizontal(id="progress-row"):
            yield ProgressBar(id="progress", show_eta=False)
            yield Label("", id="progress-label")

    def on_mount(self) -> None:
        table = self.query_one("#chosen", DataTable)
        table.add_column("Account", key="account", width=8)
        table.add_column("Name", key="name", width=max(16, self.app.size.width - 50))
        table.add_column(Text("Balance", justify="right"), key="balance", width=13)
        table.add_column(Text("Past due", justify="right"), key="past_due", width=13)
        self.query_one("#progress-row").display = False
        self.set_focus(self.query_one("#as_of", Input))
        self.refresh_chosen()

    # -- criteria -----------------------------------------------------------------
    def read_criteria(self) -> runs.RunCriteria:
        """The criteria typed; a ValueError names the field and what is wrong."""
        as_of = self.read_day("as_of", required=True)
        start = self.read_day("from")
        minimum = 0
        text = self.query_one("#min_balance", Input).value.strip()
        if text:
            try:
                minimum = parse_amount(text, allow_negative=False)
            except MoneyError as exc:
                raise ValueError("min_balance", f"Min balance: {exc}") from None
        who = self.query_one("#who", Select).value
        accounts: tuple[str, ...] = ()
        if who == "accounts":
            accounts = tuple(self.query_one("#accounts", Input).value.replace(",", " ").split())
            if not accounts:
                raise ValueError("accounts", "Name the accounts, separated by spaces.")
        assert as_of is not None
        return runs.RunCriteria(
            as_of=as_of,
            period_from=start,
            accounts=accounts,
            min_balance=minimum,
            past_due_only=who == "past_due",
            credits={"no_credits": "no", "credits_only": "only"}.get(str(who), "yes"),
        )

    @on(Input.Changed)
    @on(Select.Changed)
    def criteria_changed(self) -> None:
        self.refresh_chosen()

    def refresh_chosen(self) -> None:
        criteria = self.checked(self.read_criteria)
        if criteria is None or criteria == self.criteria:
            return  # refused, or the same question again (mounting sends a change too)
        self.criteria = criteria
        self.load_chosen(criteria)

    @work(thread=True, exclusive=True, group="choose")
    def load_chosen(self, criteria: runs.RunCriteria) -> None:
        # The screen keeps what it shows, not every customer chosen (a whole book is
        # 80,000 rows: ~47 MB held while the screen was open).
        try:
            shown, count, totals = runs.choice_summary(self.app.book, criteria, SHOWN)  # type: ignore[attr-defined]
        except Exception as exc:  # a refusal becomes the sentence beside the fields
            self.app.call_from_thread(self.query_one("#error", Static).update, str(exc))
            shown, count, totals = [], 0, ()
        self.app.call_from_thread(self.show_chosen, criteria, shown, count, totals)

    def show_chosen(
        self, criteria: runs.RunCriteria, rows: list, count: int, totals: tuple
    ) -> None:
        if criteria != self.criteria:
            return  # an older answer
        self.chosen = count
        table = self.query_one("#chosen", DataTable)
        table.clear()
        for r in rows:  # enough to scroll through; the run takes them all
            table.add_row(
                plain(r.account),
                plain(r.name),
                money(r.balance, r.currency),
                money(r.past_due, r.currency),
                key=str(r.customer_id),
            )
        money_text = ", ".join(
            f"{t.currency} {format_amount(t.balance, t.currency)}" for t in totals
        )
        style = (
            "activity from " + criteria.period_from.isoformat()
            if criteria.period_from
            else ("open items")
        )
        self.query_one("#summary", Static).update(
            f"{count:,} statements · {style} as of {criteria.as_of.isoformat()}"
            + (f"  (first {SHOWN} shown)" if count > SHOWN else "")
            + (f" · {money_text}" if money_text else "")
        )

    # -- preview ------------------------------------------------------------------
    @on(DataTable.RowSelected, "#chosen")
    def row_chosen(self, event: DataTable.RowSelected) -> None:
        self.preview(int(event.row_key.value or 0))

    def action_preview(self) -> None:
        table = self.query_one("#chosen", DataTable)
        if not table.row_count:
            self.app.say("Nobody is chosen: there is no statement to preview.")  # type: ignore[attr-defined]
            return
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        self.preview(int(key or 0))

    @work(thread=True, exclusive=True, group="preview")
    def preview(self, customer_id: int) -> None:
        if self.criteria is None:
            return
        st = statement(
            self.app.book,  # type: ignore[attr-defined]
            customer_id,
            self.criteria.as_of,
            period_from=self.criteria.period_from,
        )
        self.app.call_from_thread(self.app.push_screen, StatementPreview(st))

    # -- the run ------------------------------------------------------------------
    def action_run(self) -> None:
        from screens.confirm import Confirm

        if self.running:
            self.app.say("A run is already going.")  # type: ignore[attr-defined]
            return
        if self.criteria is None or not self.chosen:
            self.app.say("Nobody is chosen: there is no statement to make.", error=True)  # type: ignore[attr-defined]
            return
        delivery = str(self.query_one("#delivery", Select).value)
        folder = self.query_one("#folder", Input).value.strip() or default_folder()
        verb = {"files": "write", "email": "email", "print": "write and merge"}[delivery]
        question = (
            f"Make {self.chosen:,} statements as of {self.criteria.as_of.isoformat()} "
            f"and {verb} them ({folder})?"
        )
        criteria = self.criteria

        def answered(yes: bool | None) -> None:
            if yes:
                self.start_run(criteria, delivery, folder)

        self.app.push_screen(Confirm(question), answered)

    def start_run(self, criteria: runs.RunCriteria, delivery: str, folder: str) -> None:
        self.running = True
        row = self.query_one("#progress-row")
        row.display = True
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=self.chosen, progress=0)
        self.query_one("#progress-label", Label).update("starting…")
        self.run_statements(criteria, delivery, folder)

    @work(thread=True, exclusive=True, group="run")
    def run_statements(self, criteria: runs.RunCriteria, delivery: str, folder: str) -> None:
        book = self.app.book  # type: ignore[attr-defined]
        try:
            run_id = runs.create_run(book, criteria, delivery, folder)

            def progress(p: runs.Progress) -> None:
                self.app.call_from_thread(self.show_progress, run_id, p)

            info = runs.continue_run(book, run_id, progress=progress)
        except Exception as exc:  # the sentence, never a traceback
            self.app.call_from_thread(self.run_failed, exc)
            return
        self.app.call_from_thread(self.run_done, info)

    def show_progress(self, run_id: int, p: runs.Progress) -> None:
        self.query_one("#progress", ProgressBar).update(total=p.total, progress=p.done)
        left = p.seconds_left
        tail = f", about {left:.0f} s left" if left is not None and p.done < p.total else ""
        self.query_one("#progress-label", Label).update(
            f"run {run_id}: {p.done:,} of {p.total:,}{tail}"
        )

    def run_done(self, info: runs.RunInfo) -> None:
        self.running = False
        text = f"Statement run {info.id}: {info.done:,} statements in {short(info.folder)}"
        if info.delivery == "email":
            text += f"; {info.emailed:,} emailed, {info.without_email:,} without an address"
        if info.merged:
            text += f"; to print: {Path(info.merged).name}"
            self.app.hand_over(info.merged)  # type: ignore[attr-defined]
        self.query_one("#progress-label", Label).update(f"run {info.id}: done")
        self.app.say(text + ".")  # type: ignore[attr-defined]

    def run_failed(self, exc: Exception) -> None:
        self.running = False
        self.query_one("#progress-label", Label).update("stopped")
        self.app.report(exc)  # type: ignore[attr-defined]

    def action_back(self) -> None:
        if self.running:
            # The progress comes back to this screen: stay until the run is done.
            self.app.say(  # type: ignore[attr-defined]
                "The run is still going; this screen stays until it is done. If ARTUI is "
                "closed, `artui statements --resume N` finishes it."
            )
            return
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()


class StatementPreview(ModalScreen[None]):
    """A statement as its PDF will say it, to read before a run."""

    DEFAULT_CSS = """
    StatementPreview { align: center middle; }
    StatementPreview > VerticalScroll {
        width: 96%; height: 92%; border: round $accent; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("enter", "close", "Close", show=False),
    ]

    def __init__(self, st: Statement) -> None:
        super().__init__()
        self.st = st

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(preview_text(self.st), markup=False)
            yield Label("Esc closes")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)


def preview_text(st: Statement) -> Text:
    """The statement in the terminal: the same facts, lines and totals as the PDF."""
    m = st.money
    out = Text()
    out.append(f"STATEMENT  {st.company_name}\n", style="bold")
    out.append(f"{st.name} ({st.account})  as of {st.as_of.isoformat()}  {st.currency}\n")
    out.append(" · ".join(st.bill_to[1:]) + "\n\n")
    if st.style == "activity":
        assert st.period_from is not None
        out.append(f"Balance forward {st.period_from.isoformat()}: {m(st.opening_balance)}\n")
    for ln in st.lines:
        right = m(ln.open)
        flag = " *" if ln.disputed else ""
        out.append(
            f"{ln.on.isoformat()}  {ln.label:<16.16} {ln.number:<12.12} "
            f"{m(ln.amount):>12} {right:>12}{flag}  {ln.note}\n"
        )
    if not st.lines:
        out.append("Nothing open on this date.\n" if st.style == "open_item" else "No activity.\n")
    a = st.aging
    out.append(
        f"\nCurrent {m(a.current)}  1-30 {m(a.days_1_30)}  31-60 {m(a.days_31_60)}  "
        f"61-90 {m(a.days_61_90)}  Over 90 {m(a.days_over_90)}  Credits {m(a.unapplied)}\n"
    )
    out.append(f"Balance due {m(st.balance)}", style="bold")
    if st.past_due:
        out.append(f"   past due {m(st.past_due)}", style="bold red")
    out.append("\n")
    if st.disputed:
        out.append(f"Disputed: {m(st.disputed)} (marked *)\n")
    out.append(st.message + "\n")
    return out
