"""One question with a typed answer (a reason, a file name); returns the text or None."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


class Prompt(ModalScreen[str | None]):
    DEFAULT_CSS = """
    Prompt { align: center middle; }
    Prompt > Vertical {
        width: 70; max-width: 100%; height: auto; border: round $accent;
        background: $surface; padding: 0 1;
    }
    Prompt Horizontal { height: 1; }
    Prompt Label { padding: 0 1 0 0; }
    Prompt Input { width: 1fr; }
    Prompt #prompt-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, label: str, value: str = "") -> None:
        super().__init__()
        self.question, self.label, self.value = question, label, value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, markup=False)
            with Horizontal():
                yield Label(self.label)
                yield Input(self.value, id="answer", compact=True)
            yield Static("", id="prompt-error")
            yield Label("Enter confirms · Esc cancels")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self.query_one("#prompt-error", Static).update(f"Type the {self.label.lower()}.")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
