"""A table that draws only the rows on screen (Textual's line API), so 100,000 rows
sort, filter and scroll as quickly as 100.

Rows are tuples of plain values; each column says how to show a value and how to
align it. Sorting and filtering work on the values, not on their text. Cells are
written as plain segments (never markup), with control characters made visible.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from gmtui.api.text import clean


@dataclass(frozen=True)
class Column:
    title: str
    width: int
    fmt: Callable[[Any], str] = str
    right: bool = False
    key: Callable[[Any], Any] | None = None  # sort key for the value (default: the value)


class VirtualTable(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    VirtualTable { background: $surface; }
    VirtualTable > .vtable--header { text-style: bold; color: $accent; }
    VirtualTable > .vtable--cursor { background: $accent 40%; }
    VirtualTable:focus > .vtable--cursor { background: $accent; color: $text; }
    """
    COMPONENT_CLASSES = {"vtable--header", "vtable--cursor"}
    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "edge(-1)", "First", show=False),
        Binding("end,G", "edge(1)", "Last", show=False),
        Binding("s", "sort_next", "Sort", id="table.sort", show=False),  # in `?`: the footer keeps the screen's keys
        Binding("S", "reverse", "Reverse", id="table.reverse", show=False),
    ]

    cursor = reactive(0)

    @dataclass
    class Highlighted(Message):
        table: VirtualTable
        row: tuple[Any, ...] | None

    def __init__(self, columns: Sequence[Column], **kw: Any):
        super().__init__(**kw)
        self.columns = list(columns)
        self._all: list[tuple[Any, ...]] = []
        self.rows: list[tuple[Any, ...]] = []
        self.sort_column: int | None = None
        self.descending = False
        self.filter_text = ""
        self._match: Callable[[tuple[Any, ...], str], bool] = _contains

    # ---- data
    def set_rows(self, rows: Sequence[tuple[Any, ...]], match: Callable[[tuple[Any, ...], str], bool] | None = None) -> None:
        self._all = list(rows)
        if match is not None:
            self._match = match
        self._rebuild()

    def mask(self, indexes: set[int], on: bool, mask: str = "•••••••") -> None:
        """Show ``mask`` instead of the values of the columns at ``indexes`` (presenter mode)."""
        if not hasattr(self, "_plain"):
            self._plain = list(self.columns)
        def hidden(_value: Any) -> str:
            return mask

        self.columns = [Column(c.title, c.width, hidden, c.right, c.key) if on and i in indexes else c
                        for i, c in enumerate(self._plain)]
        self.refresh()

    def set_filter(self, text: str) -> None:
        self.filter_text = text.strip().lower()
        self._rebuild()

    def sort_by(self, column: int, descending: bool | None = None) -> None:
        self.sort_column = column
        if descending is not None:
            self.descending = descending
        self._rebuild()

    def _rebuild(self) -> None:
        chosen = self.rows[self.cursor] if self.rows and self.cursor < len(self.rows) else None
        rows = [r for r in self._all if self._match(r, self.filter_text)] if self.filter_text else list(self._all)
        if self.sort_column is not None:
            col = self.columns[self.sort_column]
            key = col.key or (lambda v: v)
            i = self.sort_column
            rows.sort(key=lambda r: key(r[i]), reverse=self.descending)
        self.rows = rows
        self.virtual_size = Size(self.total_width, len(rows) + 1)
        new = rows.index(chosen) if chosen is not None and len(rows) < 200_000 and chosen in rows else 0
        self.cursor = min(new, max(0, len(rows) - 1))
        self._post_highlight()
        self.refresh()

    @property
    def total(self) -> int:
        """Rows before the filter."""
        return len(self._all)

    @property
    def total_width(self) -> int:
        return sum(c.width + 1 for c in self.columns)

    @property
    def current(self) -> tuple[Any, ...] | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    # ---- keys
    def action_move(self, delta: int) -> None:
        self.cursor = max(0, min(len(self.rows) - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(1, self.scrollable_content_region.height - 2))

    def action_edge(self, direction: int) -> None:
        self.cursor = 0 if direction < 0 else max(0, len(self.rows) - 1)

    def action_sort_next(self) -> None:
        nxt = 0 if self.sort_column is None else (self.sort_column + 1) % len(self.columns)
        self.sort_by(nxt)

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self._rebuild()

    def watch_cursor(self, old: int, new: int) -> None:
        height = self.scrollable_content_region.height - 1  # the header line stays
        if height > 0:
            top = self.scroll_offset.y
            if new < top:
                self.scroll_to(y=new, animate=False)
            elif new >= top + height:
                self.scroll_to(y=new - height + 1, animate=False)
        self._post_highlight()
        self.refresh()

    def _post_highlight(self) -> None:
        self.post_message(self.Highlighted(self, self.current))

    def on_click(self, event: Any) -> None:
        row = event.y - 1 + self.scroll_offset.y
        if event.y >= 1 and 0 <= row < len(self.rows):
            self.cursor = row

    # ---- drawing
    def _cells(self, values: Sequence[str]) -> str:
        out = []
        for col, text in zip(self.columns, values, strict=True):
            text = clean(text, limit=col.width)
            out.append(text.rjust(col.width) if col.right else text.ljust(col.width))
        return " ".join(out)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        x = self.scroll_offset.x
        if y == 0:
            titles = []
            for i, col in enumerate(self.columns):
                mark = (" ▼" if self.descending else " ▲") if i == self.sort_column else ""
                titles.append(col.title + mark)
            style = self.get_component_rich_style("vtable--header")
            return Strip([Segment(self._cells(titles), style)]).crop(x, x + width).extend_cell_length(width, style)
        index = y - 1 + self.scroll_offset.y
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        row = self.rows[index]
        text = self._cells([col.fmt(v) for col, v in zip(self.columns, row, strict=False)])
        style = self.get_component_rich_style("vtable--cursor") if index == self.cursor else self.rich_style
        return Strip([Segment(text, style)]).crop(x, x + width).extend_cell_length(width, style or Style())


def _contains(row: tuple[Any, ...], text: str) -> bool:
    return any(text in str(v).lower() for v in row)
