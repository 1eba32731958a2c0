"""The process behind an SSH demo session: its pty's size, its controlling terminal,
and its end (SIGHUP to its process group, SIGKILL ``GRACE_S`` later)."""

from __future__ import annotations

import asyncio
import fcntl
import os
import signal
import struct
import termios

from gmtui.share import GRACE_S, bounded


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
