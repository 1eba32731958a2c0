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
- at most ``max_sessions`` at once (over it the page says so); a session ends after
  ``idle_timeout_s`` without input, or ``max_duration_s`` (0: never); the page shows why;
- gmtui's own page: the font comes from textual-serve's static files (nothing is
  fetched from another host) and the title names gmtui's demo, not the command line;
- each session's app runs without a shell, in its own process group and throwaway
  folder, with an allow-listed environment (none of the server's secrets); at the end
  it is asked to quit, killed ``GRACE_S`` later, reaped, its folder removed; stopping
  the server ends every session so; downloads and window sizes are bounded;
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
import time
from asyncio.subprocess import Process
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
import jinja2
from aiohttp import WSCloseCode, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import Download, DownloadManager
from textual_serve.server import Server, to_int

from gmtui import places
from gmtui.share import DEMO_COMMAND_ARGS, GRACE_S, IDLE_TIMEOUT_S, MAX_DURATION_S, bounded, limit
from gmtui.share.child import signal_group

log = logging.getLogger("textual-serve")
TEMPLATES = Path(__file__).parent / "templates"
DEMO_TITLE = "gmtui demo: made-up data, read-only"
LIVE_TITLE = "gmtui"
SESSION_PREFIX = "gmtui-serve-"  # a session's folder: this prefix, the server's process id, a fresh suffix
STOPPING = "the server is stopping"
DOWNLOAD_TTL_S = 120.0  # a download the browser has not fetched this long after it was offered is dropped
HELD_BYTES = 1024 * 1024  # a session's file chunks waiting for the browser, at most: past it, that download is dropped
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
    """textual-serve's Server behind a token, an Origin check, a session cap and time limits."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 8000, live: bool = False, max_sessions: int = 4,
                 public_url: str | None = None, token: str | None = None, idle_timeout_s: float = IDLE_TIMEOUT_S,
                 max_duration_s: float = MAX_DURATION_S):
        url_host = f"[{host}]" if ":" in host else host
        self.argv = command(live)
        super().__init__(shlex.join(self.argv), host=host, port=port, title=LIVE_TITLE if live else DEMO_TITLE,
                         public_url=(public_url or f"http://{url_host}:{port}").rstrip("/"))
        self.live, self.max_sessions = live, max_sessions
        self.idle_timeout_s, self.max_duration_s = idle_timeout_s, max_duration_s
        self.token = token or secrets.token_urlsafe(24)
        self.origins = {origin(self.public_url)}
        self.cookie = f"gmtui-serve-{port}"
        self.sessions, self.stopping = 0, False
        self.running: set[AppSession] = set()
        self.download_manager = Downloads()

    @property
    def url(self) -> str:
        return f"{self.public_url}/?token={self.token}"

    def full(self) -> str | None:
        """Why no session starts now, or None."""
        if self.stopping or self.sessions < self.max_sessions:
            return STOPPING if self.stopping else None
        taken = f"all {self.max_sessions} sessions are" if self.max_sessions > 1 else "the one session is"
        return f"{taken} in use; try again later"

    def initialize_logging(self) -> None:
        logging.basicConfig(level=logging.WARNING, format="gmtui serve: %(message)s")

    async def on_startup(self, app: web.Application) -> None:
        """Nothing: the command prints where it listens (textual-serve: the command line)."""

    async def on_shutdown(self, app: web.Application) -> None:
        """Before aiohttp cancels the handlers, every session ends: its page told why, its
        app stopped (its group killed ``GRACE_S`` after being asked), its folder removed."""
        self.stopping, sessions = True, list(self.running)
        await asyncio.gather(*(each.end(STOPPING, WSCloseCode.GOING_AWAY) for each in sessions),
                             *(each.stop() for each in sessions))

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
        app.on_shutdown.append(self.on_shutdown)
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
        """The page; when no session can start, the page says why (a 503) and does not connect."""
        router = request.app.router
        ws = f"{self.public_url}{router['websocket'].url_for(token=self.token)}"
        ws = ("wss:" if ws.startswith("https:") else "ws:") + ws.split(":", 1)[1]
        font_size = min(max(to_int(request.query.get("fontsize", "16"), 16), 6), 48)
        note = ("live: your configured profile" if self.live
                else "figures from gmtui's built-in sandbox; money moves are refused")
        full = self.full()
        context = {"title": self.title, "note": note, "websocket_url": ws, "font_size": font_size, "ended": full,
                   "static": f"{self.public_url}{router['static'].url_for(filename='/')}".rstrip("/") + "/"}
        response = aiohttp_jinja2.render_template("page.html", request, context, status=503 if full else 200)
        response.set_cookie(self.cookie, self.token, httponly=True, samesite="Strict", path="/",
                            secure=self.public_url.startswith("https:"))
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's, with the cap, the time limits and gmtui's AppSession."""
        websocket = web.WebSocketResponse(heartbeat=15, timeout=GRACE_S)  # timeout: for the browser's close reply
        full = self.full()
        if full:  # accepted and closed at once: the page can read why, not a refused handshake's status
            await websocket.prepare(request)
            await websocket.close(code=WSCloseCode.TRY_AGAIN_LATER, message=full.encode())
            return websocket
        width, height = (to_int(request.query.get(name, ""), size) for name, size in (("width", 80), ("height", 24)))
        service = AppSession(self.argv, websocket, self.download_manager, demo=not self.live)
        self.sessions += 1
        self.running.add(service)
        limits: asyncio.Task[None] | None = None
        try:
            await websocket.prepare(request)
            await service.start(width, height)
            limits = asyncio.ensure_future(self._limits(service))
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:  # the server is stopping
            await websocket.close()
        except Exception as error:  # one browser's bad message ends its session, not the server
            log.warning("a session ended on %s", type(error).__name__)
        finally:
            try:
                await service.stop()
            finally:  # even when cancelled again
                self.running.discard(service)
                self.sessions -= 1
                if limits is not None:
                    limits.cancel()
        return websocket

    async def _limits(self, session: AppSession) -> None:
        """End ``session`` at ``max_duration_s``, or ``idle_timeout_s`` after its last input."""
        while True:
            now = time.monotonic()
            why, then = limit(now, session.started, session.last_input, self.idle_timeout_s, self.max_duration_s)
            if why is not None:
                return await session.end(why)
            if then is None:
                return
            await asyncio.sleep(then - now + 0.01)


class AppSession(AppService):
    """textual-serve's AppService, but the app is started without a shell, in its own
    process group and throwaway folder, with an allow-listed environment; a resize is
    bounded; input is timed (``last_input``); at the end the process is reaped, its group
    killed if it has not quit ``GRACE_S`` after being asked, and the folder removed."""

    def __init__(self, argv: list[str], websocket: web.WebSocketResponse, downloads: Any, *, demo: bool):
        async def close() -> None:
            await websocket.close()

        super().__init__(shlex.join(argv), write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                         close=close, download_manager=downloads)
        self.argv, self.demo, self.websocket = argv, demo, websocket
        self.home: Path | None = None
        self.started = self.last_input = time.monotonic()
        self._stopping: asyncio.Future[None] | None = None

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
            self.home = places.private_dir(SESSION_PREFIX)
        env["TMPDIR"] = str(self.home)
        if self.demo:
            env.update(GMTUI_HOME=str(self.home), HOME=str(self.home))
        return env

    async def set_terminal_size(self, width: object, height: object) -> None:
        if type(width) is int and type(height) is int:  # not a bool, a float, a string
            await super().set_terminal_size(*bounded(width, height))

    async def send_bytes(self, data: bytes) -> bool:
        self.last_input = time.monotonic()  # what the browser sends as stdin: keys, mouse, paste
        return await super().send_bytes(data)

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        pipe = asyncio.subprocess.PIPE
        width, height = bounded(width, height)
        env = self._build_environment(width, height)
        assert self.home is not None
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=pipe, stdout=pipe, stderr=pipe, env=env, cwd=self.home, start_new_session=True)
        self._stdin = process.stdin
        if self._stopping is not None:  # stopped while it started: the server is stopping
            signal_group(process.pid, signal.SIGKILL)
            shutil.rmtree(self.home, ignore_errors=True)
        return process

    async def end(self, reason: str, code: int = WSCloseCode.OK) -> None:
        """Close the websocket saying why (the page shows it); its handler then stops the app."""
        try:
            await asyncio.wait_for(self.websocket.close(code=code, message=reason.encode()), GRACE_S)
        except (asyncio.TimeoutError, RuntimeError):  # a browser that does not read (now cut off), or not yet there
            pass

    async def stop(self) -> None:
        """Stop the app once, whoever asks first, and to the end even when the one who
        waits for it is cancelled."""
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._stop())
        await asyncio.shield(self._stopping)

    async def _stop(self) -> None:
        process = self._process
        try:
            asked = asyncio.ensure_future(super().stop())  # sends "quit", waits for the output to end
            waiting = {asked} | ({asyncio.ensure_future(process.wait())} if process is not None else set())
            _, late = await asyncio.wait(waiting, timeout=GRACE_S)
            if late and process is not None:
                signal_group(process.pid, signal.SIGKILL)
                _, late = await asyncio.wait(late, timeout=GRACE_S)
            for each in late:  # output held open outside its group: not waited for
                each.cancel()
        finally:
            if self.home is not None:
                shutil.rmtree(self.home, ignore_errors=True)


class Downloads(DownloadManager):
    """textual-serve's downloads (kept until the browser fetches them), bounded: dropped
    when not fetched within ``ttl_s``, when their session ends, and when their session's
    chunks waiting for the browser pass ``held_bytes``; the app is asked to end its side
    (0 bytes requested). A fetch is kept while it lasts (one never read, until its session ends)."""

    def __init__(self, ttl_s: float = DOWNLOAD_TTL_S, held_bytes: int = HELD_BYTES) -> None:
        super().__init__()
        self.ttl_s, self.held_bytes, self.fetching = ttl_s, held_bytes, set[str]()
        self._held: dict[str, int] = {}  # bytes waiting in each download's queue
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._asking: set[asyncio.Future[bool]] = set()

    def _of(self, session: str) -> list[str]:
        return [key for key, each in self._active_downloads.items() if each.app_service.app_service_id == session]

    async def create_download(self, *, app_service: AppService, delivery_key: str, **details: Any) -> None:
        await super().create_download(app_service=app_service, delivery_key=delivery_key, **details)
        self._timers[delivery_key] = asyncio.get_running_loop().call_later(self.ttl_s, self._drop, delivery_key)

    async def get_download_metadata(self, delivery_key: str) -> Download:
        if delivery_key in self.fetching:
            raise KeyError(delivery_key)  # fetched once
        download = await super().get_download_metadata(delivery_key)
        self.fetching.add(delivery_key)
        self._cancel_timer(delivery_key)
        return download

    async def download(self, delivery_key: str) -> AsyncGenerator[bytes, None]:
        try:
            async for chunk in super().download(delivery_key):
                self._held[delivery_key] = max(0, self._held.get(delivery_key, 0) - len(chunk))
                yield chunk
        finally:
            self.fetching.discard(delivery_key)
            self._held.pop(delivery_key, None)
            self._active_downloads.pop(delivery_key, None)

    async def chunk_received(self, delivery_key: str, chunk: bytes | str) -> None:
        download = self._active_downloads.get(delivery_key)
        if download is None:
            return
        data = chunk.encode(download.encoding or "utf-8") if isinstance(chunk, str) else chunk
        held = sum(self._held.get(key, 0) for key in self._of(download.app_service.app_service_id))
        if held + len(data) > self.held_bytes:
            log.warning("a download passed %d bytes waiting for the browser: dropped", self.held_bytes)
            return self._drop(delivery_key)
        self._held[delivery_key] = self._held.get(delivery_key, 0) + len(data)
        await download.incoming_chunks.put(data)

    async def cancel_app_downloads(self, app_service_id: str) -> None:
        """The session ends: its downloads go (one being fetched ends)."""
        for key in self._of(app_service_id):
            self._drop(key)

    def _drop(self, key: str) -> None:
        self._cancel_timer(key)
        self._held.pop(key, None)
        if key in self.fetching:  # its fetch ends, and forgets it
            self._active_downloads[key].incoming_chunks.put_nowait(None)
        elif (download := self._active_downloads.pop(key, None)) is not None:
            asking = asyncio.ensure_future(download.app_service.send_meta(
                {"type": "deliver_chunk_request", "key": key, "size": 0, "name": download.name}))
            self._asking.add(asking)
            asking.add_done_callback(self._asking.discard)

    def _cancel_timer(self, key: str) -> None:
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()



async def start(server: GuardedServer, sock: socket.socket | None = None) -> web.AppRunner:
    """Listen on the server's address, or on ``sock`` already bound to it (an OSError
    when the address is taken); ``runner.cleanup()`` stops (every session first)."""
    server.initialize_logging()
    # sessions end in on_shutdown; a handler still running 2 s later is cancelled
    runner = web.AppRunner(await server._make_app(), handle_signals=False, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    try:
        site = web.SockSite(runner, sock) if sock is not None else web.TCPSite(runner, server.host, server.port)
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner
