"""What brings the dashboard's first frame and first figures sooner (benchmarks/tui.py
measures both against a bare Textual app).

- ``Sheet``: Textual parses every CSS source again each time a screen's CSS is added or
  the CSS is refreshed, three times before the first frame (~10 ms); ``Sheet`` parses a
  source once for a given set of variables (a theme change parses them all again).
- The collector: the start makes some 200,000 objects that live as long as the app,
  and the collector walks them again and again as they are made (~16 ms before the
  first frame). ``gmtui.cli`` turns it off before importing the dashboard (and on again
  if the app ends first); ``resume``, run by the app ``RESUME_S`` after it starts,
  collects once, sets the objects alive then aside for good (``gc.freeze``: later
  collections skip them) and turns it on again.
"""

from __future__ import annotations

import gc

from textual.cache import LRUCache
from textual.css.stylesheet import Stylesheet

RESUME_S = 2.0  # after the app's start: the first figures are in by then, on the demo and a near server


class Sheet(Stylesheet):
    """Textual's stylesheet, each source parsed once per set of variables."""

    def __init__(self, *, variables: dict[str, str] | None = None) -> None:
        super().__init__(variables=variables)
        self._parse_cache = LRUCache(256)  # every source of every screen (Textual keeps 64)

    def set_variables(self, variables: dict[str, str]) -> None:
        if variables != self._variables:  # the same ones: the parsed rules still hold
            super().set_variables(variables)  # and the cache of rules is emptied

    def reparse(self) -> None:
        # Textual's own parses every source into a new stylesheet, so that an error leaves
        # this one as it was; ``parse`` also sets the rules only once all are parsed.
        self.parse()


def resume() -> None:
    """Turn the collector on again (see the module's doc); nothing if it is on."""
    if gc.isenabled():
        return
    gc.collect()
    gc.freeze()
    gc.enable()
