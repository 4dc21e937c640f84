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
        for parts in ((self.user, self.book, self.day), (self.user, self.day), (self.user,)):
            line = self._line(parts)
            if not self.message or line.cell_len <= self.content_size.width:
                return line
        return self._line(())

    def _line(self, parts: tuple[str, ...]) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        for n, part in enumerate(parts):
            if n:
                line.append(" · ")
            line.append(part, "" if n else "bold")
        if self.message:
            line.append("  " if parts else "")
            line.append(self.message)
        return line

    def watch_error(self, value: bool) -> None:
        self.set_class(value, "-error")

    def say(self, message: str, *, error: bool = False) -> None:
        self.message = message
        self.error = error
