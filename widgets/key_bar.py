"""The bar of keys at the foot of every screen.

Textual's Footer builds a widget per key and rebuilds them all whenever the bindings
change (a screen opens, the focus moves): about thirty widgets styled anew on every
account opened, most of the time it took. This bar is one line of text, redrawn only
when the keys it shows change (or the theme); a key is still clickable.
"""

from rich.style import Style
from rich.text import Text
from textual.screen import Screen
from textual.widget import Widget


class KeyBar(Widget):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-description-foreground;
    }
    KeyBar > .key-bar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .key-bar--disabled { text-style: dim; }
    """
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--disabled"}

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple = ()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self._bindings_changed, self.screen)

    def _bindings_changed(self, screen: Screen) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        keys = self._keys()
        if keys != self._shown:  # an unchanged bar is not sent to the terminal again
            self._shown = keys
            self.refresh()

    def _keys(self) -> tuple:
        """(key, what is shown for it, description, enabled) of each key shown, one per
        action; the command palette's key last."""
        app = self.app
        seen: set[str] = set()
        out = []
        active = self.screen.active_bindings
        palette = app.COMMAND_PALETTE_BINDING if app.ENABLE_COMMAND_PALETTE else None
        for key, (_node, binding, enabled, _tooltip) in active.items():
            if binding.show and binding.action not in seen and key != palette:
                seen.add(binding.action)
                out.append((key, app.get_key_display(binding), binding.description, enabled))
        if palette in active:
            _node, binding, enabled, _tooltip = active[palette]
            out.append((palette, app.get_key_display(binding), binding.description, enabled))
        return tuple(out)

    def render(self) -> Text:
        """The keys from the left, the command palette's at the right edge (it reaches
        every other action)."""
        keys = list(self._shown)
        palette = None
        if keys and keys[-1][0] == self.app.COMMAND_PALETTE_BINDING:
            palette = self._key_text(keys.pop())
        width = self.size.width
        text = Text(no_wrap=True, overflow="crop", end="")
        room = width - (palette.cell_len + 1 if palette is not None else 0)
        for k in keys:
            part = self._key_text(k)
            if text.cell_len + part.cell_len > room:
                break
            text.append_text(part)
        if palette is not None:
            text.pad_right(width - text.cell_len - palette.cell_len)
            text.append_text(palette)
        return text

    def _key_text(self, k: tuple) -> Text:
        key, shown, description, enabled = k
        click = Style.from_meta({"@click": f"app.simulate_key({key!r})"})
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        dim = self.get_component_rich_style("key-bar--disabled", partial=True)
        part = Text(end="")
        part.append(f" {shown} ", (key_style if enabled else dim) + click)
        part.append(f"{description} ", (Style() if enabled else dim) + click)
        return part
