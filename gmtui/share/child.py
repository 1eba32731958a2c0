"""The process behind an SSH demo session: its environment, its pty's size, its
controlling terminal, its output waiting for the client (``backlog``), and its end
(SIGHUP to its process group, SIGKILL ``GRACE_S`` later, then ``RESET`` for the
client's terminal)."""

from __future__ import annotations

import asyncio
import fcntl
import os
import re
import signal
import struct
import termios
from collections.abc import Mapping
from typing import TYPE_CHECKING

from gmtui.share import GRACE_S, bounded
from gmtui.places import SHARED, SHARED_SSH

if TYPE_CHECKING:
    import asyncssh

_ENV_NAME = re.compile(r"^(COLORTERM|LANG|LANGUAGE|LC_[A-Z]{1,20})$")
_ENV_VALUE = re.compile(r"^[A-Za-z0-9_.,:@+-]{1,64}$")
# What a full-screen program may leave on when it is killed: the alternate screen,
# mouse and focus reporting, bracketed paste, the kitty keyboard mode, a hidden cursor.
RESET = (b"\x1b[?1049l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l\x1b[?1004l"
         b"\x1b[?2004l\x1b[<u\x1b[?25h\x1b[?7h\x1b[0m\r\n")
OUTPUT_BACKLOG = 1024 * 1024
"""The most of a session's output held for a client that does not take it: past it the
pty is not read, until the backlog is down to half (looked at every ``BACKLOG_CHECK_S``)."""
BACKLOG_CHECK_S = 0.1


def child_env(home: str, term: str | None, sent: Mapping[str, str]) -> dict[str, str]:
    """The child's whole environment: ``home`` (the session's folder) as its HOME,
    GMTUI_HOME and TMPDIR, ``term``, and of what the client ``sent`` only COLORTERM and
    the locale, with plain values. ``SHARED`` tells it that it is a shared session."""
    env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": home, "GMTUI_HOME": home, "TMPDIR": home,
           "TERM": term or "xterm-256color", "LANG": "C.UTF-8", SHARED: SHARED_SSH}
    if os.environ.get("PYTHONPATH"):  # a checkout run without installing
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    for name, value in sent.items():
        if _ENV_NAME.match(name) and _ENV_VALUE.match(value):
            env[name] = value
    return env


def backlog(chan: asyncssh.SSHServerChannel[bytes]) -> int:
    """The output the client has yet to take: in the channel, and in its connection's
    transport (asyncssh does not pause a session for that one, and a client that gives a
    window of 4 GiB has the channel hand it all on)."""
    transport = getattr(chan.get_extra_info("connection"), "_transport", None)  # no public way to it
    return chan.get_write_buffer_size() + (transport.get_write_buffer_size() if transport is not None else 0)


async def stop(proc: asyncio.subprocess.Process, waiter: asyncio.Future[int]) -> int:
    """The child's exit status; a child still running gets SIGHUP, SIGKILL ``GRACE_S`` later."""
    if proc.returncode is None:
        signal_group(proc.pid, signal.SIGHUP)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), GRACE_S)
        except BaseException:  # late, or this task cancelled: killed all the same
            signal_group(proc.pid, signal.SIGKILL)
    return await waiter


def take_terminal() -> None:
    """In the child, before exec: the pty becomes its controlling terminal (its
    session is new), so a resize or a hangup reaches it as a signal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def set_size(fd: int, width: int, height: int, pixwidth: int = 0, pixheight: int = 0) -> None:
    width, height = bounded(width, height)
    clamp = lambda n: max(0, min(int(n), 0xFFFF))  # noqa: E731
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, clamp(pixwidth), clamp(pixheight)))


def signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)  # the child leads its own session and process group
    except (ProcessLookupError, PermissionError):
        pass
