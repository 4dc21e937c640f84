"""A DataTable that draws its one-line cells without Rich's general layout.

Drawing cells was most of the time between a keystroke in the lookup and its results on
screen, and of opening an account: DataTable hands every cell to Rich as a padded, styled
renderable to be laid out and wrapped, about a millisecond a cell. A one-line cell of
text needs only truncating, justifying and padding; that is done here directly, and
anything else (several lines, a renderable that is not text) goes the general way.
Moving the cursor, DataTable drew every line again; here only the lines that change.
"""

from itertools import chain

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._segment_tools import line_crop  # noqa: PLC2701
from textual.css.styles import RenderStyles, Styles
from textual.geometry import Size
from textual.render import measure
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets._data_table import CellCacheKey  # noqa: PLC2701


def cell_line(text: Text, width: int, padding: int, console, pre: Style, post: Style | None):  # noqa: ANN001, ANN201
    """The segments of one cell `width` cells wide: `text` on one line, cut with its
    overflow, justified, padded, styled as DataTable styles it (`pre` under the text's
    own styles, `post` over them)."""
    inner = max(0, width - 2 * padding)
    t = text.copy()
    if t.style:  # the text's own style becomes its lowest span, as Rich does
        t.stylize_before(t.style, 0, len(t))
        t.style = ""
    overflow = "ellipsis" if t.overflow == "ellipsis" else "crop"
    justify = t.justify
    if justify in ("right", "center"):
        t.truncate(inner, overflow=overflow)
        gap = inner - t.cell_len
        left = gap if justify == "right" else gap // 2
        t.pad_left(left)
        t.pad_right(gap - left)
    else:
        t.truncate(inner, overflow=overflow, pad=True)
    segments = list(t.render(console))
    if padding:
        pad = Segment(" " * padding)
        segments = [pad, *segments, pad]
    return [list(Segment.apply_style(segments, pre, post))]


class _FrameStyles(RenderStyles):
    """A component's styles kept for one repaint: its Rich style worked out once."""

    _rich: Style | None = None

    @property
    def rich_style(self) -> Style:
        if self._rich is None:
            self._rich = super().rich_style
        return self._rich


class Table(DataTable):
    """DataTable with the fast one-line cell; used wherever a table can be long."""

    _frame_style: Style | None = None

    def add_column(self, label=None, *, width=None, key=None, default=None):  # noqa: ANN001, ANN201
        # A heading is shown as written: DataTable reads a str as markup, whose emoji
        # table alone costs ~15 ms of the first screen.
        if isinstance(label, str):
            label = Text(label)
        return super().add_column(label, width=width, key=key, default=default)

    _ordered: tuple = ((), None)

    @property
    def ordered_columns(self) -> list:
        # DataTable works the order out again for every line and every cell; it only
        # changes when columns are added or removed (or all cleared).
        key = (id(self.columns), len(self.columns), id(self._column_locations))
        if self._ordered[1] != key:
            self._ordered = (DataTable.ordered_columns.fget(self), key)  # type: ignore[attr-defined]
        return self._ordered[0]

    def settle(self) -> None:
        """Work out the table's size now, as its rows are added, rather than when the
        app is next idle: a screen filled and shown in one go is then laid out once, not
        once for the rows and again for each change they bring (a scroll bar)."""
        if self._require_update_dimensions:
            self._require_update_dimensions = False
            new_rows = self._new_rows.copy()
            self._new_rows.clear()
            self._update_dimensions(new_rows)

    _frame_components: dict | None = None
    _frame_state: tuple | None = None

    def _state(self) -> tuple:
        """What drawing a cell reads from the widget's reactives (each read goes through
        Textual's descriptor): read once per repaint."""
        return (
            self._show_hover_cursor,
            self._pseudo_class_state,
            self.fixed_rows,
            self.fixed_columns,
            self.show_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )

    def get_component_styles(self, *names: str) -> RenderStyles:
        # DataTable asks for its header and row-stripe styles (a new merged object, and
        # a walk up the DOM for its Rich style) for every line it draws; within one
        # repaint they cannot change.
        cache = self._frame_components
        if cache is None:
            return super().get_component_styles(*names)
        styles = cache.get(names)
        if styles is None:
            styles = cache[names] = _FrameStyles(self, Styles(), Styles())
            for name in names:
                node = self._component_styles[name].node
                assert node is not None
                styles._update_node(node)
                styles.base.merge(self._component_styles[name].base)
                styles.inline.merge(self._component_styles[name].inline)
                styles._updates += 1
        return styles

    def render_lines(self, crop):  # noqa: ANN001, ANN201
        # DataTable works out the widget's style (a walk up the DOM) once per line: once
        # per repaint is enough.
        self._frame_style = self.rich_style
        self._frame_components = {}
        self._frame_state = self._state()
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style = None
            self._frame_components = None
            self._frame_state = None

    def render_line(self, y: int) -> Strip:
        style = self._frame_style
        if style is None:
            return super().render_line(y)
        scroll_x, scroll_y = self.scroll_offset
        fixed = sum(
            self.get_row_height(self._row_locations.get_key(i)) for i in range(self.fixed_rows)
        )
        if self.show_header:
            fixed += self.get_row_height(self._header_row_key)
        if y >= fixed:
            y += scroll_y
        return self._render_line(y, scroll_x, scroll_x + self.size.width, style)

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        """DataTable keys each drawn line on the cursor's position, so a move of the
        cursor draws every line again, and a table that scrolls by a row draws all its
        rows anew; a row cursor changes only its own row, so the line is keyed on
        whether the cursor (and the mouse) is on it."""
        if self.cursor_type != "row":
            return super()._render_line(y, x1, x2, base_style)
        width = self.size.width
        try:
            row_key, y_offset = self._get_offsets(y)
        except LookupError:
            return Strip.blank(width, base_style)
        row = self._row_locations.get(row_key)  # None for the header
        row = -1 if row is None else row
        key = (
            y,
            x1,
            x2,
            width,
            self.show_cursor and self.cursor_coordinate.row == row,
            self.hover_coordinate.row == row,
            base_style,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cache = self._line_cache
        if key in cache:
            return cache[key]
        fixed, scrollable = self._render_line_in_row(
            row_key,
            y_offset,
            base_style,
            cursor_location=self.cursor_coordinate,
            hover_location=self.hover_coordinate,
        )
        fixed_width = sum(
            c.get_render_width(self) for c in self.ordered_columns[: self.fixed_columns]
        )
        fixed_line: list[Segment] = list(chain.from_iterable(fixed)) if fixed else []
        scrollable_line: list[Segment] = list(chain.from_iterable(scrollable))
        segments = fixed_line + line_crop(scrollable_line, x1 + fixed_width, x2, width)
        strip = Strip(segments).adjust_cell_length(width, base_style).simplify()
        cache[key] = strip
        return strip

    def _update_dimensions(self, new_rows) -> None:  # noqa: ANN001
        """DataTable measures every new cell to size its columns; when every column has
        a width of its own the measures are thrown away, so they are not taken."""
        new_rows = list(new_rows)
        if any(
            (row := self.rows.get(key)) is not None and (row.label is not None or row.auto_height)
            for key in new_rows
        ):
            super()._update_dimensions(new_rows)
            return
        if any(c.auto_width for c in self.columns.values()):
            self._measure_cells(new_rows)
        width = sum(c.get_render_width(self) for c in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(
            width + self._row_label_column_width, self._total_row_height + header
        )

    def _measure_cells(self, new_rows: list) -> None:
        """Widen the columns to the new cells: a one-line text is as wide as its cells
        (what Rich's measuring works out, at a fraction of the cost: a page of forty
        rows took ~10 ms to measure)."""
        console = self.app.console
        columns = self.ordered_columns
        locations = self._row_locations
        for key in new_rows:
            index = locations.get(key)
            if index is None:  # removed before it was measured
                continue
            for column, cell in zip(columns, self._get_row_renderables(index)[1], strict=False):
                if isinstance(cell, Text) and "\n" not in cell.plain and "\t" not in cell.plain:
                    width = cell.cell_len
                else:
                    width = measure(console, cell, 1)
                if width > column.content_width:
                    column.content_width = width

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ):  # noqa: ANN202
        is_header = row_index == -1
        is_label = column_index == -1
        if is_label:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._header_row_key if is_header else self._row_locations.get_key(row_index)
        if not is_header and self.rows[row_key].height != 1:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        frame = self._frame_state or self._state()
        hover_cursor, pseudo, fixed_rows, fixed_columns, show_cursor, fg_css, bg_css = frame
        column_key = self._column_locations.get_key(column_index)
        key: CellCacheKey = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            hover_cursor,
            self._update_count,
            pseudo,
        )
        cache = self._cell_render_cache
        if key in cache:
            return cache[key]
        row_label, row_cells = self._get_row_renderables(row_index)
        cell = row_cells[column_index]
        if not isinstance(cell, Text) or "\n" in cell.plain:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        fixed = not is_header and (row_index < fixed_rows or column_index < fixed_columns)
        component_style, post_style = self._get_styles_to_render_cell(
            is_header, False, fixed, hover, cursor, show_cursor, hover_cursor, fg_css, bg_css
        )
        pre = (
            base_style
            + Style.from_meta({"row": row_index, "column": column_index})
            + component_style
        )
        lines = cell_line(cell, width, self.cell_padding, self.app.console, pre, post_style)
        cache[key] = lines
        return lines
