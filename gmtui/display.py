"""How the dashboard meets the terminal, decided before Textual is imported: whether
there is a terminal to draw on at all, how many colours it shows, and the config
file's say in it (``settings``).

Over SSH only TERM reaches the server (COLORTERM and TERM_PROGRAM stay behind), so a
terminal that shows 16 million colours is often taken for a 256- or 16-colour one.
``color_mode`` knows the terminals that always show them by their TERM_PROGRAM or TERM.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, get_args

HANGUP_EXIT, TERM_EXIT = 129, 143  # the dashboard ended by a hangup, by SIGTERM (128 + the signal)

ColorMode = Literal["auto", "truecolor", "256", "16", "none"]
COLOR_MODES: tuple[str, ...] = get_args(ColorMode)

# TERM_PROGRAM values, and TERM values without an "xterm-" prefix, of terminals that
# always show 24-bit colour (TERM ending in "-direct" says so too).
TRUECOLOR_PROGRAMS = frozenset({"iterm.app", "wezterm", "vscode", "ghostty", "tabby", "hyper", "rio", "warpterminal"})
TRUECOLOR_TERMS = frozenset({"alacritty", "ghostty", "wezterm", "kitty", "foot", "foot-extra", "contour", "rio"})
# TEXTUAL_COLOR_SYSTEM (textual-serve sets it for the browser) in gmtui's words.
_TEXTUAL_SYSTEMS = {"truecolor": "truecolor", "256": "256", "standard": "16", "windows": "16"}


def color_mode(asked: str, environ: Mapping[str, str]) -> str:
    """The colours to draw with: ``asked`` (truecolor, 256, 16 or none), or for
    ``auto`` what ``environ`` says of the terminal. NO_COLOR means none; a colour system
    forced for Textual is kept; COLORTERM=truecolor|24bit, or a terminal known to show
    24-bit colour, means truecolor; else TERM's "256color" means 256, "dumb" none, and
    anything else 16."""
    if asked != "auto":
        return asked
    if "NO_COLOR" in environ:  # as Textual reads it: present, whatever its value
        return "none"
    forced = _TEXTUAL_SYSTEMS.get(environ.get("TEXTUAL_COLOR_SYSTEM", "").strip().lower())
    if forced:
        return forced
    if environ.get("COLORTERM", "").strip().lower() in ("truecolor", "24bit"):
        return "truecolor"
    program = environ.get("TERM_PROGRAM", "").strip().lower()
    term = environ.get("TERM", "").strip().lower()
    if program in TRUECOLOR_PROGRAMS or term.removeprefix("xterm-") in TRUECOLOR_TERMS or term.endswith("-direct"):
        return "truecolor"
    if "256color" in term:
        return "256"
    return "none" if term == "dumb" else "16"


def not_a_terminal(environ: Mapping[str, str] = os.environ) -> str | None:
    """Why the dashboard cannot be drawn here, or None. It reads keys from stdin and
    draws on stderr (Textual's terminal driver does), and stdout going elsewhere means a
    script is reading: each must be a terminal. A driver named in TEXTUAL_DRIVER (the
    browser's, for textual-serve) needs none."""
    if environ.get("TEXTUAL_DRIVER"):
        return None
    for name, stream in (("stdin", sys.stdin), ("stdout", sys.stdout), ("stderr", sys.stderr)):
        try:
            if stream is not None and stream.isatty():
                continue
        except ValueError:  # closed
            pass
        return f"{name} is not a terminal"
    return None


def settings(path: Path | None = None) -> tuple[str, bool]:
    """The config file's ``color`` and ``mouse`` (see gmtui.config.Config), read before
    the dashboard's first frame without its profiles. A file that cannot be read gives
    the defaults (opening a profile says what is wrong with it); a bad value is a
    ConfigError."""
    from gmtui.places import paths  # not gmtui.config: it imports pydantic, ~85 ms before the first frame

    path = path or paths().config_file
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return "auto", True
    import tomllib  # only for a file there is (its parser: ~3 ms before the first frame)

    from gmtui.api.errors import ConfigError

    try:
        raw = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return "auto", True
    color, mouse = raw.get("color", "auto"), raw.get("mouse", True)
    if color not in COLOR_MODES or not isinstance(mouse, bool):
        raise ConfigError(f"{path}: color is one of {', '.join(COLOR_MODES)}; mouse is true or false")
    return color, mouse
