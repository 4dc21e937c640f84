"""The workstation: global keys, themes, the status line and the screens' wiring.

Screens are thin: they gather input, call one core function (in a thread worker) and
show the result. The app is wiring only.
"""

import os
from pathlib import Path

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.command import Hit, Hits, Provider
from textual.content import Content
from textual.driver import Driver

from artui.book import Book
from artui.errors import DomainError
from artui.lookup import today_label
from widgets.status import StatusLine

FRAMES_PER_SECOND = 120
if "TEXTUAL_FPS" not in os.environ:
    import textual.screen

    # A screen repaints at most this often. At Textual's 60 a query's results that came
    # just after the echo of the key waited out the rest of a frame: the lookup's median
    # keystroke-to-results was 25 or 47-60 ms by chance of timing, at 120 it is 25 ms.
    # (Read when each screen's update timer is made; TEXTUAL_FPS, if set, still rules.)
    textual.screen.UPDATE_PERIOD = 1 / FRAMES_PER_SECOND  # type: ignore[misc]


class ScreensProvider(Provider):
    """Every screen and action, by name, in the command palette (Ctrl+P)."""

    async def search(self, query: str) -> Hits:
        app = self.app
        assert isinstance(app, ArtuiApp)
        matcher = self.matcher(query)
        actions = [
            ("Customer lookup (F2)", app.action_lookup, "Find a customer"),
            ("New customer", app.action_new_customer, "Add a customer record"),
            ("New invoice (F3)", app.action_new_invoice, "Enter and post an invoice"),
            ("Draft invoices", app.action_drafts, "Reopen a saved draft"),
            ("Recurring billing run", app.action_billing_run, "Bill the contracts due"),
            ("Sales orders", app.action_orders, "Bill an open order, or enter one"),
            ("Item catalogue and prices", app.action_catalogue, "Items, customer prices"),
            ("Print mailed invoices", app.action_print_mailed, "The day's print file"),
            ("Invoices to chase", app.action_chase, "Sent, never confirmed received"),
            ("Cash receipts (F4)", app.action_receipts, "Deposit batches and applying cash"),
            ("Follow-up worklist (F5)", app.action_worklist, "The accounts to call now"),
            ("Dunning run", app.action_dunning, "Reminder letters by level"),
            ("Statements (F6)", app.action_statements, "Statement runs and previews"),
            ("Reports (F7)", app.action_reports, "Aging, DSO, registers, month-end..."),
            ("Aging report", lambda: app.action_reports("aging"), "The aging with its chart"),
            ("Month-end tie-out", lambda: app.action_reports("month-end"), "Subledger and GL"),
            ("Approvals and audit (F8)", app.action_approvals, "The queue; the audit trail"),
            ("Settings (F9)", app.action_settings, "Company, mail server, people and roles"),
            ("Keys for this screen (F1)", app.action_help, "Show every key"),
            ("Toggle light and dark theme", app.action_toggle_dark, "Ctrl+T"),
            ("Quit (Ctrl+Q)", app.action_quit, "Leave ARTUI"),
        ]
        for name, callback, help_text in actions:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


class ScreenKeysProvider(Provider):
    """The screen's own F-key and Alt actions (F10 Post...) in the command palette:
    some terminals take F-keys for themselves (F10 opens GNOME Terminal's menu) and Alt
    can arrive split over a slow link, so each is also one search away."""

    async def search(self, query: str) -> Hits:
        from functools import partial

        screen = self.screen
        matcher = self.matcher(query)
        seen: set[str] = set()
        for cls in type(screen).__mro__:
            for binding in vars(cls).get("BINDINGS", []):
                if not isinstance(binding, Binding) or binding.action in seen:
                    continue
                fkey = binding.key.startswith("f") and binding.key[1:].isdigit()
                if not (fkey or binding.key.startswith("alt+")):
                    continue
                seen.add(binding.action)
                name = f"{binding.description} ({self.app.get_key_display(binding)})"
                score = matcher.match(name)
                if score > 0:
                    yield Hit(
                        score,
                        matcher.highlight(name),
                        partial(screen.run_action, binding.action),
                        help="On this screen",
                    )


class CustomersProvider(Provider):
    """Customers by name or account in the command palette. The palette searches on the
    event loop, so the query runs in a thread."""

    async def search(self, query: str) -> Hits:
        if len(query.strip()) < 2:
            return
        app = self.app
        assert isinstance(app, ArtuiApp)
        import asyncio

        from artui.lookup import search

        rows = await asyncio.to_thread(search, app.book, query, 10)
        for row in rows:
            label = f"{row.account}  {row.name}"
            yield Hit(
                50,
                Content(label),  # a name is data, not markup: "Foo [/] Bar" broke the palette
                lambda cid=row.customer_id: app.open_account(cid),
                text=label,
                help="Open the account",
            )


def _settle_gc() -> None:
    """Leave what the program keeps for the session (modules, styles, built screens) out
    of the collector's full passes: with them in, a pass took about 100 ms now and then,
    in the middle of a keystroke or an account being opened."""
    import gc

    from sqlalchemy.orm import configure_mappers

    # The ORM's one-off set-up of the mapped tables (~30 ms), which the first screen does
    # without: done now, it is kept too, and the first search does not wait for it.
    configure_mappers()
    gc.collect()
    gc.freeze()


class ArtuiApp(App):
    """ARTUI: the accounts-receivable workstation."""

    TITLE = "ARTUI"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ScreensProvider, ScreenKeysProvider, CustomersProvider}
    BINDINGS = [
        Binding("f1", "help", "Keys", id="app.help"),
        Binding("question_mark", "help", "Keys", show=False, id="app.help_twin"),
        Binding("f2", "lookup", "Lookup", id="app.lookup"),
        Binding("ctrl+f", "lookup", "Lookup", show=False, id="app.lookup_twin"),
        Binding("f3", "new_invoice", "Invoice", id="app.invoice"),
        Binding("alt+i", "new_invoice", "Invoice", show=False, id="app.invoice_twin"),
        Binding("f4", "receipts", "Receipts", id="app.receipts"),
        Binding("alt+r", "receipts", "Receipts", show=False, id="app.receipts_twin"),
        Binding("f5", "worklist", "Worklist", id="app.worklist"),
        Binding("alt+w", "worklist", "Worklist", show=False, id="app.worklist_twin"),
        Binding("f6", "statements", "Statements", id="app.statements"),
        Binding("alt+s", "statements", "Statements", show=False, id="app.statements_twin"),
        Binding("f7", "reports", "Reports", id="app.reports"),
        Binding("alt+t", "reports", "Reports", show=False, id="app.reports_twin"),
        Binding("f8", "approvals", "Approvals", id="app.approvals"),
        Binding("alt+a", "approvals", "Approvals", show=False, id="app.approvals_twin"),
        Binding("f9", "settings", "Settings", id="app.settings"),
        Binding("alt+g", "settings", "Settings", show=False, id="app.settings_twin"),
        Binding("ctrl+t", "toggle_dark", "Theme", show=False, id="app.theme"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(self, book: Book, *, theme: str | None = None) -> None:
        import gc

        # What the imports made stays for the session: left out of the collector's
        # passes now, the collection after the first screen walks only what the app
        # built (6 ms instead of 60-90 ms of the start). `artui` paused the collector
        # while it imported (artui/__main__.py): on from here.
        gc.freeze()
        gc.enable()
        super().__init__()
        self.book = book
        self.theme = theme or os.environ.get("ARTUI_THEME") or "textual-dark"
        if over_ssh():
            self.animation_level = "none"  # every frame of an animation crosses the link

    def get_driver_class(self) -> type[Driver]:
        """The terminal driver, sending runs of same-styled cells as one run: a table
        repaint costs half the bytes (artui/terminal_output.py); on Linux, one that
        answers Escape after ESCDELAY, not Textual's 100 ms (widgets/terminal_driver.py)."""
        from textual.drivers.linux_driver import LinuxDriver

        from artui.terminal_output import squeeze_sgr
        from widgets.terminal_driver import QuickEscapeDriver

        base = super().get_driver_class()
        if base is LinuxDriver:
            base = QuickEscapeDriver

        class Squeezed(base):  # type: ignore[misc, valid-type]
            def write(self, data: str) -> None:
                super().write(squeeze_sgr(data))

        return Squeezed

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # A steady cursor: a blinking one repaints its field twice a second, all day.
        if hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False  # type: ignore[attr-defined]

    def status_line(self) -> StatusLine:
        """A status line for a screen to show (user, book, working date, message)."""
        who = self.book.user + (" · READ-ONLY" if self._read_only() else "")
        line = StatusLine(who, _book_label(self.book), today_label(self.book.today()))
        line.message = self.last_message
        return line

    def _read_only(self) -> bool:
        """A user the book does not know, let in read-only by its settings."""
        try:
            return self.book.is_read_only()
        except DomainError:
            return False

    def on_mount(self) -> None:
        from screens.lookup import LookupScreen

        self.push_screen(LookupScreen())
        self.call_after_refresh(_settle_gc)
        self._watch_hangup()
        self._listen_for_changes()
        kept = kept_file()
        if kept.exists():  # what a dropped connection left last time
            lines = kept.read_text(encoding="utf-8").strip().splitlines()
            kept.unlink(missing_ok=True)
            if lines:
                from screens.confirm import Notice

                text = "When the connection dropped last time, " + " ".join(lines)
                self.call_after_refresh(self.push_screen, Notice(text))

    # -- another clerk's changes --------------------------------------------------------
    listener = None  # PostgreSQL: a thread that hears every commit (db/notify.py)

    def _listen_for_changes(self) -> None:
        """On PostgreSQL the screen in view refreshes as soon as anyone commits; on SQLite
        screens poll (`check_changes` on a timer)."""
        from db.notify import listen

        self.listener = listen(self.book.engine, lambda: self.call_from_thread(self.book_changed))

    def book_changed(self) -> None:
        check = getattr(self.screen, "check_changes", None)
        if callable(check):
            check()

    def on_unmount(self) -> None:
        if self.listener is not None:
            self.listener.stop(timeout=0)
        import gc

        gc.unfreeze()  # what was kept for the session may go (a process running many apps)

    # -- a dropped connection -----------------------------------------------------------
    def _watch_hangup(self) -> None:
        """SIGHUP (the terminal or SSH link went away): keep what is being typed, then go.
        Nothing committed is at risk; a screen with an unsaved entry keeps it as a draft."""
        import asyncio
        import contextlib
        import signal

        # not the main thread, or no such signal here: nothing to watch
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError, AttributeError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.hang_up)

    def hang_up(self) -> None:
        kept = []
        for screen in reversed(self.screen_stack):
            keep = getattr(screen, "keep_draft", None)
            if callable(keep) and getattr(screen, "dirty", False):
                try:
                    said = keep()
                except Exception as exc:  # noqa: BLE001 - going down: say what was lost
                    said = f"what was typed on {type(screen).__name__} could not be kept ({exc})."
                if said:
                    kept.append(said)
        if kept:
            path = kept_file()
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as fh:
                fh.write("\n".join(kept) + "\n")
        self.exit(return_code=1)

    last_message = ""
    keys_seen = 0  # every key the app has taken from the terminal, in order

    async def on_event(self, event: events.Event) -> None:
        # Counted as the key arrives, before it is handed to a widget: a screen can tell
        # that nothing was typed into a field since it moved there (type-ahead safe).
        if isinstance(event, events.Key) and not event.is_forwarded:
            self.keys_seen += 1
        await super().on_event(event)

    def say(self, message: str, *, error: bool = False) -> None:
        self.last_message = message
        # a dialog has no status line: the screen under it shows the message
        for screen in reversed(self.screen_stack):
            lines = screen.query(StatusLine)
            if lines:
                for line in lines:
                    line.say(message, error=error)
                return

    def hand_over(self, path: str | Path) -> None:
        """A file a screen has written (a PDF): in a browser, also a download for the person
        at it, who cannot reach the server's folders. In a terminal the file on disk is the
        result (deliver_binary there would write a copy to Downloads). Any thread."""
        if not self.is_web:
            return
        import threading

        if threading.get_ident() != self._thread_id:
            self.call_from_thread(self.hand_over, path)
            return
        target = Path(path).expanduser()
        if target.is_file():
            self.deliver_binary(target)

    def report(self, exc: Exception) -> None:
        """A refusal from the core, as its sentence; anything else, without a traceback."""
        from artui.book import book_place
        from artui.errors import storage_fault

        fault = storage_fault(exc, book_place(self.book.engine), sqlite=self.book.sqlite)
        if isinstance(exc, DomainError) or fault is not None:
            self.say(str(fault or exc), error=True)
        else:
            self.log.error(repr(exc))
            self.say(f"Something went wrong and nothing was saved: {exc}", error=True)

    # -- global actions -----------------------------------------------------------
    def action_lookup(self) -> None:
        from screens.lookup import LookupScreen

        if isinstance(self.screen, LookupScreen):
            self.screen.focus_box()
            return
        for screen in self.screen_stack:
            if isinstance(screen, LookupScreen):
                # F2 from anywhere; Escape from the lookup returns where you were.
                self.push_screen(LookupScreen(returning=True))
                return
        self.push_screen(LookupScreen())

    def action_new_invoice(self, customer_id: int | None = None) -> None:
        from screens.invoice_entry import InvoiceScreen

        if isinstance(self.screen, InvoiceScreen):
            return
        if customer_id is None:
            # from an account, the invoice is for that customer
            customer_id = getattr(self.screen, "customer_id", None)
        self.push_screen(InvoiceScreen(customer_id=customer_id), self._refresh_under)

    def _refresh_under(self, _result: object) -> None:
        reload = getattr(self.screen, "reload", None)
        if callable(reload):
            reload()

    def action_drafts(self) -> None:
        from screens.drafts import DraftsScreen

        self.push_screen(DraftsScreen())

    def action_approvals(self) -> None:
        self._show("screens.approvals", "ApprovalsScreen")

    def action_catalogue(self) -> None:
        self._show("screens.catalogue", "CatalogueScreen")

    def action_orders(self) -> None:
        from screens.orders import OrdersList

        self.push_screen(OrdersList())

    def action_billing_run(self) -> None:
        self._show("screens.recurring", "BillingRunScreen")

    def action_settings(self) -> None:
        self._show("screens.settings", "SettingsScreen")

    def action_chase(self) -> None:
        from screens.invoice_actions import ChaseList

        self.push_screen(ChaseList())

    def action_print_mailed(self) -> None:
        from screens.prompt import Prompt

        today = self.book.today().isoformat()
        self.push_screen(
            Prompt(
                "The invoices waiting to go by post, merged into one file:",
                "File",
                f"~/artui-print/invoices-{today}.pdf",
            ),
            lambda path: self._print_mailed(path) if path else None,
        )

    @work(thread=True, exclusive=True, group="app.print")
    def _print_mailed(self, path: str) -> None:
        from screens.invoice_actions import write_print_file

        try:
            write_print_file(self, path)
        except (OSError, DomainError) as exc:
            self.call_from_thread(self.say, f"Nothing printed: {exc}", error=True)

    def action_receipts(self) -> None:
        from screens.receipts import ReceiptsScreen

        for screen in self.screen_stack:
            if isinstance(screen, ReceiptsScreen):
                while self.screen is not screen:
                    if getattr(self.screen, "dirty", False):
                        self.say("Save or leave the receipt you are typing first.", error=True)
                        return
                    self.pop_screen()
                return
        self.push_screen(ReceiptsScreen())

    def action_worklist(self) -> None:
        self._show("screens.worklist", "WorklistScreen")

    def action_dunning(self) -> None:
        self._show("screens.dunning", "DunningScreen")

    def action_statements(self) -> None:
        self._show("screens.statements", "StatementsScreen")

    def action_reports(self, report: str = "aging") -> None:
        self._show("screens.reports", "ReportsScreen", report)

    def _show(self, module: str, name: str, *args: object) -> None:
        """Open a screen (imported when first wanted), unless it is the one in view."""
        import importlib

        cls = getattr(importlib.import_module(module), name)
        if not isinstance(self.screen, cls):
            self.push_screen(cls(*args))

    def action_help(self) -> None:
        from screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def action_new_customer(self) -> None:
        from screens.customer_form import CustomerForm

        def opened(customer_id: int | None) -> None:
            if customer_id:
                self.open_account(customer_id)

        self.push_screen(CustomerForm(self.book), opened)

    def open_account(
        self, customer_id: int, document_id: int | None = None, tab: str = "open"
    ) -> None:
        """The account screen is made once and re-aimed at each customer: building its
        tabs and tables costs more than reading a customer with 2,000 documents."""
        from screens.account import AccountScreen

        if not self.is_screen_installed("account"):
            self.install_screen(AccountScreen(customer_id, document_id, tab), "account")
            self.push_screen("account")
            self.call_after_refresh(_settle_gc)  # the screen is kept for the session
            return
        self._load_account(customer_id, document_id, tab)

    @work(thread=True, exclusive=True, group="app.account")
    def _load_account(self, customer_id: int, document_id: int | None, tab: str) -> None:
        """Read the customer first and show the screen with them in one paint: showing
        it emptied first cost a paint of its own, and a moment of a blank account."""
        from textual.worker import get_current_worker

        from screens.account import load

        try:
            data = load(self.book, customer_id)
        except Exception:  # noqa: BLE001 - the screen reads again and says what failed
            data = None
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._show_account, customer_id, document_id, tab, data)

    def _show_account(
        self, customer_id: int, document_id: int | None, tab: str, data: object
    ) -> None:
        from screens.account import AccountScreen

        screen = self.get_screen("account")
        assert isinstance(screen, AccountScreen)
        if screen in self.screen_stack:
            while self.screen is not screen:
                self.pop_screen()
        else:
            self.push_screen("account")
        screen.retarget(customer_id, document_id, tab, data)  # type: ignore[arg-type]

    async def action_quit(self) -> None:
        from screens.confirm import Confirm

        dirty = [s for s in self.screen_stack if getattr(s, "dirty", False)]
        if not dirty:
            self.exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(Confirm("Something you typed is not saved. Quit anyway?"), answered)


def _book_label(book: Book) -> str:
    url = book.engine.url
    if url.get_backend_name() == "sqlite":
        return Path(url.database or "memory").name
    return f"{url.host}/{url.database}"


def kept_file() -> Path:
    """Where a dropped connection notes what it kept, for the next start to say."""
    from db.engine import default_db_path

    return default_db_path().parent / "kept-on-hangup.txt"


def over_ssh() -> bool:
    """Whether this session came in over SSH (sshd sets these for the session)."""
    return bool(os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"))


def mouse_wanted() -> bool:
    """ARTUI_MOUSE=0 turns the mouse off: a mouse moving over the screen reports every
    cell it crosses and repaints what it hovers, which costs bandwidth over SSH."""
    return os.environ.get("ARTUI_MOUSE", "1").strip().lower() not in ("0", "false", "no", "off")


def run_app(book: Book) -> None:
    ArtuiApp(book).run(mouse=mouse_wanted())
