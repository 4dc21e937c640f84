"""The status line: who, which book, the working date, and the last message."""

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        background: $panel;
        color: $text;
        padding: 0 1;
    }
    StatusLine.-error { background: $error; color: $text; }
    """

    message: reactive[str] = reactive("")
    error: reactive[bool] = reactive(False)

    def __init__(self, user: str, book: str, day: str) -> None:
        super().__init__("")
        self.user, self.book, self.day = user, book, day

    def render(self) -> Text:
        left = Text.assemble((self.user, "bold"), " · ", self.book, " · ", self.day)
        if self.message:
            left.append("  ")
            left.append(self.message)
        left.no_wrap = True
        left.overflow = "ellipsis"
        return left

    def watch_error(self, value: bool) -> None:
        self.set_class(value, "-error")

    def say(self, message: str, *, error: bool = False) -> None:
        self.message = message
        self.error = error
