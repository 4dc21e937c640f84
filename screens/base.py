"""What every working screen has: the status line and the footer of keys."""

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class WorkScreen(Screen):
    """A full screen with the status line and footer under its body."""

    dirty = False  # something typed and not saved (asked about on quit)

    def compose_body(self) -> ComposeResult:
        yield from ()

    def compose(self) -> ComposeResult:
        yield from self.compose_body()
        yield self.app.status_line()  # type: ignore[attr-defined]
        yield Footer()

    @property
    def book(self):  # noqa: ANN201
        return self.app.book  # type: ignore[attr-defined]
