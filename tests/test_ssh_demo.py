"""`gmtui ssh-demo` end to end on loopback, with asyncssh's own client: the dashboard
on a pty, a window change, the child gone when the channel closes, the refusals (no
pty, over the session cap, an unknown key), the limits, the host key."""

from __future__ import annotations

import asyncio
import fcntl
import os
import re
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest

asyncssh = pytest.importorskip("asyncssh")

from gmtui.api.errors import ConfigError  # noqa: E402
from gmtui.config import paths  # noqa: E402
from gmtui import share  # noqa: E402
from gmtui.share import ssh  # noqa: E402
from gmtui.share.ssh import DemoServer, Settings  # noqa: E402

ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>]")
SLEEPER = [sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(60)"]


class Terminal(asyncssh.SSHClientSession):
    """What a client's terminal receives, and its exit status."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.err = bytearray()
        self.changed = asyncio.Event()
        self.status: int | None = None
        self.closed = asyncio.Event()

    def data_received(self, data: bytes, datatype: object) -> None:
        (self.err if datatype == asyncssh.EXTENDED_DATA_STDERR else self.out).extend(data)
        self.changed.set()

    def exit_status_received(self, status: int) -> None:
        self.status = status

    def connection_lost(self, exc: object) -> None:
        self.closed.set()

    def text(self, start: int = 0) -> str:
        return ANSI.sub(b"", bytes(self.out[start:])).decode(errors="replace")

    async def wait_for(self, *needles: str, start: int = 0, timeout: float = 20) -> None:
        async def seen() -> None:
            while not all(n in self.text(start) for n in needles):
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(seen(), timeout)


async def started(**settings: object) -> DemoServer:
    server = DemoServer(Settings(port=0, open=True, **settings))  # type: ignore[arg-type]
    await server.start()
    return server


async def connect(server: DemoServer, **options: object) -> asyncssh.SSHClientConnection:
    options = {"username": "demo", "known_hosts": None, "client_keys": None, "agent_path": None, **options}
    return await asyncssh.connect("127.0.0.1", server.port, **options)


async def session(conn: asyncssh.SSHClientConnection, **options: object) -> tuple[object, Terminal]:
    return await conn.create_session(Terminal, encoding=None, **options)


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # a zombie still answers: gone means reaped
    except ProcessLookupError:
        return True
    return False


def environ(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/environ", "rb") as handle:
        pairs = [item.decode().split("=", 1) for item in handle.read().split(b"\0") if b"=" in item]
    return dict(pairs)


async def test_dashboard_on_a_pty_resize_cap_and_hangup(isolated_home):
    server = await started(max_sessions=1)
    try:
        conn = await connect(server)
        chan, term = await session(conn, term_type="xterm-256color", term_size=(80, 24),
                                   env={"COLORTERM": "truecolor", "LANG": "C.UTF-8", "EVIL": "1", "LC_ALL": "$(reboot)"})
        await term.wait_for("gmtui demo: made-up data", "READ-ONLY", "Fleet", "366 TH/s")
        (running,) = server.sessions
        pid = running.pid
        assert pid is not None
        env = environ(pid)
        home = env["GMTUI_HOME"]
        assert os.path.isdir(home) and not home.startswith(str(isolated_home))
        assert env["HOME"] == home and env["TERM"] == "xterm-256color" and env["COLORTERM"] == "truecolor"
        assert "EVIL" not in env and "LC_ALL" not in env

        # over the cap: refused with a message, the running session untouched
        chan2, term2 = await session(await connect(server), term_type="xterm", term_size=(80, 24))
        await asyncio.wait_for(term2.closed.wait(), 5)
        assert term2.status == 1 and b"all 1 sessions are in use" in term2.err
        assert not gone(pid)

        # a window change: the pty has the new size and the dashboard repaints to row 30
        mark = len(term.out)
        chan.change_terminal_size(100, 30)
        await asyncio.wait_for(_until(lambda: b"\x1b[30;1H" in term.out[mark:]), 10)
        fd = os.open(f"/proc/{pid}/fd/0", os.O_RDONLY | os.O_NOCTTY)
        try:
            rows, cols = struct.unpack("HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8))[:2]
        finally:
            os.close(fd)
        assert (cols, rows) == (100, 30)

        # the channel closes: the child is reaped within 2 s, its folder removed
        closed_at = time.monotonic()
        chan.close()
        await asyncio.wait_for(_until(lambda: gone(pid)), 2.5)
        assert time.monotonic() - closed_at < 2.0
        await asyncio.wait_for(_until(lambda: not os.path.exists(home)), 2)
        conn.close()
    finally:
        await server.close()


async def _until(check) -> None:
    while not check():
        await asyncio.sleep(0.02)


async def test_no_pty_refused_with_a_line():
    server = await started()
    try:
        conn = await connect(server)
        result = await conn.run("ls", encoding=None)
        assert result.exit_status == 1
        assert result.stderr == f"gmtui ssh-demo needs a terminal: ssh -t -p {server.port} demo@127.0.0.1\r\n".encode()
        assert not server.sessions
        conn.close()
    finally:
        await server.close()


async def test_idle_limit_ends_the_session_and_a_deaf_child_is_killed(monkeypatch):
    monkeypatch.setattr("gmtui.share.child.GRACE_S", 0.3)
    deaf = [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGHUP, signal.SIG_IGN); "
                                  "print('ready', flush=True); time.sleep(60)"]
    server = await started(idle_timeout_s=1, command=deaf, banner="\x1b]52;c;aGk=\x07 hello\nthere")
    try:
        conn = await connect(server)
        chan, term = await session(conn, term_type="xterm", term_size=(80, 24))
        await term.wait_for("ready")
        assert bytes(term.out).startswith("␛]52;c;aGk=␇ hello␊there\r\n".encode())  # plain text, one line
        pid = next(iter(server.sessions)).pid
        await asyncio.wait_for(term.closed.wait(), 5)
        assert "no input for 1 s: session closed" in term.text()
        assert ssh.RESET in term.out and term.status == 1
        assert gone(pid)
        conn.close()
    finally:
        await server.close()


async def test_max_duration_and_server_shutdown_end_sessions():
    server = await started(max_duration_s=1, command=SLEEPER)
    conn = await connect(server)
    _, term = await session(conn, term_type="xterm", term_size=(80, 24))
    await term.wait_for("ready")
    await asyncio.wait_for(term.closed.wait(), 5)
    assert "the session reached its limit of 1 s" in term.text()

    _, term = await session(await connect(server), term_type="xterm", term_size=(80, 24))
    await term.wait_for("ready")
    pid = next(iter(server.sessions)).pid
    await asyncio.wait_for(server.close(), 5)
    assert gone(pid) and "the server is shutting down" in term.text()


async def test_authorized_keys_only():
    allowed, other = asyncssh.generate_private_key("ssh-ed25519"), asyncssh.generate_private_key("ssh-ed25519")
    keys = paths().state.parent / "authorized_keys"
    keys.parent.mkdir(parents=True, exist_ok=True)
    keys.write_bytes(allowed.export_public_key())
    server = DemoServer(Settings(port=0, authorized_keys=keys))
    await server.start()
    try:
        with pytest.raises(asyncssh.PermissionDenied):
            await connect(server, client_keys=[other])
        conn = await connect(server, client_keys=[allowed])
        assert (await conn.run(encoding=None)).exit_status == 1  # in, but no pty
        conn.close()
    finally:
        await server.close()
    with pytest.raises(ConfigError):
        DemoServer(Settings(port=0))  # neither --authorized-keys nor --open
    with pytest.raises(ConfigError):
        DemoServer(Settings(port=0, authorized_keys=keys.with_name("missing")))


async def test_host_key_0600_and_reused():
    first = await started()
    path = paths().state / "ssh-demo-host-key"
    assert first.host_key_created and first.host_key_path == path
    assert path.stat().st_mode & 0o777 == 0o600
    conn = await connect(first)
    seen = conn.get_server_host_key().get_fingerprint()
    conn.close()
    await first.close()

    again = await started()
    assert not again.host_key_created and again.fingerprint() == first.fingerprint() == seen
    conn = await connect(again, known_hosts=([first.host_key.convert_to_public()], [], []))  # checked this time
    conn.close()
    await again.close()

    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        DemoServer(Settings(port=0, open=True))


def test_cli_prints_how_to_connect_and_stops_on_sigterm(isolated_home):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "GMTUI_HOME": str(isolated_home)}
    proc = subprocess.Popen([sys.executable, "-m", "gmtui", "ssh-demo", "--open", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = [proc.stdout.readline() for _ in range(2)]  # type: ignore[union-attr]
        assert f"ssh -t -p {port} demo@127.0.0.1" in lines[1]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        assert "--open: anyone who can reach this machine" in proc.stderr.read()  # type: ignore[union-attr]
    finally:
        proc.kill()
        proc.wait()


def test_cli_without_the_extra(monkeypatch, capsys):
    import importlib.util

    from gmtui.cli import main

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "asyncssh" else real(name, *a))
    assert main(["ssh-demo", "--open"]) == 2
    assert "gmtui ssh-demo needs asyncssh: pip install 'gmtui[share]'" in capsys.readouterr().err


async def test_window_sizes_are_bounded_and_a_huge_one_is_clamped():
    server = await started(command=SLEEPER)
    try:
        conn = await connect(server)
        chan, term = await session(conn, term_type="xterm", term_size=(100000, 100000))
        await term.wait_for("ready")
        (running,) = server.sessions
        assert running.size == (share.MAX_COLUMNS, share.MAX_ROWS)
        chan.change_terminal_size(70000, 3)
        await asyncio.wait_for(_until(lambda: running.size == (share.MAX_COLUMNS, 3)), 5)
        fd = os.open(f"/proc/{running.pid}/fd/0", os.O_RDONLY | os.O_NOCTTY)
        try:
            rows, cols = struct.unpack("HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8))[:2]
        finally:
            os.close(fd)
        assert (cols, rows) == (500, 3)
        conn.close()
    finally:
        await server.close()
    assert share.bounded(0, -5) == (1, 1) and b"\x1b[?7h" in ssh.RESET


async def test_a_failing_log_still_ends_the_child_and_frees_the_slot(monkeypatch):
    seen: list[tuple[int, str]] = []

    def broken(line: str, *, err: bool = False) -> None:
        if line.startswith("session "):  # stdout closed just after the child started
            (running,) = server.sessions
            seen.append((running.pid, running.home))
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(ssh, "_log", broken)
    server = await started(command=SLEEPER, max_sessions=1, banner="bad \udcff byte")
    try:
        conn = await connect(server)
        _, term = await session(conn, term_type="xterm", term_size=(80, 24))
        await asyncio.wait_for(term.closed.wait(), 5)
        assert term.out.startswith(b"bad ? byte\r\n") and term.status == 1
        ((pid, home),) = seen
        assert gone(pid) and not os.path.exists(home) and not server.sessions
        conn.close()
    finally:
        await server.close()


def test_log_never_raises(monkeypatch):
    def closed(*args: object, **kwargs: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(ssh, "say", closed)
    ssh._log("session 1")
    ssh._log("failed", err=True)


def test_a_stale_temp_file_does_not_stop_making_the_host_key(tmp_path, monkeypatch):
    from gmtui.share.keys import load_host_key

    path = tmp_path / "key"
    (tmp_path / f".key.{os.getpid()}").write_text("stale")
    key, made = load_host_key(path)
    assert made and load_host_key(path)[1] is False


async def test_connections_over_the_cap_are_closed():
    server = await started(max_sessions=1)
    try:
        conns = [await connect(server) for _ in range(ssh.CONNECTIONS_PER_SESSION)]
        with pytest.raises((asyncssh.Error, OSError)):
            await asyncio.wait_for(connect(server), 5)
        assert len(server.connections) == ssh.CONNECTIONS_PER_SESSION
        for conn in conns:
            conn.close()
    finally:
        await server.close()
