"""`gmtui serve`: the dashboard in a browser, on textual-serve (Textual's own web
server: one app process per websocket, on aiohttp).

What gmtui adds to textual-serve's ``Server``:
- a random token, printed in the URL, needed by the page (``?token=``), by the
  websocket (in its path: textual.js appends its own query) and by downloads (the
  page sets it as an HttpOnly, SameSite=Strict cookie; textual.js opens
  ``/download/{key}`` bare, and the key is a random uuid4 only this page learns);
  compared with ``hmac.compare_digest``; a missing or wrong one is a 403;
- a websocket whose Origin is not the served address is a 403 (another site's page
  cannot drive the dashboard through the visitor's browser);
- at most ``max_sessions`` websockets (app processes) at once; over it, a 503;
- gmtui's own page: the font comes from textual-serve's static files (nothing is
  fetched from another host) and the title names gmtui's demo, not the command line;
- each session's app runs without a shell, in its own process group, in a throwaway
  folder (its cwd and TMPDIR; for a demo also its GMTUI_HOME and HOME), with an
  allow-listed environment (none of the server's secrets); at the end the app is
  asked to quit, killed ``GRACE_S`` later if it has not, reaped;
- window sizes are bounded (``MAX_COLUMNS`` x ``MAX_ROWS``); a resize that is not
  two whole numbers is ignored;
- plain logging: textual-serve's rich tracebacks would show local variables.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import sys
import tempfile
from asyncio.subprocess import Process
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from gmtui.share import DEMO_COMMAND_ARGS, GRACE_S, bounded

log = logging.getLogger("textual-serve")
TEMPLATES = Path(__file__).parent / "templates"
DEMO_TITLE = "gmtui demo: made-up data, read-only"
LIVE_TITLE = "gmtui"
# what a session's app gets of the server's environment (textual-serve adds its own TEXTUAL_* and size)
_KEEP = re.compile(r"^(PATH|PYTHONPATH|TERM|COLORTERM|LANG|LANGUAGE|LC_[A-Z]+)$")
_KEEP_LIVE = re.compile(r"^(HOME|GMTUI_[A-Z_]+|XDG_[A-Z_]+|DBUS_SESSION_BUS_ADDRESS)$")  # its config, its keyring
_SERVE_SETS = ("TEXTUAL_DRIVER", "TEXTUAL_FPS", "TEXTUAL_COLOR_SYSTEM", "TERM_PROGRAM", "TERM_PROGRAM_VERSION",
               "COLUMNS", "ROWS")


def command(live: bool) -> list[str]:
    """What each session runs (without a shell)."""
    return [sys.executable, "-m", "gmtui", *(() if live else DEMO_COMMAND_ARGS)]


def origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, as a browser writes it in Origin."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    port = parts.port
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


class GuardedServer(Server):
    """textual-serve's Server behind a token, an Origin check and a session cap."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 8000, live: bool = False, max_sessions: int = 4,
                 public_url: str | None = None, token: str | None = None):
        url_host = f"[{host}]" if ":" in host else host
        self.argv = command(live)
        super().__init__(shlex.join(self.argv), host=host, port=port, title=LIVE_TITLE if live else DEMO_TITLE,
                         public_url=(public_url or f"http://{url_host}:{port}").rstrip("/"))
        self.live = live
        self.max_sessions = max_sessions
        self.token = token or secrets.token_urlsafe(24)
        self.origins = {origin(self.public_url)}
        self.cookie = f"gmtui-serve-{port}"
        self.sessions = 0
        self.running: set[AppSession] = set()

    @property
    def url(self) -> str:
        return f"{self.public_url}/?token={self.token}"

    def initialize_logging(self) -> None:
        logging.basicConfig(level=logging.WARNING, format="gmtui serve: %(message)s")

    async def on_startup(self, app: web.Application) -> None:
        """Nothing: the command prints where it listens (textual-serve would print the
        command line)."""

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(TEMPLATES))
        app.add_routes([
            web.get("/", self.handle_index, name="index"),
            web.get("/ws/{token}", self.handle_websocket, name="websocket"),
            web.get("/download/{key}", self.handle_download, name="download"),
            web.static("/static", self.statics_path, show_index=False, name="static"),
        ])
        app.on_startup.append(self.on_startup)
        return app

    def token_ok(self, request: web.Request) -> bool:
        given = request.match_info.get("token") or request.query.get("token") or request.cookies.get(self.cookie) or ""
        return hmac.compare_digest(given.encode(), self.token.encode())

    @web.middleware
    async def _guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/static/"):
            return await handler(request)  # textual-serve's own css, js, font, image
        if not self.token_ok(request):
            raise web.HTTPForbidden(text="gmtui serve: open the address printed at start (with its token)\n")
        if request.path.startswith("/ws/") and request.headers.get("Origin") not in self.origins:
            raise web.HTTPForbidden(text="gmtui serve: a websocket from another site's page is refused\n")
        response = await handler(request)
        response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the address
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
        response.headers["Cache-Control"] = "no-store"
        return response

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        router = request.app.router
        ws = f"{self.public_url}{router['websocket'].url_for(token=self.token)}"
        ws = ("wss:" if ws.startswith("https:") else "ws:") + ws.split(":", 1)[1]
        try:
            font_size = min(max(int(request.query.get("fontsize", "16")), 6), 48)
        except ValueError:
            font_size = 16
        note = ("live: your configured profile" if self.live
                else "figures from gmtui's built-in sandbox; money moves are refused")
        context = {"title": self.title, "note": note, "websocket_url": ws, "font_size": font_size,
                   "static": f"{self.public_url}{router['static'].url_for(filename='/')}".rstrip("/") + "/"}
        response = aiohttp_jinja2.render_template("page.html", request, context)
        response.set_cookie(self.cookie, self.token, httponly=True, samesite="Strict", path="/",
                            secure=self.public_url.startswith("https:"))
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's, with the cap and gmtui's AppSession."""
        if self.sessions >= self.max_sessions:
            raise web.HTTPServiceUnavailable(text=f"gmtui serve: all {self.max_sessions} sessions are in use\n")
        self.sessions += 1
        websocket = web.WebSocketResponse(heartbeat=15)
        width, height = (_size(request.query.get(name), default) for name, default in (("width", 80), ("height", 24)))
        service: AppSession | None = None
        try:
            await websocket.prepare(request)
            service = AppSession(self.argv, websocket, self.download_manager, demo=not self.live)
            self.running.add(service)
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:  # the server is stopping
            await websocket.close()
        except Exception as error:  # one browser's bad message ends its session, not the server
            log.warning("a session ended on %s", type(error).__name__)
        finally:
            if service is not None:
                await service.stop()
                self.running.discard(service)
            self.sessions -= 1
        return websocket


class AppSession(AppService):
    """textual-serve's AppService, but the app is started without a shell, in its own
    process group and throwaway folder, with an allow-listed environment; a resize is
    bounded; at the end the process is reaped, killed if it has not quit ``GRACE_S``
    after being asked, and the folder removed."""

    def __init__(self, argv: list[str], websocket: web.WebSocketResponse, downloads: Any, *, demo: bool):
        async def close() -> None:
            await websocket.close()

        super().__init__(shlex.join(argv), write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                         close=close, download_manager=downloads)
        self.argv = argv
        self.demo = demo
        self.home: str | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        given = super()._build_environment(width, height)
        keep = _KEEP_LIVE if not self.demo else None
        env = {name: value for name, value in given.items()
               if name in _SERVE_SETS or _KEEP.match(name) or (keep is not None and keep.match(name))}
        env.setdefault("PATH", os.defpath)
        if self.home is None:
            self.home = tempfile.mkdtemp(prefix="gmtui-serve-")
        env["TMPDIR"] = self.home
        if self.demo:
            env.update(GMTUI_HOME=self.home, HOME=self.home)
        return env

    async def set_terminal_size(self, width: object, height: object) -> None:
        if type(width) is int and type(height) is int:  # not a bool, a float, a string
            await super().set_terminal_size(*bounded(width, height))

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        pipe = asyncio.subprocess.PIPE
        width, height = bounded(width, height)
        env = self._build_environment(width, height)
        assert self.home is not None
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=pipe, stdout=pipe, stderr=pipe, env=env, cwd=self.home, start_new_session=True)
        self._stdin = process.stdin
        return process

    async def stop(self) -> None:
        process = self._process
        asked = asyncio.ensure_future(super().stop())  # sends "quit", waits for the output to end
        waiting = {asked} | ({asyncio.ensure_future(process.wait())} if process is not None else set())
        _, late = await asyncio.wait(waiting, timeout=GRACE_S)
        if late and process is not None:
            _kill_group(process.pid)
        await asyncio.gather(*waiting)
        if self.home is not None:
            shutil.rmtree(self.home, ignore_errors=True)


def _size(text: str | None, default: int) -> int:
    try:
        return int(text or default)
    except ValueError:
        return default




def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


async def start(server: GuardedServer, sock: socket.socket | None = None) -> web.AppRunner:
    """Listen on the server's address, or on ``sock`` already bound to it (an OSError
    when the address is taken); ``runner.cleanup()`` stops."""
    server.initialize_logging()
    # at the end, a session's handler is cancelled after 2 s: textual-serve then asks its app to quit
    runner = web.AppRunner(await server._make_app(), handle_signals=False, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    try:
        site = web.SockSite(runner, sock) if sock is not None else web.TCPSite(runner, server.host, server.port)
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner
