"""Cash receipts (F4): a deposit batch, its receipts, and the totals that must balance.

The header is the batch: deposit date, bank account, control total and count (Ctrl+S
opens a new batch from it, or saves a corrected header). Ctrl+N takes a receipt, Enter
opens the one under the cursor, Delete removes it, Ctrl+L loads a bank or lockbox file.
The footer line shows entered, applied, unapplied and the difference; F10 posts the
batch when it balances (a supervisor may post it out of balance, with a reason).
Ctrl+J writes the deposit journal as a PDF.
"""

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Select, Static

from artui import batches
from artui.errors import DomainError
from artui.money import MoneyError, format_amount, parse_amount
from screens.base import WorkScreen
from widgets.cells import money, plain
from widgets.fast_table import Table

NEW = 0  # the Select's value for "a new batch"
HEADER = ("deposit_date", "bank", "control", "count")


def default_folder() -> str:
    return "~/artui-deposits"


class ReceiptsScreen(WorkScreen):
    DEFAULT_CSS = """
    ReceiptsScreen .row { height: 1; }
    ReceiptsScreen .row Label { padding: 0 1; }
    ReceiptsScreen #batch { width: 1fr; }
    ReceiptsScreen #deposit_date { width: 12; }
    ReceiptsScreen #bank { width: 1fr; }
    ReceiptsScreen #control { width: 14; }
    ReceiptsScreen #count { width: 6; }
    ReceiptsScreen #error { color: $error; height: 1; padding: 0 1; }
    ReceiptsScreen #lines { height: 1fr; }
    ReceiptsScreen #totals { height: 1; padding: 0 1; background: $boost; }
    """
    BINDINGS = [
        Binding("ctrl+n", "new_receipt", "Receipt", id="receipts.new"),
        Binding("ctrl+s", "save_header", "Save batch", id="receipts.save"),
        Binding("f10", "post", "Post", id="receipts.post"),
        Binding("ctrl+l", "load_file", "Load file", id="receipts.load"),
        Binding("ctrl+j", "journal", "Journal PDF", id="receipts.journal"),
        Binding("delete", "remove", "Remove", show=False, id="receipts.remove"),
        Binding("escape", "back", "Back", id="receipts.back"),
        Binding("enter", "enter", "Next", show=False, priority=True, id="receipts.enter"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.batch_id: int | None = None
        self.lines: list[dict] = []
        self.totals: batches.BatchTotals | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label("Batch")
            yield Select(
                [("new batch", NEW)], value=NEW, allow_blank=False, id="batch", compact=True
            )
        with Horizontal(classes="row"):
            yield Label("Deposit")
            yield Input(self.book.today().isoformat(), id="deposit_date", compact=True)
            yield Label("Bank")
            yield Input("", id="bank", compact=True, placeholder="operating account")
            yield Label("Control")
            yield Input("", id="control", compact=True, placeholder="0.00")
            yield Label("Count")
            yield Input("", id="count", compact=True, placeholder="0")
        yield Static("", id="error")
        yield Table(id="lines", cursor_type="row", zebra_stripes=True)
        yield Static("", id="totals")

    def on_mount(self) -> None:
        table = self.query_one("#lines", DataTable)
        name_w = max(12, self.app.size.width - 68)
        for label, key, width in (
            (Text("Ln", justify="right"), "ln", 3),
            ("Account", "account", 8),
            ("Name / payer", "name", name_w),
            ("Method", "method", 6),
            ("Ref", "ref", 9),
            (Text("Amount", justify="right"), "amount", 12),
            (Text("Applied", justify="right"), "applied", 12),
        ):
            table.add_column(label, key=key, width=width)
        self.refresh_batches()

    # -- which batch ----------------------------------------------------------------
    @work(thread=True, exclusive=True, group="receipts.batches")
    def refresh_batches(self, choose: int | None = None) -> None:
        rows = batches.recent_batches(self.book)
        self.app.call_from_thread(self._batches, rows, choose)

    def _batches(self, rows: list[dict], choose: int | None) -> None:
        options: list[tuple[str, int]] = [("new batch", NEW)]
        for b in rows:
            cur = b["currency"]
            label = (
                f"{b['number'] or 'open'} · {b['deposit_date'].isoformat()} · "
                f"{b['expected_count']} for {format_amount(b['expected_total'], cur)}"
                f" · {b['bank_account'] or 'no bank'} · {b['created_by']}"
            )
            options.append((label, b["id"]))
        select = self.query_one("#batch", Select)
        with self.prevent(Select.Changed):
            select.set_options(options)
            ids = [b["id"] for b in rows]
            if choose is None:
                # the clerk's own open batch first, else any open one, else a new one
                mine = [
                    b["id"]
                    for b in rows
                    if b["status"] == "open" and b["created_by"] == self.book.user
                ]
                opened = [b["id"] for b in rows if b["status"] == "open"]
                choose = (mine or opened or [NEW])[0]
            select.value = choose if choose in ids else NEW
        self.show_batch(select.value if isinstance(select.value, int) else NEW)

    @on(Select.Changed, "#batch")
    def batch_chosen(self, event: Select.Changed) -> None:
        self.show_batch(event.value if isinstance(event.value, int) else NEW)

    def show_batch(self, batch_id: int) -> None:
        self.batch_id = batch_id or None
        if self.batch_id is None:
            self.lines, self.totals = [], None
            self.query_one("#deposit_date", Input).value = self.book.today().isoformat()
            for f in ("bank", "control", "count"):
                self.query_one(f"#{f}", Input).value = ""
            self._fill()
            self.set_focus(self.query_one("#control", Input))
            self._say("A new batch: type the deposit's control total and count, then Ctrl+S.")
            return
        self.reload()

    @work(thread=True, exclusive=True, group="receipts.load")
    def reload(self) -> None:
        batch_id = self.batch_id
        if batch_id is None:
            return

        def read(tx):  # noqa: ANN001, ANN202
            return (
                batches.batch_row(tx, batch_id),
                batches.totals(tx, batch_id),
                batches.receipts_of(tx, batch_id),
            )

        try:
            row, totals, lines = self.book.read(read)
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.app.report, exc)  # type: ignore[attr-defined]
            return
        self.app.call_from_thread(self._shown, batch_id, row, totals, lines)

    def _shown(self, batch_id: int, row: dict, totals: batches.BatchTotals, lines: list) -> None:
        if batch_id != self.batch_id:
            return
        self.totals, self.lines = totals, lines
        cur = totals.currency
        self.query_one("#deposit_date", Input).value = row["deposit_date"].isoformat()
        self.query_one("#bank", Input).value = row["bank_account"]
        self.query_one("#control", Input).value = format_amount(row["expected_total"], cur)
        self.query_one("#count", Input).value = str(row["expected_count"])
        posted = row["status"] == "posted"
        for f in ("deposit_date", "bank", "control", "count"):
            self.query_one(f"#{f}", Input).disabled = posted
        self._fill()
        if posted:
            self._say(
                f"Batch {row['number']} was posted by {row['posted_by']}; "
                "corrections are reversals."
            )
        elif not lines:
            self._say("Ctrl+N takes the first receipt.")
        else:
            self._say("")
        table = self.query_one("#lines", DataTable)
        if table.row_count and not isinstance(self.focused, Input):
            self.set_focus(table)

    def _fill(self) -> None:
        table = self.query_one("#lines", DataTable)
        keep = table.cursor_row
        cur = self.totals.currency if self.totals else "USD"
        table.clear()
        for r in self.lines:
            applied = r["applied"]
            name = r["name"] or Text(f"? {r['payer'] or 'no payer'}: {r['note']}", style="bold")
            table.add_row(
                Text(str(r["line_no"]), justify="right"),
                plain(r["account"] or "?"),
                name if isinstance(name, Text) else plain(name),
                plain(r["method"]),
                plain(r["reference"]),
                money(r["amount"], cur),
                money(applied, cur) if applied is not None else Text("auto", justify="right"),
                key=str(r["id"]),
            )
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        self._totals()

    def _totals(self) -> None:
        t = self.totals
        out = Text(no_wrap=True, overflow="ellipsis")
        if t is None:
            out.append("No batch yet")
        else:
            m = lambda v: format_amount(v, t.currency)  # noqa: E731
            out.append(f"Entered {m(t.entered)} {t.count}/{t.expected_count}")
            out.append(f" · Applied {m(t.applied)} · Unapplied {m(t.unapplied)} · ")
            if t.status == "posted":
                out.append(f"POSTED {t.number}", style="bold")
            elif t.balanced:
                out.append("BALANCED", style="bold")
            else:
                out.append(f"Diff {m(t.difference)}", style="bold reverse")
                if t.count != t.expected_count:
                    out.append(f" {t.expected_count - t.count:+d} rcpt", style="bold reverse")
        self.query_one("#totals", Static).update(out)

    def _say(self, message: str, *, error: bool = False) -> None:
        box = self.query_one("#error", Static)
        box.update(Text(message, style="bold" if error else "dim"))

    # -- the header -----------------------------------------------------------------
    def read_header(self) -> tuple:
        day = self.read_day("deposit_date", required=True)
        try:
            control = parse_amount(self.query_one("#control", Input).value, allow_negative=False)
        except MoneyError as exc:
            raise ValueError("control", f"Control total: {exc}") from None
        text = self.query_one("#count", Input).value.strip().replace(",", "")
        if not text.isdigit() or int(text) == 0:
            raise ValueError("count", "Count: type how many receipts the deposit holds.")
        return day, control, int(text), self.query_one("#bank", Input).value.strip()

    def action_save_header(self) -> None:
        header = self.checked(self.read_header)
        if header is None:
            return
        self.save_header(header)

    def action_enter(self) -> None:
        """Enter in the header moves to the next field at once; on the count it saves."""
        focused = self.focused
        if not isinstance(focused, Input) or focused.id not in HEADER:
            raise SkipAction
        if focused.id == "count":
            self.when_typed(self.action_save_header)
        else:
            # set_focus, not focus(): focus() waits its turn behind the keys typed ahead
            self.set_focus(self.query_one(f"#{HEADER[HEADER.index(focused.id) + 1]}", Input))

    @work(thread=True, exclusive=True, group="receipts.save")
    def save_header(self, header: tuple) -> None:
        day, control, count, bank = header
        try:
            if self.batch_id is None:
                bid = batches.open_batch(self.book, day, control, count, bank_account=bank)
                message = "Batch opened: Ctrl+N takes the first receipt."
            else:
                bid = self.batch_id
                batches.change_batch(self.book, bid, day, control, count, bank_account=bank)
                message = "Batch header saved."
        except DomainError as exc:
            self.app.call_from_thread(self._say, str(exc), error=True)
            return
        self.app.call_from_thread(self._header_saved, bid, message)

    def _header_saved(self, batch_id: int, message: str) -> None:
        self.batch_id = batch_id
        self.refresh_batches(batch_id)
        self.set_focus(self.query_one("#lines", DataTable))
        self.app.say(message)  # type: ignore[attr-defined]

    # -- receipts -------------------------------------------------------------------
    def _open_batch(self) -> bool:
        if self.batch_id is None:
            self._say("Open the batch first: control total, count, Ctrl+S.", error=True)
            return False
        if self.totals and self.totals.status != "open":
            self._say("This batch is posted; choose an open batch or a new one.", error=True)
            return False
        return True

    def action_new_receipt(self) -> None:
        if not self._open_batch():
            return
        from screens.receipt_entry import ReceiptScreen

        self.app.push_screen(ReceiptScreen(self.batch_id), self._receipt_done)

    def _receipt_done(self, saved: bool | None) -> None:
        self.reload()
        if saved and self.totals is not None:
            remaining = self.totals.expected_count - self.totals.count - 1
            if remaining > 0:
                self.call_after_refresh(self.action_new_receipt)

    @on(DataTable.RowSelected, "#lines")
    def open_line(self, event: DataTable.RowSelected) -> None:
        if not self._open_batch() or not self.lines:
            return
        from screens.receipt_entry import ReceiptScreen

        line = self.lines[event.cursor_row]
        self.app.push_screen(ReceiptScreen(self.batch_id, line), lambda _s: self.reload())

    def action_remove(self) -> None:
        table = self.query_one("#lines", DataTable)
        if not self._open_batch() or not self.lines or not table.has_focus:
            return
        line = self.lines[table.cursor_row]
        from screens.confirm import Confirm

        who = line["account"] or line["payer"]
        what = f"line {line['line_no']} ({who}, {format_amount(line['amount'])})"
        self.app.push_screen(
            Confirm(f"Remove {what} from the batch?"),
            lambda yes: self.remove_line(line["id"]) if yes else None,
        )

    @work(thread=True, exclusive=True, group="receipts.save")
    def remove_line(self, receipt_id: int) -> None:
        try:
            batches.remove_receipt(self.book, receipt_id)
        except DomainError as exc:
            self.app.call_from_thread(self._say, str(exc), error=True)
            return
        self.app.call_from_thread(self.reload)

    # -- posting --------------------------------------------------------------------
    def action_post(self) -> None:
        if not self._open_batch() or self.totals is None:
            return
        t = self.totals
        from screens.confirm import Confirm

        if t.balanced:
            self.app.push_screen(
                Confirm(
                    f"Post the batch: {t.count} receipts, {format_amount(t.entered, t.currency)}?"
                ),
                lambda yes: self.post("") if yes else None,
            )
            return
        from screens.prompt import Prompt

        self.app.push_screen(
            Prompt(
                f"The batch is out by {format_amount(t.difference, t.currency)} "
                f"({t.count} of {t.expected_count} receipts). A supervisor may post it "
                "anyway: say why.",
                "Reason",
            ),
            lambda reason: self.post(reason) if reason else None,
        )

    @work(thread=True, exclusive=True, group="receipts.save")
    def post(self, reason: str) -> None:
        assert self.batch_id is not None
        try:
            number = batches.post_batch(self.book, self.batch_id, reason)
        except DomainError as exc:
            self.app.call_from_thread(self._say, str(exc), error=True)
            return
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.app.report, exc)  # type: ignore[attr-defined]
            return
        self.app.call_from_thread(self._posted, number)

    def _posted(self, number: str) -> None:
        self.app.say(f"Batch {number} posted. Ctrl+J writes its deposit journal.")  # type: ignore[attr-defined]
        self.refresh_batches(self.batch_id)

    # -- files ----------------------------------------------------------------------
    def action_load_file(self) -> None:
        if not self._open_batch():
            return
        from screens.prompt import Prompt

        self.app.push_screen(
            Prompt(
                "Load a bank or lockbox file (CSV columns: amount, date, payer, account, "
                "reference, invoices, method).",
                "File",
            ),
            lambda path: self.load_file(path) if path else None,
        )

    @work(thread=True, exclusive=True, group="receipts.save")
    def load_file(self, path: str) -> None:
        from artui.remittance import load_file

        assert self.batch_id is not None
        try:
            data = Path(path).expanduser().read_bytes()
        except OSError as exc:
            self.app.call_from_thread(
                self._say, f"{path} cannot be read: {exc.strerror}.", error=True
            )
            return
        try:
            done = load_file(self.book, self.batch_id, data)
        except DomainError as exc:
            first = str(exc).splitlines()
            more = f" (and {len(first) - 1} more)" if len(first) > 1 else ""
            self.app.call_from_thread(self._say, f"Nothing loaded: {first[0]}{more}", error=True)
            return
        message = (
            f"Loaded {done.lines} payments ({format_amount(done.total)}): {done.matched} matched"
        )
        if done.waiting:
            message += f", {done.waiting} wait for you (marked ?)"
        self.app.call_from_thread(self.app.say, message + ".")
        self.app.call_from_thread(self.reload)

    def action_journal(self) -> None:
        if self.batch_id is None:
            return
        from screens.prompt import Prompt

        name = (
            self.totals.number if self.totals and self.totals.number else f"batch-{self.batch_id}"
        )
        self.app.push_screen(
            Prompt("Write the deposit journal (PDF) to", "File", f"{default_folder()}/{name}.pdf"),
            lambda path: self.write_journal(path) if path else None,
        )

    @work(thread=True, exclusive=True, group="receipts.journal")
    def write_journal(self, path: str) -> None:
        from artui.deposit_journal import deposit_journal, render

        assert self.batch_id is not None
        target = Path(path).expanduser()
        try:
            pdf = render(deposit_journal(self.book, self.batch_id))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(pdf)
        except OSError as exc:
            self.app.call_from_thread(
                self._say, f"{path} cannot be written: {exc.strerror}.", error=True
            )
            return
        except DomainError as exc:
            self.app.call_from_thread(self._say, str(exc), error=True)
            return
        self.app.call_from_thread(self.app.say, f"Deposit journal written to {path}.")
        self.app.hand_over(target)  # type: ignore[attr-defined]

    def action_back(self) -> None:
        self.app.pop_screen()
