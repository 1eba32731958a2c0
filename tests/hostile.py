"""A hostile server for tests: the sandbox's answers with every free-text string
poisoned (markup that would act or crash, escape sequences that clear the screen,
write the clipboard or plant links), or every answer an error whose message is
poisoned; and checks that nothing of it reaches the screen or the terminal."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import httpx
from rich.console import Console

# Markup that would run actions or crash, CSI (clear screen, 8-bit form too), OSC 52
# (clipboard), OSC 8 (a link), bell, backspace, CR, NUL, DEL, a bidi override.
HOSTILE = (
    "[@click=app.quit]q[/][@click=screen.send]s[/][/][b]"
    "\x1b[2J\x1b]52;c;aGlqYWNrZWQ=\x07\x1b]8;;https://evil.invalid\x1b\\link\x1b]8;;\x1b\\"
    "\x9b31m\x07\x08\r\x00\x7f\u202eevil"
)
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_KEEP = re.compile(r"^(\d{4}-\d{2}-\d{2}([T ][\d:.]+)?(Z|[+-]\d{2}:?\d{2})?|-?\d+(\.\d+)?([eE][+-]?\d+)?)$")


def poison(value: Any, in_incomes: bool = False) -> Any:
    """Every string that is not a date or a number gets HOSTILE appended (and the keys
    of per-miner income objects, which become chart labels)."""
    if isinstance(value, str):
        return value if _KEEP.match(value) else value + HOSTILE
    if isinstance(value, list):
        return [poison(v) for v in value]
    if isinstance(value, dict):
        return {(k + HOSTILE if in_incomes else k): poison(v, in_incomes=(k == "incomes")) for k, v in value.items()}
    return value


class Hostile(httpx.AsyncBaseTransport):
    """Wraps a transport. ``mode``: "text" poisons the strings of every answer (but
    the tokens of auth calls, so that the rest is reached), "errors" answers every
    non-auth call with a 400 (or ``status``) whose code and message are poisoned."""

    def __init__(self, inner: httpx.AsyncBaseTransport, mode: str = "text", status: int = 400):
        self.inner, self.mode, self.status = inner, mode, status

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        auth = "/auth/" in request.url.path
        if self.mode == "errors" and not auth:
            body = {"error": {"code": HOSTILE, "message": "refused " + HOSTILE, "field": HOSTILE}}
            return httpx.Response(self.status, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        response = await self.inner.handle_async_request(request)
        raw = await response.aread()
        if auth or response.status_code >= 400:
            return httpx.Response(response.status_code, content=raw, headers=response.headers)
        body = poison(json.loads(raw))
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return httpx.Response(response.status_code, content=json.dumps(body).encode(), headers=headers)


def painted(app: Any) -> list[Any]:
    """The segments of the whole screen as the terminal would get them."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", legacy_windows=False, safe_box=False)
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return list(console.render(update))


def harmless(app: Any) -> list[str]:
    """What on screen could act or reach the terminal: control characters in text, a
    click action, a link. Empty when all is plain."""
    found = []
    for seg in painted(app):
        if seg.control:
            continue
        text = seg.text.replace("\n", "")
        if CONTROL.search(text):
            found.append(f"control character in {text!r}")
        style = seg.style
        if style is not None and (style.link or any("click" in str(k) for k in (style.meta or {}))):
            found.append(f"action or link on {text!r}: {style.meta or style.link}")
    return found


def screen_text(app: Any) -> str:
    return "".join(seg.text for seg in painted(app) if not seg.control)
