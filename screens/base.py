"""What every working screen has: the status line and the footer of keys."""

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import ScreenResume
from textual.screen import Screen
from textual.widgets import Input, Static

from widgets.key_bar import KeyBar

T = TypeVar("T")


def when_typed(screen: Screen, callback: Callable[..., object], *args: object) -> None:
    """Run `callback` once every field of `screen` has handled the keys already sent to
    it: a priority key acts when it arrives, while characters typed just before it may
    still wait in a field's queue."""
    boxes = list(screen.query(Input))

    def step(i: int) -> None:
        if i == len(boxes):
            callback(*args)
        else:
            boxes[i].call_later(step, i + 1)

    step(0)


class WorkScreen(Screen):
    """A full screen with the status line and footer under its body."""

    dirty = False  # something typed and not saved (asked about on quit)

    # Priority bindings act when the key arrives, before the next key is handed to a
    # widget: keys typed ahead (a fast typist, a burst over SSH) land in the next field.
    BINDINGS = [
        Binding("tab", "next_focus", "Next field", show=False, priority=True),
        Binding("shift+tab", "previous_focus", "Previous field", show=False, priority=True),
    ]

    _styled_for: str | None = None  # the theme this screen's styles were applied under

    def _on_screen_resume(self, event: ScreenResume) -> None:
        # Textual restyles every widget of a screen each time it is pushed (though not
        # when the screen above it is popped): a third of opening an account. The styles
        # only go stale when the theme changed while the screen was away. (Textual calls
        # this handler and then Screen's own, so no super() call.)
        theme = self.app.theme
        if self._styled_for == theme:
            event.refresh_styles = False
        self._styled_for = theme

    def when_typed(self, callback: Callable[..., object], *args: object) -> None:
        when_typed(self, callback, *args)

    def action_next_focus(self) -> None:
        self.focus_next()

    def action_previous_focus(self) -> None:
        self.focus_previous()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def compose(self) -> ComposeResult:
        yield from self.compose_body()
        yield self.app.status_line()  # type: ignore[attr-defined]
        yield KeyBar()

    @property
    def book(self):  # noqa: ANN201
        return self.app.book  # type: ignore[attr-defined]

    # -- criteria forms: fields read together, a refusal shown beside them ----------
    def checked(self, read: Callable[[], T]) -> T | None:
        """Run `read`; a ValueError(field id, sentence) marks that Input and shows the
        sentence in the screen's #error line, and gives None."""
        for box in self.query(Input):
            box.remove_class("-invalid")
        error = self.query_one("#error", Static)
        try:
            value = read()
        except ValueError as exc:
            field, message = exc.args
            self.query_one(f"#{field}", Input).add_class("-invalid")
            error.update(message)
            return None
        error.update("")
        return value

    def read_day(self, field: str, *, required: bool = False) -> dt.date | None:
        """The date typed in Input #field (any form a clerk types), or None when blank."""
        from artui.dates import DateError, parse_date

        text = self.query_one(f"#{field}", Input).value.strip()
        if not text and not required:
            return None
        try:
            return parse_date(text, self.book.today())
        except DateError as exc:
            raise ValueError(field, f"{field.replace('_', ' ')}: {exc}") from None
