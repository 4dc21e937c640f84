"""F1: every key that works on the screen below, and the global ones."""

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
        last = last.upper() if len(last) == 1 or last.startswith("f") else last.title()
        return "+".join([*(m.title() for m in mods), last])

    return "/".join(one(k) for k in key.split(","))


class HelpScreen(ModalScreen):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 70; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape,f1,question_mark,q", "dismiss", "Close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, expand=True)
        table.add_column(style="bold", width=14)
        table.add_column()
        seen = set()
        title = Text(f"Keys: {type(self.under).__name__.removesuffix('Screen')}", style="bold")
        for source in (self.under, self.app):
            for binding in getattr(source, "BINDINGS", []):
                if not isinstance(binding, Binding) or binding.description in ("",):
                    continue
                k = key_name(binding.key)
                if (k, binding.description) in seen:
                    continue
                seen.add((k, binding.description))
                table.add_row(k, binding.description)
        table.add_row("Ctrl+P", "command palette: every screen, action and customer")
        with VerticalScroll(can_focus=False):
            yield Static(title)
            yield Static(table)
            yield Static("Esc closes")

    async def action_dismiss(self, result: object = None) -> None:
        self.dismiss()
