"""The dashboard's colours for the mode ``gmtui.display.color_mode`` chose.

Textual draws with the colour system its console detected from COLORTERM and TERM;
``apply`` sets it to the chosen one instead. In 16 colours the default theme's orange
(accents, warnings) becomes the terminal's bright red, the error colour: there the
dashboard uses ``SIXTEEN``, a theme of the terminal's own ANSI colours where errors
alone are red (warnings yellow, accents cyan). ``none`` is NO_COLOR's rendition: shades
of grey (the states that matter are also said in words).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.filter import Monochrome
from textual.theme import BUILTIN_THEMES

if TYPE_CHECKING:
    from textual.app import App

SYSTEMS = {"truecolor": ColorSystem.TRUECOLOR, "256": ColorSystem.EIGHT_BIT, "16": ColorSystem.STANDARD}

SIXTEEN = dataclasses.replace(
    BUILTIN_THEMES["ansi-dark"],  # the terminal's own palette and background
    name="gmtui-16",
    primary="ansi_blue",
    secondary="ansi_cyan",
    accent="ansi_bright_cyan",
    warning="ansi_yellow",
    error="ansi_red",
    success="ansi_green",
    variables={**BUILTIN_THEMES["ansi-dark"].variables, "footer-key-foreground": "ansi_bright_cyan"},
)


class NoColor(Monochrome):
    """Textual's NO_COLOR filter, which fails on segments without a style (the chart
    canvas draws some): those stay without one."""

    def apply(self, segments: list[Segment], background: Any) -> list[Segment]:
        return super().apply([Segment(text, style or Style.null(), control) for text, style, control in segments],
                             background)


def apply(app: App[Any], mode: str | None) -> None:
    """Draw ``app`` in ``mode`` (truecolor, 256, 16 or none; None: as Textual detected).
    Called from the app's constructor, before anything is drawn. Textual's own NO_COLOR
    filter is replaced by ``NoColor`` whatever the mode."""
    app._filters = [NoColor() if type(f) is Monochrome else f for f in app._filters]
    if mode in SYSTEMS:
        # Textual renders with its console's colour system (Strip.render reads this
        # attribute); Rich offers no other way to change it once the console exists.
        app.console._color_system = SYSTEMS[mode]
    if mode == "16":
        app.register_theme(SIXTEEN)
        app.theme = SIXTEEN.name
    if mode == "none" and not any(isinstance(f, Monochrome) for f in app._filters):
        app.no_color = True
        app._filters.append(NoColor())
