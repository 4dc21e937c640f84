"""F1: every key that works on the screen below, and the global ones."""

import re

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

NAMES = {"question_mark": "?", "escape": "Esc", "enter": "Enter", "down": "↓", "up": "↑"}


def key_name(key: str) -> str:
    """`ctrl+n` -> `Ctrl+N`, `f1` -> `F1`, `question_mark` -> `?`."""

    def one(k: str) -> str:
        if k in NAMES:
            return NAMES[k]
        *mods, last = k.split("+")
        if re.fullmatch(r"f\d+", last) or (mods and len(last) == 1):
            last = last.upper()  # F5, Ctrl+N
        elif len(last) > 1:
            last = last.title()  # Delete, Space
        # a bare letter stays as typed: `e`, as the key bar shows it (E would be Shift+E)
        return "+".join([*(m.title() for m in mods), last])

    return "/".join(one(k) for k in key.split(","))


class HelpScreen(ModalScreen):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 78; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """
    # Beyond this many keys they go in two columns: the account's 37 in one column ran
    # off a 24-row terminal, and the list could not be scrolled from the keyboard.
    ONE_COLUMN = 16
    BINDINGS = [Binding("escape,f1,question_mark,q", "dismiss", "Close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        # one row an action: its keys together (F2/Ctrl+F), in the order first met
        by_action: dict[tuple[str, str], list[str]] = {}
        title = Text(f"Keys: {type(self.under).__name__.removesuffix('Screen')}", style="bold")
        for source in (self.under, self.app):
            for binding in getattr(source, "BINDINGS", []):
                if not isinstance(binding, Binding) or binding.description in ("",):
                    continue
                names = by_action.setdefault((binding.action, binding.description), [])
                for k in key_name(binding.key).split("/"):
                    if k not in names:
                        names.append(k)
        keys = [("/".join(names), what) for (_, what), names in by_action.items()]
        table = Table(box=None, show_header=False, expand=True, padding=(0, 1, 0, 0))
        columns = 2 if len(keys) > self.ONE_COLUMN else 1
        for _ in range(columns):
            table.add_column(style="bold", width=12 if columns == 2 else 14, no_wrap=True)
            table.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
        rows = -(-len(keys) // columns)
        for i in range(rows):
            cells: list[str] = []
            for c in range(columns):
                cells += keys[i + c * rows] if i + c * rows < len(keys) else ("", "")
            table.add_row(*cells)
        palette = "Ctrl+P: the command palette: every screen, action and customer"
        with VerticalScroll():  # ↑/↓ scroll it should it still not fit
            yield Static(title)
            yield Static(table)
            yield Static(f"{palette}\nEsc closes")

    async def action_dismiss(self, result: object = None) -> None:
        self.dismiss()
