"""How `gmtui serve`'s sessions end, on loopback: stopping the server (every child
killed, every folder removed), the idle and duration limits, the page over the cap,
downloads never fetched, the folders a killed server left. The sessions run a small
stand-in for the app (textual-serve's protocol, nothing else) to keep them quick."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pytest

pytest.importorskip("textual_serve")
aiohttp = pytest.importorskip("aiohttp")

from gmtui.share import web  # noqa: E402
from gmtui.share.web import AppSession, GuardedServer, origin, start  # noqa: E402
from test_serve import _Socket, bound  # noqa: E402

CLOSE = aiohttp.WSMsgType.CLOSE
# says it is a Textual app, then reads packets until "quit"; a stubborn one ignores
# "quit" and starts a process of its own (in its group): it has to be killed
APP = r'''
import json, subprocess, sys
stubborn = sys.argv[1] == "stubborn"
if stubborn:
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
sys.stdout.buffer.write(b"__GANGLION__\n")
sys.stdout.buffer.flush()
while head := sys.stdin.buffer.read(5):
    body = sys.stdin.buffer.read(int.from_bytes(head[1:], "big"))
    if head[:1] == b"M" and json.loads(body)["type"] == "quit" and not stubborn:
        break
'''


@pytest.fixture(autouse=True)
def quick(monkeypatch, tmp_path):
    """A short grace, and the sessions' folders under the test's own temporary folder."""
    monkeypatch.setattr(web, "GRACE_S", 0.5)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


@contextlib.asynccontextmanager
async def serving(app: str = "polite", **options):
    sock = bound()
    server = GuardedServer(port=sock.getsockname()[1], **options)
    server.argv = [sys.executable, "-c", APP, app]
    runner = await start(server, sock)
    try:
        async with aiohttp.ClientSession() as http:
            yield server, runner, http
    finally:
        await runner.cleanup()


async def connect(server, http):
    url = server.public_url.replace("http:", "ws:") + f"/ws/{server.token}?width=80&height=24"
    return await http.ws_connect(url, headers={"Origin": origin(server.public_url)})


async def until(check, timeout: float = 10) -> None:
    async def poll() -> None:
        while not check():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout)


def group(pgid: int) -> list[int]:
    """The live (not zombie) processes of process group ``pgid``."""
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(int(entry))
    return found


async def started(server) -> AppSession:
    await until(lambda: any(each.pid for each in server.running))
    (session,) = server.running
    return session


async def test_stopping_the_server_ends_every_session():
    async with serving(app="stubborn") as (server, runner, http):
        ws = await connect(server, http)
        session = await started(server)
        pid, home = session.pid, Path(session.home)
        await until(lambda: len(group(pid)) == 2)  # the app and its own process
        told = asyncio.ensure_future(ws.receive())
        began = time.monotonic()
        await runner.cleanup()
        took = time.monotonic() - began
        assert group(pid) == [] and not home.exists()
        message = await told
        assert (message.type, message.data, message.extra) == (CLOSE, 1001, "the server is stopping")
        assert took < 4 * web.GRACE_S and server.sessions == 0


async def test_a_session_stopped_while_it_starts_leaves_nothing():
    session = AppSession([sys.executable, "-c", APP, "polite"], _Socket(), None, demo=True)  # type: ignore[arg-type]
    await session.stop()  # the server stopped while this one was being set up
    await session.start(80, 24)
    await until(lambda: group(session.pid) == [])
    assert not Path(session.home).exists()
    await session._task


async def test_an_idle_session_ends_and_the_page_is_told_why():
    async with serving(idle_timeout_s=1, max_duration_s=0) as (server, _, http):
        ws = await connect(server, http)
        session = await started(server)
        for _ in range(8):  # input keeps it going past the idle timeout
            await ws.send_str(json.dumps(["stdin", "x"]))
            await asyncio.sleep(0.2)
        assert server.running == {session} and not session.websocket.closed
        message = await asyncio.wait_for(ws.receive(), 5)
        assert (message.type, message.data, message.extra) == (CLOSE, 1000, "no input for 1 s: session closed")
        await until(lambda: server.sessions == 0)
        assert group(session.pid) == [] and not Path(session.home).exists()
        again = await connect(server, http)  # the slot is free again
        await started(server)
        await again.close()


async def test_a_session_ends_at_its_time_limit_even_with_input():
    async with serving(idle_timeout_s=0, max_duration_s=1) as (server, _, http):
        ws = await connect(server, http)
        await started(server)

        async def typing() -> None:
            while True:
                await ws.send_str(json.dumps(["stdin", "x"]))
                await asyncio.sleep(0.1)

        keys = asyncio.ensure_future(typing())
        try:
            message = await asyncio.wait_for(ws.receive(), 5)
        finally:
            keys.cancel()
        assert (message.type, message.extra) == (CLOSE, "the session reached its limit of 1 s")
        await until(lambda: server.sessions == 0)


async def test_over_the_cap_the_page_says_so():
    async with serving(max_sessions=1) as (server, _, http):
        async with http.get(server.url) as response:
            assert response.status == 200 and 'id="terminal"' in await response.text()
        ws = await connect(server, http)
        await started(server)
        async with http.get(server.url) as response:
            page = await response.text()
            assert response.status == 503
        said = "the one session is in use; try again later"
        assert said in page
        assert 'id="terminal"' not in page and '<body class="-closed">' in page  # shown, nothing connects
        refused = await connect(server, http)  # a page loaded before: its websocket is closed, saying why
        message = await asyncio.wait_for(refused.receive(), 5)
        assert (message.type, message.data, message.extra) == (CLOSE, 1013, said)
        assert server.sessions == 1
        server.max_sessions = server.sessions = 3
        async with http.get(server.url) as response:
            assert "all 3 sessions are in use; try again later" in await response.text()
        server.sessions = 1
        await ws.close()


class Service:
    """What the downloads ask of a session's app."""

    def __init__(self, name: str):
        self.app_service_id = name
        self.asked: list[dict] = []

    async def send_meta(self, data: dict) -> bool:
        self.asked.append(data)
        return True


async def offer(downloads, service: Service, key: str) -> None:
    await downloads.create_download(app_service=service, delivery_key=key, file_name=f"{key}.csv",
                                    open_method="download", mime_type="text/csv", encoding="utf-8")


def waiting(downloads) -> set[str]:
    return set(downloads._active_downloads)


def ended(key: str) -> dict:
    """What ends a delivery in the app: 0 bytes asked for."""
    return {"type": "deliver_chunk_request", "key": key, "size": 0, "name": None}


async def test_downloads_not_fetched_in_time_or_of_an_ended_session_are_dropped():
    from gmtui.share.web import Downloads

    downloads = Downloads(ttl_s=0.3, held_bytes=100)
    a, b = Service("a"), Service("b")
    await offer(downloads, a, "late")
    await offer(downloads, a, "fetched")
    await downloads.get_download_metadata("fetched")
    fetch = downloads.download("fetched")
    first = asyncio.ensure_future(fetch.__anext__())
    await until(lambda: len(a.asked) == 1)  # the first chunk asked for
    await downloads.chunk_received("fetched", "id,hashrate\n")
    assert await first == b"id,hashrate\n"
    await asyncio.sleep(0.5)
    assert waiting(downloads) == {"fetched"}  # being fetched: kept
    assert ended("late") in a.asked
    with pytest.raises(KeyError):
        await downloads.get_download_metadata("fetched")  # fetched once
    await downloads.chunk_received("fetched", b"")
    assert [chunk async for chunk in fetch] == [] and waiting(downloads) == set()

    # past its bytes waiting for the browser, a session's download goes
    downloads.ttl_s = 60
    await offer(downloads, a, "big")
    await offer(downloads, b, "other")
    await downloads.chunk_received("big", b"x" * 60)
    await downloads.chunk_received("other", b"x" * 60)
    assert waiting(downloads) == {"big", "other"}
    await downloads.chunk_received("big", b"x" * 60)
    await asyncio.sleep(0)
    assert waiting(downloads) == {"other"} and ended("big") in a.asked

    # a session's end takes its downloads along, one being fetched included
    await offer(downloads, a, "left")
    await offer(downloads, a, "streaming")
    await downloads.get_download_metadata("streaming")
    stream = downloads.download("streaming")
    first = asyncio.ensure_future(stream.__anext__())
    await until(lambda: a.asked[-1].get("key") == "streaming")
    await downloads.cancel_app_downloads("a")
    with pytest.raises(StopAsyncIteration):
        await first
    assert waiting(downloads) == {"other"}


async def test_a_download_never_fetched_is_a_404_after_its_time():
    async with serving() as (server, _, http):
        server.download_manager.ttl_s = 0.2
        await offer(server.download_manager, Service("a"), "0123456789abcdef")
        await asyncio.sleep(0.4)
        async with http.get(f"{server.public_url}/download/0123456789abcdef",
                            cookies={server.cookie: server.token}) as response:
            assert response.status == 404


def test_a_killed_servers_session_folders_are_removed_when_a_session_starts(tmp_path):
    dead = tmp_path / "gmtui-serve-4194303-x1"  # no process has that id
    (dead / "state").mkdir(parents=True)
    alive = tmp_path / f"gmtui-serve-{os.getppid()}-x2"
    alive.mkdir()
    session = AppSession(["true"], _Socket(), None, demo=True)  # type: ignore[arg-type]
    env = session._build_environment()
    home = Path(session.home)
    try:
        assert not dead.exists() and alive.is_dir()
        assert home.parent == tmp_path and home.name.startswith(f"gmtui-serve-{os.getpid()}-")
        assert env["GMTUI_HOME"] == str(home) and home.stat().st_mode & 0o777 == 0o700
    finally:
        home.rmdir()


def test_cli_serve_takes_the_time_limits(monkeypatch):
    from gmtui import cli_share
    from gmtui.cli import main

    servers = []

    async def serve(server, *, local):
        servers.append(server)
        return 0

    monkeypatch.setattr(cli_share, "_serve", serve)
    assert main(["serve", "--idle-timeout", "5", "--max-duration", "0"]) == 0
    assert main(["serve"]) == 0
    assert [(s.idle_timeout_s, s.max_duration_s) for s in servers] == [(5, 0), (600, 3600)]
    with pytest.raises(SystemExit):
        main(["serve", "--idle-timeout", "-1"])
