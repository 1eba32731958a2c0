"""The help overlay: every key of the screen underneath, then the global ones."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


GROUPS = ("This screen", "Everywhere", "In the focused widget")


def key_rows(screen: Screen) -> list[tuple[str, str]]:
    """(keys, description) of every binding active on ``screen``: the screen's own,
    then the global ones, then the focused widget's; a heading before each group."""
    groups: dict[str, list[tuple[str, str]]] = {g: [] for g in GROUPS}
    seen: set[tuple[str, str]] = set()
    for active in screen.active_bindings.values():
        b = active.binding
        if not b.description or (b.action, b.description) in seen:
            continue
        seen.add((b.action, b.description))
        group = GROUPS[0] if active.node is screen else GROUPS[1] if active.node is screen.app else GROUPS[2]
        groups[group].append((b.key_display or screen.app.get_key_display(b), b.description))
    rows: list[tuple[str, str]] = []
    for name, items in groups.items():
        if items:
            rows += [("", f"[b]{name}[/]"), *items]
    return rows


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    #help { width: 72; max-width: 95%; height: auto; max-height: 90%;
            border: round $accent; background: $panel; padding: 0 1; }
    #guide { margin-bottom: 1; }
    """
    BINDINGS = [Binding("escape,question_mark,f1,q", "dismiss", "Close", id="help.close")]

    def __init__(self, title: str, rows: list[tuple[str, str]], guide: str = ""):
        super().__init__()
        self.title_text = title
        self.rows = rows
        self.guide = guide

    def compose(self) -> ComposeResult:
        width = max((len(k) for k, _ in self.rows), default=4) + 2
        # The keys as text, not markup: `[` and `]` are keys too (Earnings' range).
        lines = [Content.assemble((f"{k:<{width}}", "bold $accent"), Content.from_markup(d) if not k else d)
                 for k, d in self.rows]
        parts = [Static(self.guide, id="guide")] if self.guide else []
        box = VerticalScroll(*parts, Static(Content("\n").join(lines)), id="help")
        box.border_title = f"{self.title_text}: what you see, and the keys" if self.guide else f"Keys: {self.title_text}"
        box.border_subtitle = "esc closes"
        yield box
