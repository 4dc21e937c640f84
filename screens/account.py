"""The account: the screen for a customer on the phone."""

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from artui.account import (
    AccountSummary,
    HistoryCursor,
    account_summary,
    applications_for,
    history_page,
)
from artui.collections import disputes, follow_ups
from artui.customers import addresses, contacts
from artui.dates import BUCKET_LABELS, BUCKETS, parse_terms
from artui.ledger import DEBIT_KINDS, KIND_LABEL
from artui.lookup import data_version
from artui.money import format_amount
from artui.reports import credit_history
from screens.base import WorkScreen
from widgets.aging_chart import BAR_CHARS, BAR_STYLES
from widgets.cells import day, money, plain
from widgets.fast_table import Table

HISTORY_PAGE = 60
OPEN_PAGE = 40  # two screens of rows at 120x40; more as the cursor nears the end


@dataclass
class Loaded:
    summary: AccountSummary
    history: list[dict]
    history_next: HistoryCursor | None  # where the next page starts
    follow: list[dict]
    people: list
    places: list
    cases: list[dict]
    version: int
    credit: object = None  # reports.CreditHistory


def load(book, customer_id: int) -> Loaded:  # noqa: ANN001
    """Everything the account screen shows, in one read transaction."""

    def work_(tx):  # noqa: ANN001, ANN202
        summary = account_summary(tx, customer_id)
        page, cursor = history_page(tx, customer_id, limit=HISTORY_PAGE)
        return Loaded(
            summary,
            _with_applications(tx, page),
            cursor,
            follow_ups(tx, customer_id, 100),
            contacts(tx, customer_id),
            addresses(tx, customer_id),
            disputes(tx, customer_id),
            data_version(tx),
        )

    return book.read(work_)


def _with_applications(tx, page: list[dict]) -> list[dict]:  # noqa: ANN001
    """Each credit document followed by its applications (what it paid, what was undone);
    charges show theirs through the credits, so nothing is listed twice."""
    credits = [d["id"] for d in page if d["kind"] not in DEBIT_KINDS]
    apps = applications_for(tx, credits)
    out = []
    for doc in page:
        out.append(doc)
        for app in apps.get(doc["id"], ()):
            out.append({"application": app, "doc_id": doc["id"]})
    return out


def aging_bar(s: AccountSummary, width: int) -> Text:
    """The buckets as a bar: each bucket its own character and colour, so it reads in
    monochrome too, with the legend beside it."""
    parts = {b: max(getattr(s.aging, b), 0) for b in BUCKETS}
    total = sum(parts.values())
    bar = Text()
    if total:
        used = 0
        for i, b in enumerate(BUCKETS):
            n = round(width * parts[b] / total) if i < len(BUCKETS) - 1 else width - used
            n = max(0, min(n, width - used))
            used += n
            bar.append(BAR_CHARS[b] * n, style=BAR_STYLES[b])
    else:
        bar.append("·" * width, style="dim")
    return bar


class AccountScreen(WorkScreen):
    """Header with what the clerk needs on the phone; tabs with the detail."""

    DEFAULT_CSS = """
    AccountScreen #head { height: auto; padding: 0 1; background: $boost; }
    AccountScreen TabbedContent { height: 1fr; }
    AccountScreen DataTable { height: 1fr; }
    AccountScreen #details { padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="account.back"),
        Binding("e", "edit", "Edit", id="account.edit"),
        Binding("h", "hold", "Hold", id="account.hold"),
        Binding("c", "contact", "Contact+", id="account.contact"),
        Binding("p", "payment", "Payment", id="account.payment"),
        Binding("a", "apply_credits", "Apply credits", show=False, id="account.apply"),
        Binding("b", "bounced", "Bounced", show=False, id="account.bounced"),
        Binding("f", "refund", "Refund", show=False, id="account.refund"),
        Binding("u", "unapply", "Unapply", show=False, id="account.unapply"),
        Binding("d", "dispute", "Dispute", show=False, id="account.dispute"),
        Binding("l", "log_call", "Log call", show=False, id="account.call"),
        Binding("i", "app.new_invoice", "Invoice", show=False, id="account.invoice"),
        Binding("s", "send", "Send", show=False, id="account.send"),
        Binding("g", "deliveries", "Deliveries", show=False, id="account.deliveries"),
        Binding("v", "void", "Void", show=False, id="account.void"),
        Binding("y", "copy", "Copy", show=False, id="account.copy"),
        Binding("m", "credit_memo", "Credit memo", show=False, id="account.credit"),
        Binding("k", "contract", "Recurring", show=False, id="account.contract"),
        Binding("r", "reload", "Refresh", show=False, id="account.refresh"),
        Binding("1", "tab('open')", "Open", show=False),
        Binding("2", "tab('history')", "History", show=False),
        Binding("3", "tab('follow')", "Follow-ups", show=False),
        Binding("4", "tab('contacts')", "Contacts", show=False),
        Binding("5", "tab('disputes')", "Disputes", show=False),
        Binding("6", "tab('details')", "Details", show=False),
    ]

    def __init__(self, customer_id: int, document_id: int | None = None, tab: str = "open") -> None:
        super().__init__()
        self.tab = tab  # the tab to show first
        self.customer_id = customer_id
        self.document_id = document_id
        self.data: Loaded | None = None
        self.history_next: HistoryCursor | None = None
        self.open_shown = 0
        self.stale: set[str] = set()

    def retarget(
        self,
        customer_id: int,
        document_id: int | None = None,
        tab: str = "open",
        data: Loaded | None = None,
    ) -> None:
        """Show another customer on this (already built) screen; with `data` (read for
        that customer) at once, else once it has been read."""
        fresh = data is not None and data.summary.customer.id == customer_id
        if customer_id == self.customer_id and document_id is None and self.data:
            self.action_tab(tab)
            if fresh:
                self.show(data)  # type: ignore[arg-type]
            else:
                self.reload()
            return
        self.customer_id = customer_id
        self.document_id = document_id
        self.data = None
        self.query_one("#head", Static).update("")
        for table in self.query(DataTable):
            table.clear()
        self.action_tab(tab)
        if fresh:
            self.show(data)  # type: ignore[arg-type]
        else:
            self.reload()

    def compose_body(self) -> ComposeResult:
        yield Static(id="head")
        with TabbedContent(id="tabs", initial=self.tab):
            with TabPane("1 Open items", id="open"):
                yield Table(id="open_items", cursor_type="row", zebra_stripes=True)
            with TabPane("2 History", id="history"):
                yield Table(id="history_table", cursor_type="row", zebra_stripes=True)
            with TabPane("3 Follow-ups", id="follow"):
                yield Table(id="follow_table", cursor_type="row")
            with TabPane("4 Contacts", id="contacts"):
                yield Table(id="contacts_table", cursor_type="row")
            with TabPane("5 Disputes", id="disputes"):
                yield Table(id="disputes_table", cursor_type="row")
            with TabPane("6 Details", id="details"):
                yield Static(id="details_text")

    def on_mount(self) -> None:
        cols = {
            "open_items": ["Kind", "Number", "Date", "Due", "Days", "Amount", "Open", "Ref"],
            "history_table": ["Date", "Kind", "Number", "Charge", "Credit", "Balance", "Note"],
            "follow_table": ["When", "By", "Channel", "Outcome", "Next", "Note"],
            "contacts_table": ["Name", "Role", "Email", "Phone", "Billing"],
            "disputes_table": ["Opened", "Document", "Amount", "Reason", "Status", "Owner"],
        }
        for table_id, names in cols.items():
            table = self.query_one(f"#{table_id}", DataTable)
            for n in names:
                right = n in ("Days", "Amount", "Open", "Charge", "Credit", "Balance")
                table.add_column(Text(n, justify="right") if right else n, key=n)
        self.reload()
        # PostgreSQL tells the app at once (db/notify.py): the poll is then a safety net
        listening = getattr(self.app, "listener", None) is not None
        self.set_interval(15 if listening else 1.5, self.check_changes)
        if self.tab != "open":
            self.call_after_refresh(self.action_tab, self.tab)  # its table takes the keys

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        tables = self.query_one(f"#{tab}").query(DataTable)
        if tables:
            self.set_focus(tables.first())  # the keys act on the tab in view

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="account.load")
    def reload(self) -> None:
        worker = get_current_worker()
        try:
            data = load(self.book, self.customer_id)
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.app.report, exc)  # type: ignore[attr-defined]
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self.show, data)

    @work(thread=True, exclusive=True, group="account.poll")
    def check_changes(self) -> None:
        """Live: another clerk or process changed the book: reload, keeping the cursor."""
        if self.data is None or not self.is_current:
            return
        try:
            version = self.book.read(data_version)
        except Exception:  # noqa: BLE001 - a poll that fails tries again next tick
            return
        if version != self.data.version:
            self.reload()

    def show(self, data: Loaded) -> None:
        if data.summary.customer.id != self.customer_id:
            return  # read for the customer shown before; the newer read is on its way
        self.data = data
        s = data.summary
        self.query_one("#head", Static).update(self._header(s))
        # Only the tab in view is drawn now; the others when they are opened (a table
        # draws every row it holds, and the clerk on the phone needs the first tab first).
        self.stale = {"open", "history", "follow", "contacts", "disputes", "details"}
        with self.app.batch_update():
            self._fill_tab(self.query_one(TabbedContent).active)
            if self.document_id is not None:
                self._fill_tab("history")
        if self.document_id is not None:
            self._select_document(self.document_id)
            self.document_id = None

    def _fill_tab(self, tab: str) -> None:
        if self.data is None or tab not in self.stale:
            return
        self.stale.discard(tab)
        data = self.data
        if tab == "open":
            self._fill_open(data.summary)
        elif tab == "history":
            self._fill_history(data)
        elif tab == "follow":
            self._fill_follow(data)
        elif tab == "contacts":
            self._fill_contacts(data)
        elif tab == "disputes":
            self._fill_disputes(data)
        elif tab == "details":
            self.query_one("#details_text", Static).update(self._details(data))
            self.load_credit(data)  # a year of history: read when the tab is opened

    @on(TabbedContent.TabActivated)
    def tab_opened(self, event: TabbedContent.TabActivated) -> None:
        self._fill_tab(event.pane.id or "")

    @work(thread=True, exclusive=True, group="account.credit")
    def load_credit(self, data: Loaded) -> None:
        found = self.book.read(lambda tx: credit_history(tx, [data.summary.customer.id]))
        data.credit = found[0] if found else None
        if self.data is data:
            self.app.call_from_thread(
                self.query_one("#details_text", Static).update, self._details(data)
            )

    # -- header ---------------------------------------------------------------------
    def _header(self, s: AccountSummary) -> Text:
        c = s.customer
        cur = c.currency

        def m(v: int) -> str:
            return format_amount(v, cur)

        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(c.name, style="bold")
        t.append(f"  {c.account}  ")
        status = c.status.upper()
        t.append(status, style="reverse" if c.status != "active" else "")
        for flag in s.flags:
            t.append(f" {flag}", style="bold reverse")
        if c.on_hold and c.hold_reason:
            t.append(" ")
            t.append(c.hold_reason)
        t.append("\n")
        try:
            terms = parse_terms(c.terms).describe()
        except ValueError:
            terms = c.terms
        limit = m(c.credit_limit) if c.credit_limit else "none"
        avail = s.credit_available
        t.append(f"Terms {terms} · Limit {limit}")
        if avail is not None:
            t.append(" · Available ")
            t.append(m(avail), style="bold" if avail < 0 else "")
        t.append(f" · {cur}\n")
        t.append("Balance ")
        t.append(m(s.balance), style="bold")
        t.append(" · Past due ")
        t.append(
            m(s.past_due) + ("!" if s.past_due > 0 else ""), style="bold" if s.past_due > 0 else ""
        )
        t.append(f" · Unapplied {m(-s.aging.unapplied)}")
        if s.disputed:
            t.append(f" · Disputed {m(s.disputed)}")
        t.append("\n")
        width = max(10, min(30, self.app.size.width - 52))
        t.append_text(aging_bar(s, width))
        t.append(" ")
        t.append(
            "  ".join(
                f"{BUCKET_LABELS[b]} {m(getattr(s.aging, b))}"
                for b in BUCKETS
                if getattr(s.aging, b) or b == "current"
            )
        )
        t.append("\n")
        last = (
            f"{m(s.last_payment_amount)} on {s.last_payment_on.isoformat()}"
            if s.last_payment_on
            else "none"
        )
        t.append(f"Last payment {last}")
        if s.plan:
            p = s.plan
            t.append(
                f" · Plan {p.kept}/{p.instalments} kept, next {m(p.next_amount)} on {p.next_on}",
                style="bold",
            )
        elif s.open_promise_amount:
            t.append(f" · Promise {m(s.open_promise_amount)} by {s.open_promise_on}", style="bold")
        if s.broken_promises:
            t.append(f" · {s.broken_promises} broken", style="bold")
        nxt = s.next_follow_up.isoformat() if s.next_follow_up else "none"
        t.append(f" · Next follow-up {nxt}\n")
        b = s.billing_contact
        if b:
            t.append("Billing: ")
            t.append(" · ".join(x for x in (b.name, b.phone, b.email) if x))
        else:
            t.append("No billing contact (c adds one)", style="italic")
        return t

    # -- tabs -----------------------------------------------------------------------
    def _fill_open(self, s: AccountSummary) -> None:
        """Open items are drawn a page at a time as the cursor goes down (a table draws
        every row it holds), so 20,000 open items open as fast as 20."""
        table = self.query_one("#open_items", DataTable)
        keep = table.cursor_row
        table.clear()
        self.open_shown = 0
        want = max(OPEN_PAGE, keep + 1)
        if self.document_id is not None:
            ids = [i.id for i in s.open_items]
            if self.document_id in ids:
                want = max(want, ids.index(self.document_id) + 1)
        self._more_open(want)
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))

    def _more_open(self, count: int = 0) -> None:
        if self.data is None:
            return
        s = self.data.summary
        table = self.query_one("#open_items", DataTable)
        cur = s.customer.currency
        start = self.open_shown
        for item in s.open_items[start : start + max(count, OPEN_PAGE)]:
            late = item.is_debit and item.days_past_due > 0
            table.add_row(
                plain(KIND_LABEL.get(item.kind, item.kind)),
                plain(item.number),
                day(item.doc_date),
                day(item.due_date if item.is_debit else None),
                Text(str(item.days_past_due) if late else "", justify="right"),
                money(item.amount if item.is_debit else -item.amount, cur),
                money(item.signed_open, cur, past_due=late),
                plain(item.reference),
                key=str(item.id),
            )
        self.open_shown = table.row_count
        table.settle()

    @on(DataTable.RowHighlighted, "#open_items")
    def open_scrolled(self, event: DataTable.RowHighlighted) -> None:
        if (
            self.data
            and event.cursor_row >= self.open_shown - 5
            and self.open_shown < len(self.data.summary.open_items)
        ):
            self._more_open()

    def _history_rows(self, rows: list[dict], cur: str) -> list:
        out = []
        for r in rows:
            if "application" in r:
                a = r["application"]
                verb = "↳ undone" if a["amount"] < 0 else "↳ applied"
                note = format_amount(a["amount"], cur) + " " + (a["reason"] or "")
                cells = (
                    day(a["applied_on"]),
                    plain(verb),
                    plain(a["number"]),
                    plain(""),
                    plain(""),
                    plain(""),
                    plain(note),
                )
                out.append((cells, f"a{a['id']}-{r['doc_id']}"))
                continue
            debit = r["kind"] in DEBIT_KINDS
            note = r["reference"] or r["memo"] or r["reason"]
            cells = (
                day(r["doc_date"]),
                plain(KIND_LABEL.get(r["kind"], r["kind"])),
                plain(r["number"]),
                money(r["amount"] if debit else None, cur),
                money(r["amount"] if not debit else None, cur),
                money(r["balance"], cur),
                plain(note),
            )
            out.append((cells, str(r["id"])))
        return out

    def _fill_history(self, data: Loaded) -> None:
        table = self.query_one("#history_table", DataTable)
        keep = table.cursor_row
        table.clear()
        for cells, key in self._history_rows(data.history, data.summary.customer.currency):
            table.add_row(*cells, key=key)
        self.history_next = data.history_next
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))

    @on(DataTable.RowHighlighted, "#history_table")
    def history_scrolled(self, event: DataTable.RowHighlighted) -> None:
        """Keyset paging: fetch the next page when the cursor nears the end."""
        if self.history_next is not None and event.cursor_row >= event.data_table.row_count - 5:
            self.more_history()

    @work(thread=True, exclusive=True, group="account.history")
    def more_history(self) -> None:
        cursor = self.history_next
        if cursor is None:
            return

        def read(tx):  # noqa: ANN001, ANN202
            page, nxt = history_page(tx, self.customer_id, after=cursor, limit=HISTORY_PAGE)
            return _with_applications(tx, page), nxt

        rows, nxt = self.book.read(read)
        self.app.call_from_thread(self._append_history, cursor, rows, nxt)

    def _append_history(
        self, cursor: HistoryCursor, rows: list[dict], nxt: HistoryCursor | None
    ) -> None:
        if cursor != self.history_next or self.data is None:
            return
        table = self.query_one("#history_table", DataTable)
        for cells, key in self._history_rows(rows, self.data.summary.customer.currency):
            table.add_row(*cells, key=key)
        self.history_next = nxt

    def _fill_follow(self, data: Loaded) -> None:
        table = self.query_one("#follow_table", DataTable)
        table.clear()
        for f in data.follow:
            when = f["created_at"].strftime("%Y-%m-%d %H:%M") if f["created_at"] else ""
            table.add_row(
                plain(when),
                plain(f["created_by"]),
                plain(f["channel"]),
                plain("↳ note" if f["annotates_id"] else f["outcome"]),
                day(f["next_action_on"]),
                plain(f["note"]),
                key=str(f["id"]),
            )

    def _fill_contacts(self, data: Loaded) -> None:
        table = self.query_one("#contacts_table", DataTable)
        keep = table.cursor_row
        table.clear()
        for p in data.people:
            table.add_row(
                plain(p.name),
                plain(p.role),
                plain(p.email),
                plain(p.phone or p.mobile),
                plain("billing" if p.is_billing else ""),
                key=str(p.id),
            )
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))

    def _fill_disputes(self, data: Loaded) -> None:
        table = self.query_one("#disputes_table", DataTable)
        table.clear()
        cur = data.summary.customer.currency
        for d in data.cases:
            table.add_row(
                day(d["opened_on"]),
                plain(d["document_number"] or ""),
                money(d["amount"], cur),
                plain(d["reason"]),
                plain(d["status"]),
                plain(d["owner"]),
                key=str(d["id"]),
            )

    def _details(self, data: Loaded) -> Text:
        c = data.summary.customer
        t = Text()
        rows = [
            ("Account", c.account),
            ("Name", c.name),
            ("Status", c.status),
            ("Currency", c.currency),
            ("Terms", c.terms),
            ("Tax id", c.tax_id),
            ("Collector", c.collector or "unassigned"),
            ("Delivery", c.delivery),
            ("Escalation", c.escalation or "none"),
            ("Changed by", c.updated_by),
        ]
        for label, value in rows:
            t.append(f"{label:<12}", style="bold")
            t.append(f"{value}\n")
        for a in data.places:
            t.append(f"{a.kind.title():<12}", style="bold")
            t.append(", ".join(a.lines()) + "\n")
        h = data.credit
        if h is not None:
            t.append("Credit      ", style="bold")
            days = "—" if h.average_days_to_pay is None else f"{h.average_days_to_pay:.0f} days"
            late = "—" if h.share_paid_late is None else f"{h.share_paid_late:.0%}"
            t.append(
                f"{h.invoices_paid} invoices paid in {days} on average, {late} late; largest "
                f"balance {format_amount(h.largest_balance, c.currency)}; "
                f"{h.bounced_payments} bounced; promises {h.promises_kept} kept, "
                f"{h.promises_broken} broken\n"
            )
        if c.notes:
            t.append("Notes\n", style="bold")
            t.append(c.notes)
        return t

    def _select_document(self, document_id: int) -> None:
        table = self.query_one("#open_items", DataTable)
        try:
            index = table.get_row_index(str(document_id))
        except Exception:  # noqa: BLE001 - not open: show it in the history instead
            self.action_tab("history")
            history = self.query_one("#history_table", DataTable)
            try:
                history.move_cursor(row=history.get_row_index(str(document_id)))
                history.focus()
            except Exception:  # noqa: BLE001
                pass
            return
        table.move_cursor(row=index)
        table.focus()

    # -- records --------------------------------------------------------------------
    def action_edit(self) -> None:
        from screens.customer_form import CustomerForm

        self.app.push_screen(CustomerForm(self.book, self.customer_id), lambda _r: self.reload())

    def action_hold(self) -> None:
        from screens.customer_form import HoldDialog

        if self.data is None:
            return
        c = self.data.summary.customer
        self.app.push_screen(
            HoldDialog(self.book, c.id, c.on_hold, c.name), lambda _r: self.reload()
        )

    def action_contact(self) -> None:
        from screens.customer_form import ContactForm

        contact = None
        if self.query_one(TabbedContent).active == "contacts" and self.data:
            table = self.query_one("#contacts_table", DataTable)
            if table.row_count:
                contact = self.data.people[table.cursor_row]
        self.app.push_screen(
            ContactForm(self.book, self.customer_id, contact), lambda _r: self.reload()
        )

    # -- cash: receive, apply credits, bounced, refund, unapply ---------------------------
    def _selected(self) -> dict | None:
        """The document (or application) under the cursor of the open-items or history
        tab: {"id", "kind", "number", "amount", "open", "currency"} or {"application": id}."""
        if self.data is None:
            return None
        cur = self.data.summary.customer.currency
        tab = self.query_one(TabbedContent).active
        if tab == "open":
            table = self.query_one("#open_items", DataTable)
            if not table.row_count:
                return None
            i = self.data.summary.open_items[table.cursor_row]
            return {
                "id": i.id,
                "kind": i.kind,
                "number": i.number,
                "amount": i.amount,
                "open": i.open,
                "currency": cur,
            }
        if tab == "history":
            table = self.query_one("#history_table", DataTable)
            if not table.row_count:
                return None
            key = str(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)
            if key.startswith("a"):
                return {"application": int(key[1:].split("-")[0])}
            for r in self.data.history:
                if "application" not in r and r["id"] == int(key):
                    return {
                        "id": r["id"],
                        "kind": r["kind"],
                        "number": r["number"],
                        "amount": r["amount"],
                        "open": r["open_amount"],
                        "currency": cur,
                    }
        return None

    def action_payment(self) -> None:
        """A receipt for this customer, in the clerk's open deposit batch."""
        from artui.batches import open_batches
        from screens.receipt_entry import ReceiptScreen

        mine = [b for b in open_batches(self.book) if b["created_by"] == self.book.user]
        if not mine:
            self.app.say(
                "Open a deposit batch first (F4), then p takes a receipt here.", error=True
            )  # type: ignore[attr-defined]
            return
        self.app.push_screen(
            ReceiptScreen(mine[0]["id"], customer_id=self.customer_id), lambda _r: self.reload()
        )

    def action_apply_credits(self) -> None:
        from screens.receipt_entry import ReceiptScreen

        if self.data is None:
            return
        if not any(not i.is_debit for i in self.data.summary.open_items):
            self.app.say("This customer has no open credit to apply.", error=True)  # type: ignore[attr-defined]
            return
        self.app.push_screen(
            ReceiptScreen(None, customer_id=self.customer_id, credits_only=True),
            lambda _r: self.reload(),
        )

    def action_bounced(self) -> None:
        from screens.cash_exceptions import BounceDialog

        doc = self._selected()
        if not doc or doc.get("kind") != "payment":
            self.app.say(
                "Select the payment that bounced (open items or history), then b.", error=True
            )  # type: ignore[attr-defined]
            return
        self.app.push_screen(BounceDialog(self.book, doc), lambda _r: self.reload())

    def action_refund(self) -> None:
        from screens.cash_exceptions import RefundDialog

        doc = self._selected()
        if not doc or doc.get("kind") not in ("payment", "credit_memo") or not doc["open"]:
            self.app.say(
                "Select unapplied cash or an open credit memo, then f refunds it.", error=True
            )  # type: ignore[attr-defined]
            return
        self.app.push_screen(RefundDialog(self.book, doc), lambda _r: self.reload())

    def action_unapply(self) -> None:
        from screens.confirm import Confirm

        sel = self._selected()
        if not sel or "application" not in sel:
            self.app.say("Select an application (↳ in the history), then u undoes it.", error=True)  # type: ignore[attr-defined]
            return
        self.app.push_screen(
            Confirm("Undo this application? Both documents open again by its amount."),
            lambda yes: self.unapply(sel["application"]) if yes else None,
        )

    @work(thread=True, exclusive=True, group="account.unapply")
    def unapply(self, application_id: int) -> None:
        from artui.errors import DomainError
        from artui.receipts import unapply

        try:
            undone = unapply(self.book, application_id, reason="undone by clerk")
        except DomainError as exc:
            self.app.call_from_thread(self.app.report, exc)  # type: ignore[attr-defined]
            return
        self.app.call_from_thread(
            self.app.say,  # type: ignore[attr-defined]
            f"Application undone: {undone.debit_number} is open again; a applies the credit anew.",
        )
        self.app.call_from_thread(self.reload)

    # -- collections: disputes and calls ---------------------------------------------------
    def action_dispute(self) -> None:
        from screens.disputes import DisputeDialog

        doc = self._selected()
        if not doc or doc.get("kind") not in DEBIT_KINDS or not doc.get("open"):
            self.app.say("Select an open invoice (open items), then d disputes it.", error=True)  # type: ignore[attr-defined]
            return
        self.app.push_screen(
            DisputeDialog(self.book, self.customer_id, doc), lambda _r: self.reload()
        )

    @on(DataTable.RowSelected, "#disputes_table")
    def settle(self, event: DataTable.RowSelected) -> None:
        from screens.disputes import SettleDialog

        if self.data is None or not self.data.cases:
            return
        case = self.data.cases[event.cursor_row]
        if case["status"] != "open":
            self.app.say(f"That dispute is {case['status']}.")  # type: ignore[attr-defined]
            return
        self.app.push_screen(
            SettleDialog(self.book, self.customer_id, case), lambda _r: self.reload()
        )

    @on(DataTable.RowSelected, "#follow_table")
    def annotate(self, event: DataTable.RowSelected) -> None:
        """A logged call is never edited: Enter adds a note to it, kept beside it."""
        from screens.prompt import Prompt

        if self.data is None or not self.data.follow:
            return
        call = self.data.follow[event.cursor_row]
        self.app.push_screen(
            Prompt(
                f"Add a note to the {call['outcome'].replace('_', ' ')} call of "
                f"{call['created_at']:%Y-%m-%d %H:%M} by {call['created_by']}",
                "Note",
            ),
            lambda note: self.add_note(call, note) if note else None,
        )

    @work(thread=True, exclusive=True, group="account.note")
    def add_note(self, call: dict, note: str) -> None:
        from artui.collections import CallInput, log_call
        from artui.errors import DomainError

        try:
            log_call(
                self.book,
                CallInput(
                    self.customer_id,
                    call["outcome"],
                    note,
                    channel=call["channel"],
                    contact_id=call["contact_id"],
                    annotates_id=call["id"],
                ),
            )
        except DomainError as exc:
            self.app.call_from_thread(self.app.report, exc)  # type: ignore[attr-defined]
            return
        self.app.call_from_thread(self.app.say, "Note added to the call.")  # type: ignore[attr-defined]
        self.app.call_from_thread(self.reload)

    def action_log_call(self) -> None:
        from screens.call_log import CallDialog

        if self.data is None:
            return
        s = self.data.summary
        self.app.push_screen(
            CallDialog(
                self.book, self.customer_id, s.customer.name, s.past_due, s.customer.currency
            ),
            lambda _r: self.reload(),
        )

    # -- invoices: send, deliveries, void, copy ---------------------------------------------
    def _invoice(self, what: str) -> dict | None:
        doc = self._selected()
        if not doc or doc.get("kind") not in ("invoice", "debit_memo", "finance_charge"):
            self.app.say(f"Select an invoice (open items or history), then {what}.", error=True)  # type: ignore[attr-defined]
            return None
        return doc

    def action_send(self) -> None:
        from screens.invoice_actions import SendDialog

        doc = self._invoice("s sends it")
        if doc is None or self.data is None:
            return
        c = self.data.summary.customer
        b = self.data.summary.billing_contact
        self.app.push_screen(
            SendDialog(self.book, doc["number"], c.delivery, b.email if b else "", c.portal),
            lambda _r: self.reload(),
        )

    def action_deliveries(self) -> None:
        from screens.invoice_actions import DeliveryLog

        doc = self._invoice("g shows its deliveries")
        if doc is not None:
            self.app.push_screen(DeliveryLog(self.book, doc["number"]))

    def action_void(self) -> None:
        from screens.prompt import Prompt

        doc = self._invoice("v voids it")
        if doc is None:
            return
        self.app.push_screen(
            Prompt(
                f"Void {doc['number']}: why? (what was applied to it goes back on account)",
                "Reason",
            ),
            lambda reason: self.void(doc, reason) if reason else None,
        )

    @work(thread=True, exclusive=True, group="account.void")
    def void(self, doc: dict, reason: str) -> None:
        from artui import approvals
        from artui.errors import DomainError

        try:
            done = approvals.perform(
                self.book,
                "void",
                doc["id"],
                reason,
                for_customer=self.customer_id,
                for_amount=doc["amount"],
            )
        except DomainError as exc:
            self.app.call_from_thread(self.app.report, exc)  # type: ignore[attr-defined]
            return
        message = (
            done.message if done.waiting else f"{doc['number']} voided by {done.result.number}."
        )
        self.app.call_from_thread(self.app.say, message)  # type: ignore[attr-defined]
        self.app.call_from_thread(self.reload)

    def action_copy(self) -> None:
        doc = self._invoice("y copies it into a new draft")
        if doc is not None:
            self.copy_invoice(doc["id"])

    @work(thread=True, exclusive=True, group="account.copy")
    def copy_invoice(self, doc_id: int) -> None:
        from artui.invoices import with_lines

        row, lines = with_lines(self.book, doc_id)
        self.app.call_from_thread(self._open_copy, row, lines)

    def _open_copy(self, row: dict, lines: list) -> None:
        from screens.invoice_entry import InvoiceScreen

        self.app.push_screen(InvoiceScreen(draft=row, lines=lines), lambda _r: self.reload())

    def action_credit_memo(self) -> None:
        """Against the selected invoice (its lines offered), else one amount on account."""
        doc = self._selected()
        if doc and doc.get("kind") in ("invoice", "debit_memo", "finance_charge"):
            self.credit_lines(doc["id"])
            return
        from screens.cash_exceptions import CreditDialog

        self.app.push_screen(CreditDialog(self.book, self.customer_id), lambda _r: self.reload())

    @work(thread=True, exclusive=True, group="account.credit")
    def credit_lines(self, doc_id: int) -> None:
        from artui.credit_memos import creditable
        from artui.invoices import with_lines

        row, _ = with_lines(self.book, doc_id)
        lines = [
            {
                "item_code": c.item_code,
                "description": c.description,
                "quantity": c.quantity_left,
                "unit_price": c.unit_price,
                "discount_rate": c.discount_rate,
                "tax_rate": c.tax_rate,
                "credits_line_id": c.line_id,
            }
            for c in creditable(self.book, doc_id)
            if c.quantity_left > 0
        ]
        self.app.call_from_thread(self._open_credit, row, lines)

    def _open_credit(self, row: dict, lines: list) -> None:
        from screens.invoice_entry import InvoiceScreen

        if not lines:
            self.app.say(f"{row['number']} has been credited in full.", error=True)  # type: ignore[attr-defined]
            return
        self.app.push_screen(InvoiceScreen(credit_for=row, lines=lines), lambda _r: self.reload())

    def action_contract(self) -> None:
        doc = self._invoice("k bills its lines every cycle")
        if doc is not None:
            self.contract_from(doc["id"])

    @work(thread=True, exclusive=True, group="account.contract")
    def contract_from(self, doc_id: int) -> None:
        from artui.invoices import with_lines

        row, lines = with_lines(self.book, doc_id)
        self.app.call_from_thread(self._open_contract, row, lines)

    def _open_contract(self, row: dict, lines: list) -> None:
        from screens.recurring import ContractDialog

        self.app.push_screen(ContractDialog(self.book, row, lines))
