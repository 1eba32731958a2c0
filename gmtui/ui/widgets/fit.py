"""When a terminal counts as large: from 120x34 up, sections spread out (the Overview
adds its chart, top miners and balances; Miners widens its pane; Wallets' tables hug
their rows). A screen calls ``fit`` on resize and on resume; CSS reads ``-large``."""

from __future__ import annotations

from typing import Any

from textual.geometry import Size
from textual.screen import Screen

LARGE = Size(120, 34)  # columns, rows


def fit(screen: Screen[Any], size: Size) -> bool:
    """Set ``screen``'s ``-large`` class for ``size``; True when it changed."""
    large = size.width >= LARGE.width and size.height >= LARGE.height
    if large == screen.has_class("-large"):
        return False
    screen.set_class(large, "-large")
    return True
