"""Settings (F9 / Alt+G), for an admin: the company and its controls, the mail server,
people and roles. Ctrl+S saves the tab in view; a refusal shows beside its field."""

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.widgets import Checkbox, DataTable, Input, Label, Static, TabbedContent, TabPane

from artui import settings, users
from artui.errors import DomainError
from artui.money import MoneyError, format_amount, parse_amount
from screens.base import WorkScreen
from screens.customer_form import Form
from widgets.cells import money, plain
from widgets.fast_table import Table

COMPANY_TEXT = [
    ("name", "Name"),
    ("address", "Address (lines / by /)"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("tax_id", "Tax id"),
]
COMPANY_MONEY = [
    ("approval_limit", "Approval limit"),
    ("writeoff_tolerance", "Write-off tolerance"),
]
COMPANY_FLAGS = [
    ("hold_blocks_invoices", "A credit hold blocks invoices"),
    ("over_limit_blocks_invoices", "Over the credit limit blocks invoices"),
    ("tax_shipping", "Shipping is taxed"),
]
MAIL = [
    ("host", "SMTP host", "localhost"),
    ("port", "Port", "25"),
    ("tls", "TLS (none/starttls/ssl)", "none"),
    ("user", "User", ""),
    ("password_file", "Password file", ""),
    ("sender", "Sender", "ar@localhost"),
]


class SettingsScreen(WorkScreen):
    DEFAULT_CSS = """
    SettingsScreen TabbedContent { height: 1fr; }
    SettingsScreen Grid { grid-size: 2; grid-columns: 26 1fr; grid-rows: 1; height: auto; }
    SettingsScreen Checkbox { height: 1; border: none; padding: 0; }
    SettingsScreen #error { color: $error; height: 1; padding: 0 1; }
    SettingsScreen DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="settings.save"),
        Binding("ctrl+n", "add_user", "Add user", id="settings.add"),
        Binding("ctrl+r", "role", "Role", id="settings.role"),
        Binding("escape", "back", "Back", id="settings.back"),
    ]

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="tabs", initial="company"):
            with TabPane("Company", id="company"), Grid():
                for name, label in COMPANY_TEXT + COMPANY_MONEY:
                    yield Label(label)
                    yield Input("", id=f"c_{name}", compact=True)
                yield Label("Unknown users")
                yield Input("", id="c_unknown_user", compact=True, placeholder="refuse/readonly")
                for name, label in COMPANY_FLAGS:
                    yield Label("")
                    yield Checkbox(label, id=f"c_{name}", compact=True)
            with TabPane("Mail", id="mail"), Grid():
                for name, label, default in MAIL:
                    yield Label(label)
                    yield Input("", id=f"m_{name}", compact=True, placeholder=default)
            with TabPane("People", id="people"):
                yield Table(id="users", cursor_type="row", zebra_stripes=True)
            with TabPane("Dunning", id="dunning"):
                yield Table(id="levels", cursor_type="row", zebra_stripes=True)
        yield Static("", id="error")

    def on_mount(self) -> None:
        table = self.query_one("#users", DataTable)
        for name, width in (("User", 12), ("Name", 24), ("Role", 11), ("Write-off limit", 16)):
            table.add_column(name, width=width)
        levels = self.query_one("#levels", DataTable)
        for name, width in (("Level", 5), ("Days", 5), ("Subject", 24), ("By", 6), ("Fee", 10)):
            levels.add_column(name, width=width)
        self.load()

    @work(thread=True, exclusive=True, group="settings.load")
    def load(self) -> None:
        from artui.dunning import levels

        def read(tx):  # noqa: ANN001, ANN202
            return (
                dict(tx.company()),
                settings.get_settings(tx, "mail."),
                users.list_users(tx),
                levels(tx),
            )

        company, mail, people, dunning = self.book.read(read)
        self.app.call_from_thread(self._show, company, mail, people)
        self.app.call_from_thread(self._show_levels, dunning)

    def _show_levels(self, levels: tuple) -> None:
        self.levels = list(levels)
        table = self.query_one("#levels", DataTable)
        table.clear()
        for lv in self.levels:
            table.add_row(
                plain(lv.level),
                plain(lv.days),
                plain(lv.subject),
                plain(lv.channel),
                money(lv.fee or None),
            )

    def _show(self, company: dict, mail: dict, people: list) -> None:
        self.company = company
        for name, _ in COMPANY_TEXT:
            value = company[name] or ""
            self.query_one(f"#c_{name}", Input).value = (
                " / ".join(value.splitlines()) if name == "address" else str(value)
            )
        for name, _ in COMPANY_MONEY:
            self.query_one(f"#c_{name}", Input).value = format_amount(company[name])
        self.query_one("#c_unknown_user", Input).value = company["unknown_user"]
        for name, _ in COMPANY_FLAGS:
            self.query_one(f"#c_{name}", Checkbox).value = bool(company[name])
        for name, _, _ in MAIL:
            value = mail.get(f"mail.{name}")
            self.query_one(f"#m_{name}", Input).value = "" if value is None else str(value)
        table = self.query_one("#users", DataTable)
        table.clear()
        self.people = people
        for u in people:
            table.add_row(plain(u.name), plain(u.full_name), plain(u.role), money(u.writeoff_limit))

    def action_save(self) -> None:
        tab = self.query_one(TabbedContent).active
        if tab == "company":
            changes = {n: self.query_one(f"#c_{n}", Input).value.strip() for n, _ in COMPANY_TEXT}
            changes["address"] = "\n".join(
                x.strip() for x in changes["address"].split("/") if x.strip()
            )
            for name, _ in COMPANY_MONEY:
                try:
                    changes[name] = parse_amount(
                        self.query_one(f"#c_{name}", Input).value, allow_negative=False
                    )
                except MoneyError as exc:
                    self._error(f"{name.replace('_', ' ')}: {exc}")
                    return
            changes["unknown_user"] = self.query_one("#c_unknown_user", Input).value.strip()
            for name, _ in COMPANY_FLAGS:
                changes[name] = self.query_one(f"#c_{name}", Checkbox).value
            self.save_company(changes)
        elif tab == "mail":
            values = {}
            for name, _, _ in MAIL:
                text = self.query_one(f"#m_{name}", Input).value.strip()
                if text:
                    values[f"mail.{name}"] = (
                        int(text) if name == "port" and text.isdigit() else text
                    )
            self.save_mail(values)

    @work(thread=True, exclusive=True, group="settings.save")
    def save_company(self, changes: dict) -> None:
        try:
            settings.update_company(self.book, self.company["version"], changes)
        except DomainError as exc:
            self.app.call_from_thread(self._error, str(exc))
            return
        self.app.call_from_thread(self._saved, "The company's settings are saved.")

    @work(thread=True, exclusive=True, group="settings.save")
    def save_mail(self, values: dict) -> None:
        try:
            self.book.write(lambda tx: [settings.set_setting(tx, k, v) for k, v in values.items()])
        except DomainError as exc:
            self.app.call_from_thread(self._error, str(exc))
            return
        self.app.call_from_thread(self._saved, "The mail server's settings are saved.")

    def _saved(self, message: str) -> None:
        self._error("")
        self.app.say(message)  # type: ignore[attr-defined]
        self.load()

    def _error(self, message: str) -> None:
        self.query_one("#error", Static).update(message)

    def action_add_user(self) -> None:
        from screens.prompt import Prompt

        self.app.push_screen(
            Prompt("A new user: their login name and role, e.g. 'maria clerk'.", "User"),
            lambda text: self.add(text) if text else None,
        )

    @work(thread=True, exclusive=True, group="settings.user")
    def add(self, text: str) -> None:
        name, _, role = text.partition(" ")
        try:
            users.add_user(self.book, name, role.strip() or "clerk")
        except DomainError as exc:
            self.app.call_from_thread(self._error, str(exc))
            return
        self.app.call_from_thread(self._saved, f"{name} can now use ARTUI.")

    def action_role(self) -> None:
        from screens.prompt import Prompt

        table = self.query_one("#users", DataTable)
        if self.query_one(TabbedContent).active != "people" or not self.people:
            return
        user = self.people[table.cursor_row]
        self.app.push_screen(
            Prompt(f"{user.name}'s role (clerk, supervisor, admin):", "Role", user.role),
            lambda role: self.set_role(user.name, role) if role else None,
        )

    @work(thread=True, exclusive=True, group="settings.user")
    def set_role(self, name: str, role: str) -> None:
        try:
            users.set_role(self.book, name, role.strip())
        except DomainError as exc:
            self.app.call_from_thread(self._error, str(exc))
            return
        self.app.call_from_thread(self._saved, f"{name} is now a {role.strip()}.")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "levels":
            level = self.levels[event.cursor_row]
            self.app.push_screen(LevelForm(level), self._level_edited)

    def _level_edited(self, level: object) -> None:
        from dataclasses import asdict

        if level is None:
            return
        kept = [lv for lv in self.levels if lv.level != level.level] + [level]  # type: ignore[attr-defined]
        self.save_levels([asdict(lv) for lv in sorted(kept, key=lambda lv: lv.days)])

    @work(thread=True, exclusive=True, group="settings.save")
    def save_levels(self, levels: list[dict]) -> None:
        try:
            settings.set_setting(self.book, "dunning.levels", levels)
        except DomainError as exc:
            self.app.call_from_thread(self._error, str(exc))
            return
        self.app.call_from_thread(self._saved, "The dunning levels are saved.")

    def action_back(self) -> None:
        self.app.pop_screen()


class LevelForm(Form):
    """One dunning level: after how many days past due, the letter, how it goes, a fee."""

    def __init__(self, level) -> None:  # noqa: ANN001
        super().__init__()
        self.level = level
        self.title_text = f"Dunning level {level.level} ({{past_due}} in the text is the amount)"

    def fields(self) -> list[tuple[str, str, str]]:
        lv = self.level
        return [
            ("days", "Days past due", str(lv.days)),
            ("subject", "Subject", lv.subject),
            ("text", "Letter", lv.text),
            ("channel", "By (email/letter)", lv.channel),
            ("fee", "Fee", format_amount(lv.fee) if lv.fee else ""),
        ]

    def action_save(self) -> None:
        from dataclasses import replace

        days = self.value("days").strip()
        if not days.isdigit():
            self.show_errors({"days": "A number of days."})
            return
        channel = self.value("channel").strip().lower()
        if channel not in ("email", "letter"):
            self.show_errors({"channel": "email or letter"})
            return
        try:
            fee = (
                parse_amount(self.value("fee"), allow_negative=False)
                if self.value("fee").strip()
                else 0
            )
        except MoneyError as exc:
            self.show_errors({"fee": str(exc)})
            return
        text = self.value("text").strip()
        try:
            text.format(past_due="1.00")
        except (KeyError, IndexError, ValueError):
            self.show_errors({"text": "Only {past_due} may stand in braces: it is the amount."})
            return
        if "{past_due}" not in text:
            self.show_errors({"text": "Keep {past_due} in the letter: it is the amount."})
            return
        self.dismiss(
            replace(
                self.level,
                days=int(days),
                subject=self.value("subject").strip(),
                text=self.value("text").strip(),
                channel=channel,
                fee=fee,
            )
        )
