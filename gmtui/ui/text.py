"""Outside text on screen: every string from a server, a file or a person reaches a
widget through here, as plain Textual content (never parsed as markup, so a name
like ``[@click=app.quit]`` is just text and ``[/]`` cannot crash), with control
characters made visible (``gmtui.api.text.clean``). gmtui's own styling goes in a
template whose ``$name`` slots take the outside values as plain text."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content
from textual.markup import escape

from gmtui.api.text import clean


def plain(value: object, *, limit: int | None = None, newlines: bool = False) -> Content:
    """``value`` as plain content."""
    return Content(clean(value, limit=limit, newlines=newlines))


def markup(template: str, **values: object) -> Content:
    """gmtui's ``template`` (markup of its own) with each ``$name`` filled by a value as
    plain text."""
    return Content.from_markup(template, **{k: clean(v, limit=500) for k, v in values.items()})


def rich_plain(value: object) -> Text:
    """``value`` as a Rich Text, for widgets that take Rich renderables (DataTable, Select)."""
    return Text(clean(value))


def escaped(value: object) -> str:
    """``value`` escaped for the few Textual APIs that only take markup strings (the
    command palette's titles)."""
    return escape(clean(value, limit=200))
