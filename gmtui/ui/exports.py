"""Files the dashboard makes for the person (CSV exports, screenshots), delivered the
one way that fits where it runs.

In a browser (textual-serve: Textual's web driver) the file goes to the viewer's
browser as a download and nothing is written on the server. In a terminal it is
written to a new file (``places.write_new``: an existing one is never replaced): the
demo's own folder under --demo, else the working directory. Either way a
notification says where it went. A demo run for someone else over SSH (`gmtui
ssh-demo` sets ``places.SHARED``) writes on the server, in the session's folder, which goes
when the session ends: its notification says so.
"""

from __future__ import annotations

import io
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from gmtui import places

if TYPE_CHECKING:
    from gmtui.ui.app import GmtuiApp


def file_stem(stem: str) -> str:
    """``stem`` with only letters, digits and ``._-`` (a user id with a ``/`` cannot
    steer a file elsewhere), at most 120 characters."""
    return (re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "gmtui-export")[:120]


def where(demo: bool) -> str:
    """What a notification adds after the path of a file written in a terminal."""
    if not demo:
        return ""
    if os.environ.get(places.SHARED) == places.SHARED_SSH:
        return " (on the demo server, not on your computer; deleted when this session ends)"
    return " (the demo's own folder: kept when gmtui exits)"


def deliver(app: GmtuiApp, stem: str, suffix: str, text: str, what: str, mime: str) -> Path | None:
    """Deliver ``text`` as ``stem`` + ``suffix`` (see the module's docstring); the file
    written, or None (sent to the browser, or it could not be written: said so)."""
    name = file_stem(stem)
    if app.is_web:
        app.deliver_text(io.StringIO(text), save_filename=name + suffix, mime_type=mime, name="gmtui-export")
        app.notify(f"{what} sent to your browser as {name}{suffix}", title="Exported")
        return None
    folder = places.demo_dir() if app.demo else Path.cwd()
    try:
        path = places.write_new(folder, name, suffix, text)
    except OSError as exc:
        app.notify(f"Could not write {folder / (name + suffix)}: {exc.strerror or exc}", title="Not exported",
                   severity="error")
        return None
    app.notify(f"{what} written to {path}{where(app.demo)}", title="Exported")
    return path


def screenshot(app: GmtuiApp, filename: str | None = None, time_format: str | None = None) -> Path | None:
    """An SVG of the screen, delivered like an export; named ``filename``, else by the
    app's clock (``time_format``, default like 2026-11-21T12_00_00Z)."""
    now = datetime.fromtimestamp(app.clock(), UTC).strftime(time_format or "%Y-%m-%dT%H_%M_%SZ")
    stem = filename.removesuffix(".svg") if filename else f"gmtui-screenshot-{now}"
    return deliver(app, stem, ".svg", app.export_screenshot(), "Screenshot", "image/svg+xml")
