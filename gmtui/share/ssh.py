"""`gmtui ssh-demo`: the demo dashboard over SSH, on asyncssh.

Each session runs its own ``python -m gmtui --demo --read-only`` on a fresh pseudo-
terminal, in a throwaway folder (its GMTUI_HOME, HOME and TMPDIR) removed when the
session ends. The client's terminal type becomes TERM; of the environment it sends,
only COLORTERM and the locale (LANG, LANGUAGE, LC_*) are passed on, and only plain
values. A window change sets the pty's size (at most 500x200), so the child gets SIGWINCH.
The pty is read only while the client takes the output (``OUTPUT_BACKLOG``), so a client
that stops reading leaves the child waiting, not the server holding its output.
When the channel closes (the client quit, was killed, lost the network) or a limit is
reached, the child's process group gets SIGHUP, then SIGKILL after ``GRACE_S``, and
is reaped. A session without a pty, or over --max-sessions, gets one line saying so
and exit status 1. Port forwarding, agent and X11 forwarding, SFTP and SCP are refused.
"""

from __future__ import annotations

import asyncio
import os
import pty
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

from gmtui import places
from gmtui.api.errors import ConfigError
from gmtui.api.text import clean
from gmtui.output import say
from gmtui.share import DEMO_COMMAND_ARGS, IDLE_TIMEOUT_S, MAX_DURATION_S, bounded, limit
from gmtui.share.child import (BACKLOG_CHECK_S, OUTPUT_BACKLOG, RESET, backlog, child_env, set_size, stop,
                               take_terminal)
from gmtui.share.keys import host_key_path, load_host_key, read_authorized_keys

DEFAULT_BANNER = "gmtui demo: made-up data from a built-in sandbox; read-only. q quits."  # fits 80 columns
_TERM = re.compile(r"^[A-Za-z0-9_.+-]{1,64}$")
SESSION_PREFIX = "gmtui-ssh-demo-"  # a session's folder: this prefix, the server's process id, a fresh suffix
_INPUT_BACKLOG = 64 * 1024
CONNECTIONS_PER_SESSION = 4  # connections at once (most still authenticating): 4 x --max-sessions


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 2222
    authorized_keys: Path | None = None
    """The public keys let in; None with ``open``: anyone, without authentication."""
    open: bool = False
    max_sessions: int = 4
    idle_timeout_s: float = IDLE_TIMEOUT_S
    """No input for this long ends a session (0: never)."""
    max_duration_s: float = MAX_DURATION_S
    """A session ends after this long whatever happens (0: never)."""
    banner: str = DEFAULT_BANNER
    host_key: Path | None = None
    """The host key's file (made on first use); None: in gmtui's state folder."""
    command: list[str] = field(default_factory=lambda: [sys.executable, "-m", "gmtui", *DEMO_COMMAND_ARGS])


class DemoServer:
    """The listener, its connections and their running sessions."""

    def __init__(self, settings: Settings):
        if settings.open == (settings.authorized_keys is not None):
            raise ConfigError("gmtui ssh-demo takes --authorized-keys FILE or --open (one of them)")
        self.settings = settings
        self.host_key_path = host_key_path(settings.host_key)
        self.host_key, self.host_key_created = load_host_key(self.host_key_path)
        keys = settings.authorized_keys
        self._authorized = read_authorized_keys(keys) if keys is not None else None
        self.sessions: set[DemoSession] = set()
        self.connections: set[asyncssh.SSHServerConnection] = set()
        self.started = 0
        self._acceptor: asyncssh.SSHAcceptor | None = None

    @property
    def port(self) -> int:
        return self._acceptor.get_port() if self._acceptor is not None else self.settings.port

    def fingerprint(self) -> str:
        return self.host_key.get_fingerprint("sha256")

    async def start(self) -> None:
        s = self.settings
        self._acceptor = await asyncssh.create_server(
            lambda: _Connection(self), s.host, s.port, server_host_keys=[self.host_key],
            authorized_client_keys=self._authorized, public_key_auth=not s.open, password_auth=False,
            kbdint_auth=False, host_based_auth=False, gss_auth=False, gss_kex=False,
            encoding=None, line_editor=False, agent_forwarding=False, x11_forwarding=False, allow_scp=False,
            login_timeout=30, keepalive_interval=30, keepalive_count_max=3)

    async def close(self) -> None:
        """Stop listening, end every session (their children reaped), close connections."""
        if self._acceptor is not None:
            self._acceptor.close()
        running = list(self.sessions)
        for session in running:
            session.end("the server is shutting down")
        await asyncio.gather(*(session.finished.wait() for session in running))
        for conn in list(self.connections):
            conn.close()
        if self._acceptor is not None:  # on Python 3.12+ this also waits for the connections
            try:
                await asyncio.wait_for(self._acceptor.wait_closed(), 5)
            except TimeoutError:
                pass


class _Connection(asyncssh.SSHServer):
    def __init__(self, server: DemoServer):
        self.server = server
        self.conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        server = self.server
        if len(server.connections) >= CONNECTIONS_PER_SESSION * server.settings.max_sessions:
            conn.close()  # too many at once: refused before any work
            return
        self.conn = conn
        server.connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.conn is not None:
            self.server.connections.discard(self.conn)

    def begin_auth(self, username: str) -> bool:
        return not self.server.settings.open  # --open: in without authentication

    def session_requested(self) -> DemoSession:
        return DemoSession(self.server)

    # forwarding of any kind: the SSHServer defaults refuse it


class DemoSession(asyncssh.SSHServerSession[bytes]):
    """One client's session: its pty, its child, its limits."""

    def __init__(self, server: DemoServer):
        self.server = server
        self.chan: asyncssh.SSHServerChannel[bytes] | None = None
        self.term: str | None = None
        self.size = (80, 24)
        self.proc: asyncio.subprocess.Process | None = None
        self.home: str | None = None
        self.master = -1
        self.reason: str | None = None
        self.ending = asyncio.Event()
        self.finished = asyncio.Event()
        self.started = self.last_input = time.monotonic()
        self._closed = False
        self._pending = bytearray()
        self._input_paused = False
        self._watching = self._paused = False
        self._timer: asyncio.TimerHandle | None = None
        self._held: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    # ---- asyncssh's callbacks -------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self.chan = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int], term_modes: object) -> bool:
        self.term = term_type if _TERM.match(term_type) else "xterm-256color"
        if term_size[0] > 0 and term_size[1] > 0:
            self.size = bounded(term_size[0], term_size[1])
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        return True  # the command is ignored: the demo is all there is

    def subsystem_requested(self, subsystem: str) -> bool:
        return False

    def session_started(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def data_received(self, data: bytes, datatype: object) -> None:
        self.last_input = time.monotonic()
        if not self.ending.is_set() and (self.master >= 0 or len(self._pending) < _INPUT_BACKLOG):
            self._pending += data  # typed before the child started: kept for it
            if self.master >= 0:
                self._flush_input()

    def eof_received(self) -> bool:
        self.end(None)
        return True

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        if width > 0 and height > 0:
            self.size = bounded(width, height)
            if self.master >= 0:
                set_size(self.master, *self.size, pixwidth, pixheight)

    def pause_writing(self) -> None:
        self._paused = True
        self._watch_output(False)  # the child blocks once the pty's buffer is full

    def resume_writing(self) -> None:
        self._paused = False
        if self._held is None:
            self._resume_output()

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self.end(None)

    # ---- the session ----------------------------------------------------------------

    def end(self, reason: str | None) -> None:
        """End the session; ``reason`` is told to the client (None: it left)."""
        if not self.ending.is_set():
            self.reason = reason
            self.ending.set()

    async def _run(self) -> None:
        chan, server = self.chan, self.server
        assert chan is not None
        try:
            if self.term is None:
                user = clean(chan.get_extra_info("username") or "demo", limit=32)
                host = server.settings.host if ":" not in server.settings.host else f"[{server.settings.host}]"
                return self._refuse(f"gmtui ssh-demo needs a terminal: ssh -t -p {server.port} {user}@{host}")
            if len(server.sessions) >= server.settings.max_sessions:
                return self._refuse(f"gmtui ssh-demo: all {server.settings.max_sessions} sessions are in use; "
                                    "try again later")
            server.sessions.add(self)
            server.started += 1
            await self._run_child()
        except Exception as exc:  # a session's failure ends that session, never the server
            _log(f"gmtui ssh-demo: a session failed: {type(exc).__name__}: {exc}", err=True)
            if not self._closed:
                chan.exit(1)
        finally:
            server.sessions.discard(self)
            self.finished.set()

    def _refuse(self, message: str) -> None:
        assert self.chan is not None
        self.chan.write_stderr(clean(message).encode() + b"\r\n")
        self.chan.exit(1)

    async def _run_child(self) -> None:
        chan, settings = self.chan, self.server.settings
        assert chan is not None
        chan.write(clean(settings.banner).encode(errors="replace") + b"\r\n")
        self.home = home = str(places.private_dir(SESSION_PREFIX))  # a killed server's are swept first
        master, killed, code = -1, False, 1
        proc: asyncio.subprocess.Process | None = None
        waiter: asyncio.Future[int] | None = None
        try:  # from here on, whatever happens: the child stopped and reaped, the pty closed, the folder removed
            master, slave = pty.openpty()
            try:
                set_size(slave, *self.size)
                self.proc = proc = await asyncio.create_subprocess_exec(
                    *settings.command, stdin=slave, stdout=slave, stderr=slave, cwd=home, start_new_session=True,
                    env=child_env(home, self.term, chan.get_environment()), preexec_fn=take_terminal)
            finally:
                os.close(slave)
            waiter = asyncio.ensure_future(proc.wait())
            waiter.add_done_callback(lambda _: self.end(None))
            os.set_blocking(master, False)
            self.master = master
            _log(f"session {self.server.started}: pid {proc.pid}, {self.size[0]}x{self.size[1]} {self.term}, "
                 f"{len(self.server.sessions)} running")
            self._watch_output(True)
            self._flush_input()
            self._arm_timer()
            await self.ending.wait()
        finally:
            if self._timer is not None:
                self._timer.cancel()
            try:
                if proc is not None and waiter is not None:
                    killed = proc.returncode is None
                    code = await stop(proc, waiter)
                self._drain_output()
            finally:
                self._watch_output(False)
                if self._held is not None:
                    self._held.cancel()
                if master >= 0:
                    asyncio.get_running_loop().remove_writer(master)
                    self.master = -1
                    os.close(master)
                shutil.rmtree(home, ignore_errors=True)
        assert proc is not None
        _log(f"session ended: pid {proc.pid} {'stopped' if killed else 'exited'}"
             f"{f' ({self.reason})' if self.reason else ''}")
        if self._closed:
            return
        if killed:
            chan.write(RESET)
        if self.reason:
            chan.write(f"gmtui ssh-demo: {self.reason}\r\n".encode(errors="replace"))
        chan.exit(code if not killed and 0 <= code < 256 else 1)

    def _arm_timer(self) -> None:
        settings, now = self.server.settings, time.monotonic()
        why, then = limit(now, self.started, self.last_input, settings.idle_timeout_s, settings.max_duration_s)
        if why is not None:
            return self.end(why)
        if then is not None:
            self._timer = asyncio.get_running_loop().call_later(then - now + 0.01, self._arm_timer)

    def _watch_output(self, on: bool) -> None:
        if self.master < 0 or on == self._watching:
            return
        loop = asyncio.get_running_loop()
        if on:
            loop.add_reader(self.master, self._read_output)
        else:
            loop.remove_reader(self.master)
        self._watching = on

    def _read_output(self) -> bool:
        """Pass what the child wrote on; False when nothing more was there."""
        try:
            data = os.read(self.master, 65536)
        except BlockingIOError:
            return False
        except OSError:  # EIO: the child and its copies of the terminal are gone
            data = b""
        if not data:
            self._watch_output(False)
            return False
        if not self._closed and self.chan is not None:
            self.chan.write(data)
            if self._held is None and backlog(self.chan) > OUTPUT_BACKLOG:  # the client is not reading
                self._watch_output(False)
                self._held = asyncio.get_running_loop().call_later(BACKLOG_CHECK_S, self._resume_output)
        return True

    def _resume_output(self) -> None:
        """Read the pty again once the backlog is down to half (looked at every ``BACKLOG_CHECK_S``)."""
        self._held = None
        if self.master < 0 or self._closed or self._paused:
            return  # resume_writing comes back here
        if self.chan is not None and backlog(self.chan) > OUTPUT_BACKLOG // 2:
            self._held = asyncio.get_running_loop().call_later(BACKLOG_CHECK_S, self._resume_output)
        else:
            self._watch_output(True)

    def _drain_output(self) -> None:
        """What the child wrote before it ended (it puts the terminal back), up to 1 MiB, held back or not."""
        for _ in range(16):
            if self._closed or not self._read_output():
                break

    def _flush_input(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            try:
                written = os.write(self.master, self._pending)
            except BlockingIOError:
                break
            except OSError:
                self._pending.clear()
                break
            del self._pending[:written]
        if self._pending:
            loop.add_writer(self.master, self._flush_input)
        else:
            loop.remove_writer(self.master)
        paused = len(self._pending) > _INPUT_BACKLOG
        if paused != self._input_paused and self.chan is not None:
            self._input_paused = paused
            self.chan.pause_reading() if paused else self.chan.resume_reading()


def _log(line: str, *, err: bool = False) -> None:
    """A line on stdout (or stderr), never an error: a closed output must not stop a session's cleanup."""
    try:
        say(line, err=err)
        (sys.stderr if err else sys.stdout).flush()  # read as it happens, also through a pipe
    except (OSError, ValueError):  # EPIPE, EIO, a closed file
        pass
