"""`gmtui ssh-demo` with a client that stops reading (the server holds at most
``OUTPUT_BACKLOG`` of the session's output, the child waits), the session folders of a
killed server swept, and an export's notice in a shared session."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
import tempfile
from pathlib import Path

import pytest

asyncssh = pytest.importorskip("asyncssh")

from gmtui import places  # noqa: E402
from gmtui.share import child  # noqa: E402
from gmtui.share.ssh import SESSION_PREFIX  # noqa: E402
from gmtui.places import SHARED, SHARED_SSH  # noqa: E402
from gmtui.ui.exports import deliver, where  # noqa: E402
from test_ssh_demo import SLEEPER, _until, connect, environ, gone, session, started  # noqa: E402

TOTAL = 24 * 1024 * 1024  # far more than the server and the kernel's socket buffers hold
FLOOD = [sys.executable, "-c", f"import os\nfor _ in range({TOTAL // 65536}): os.write(1, b'x' * 65536)"]


def held(chan: object) -> int:
    """What the server holds of a session's output: its channel's buffer and its
    connection's transport's."""
    transport = chan.get_extra_info("connection")._transport  # type: ignore[attr-defined]
    return chan.get_write_buffer_size() + (transport.get_write_buffer_size() if transport else 0)  # type: ignore[attr-defined]


async def test_a_client_that_stops_reading_leaves_the_child_waiting_not_the_server_holding():
    server = await started(command=FLOOD)
    try:
        conn = await connect(server)
        # a window of 4 GiB: asyncssh's channel alone would hand the connection all of it
        chan, term = await session(conn, term_type="xterm", term_size=(80, 24), window=2**32 - 1)
        await term.wait_for("xxxx")
        conn._transport.pause_reading()  # the client keeps the connection but reads nothing more
        (running,) = server.sessions
        most, loop = 0, asyncio.get_running_loop()
        until = loop.time() + 2
        while loop.time() < until and running.proc.returncode is None:
            most = max(most, held(running.chan))
            await asyncio.sleep(0.02)
        most = max(most, held(running.chan))
        assert most <= child.OUTPUT_BACKLOG + 256 * 1024, f"the server held {most} bytes"
        assert running.proc.returncode is None  # the child waits on its full pty

        conn._transport.resume_reading()  # all of it comes through, and the child ends
        await asyncio.wait_for(term.closed.wait(), 60)
        assert term.status == 0 and term.out.split(b"\r\n", 1)[1] == b"x" * TOTAL  # after the banner
        conn.close()
    finally:
        await server.close()


async def test_the_last_output_of_a_child_comes_through_to_a_client_that_is_behind(monkeypatch):
    from gmtui.share import ssh

    monkeypatch.setattr(ssh, "backlog", lambda chan: 10**9)  # the client never catches up: the pty is read once
    last = [sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(0.5); print('bye\\x1b[?1049l')"]
    server = await started(command=last)
    try:
        conn = await connect(server)
        _, term = await session(conn, term_type="xterm", term_size=(80, 24))
        await asyncio.wait_for(term.closed.wait(), 10)
        assert term.status == 0 and term.out.endswith(b"ready\r\nbye\x1b[?1049l\r\n")  # its terminal put back
        conn.close()
    finally:
        await server.close()


@pytest.fixture
def temp(tmp_path, monkeypatch) -> Path:
    """This test's temporary directory (where the session folders are made)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


async def test_a_killed_servers_session_folders_are_swept_and_a_live_ones_kept(temp):
    dead = int(Path("/proc/sys/kernel/pid_max").read_text())  # no process has this id
    (left := temp / f"{SESSION_PREFIX}{dead}-abc").mkdir()
    (left / "gmtui.log").write_text("a killed server's session\n")
    (live := temp / f"{SESSION_PREFIX}{os.getppid()}-abc").mkdir()
    server = await started(command=SLEEPER)
    try:
        conn = await connect(server)
        chan, term = await session(conn, term_type="xterm", term_size=(80, 24))
        await term.wait_for("ready")
        (running,) = server.sessions
        assert not left.exists() and live.is_dir()
        home = Path(running.home)
        assert home.parent == temp and home.name.startswith(f"{SESSION_PREFIX}{os.getpid()}-")
        assert stat.S_IMODE(home.stat().st_mode) == 0o700
        assert environ(running.pid)[SHARED] == SHARED_SSH  # the child knows it is a shared session
        pid = running.pid
        chan.close()
        await asyncio.wait_for(_until(lambda: gone(pid) and not home.exists()), 5)  # its folder goes at its end
        conn.close()
    finally:
        await server.close()
    assert live.is_dir()


def test_the_export_notice_says_where_the_file_is(monkeypatch):
    assert where(False) == ""
    assert where(True) == " (the demo's own folder: kept when gmtui exits)"
    monkeypatch.setenv(SHARED, SHARED_SSH)
    assert where(True) == " (on the demo server, not on your computer; deleted when this session ends)"
    assert where(False) == ""


async def test_an_export_in_an_ssh_demo_session_says_it_stays_on_the_server(temp, monkeypatch, clock):
    from gmtui.ui.app import dashboard

    monkeypatch.setattr(places, "_demo", None)
    monkeypatch.setenv(SHARED, SHARED_SSH)
    app = dashboard(demo=True, clock=clock, refresh_s=0)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        path = deliver(app, "gmtui-journal", ".csv", "a,b\n1,2\n", "2 money moves", "text/csv")
        await pilot.pause()
        notes = [n.message for n in app._notifications]
    assert path is not None and path.parent.parent == temp
    assert f"2 money moves written to {path} (on the demo server, not on your computer; deleted when this " \
           "session ends)" in notes
    assert not any("kept when gmtui exits" in n for n in notes)
