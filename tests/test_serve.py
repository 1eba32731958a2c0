"""`gmtui serve` end to end on loopback: the token on the page, the websocket and the
downloads; the Origin check; the session cap (a websocket over it is closed, saying
why); a page that fetches nothing from another host and does not show the command;
the dashboard through the websocket. Sessions' ends: test_serve_sessions.py."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys

import pytest

pytest.importorskip("textual_serve")
aiohttp = pytest.importorskip("aiohttp")

from gmtui.share.web import GuardedServer, origin, start  # noqa: E402

ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>]")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bound() -> socket.socket:
    """A socket on a free loopback port, kept: no other process can take the port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture
async def served():
    sock = bound()
    server = GuardedServer(port=sock.getsockname()[1], max_sessions=1)
    runner = await start(server, sock)
    async with aiohttp.ClientSession() as http:
        yield server, http
    await runner.cleanup()


async def status(http, url: str, **options) -> int:
    async with http.get(url, allow_redirects=False, **options) as response:
        return response.status


async def ws_refused(http, url: str, **headers) -> int:
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await http.ws_connect(url, headers=headers)
    return refused.value.status


async def test_page_needs_the_token(served):
    server, http = served
    base = server.public_url
    assert await status(http, f"{base}/") == 403
    assert await status(http, f"{base}/?token=") == 403
    wrong = server.token[:-1] + ("x" if server.token[-1] != "x" else "y")
    assert await status(http, f"{base}/?token={wrong}") == 403
    assert await status(http, f"{base}/nothing-here") == 403
    jar = aiohttp.DummyCookieJar()
    async with aiohttp.ClientSession(cookie_jar=jar) as fresh:
        async with fresh.get(server.url) as response:
            assert response.status == 200
            page = await response.text()
            cookie = response.cookies[server.cookie]
            assert response.headers["Referrer-Policy"] == "no-referrer"
    assert cookie.value == server.token and cookie["httponly"] and cookie["samesite"] == "Strict"
    # nothing from another host, no command line, gmtui's title
    urls = re.findall(r"""(?:src|href|url)\s*[=(]\s*["']([^"']+)""", page) + re.findall(r"wss?://[^\"']+", page)
    assert urls and all(u.startswith((base, base.replace("http:", "ws:"))) for u in urls), urls
    assert "googleapis" not in page and "gstatic" not in page
    assert sys.executable not in page and "-m gmtui" not in page and "--read-only" not in page
    assert "gmtui demo" in page
    assert f"/ws/{server.token}" in page
    # textual-serve's own static files are public (no token, no listing)
    assert await status(http, f"{base}/static/js/textual.js") == 200
    assert await status(http, f"{base}/static/fonts/RobotoMono-VariableFont_wght.ttf") == 200
    assert await status(http, f"{base}/static/") in (403, 404)


async def test_downloads_need_the_token(served):
    server, http = served
    base = server.public_url
    assert await status(http, f"{base}/download/0123456789abcdef") == 403
    # with the page's cookie (how textual.js opens a download), the key is looked up
    assert await status(http, f"{base}/download/0123456789abcdef",
                        cookies={server.cookie: server.token}) == 404
    assert await status(http, f"{base}/download/0123456789abcdef", cookies={server.cookie: "wrong"}) == 403


async def test_websocket_origin_token_and_cap(served, isolated_home):
    server, http = served
    base = server.public_url
    ws_url = base.replace("http:", "ws:") + f"/ws/{server.token}?width=100&height=30"
    mine = origin(base)
    assert await ws_refused(http, ws_url, Origin="http://evil.example") == 403
    assert await ws_refused(http, ws_url, Origin=mine.replace("127.0.0.1", "localhost")) == 403
    assert await ws_refused(http, ws_url) == 403  # no Origin: not a browser on the page
    assert await ws_refused(http, base.replace("http:", "ws:") + "/ws/wrong?width=80&height=24", Origin=mine) == 403
    assert await ws_refused(http, base.replace("http:", "ws:") + "/ws?width=80&height=24", Origin=mine) == 403

    ws = await http.ws_connect(ws_url, headers={"Origin": mine})
    screen = bytearray()

    async def dashboard() -> None:
        async for message in ws:
            if message.type == aiohttp.WSMsgType.BINARY:
                screen.extend(message.data)
                plain = ANSI.sub(b"", bytes(screen))
                if b"READ-ONLY" in plain and b"366 TH/s" in plain:
                    return

    await asyncio.wait_for(dashboard(), 30)
    assert server.sessions == 1
    (session,) = server.running
    pid, home = session.pid, session.home
    with open(f"/proc/{pid}/environ", "rb") as handle:
        env = dict(item.decode().split("=", 1) for item in handle.read().split(b"\0") if b"=" in item)
    assert env["GMTUI_HOME"] == str(home) and home.is_dir() and str(isolated_home) not in str(home)
    over = await http.ws_connect(ws_url, headers={"Origin": mine})  # over the cap: closed, saying why
    message = await over.receive()
    assert (message.type, message.data) == (aiohttp.WSMsgType.CLOSE, 1013) and "in use" in message.extra
    await ws.close()
    for _ in range(200):
        if server.sessions == 0:
            break
        await asyncio.sleep(0.02)
    assert server.sessions == 0 and not home.exists()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # reaped


def test_origin():
    assert origin("http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert origin("https://demo.example.com/") == "https://demo.example.com"
    assert origin("https://demo.example.com:443/x") == "https://demo.example.com"
    assert origin("http://[::1]:8000") == "http://[::1]:8000"


async def test_behind_a_proxy():
    sock = bound()
    port = sock.getsockname()[1]
    server = GuardedServer(port=port, public_url="https://demo.example.com/")
    assert server.url.startswith("https://demo.example.com/?token=")
    assert server.origins == {"https://demo.example.com"}
    runner = await start(server, sock)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/?token={server.token}") as response:
                page = await response.text()
                assert response.cookies[server.cookie]["secure"]
            ws_url = f"ws://127.0.0.1:{port}/ws/{server.token}"
            assert await ws_refused(http, ws_url, Origin=f"http://127.0.0.1:{port}") == 403
    finally:
        await runner.cleanup()
    assert f"wss://demo.example.com/ws/{server.token}" in page
    assert 'src="https://demo.example.com/static/js/textual.js"' in page


def test_live_runs_gmtui_on_the_profile():
    live, demo = GuardedServer(live=True), GuardedServer()
    assert live.argv == [sys.executable, "-m", "gmtui"] and live.title == "gmtui"
    assert demo.argv == [sys.executable, "-m", "gmtui", "--demo", "--read-only"]


def test_cli_prints_the_address_and_refuses_every_address_without_public_url(isolated_home):
    from gmtui.cli import main

    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert main(["serve", "--port", "0"]) == 2
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gmtui", "serve", "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "GMTUI_HOME": str(isolated_home)})
    try:
        lines = [proc.stdout.readline() for _ in range(2)]  # type: ignore[union-attr]
        assert "read-only" in lines[0]
        assert re.search(rf"open: +http://127\.0\.0\.1:{port}/\?token=[\w-]{{32}}$", lines[1].rstrip()), lines
        proc.send_signal(signal.SIGINT)
        assert proc.wait(10) == 0
    finally:
        proc.kill()
        proc.wait()


def test_cli_without_the_extra(monkeypatch, capsys):
    import importlib.util

    from gmtui.cli import main

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "textual_serve" else real(name, *a))
    assert main(["serve"]) == 2
    assert "gmtui serve needs textual-serve: pip install 'gmtui[share]'" in capsys.readouterr().err


class _Socket:
    async def send_bytes(self, data: bytes) -> None: ...

    async def send_str(self, data: str) -> None: ...

    async def close(self) -> None: ...


async def test_resizes_are_bounded_and_bad_ones_dropped(monkeypatch):
    from textual_serve.app_service import AppService

    from gmtui.share import bounded as _bounded
    from gmtui.share.web import AppSession

    sent: list[tuple[int, int]] = []

    async def record(self, width, height):
        sent.append((width, height))

    monkeypatch.setattr(AppService, "set_terminal_size", record)
    app = AppSession(["true"], _Socket(), None, demo=True)  # type: ignore[arg-type]
    for width, height in [(100000, 100000), (-3, 0), ("80", 24), (1e308, 24), (True, 24), (None, 5), (120, 40)]:
        await app.set_terminal_size(width, height)
    assert sent == [(500, 200), (1, 1), (120, 40)]
    assert _bounded(100000, 100000) == (500, 200)


def test_the_app_gets_an_allow_listed_environment_and_a_throwaway_folder(monkeypatch, tmp_path):
    from gmtui.share.web import AppSession

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cret")
    monkeypatch.setenv("GMTUI_API_SECRET", "s3cret")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("LC_TIME", "C")
    demo = AppSession(["true"], _Socket(), None, demo=True)  # type: ignore[arg-type]
    live = AppSession(["true"], _Socket(), None, demo=False)  # type: ignore[arg-type]
    try:
        env = demo._build_environment(100, 30)
        assert "AWS_SECRET_ACCESS_KEY" not in env and "GMTUI_API_SECRET" not in env and env["LC_TIME"] == "C"
        assert env["HOME"] == env["GMTUI_HOME"] == env["TMPDIR"] == str(demo.home) and demo.home.is_dir()
        assert env["COLUMNS"] == "100" and env["TEXTUAL_DRIVER"].endswith("WebDriver") and env["PATH"]
        env = live._build_environment()
        assert "AWS_SECRET_ACCESS_KEY" not in env and env["HOME"] == str(tmp_path) and env["TMPDIR"] == str(live.home)
    finally:
        for each in (demo, live):
            if each.home:
                os.rmdir(each.home)


def test_cli_allow_live_needs_a_profile(isolated_home, capsys):
    from gmtui.cli import main

    assert main(["serve", "--allow-live"]) == 2
    assert "--allow-live needs a configured profile" in capsys.readouterr().err
