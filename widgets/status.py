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
        """Who, which book and the date, then the message. A message that would not fit
        beside them all has the room of the book's name, then of the date, then of the
        user: at 80 columns "Statement run 1: 249 statements in" was all of a sentence
        whose end said where they went."""
        room = self.content_size.width
        prefixes = [(self.user, self.book, self.day), (self.user, self.day), (self.user,), ()]
        for parts in prefixes:
            line = Text(no_wrap=True, overflow="ellipsis")
            for n, part in enumerate(parts):
                line.append(part, "bold" if n == 0 else "")
                if n < len(parts) - 1:
                    line.append(" · ")
            if self.message:
                line.append("  " if parts else "")
                line.append(self.message)
            if not self.message or line.cell_len <= room or not parts:
                return line
        return line  # unreachable: the message alone is the last resort

    def watch_error(self, value: bool) -> None:
        self.set_class(value, "-error")

    def say(self, message: str, *, error: bool = False) -> None:
        self.message = message
        self.error = error
