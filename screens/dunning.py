"""Dunning (from the worklist, Ctrl+D, or the palette): who gets which reminder letter,
from each customer's net position (past due less disputes, credits and promises).

The list is the preview: Space skips a customer (or takes them back), + and - change
the level, Enter previews the letter. Ctrl+R asks, then writes the letters (PDF, one per
customer and one merged file for those going by post), emails them, charges the level's
fee and logs each letter on its account.
"""

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from artui import dunning
from artui.dunning_run import letter_pages, run
from artui.errors import DomainError
from screens.base import WorkScreen
from widgets.cells import money, plain
from widgets.fast_table import Table


def default_folder() -> str:
    return "~/artui-dunning"


class DunningScreen(WorkScreen):
    DEFAULT_CSS = """
    DunningScreen .row { height: 1; }
    DunningScreen .row Label { padding: 0 1; }
    DunningScreen #as_of { width: 12; }
    DunningScreen #folder { width: 1fr; }
    DunningScreen #error { color: $error; height: 1; padding: 0 1; }
    DunningScreen #summary { height: 1; padding: 0 1; }
    DunningScreen #letters { height: 1fr; }
    """
    BINDINGS = [
        Binding("space", "skip", "Skip/keep", id="dunning.skip"),
        Binding("plus,equals_sign", "level(1)", "Level+", id="dunning.up"),
        Binding("minus", "level(-1)", "Level-", id="dunning.down"),
        Binding("ctrl+r", "send", "Send", id="dunning.send"),
        Binding("escape", "back", "Back", id="dunning.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.candidates: list[dunning.Candidate] = []
        self.skipped: set[int] = set()
        self.overrides: dict[int, int] = {}
        self.levels: tuple[dunning.Level, ...] = ()
        self.sending = False

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label("As of")
            yield Input(self.book.today().isoformat(), id="as_of", compact=True)
            yield Label("Folder")
            yield Input(default_folder(), id="folder", compact=True)
        yield Static("", id="error")
        yield Static("", id="summary")
        yield Table(id="letters", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#letters", DataTable)
        name_w = max(12, self.app.size.width - 64)
        for label, key, width in (
            ("Account", "account", 7),
            ("Name", "name", name_w),
            (Text("Lvl", justify="right"), "level", 3),
            (Text("Days", justify="right"), "days", 4),
            (Text("Net due", justify="right"), "net", 12),
            ("Via", "by", 5),
            ("", "skip", 7),
        ):
            table.add_column(label, key=key, width=width)
        self.set_focus(table)
        self.refresh_preview()

    @on(Input.Changed, "#as_of")
    def as_of_changed(self) -> None:
        self.refresh_preview()

    def _as_of(self):  # noqa: ANN202
        return self.checked(lambda: self.read_day("as_of", required=True))

    @work(thread=True, exclusive=True, group="dunning.preview")
    def refresh_preview(self) -> None:
        as_of = self.app.call_from_thread(self._as_of)
        if as_of is None:
            return
        try:
            found = dunning.preview(self.book, as_of)
            levels = self.book.read(dunning.levels)
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.app.report, exc)  # type: ignore[attr-defined]
            return
        self.app.call_from_thread(self._show, found, levels)

    def _show(self, found: list[dunning.Candidate], levels: tuple) -> None:
        self.candidates, self.levels = found, levels
        ids = {c.customer_id for c in found}
        self.skipped &= ids
        self.overrides = {k: v for k, v in self.overrides.items() if k in ids}
        self._fill()

    def _level(self, c: dunning.Candidate) -> int:
        return self.overrides.get(c.customer_id, c.level)

    def _channel(self, c: dunning.Candidate) -> str:
        level = next((x for x in self.levels if x.level == self._level(c)), None)
        return "email" if level and level.channel == "email" and c.email else "post"

    def _fill(self) -> None:
        table = self.query_one("#letters", DataTable)
        keep = table.cursor_row
        with self.app.batch_update():
            table.clear()
            for c in self.candidates:
                skipped = c.customer_id in self.skipped
                changed = c.customer_id in self.overrides
                table.add_row(
                    plain(c.account),
                    plain(c.name),
                    Text(str(self._level(c)) + ("*" if changed else ""), justify="right"),
                    Text(str(c.oldest_days), justify="right"),
                    money(c.net, c.currency),
                    plain(self._channel(c)),
                    Text("SKIP", style="bold reverse") if skipped else Text(""),
                    key=str(c.customer_id),
                )
            if table.row_count:
                table.move_cursor(row=min(keep, table.row_count - 1))
        sending = [c for c in self.candidates if c.customer_id not in self.skipped]
        by_level: dict[int, int] = {}
        for c in sending:
            by_level[self._level(c)] = by_level.get(self._level(c), 0) + 1
        levels = ", ".join(f"{n} at level {lv}" for lv, n in sorted(by_level.items()))
        text = f"{len(sending)} letters" + (f": {levels}" if levels else "")
        if self.skipped:
            text += f" · {len(self.skipped)} skipped"
        self.query_one("#summary", Static).update(Text(text, no_wrap=True, overflow="ellipsis"))

    def _current(self) -> dunning.Candidate | None:
        table = self.query_one("#letters", DataTable)
        if not self.candidates or not table.row_count:
            return None
        return self.candidates[table.cursor_row]

    def action_skip(self) -> None:
        c = self._current()
        if c is None:
            return
        self.skipped ^= {c.customer_id}
        self._fill()
        table = self.query_one("#letters", DataTable)
        if table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)

    def action_level(self, step: int) -> None:
        c = self._current()
        if c is None or not self.levels:
            return
        numbers = [x.level for x in self.levels]
        now = self._level(c)
        i = max(0, min(len(numbers) - 1, numbers.index(now) + step if now in numbers else 0))
        if numbers[i] == c.level:
            self.overrides.pop(c.customer_id, None)
        else:
            self.overrides[c.customer_id] = numbers[i]
        self._fill()

    @on(DataTable.RowSelected, "#letters")
    def preview_letter(self) -> None:
        c = self._current()
        as_of = self._as_of()
        if c is None or as_of is None:
            return
        try:
            [page] = letter_pages(self.book, [c], as_of, self.overrides)
        except DomainError as exc:
            self.app.report(exc)  # type: ignore[attr-defined]
            return
        self.app.push_screen(LetterPreview(page.subject, page.body))

    def action_send(self) -> None:
        from screens.confirm import Confirm

        if self.sending:
            return
        sending = [c for c in self.candidates if c.customer_id not in self.skipped]
        if not sending:
            self.query_one("#error", Static).update("No letters to send.")
            return
        folder = self.query_one("#folder", Input).value.strip() or default_folder()
        emails = sum(1 for c in sending if self._channel(c) == "email")
        self.app.push_screen(
            Confirm(
                f"Send {len(sending)} letters ({emails} by email, {len(sending) - emails} "
                f"to print) and log them on the accounts? The PDFs go to {folder}."
            ),
            lambda yes: self.send(folder) if yes else None,
        )

    @work(thread=True, exclusive=True, group="dunning.send")
    def send(self, folder: str) -> None:
        as_of = self.app.call_from_thread(self._as_of)
        if as_of is None:
            return
        self.sending = True
        chosen = [c for c in self.candidates if c.customer_id not in self.skipped]
        try:
            done = run(self.book, chosen, folder, as_of=as_of, overrides=dict(self.overrides))
        except DomainError as exc:
            self.app.call_from_thread(self.app.report, exc)  # type: ignore[attr-defined]
            return
        except OSError as exc:
            self.app.call_from_thread(
                self.app.say,
                f"{folder} cannot be written: {exc.strerror}.",
                error=True,  # type: ignore[attr-defined]
            )
            return
        finally:
            self.sending = False
        failed = sum(1 for d in done.delivered if d.status != "sent")
        message = f"{len(done.letters)} letters sent: {done.emailed} by email"
        if failed:
            message += f" ({failed} could not be delivered: see the outbox)"
        if done.print_file:
            message += f"; to print: {done.print_file}"
        self.app.call_from_thread(self.app.say, message + ".")  # type: ignore[attr-defined]
        if done.print_file:
            self.app.hand_over(done.print_file)  # type: ignore[attr-defined]
        self.skipped.clear()
        self.overrides.clear()
        self.app.call_from_thread(self.refresh_preview)

    def action_back(self) -> None:
        self.app.pop_screen()


class LetterPreview(ModalScreen):
    DEFAULT_CSS = """
    LetterPreview { align: center middle; }
    LetterPreview > VerticalScroll {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close")]

    def __init__(self, subject: str, body: str) -> None:
        super().__init__()
        self.subject, self.body = subject, body

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text(self.subject, style="bold"))
            yield Static(Text(self.body))
            yield Label("Esc closes")
