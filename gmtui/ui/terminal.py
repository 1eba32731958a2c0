"""The dashboard ends when its terminal goes away.

Textual's Linux driver reads keys in a thread that waits on stdin with select() and
reads what is there; when stdin is at its end (a terminal hung up, its pty closed, an
SSH connection gone) select() says "readable" at once and read() returns nothing, over
and over: the app spins a CPU core forever, drawing into a terminal nobody sees.
``TerminalDriver`` is that driver, plus: a hangup of the terminal (poll() reports it on
stdin; the thread sleeps until then) or SIGHUP ends the app, and writes to a terminal
that is gone are dropped instead of failing the output thread. SIGTERM ends the app as
`q` does (the terminal restored, the demo's folder tidied: see gmtui.places).
"""

from __future__ import annotations

import asyncio
import os
import select
import signal
import threading
from typing import IO, Any

from textual.drivers.linux_driver import LinuxDriver

from gmtui.display import HANGUP_EXIT, TERM_EXIT


class _Dropping:
    """A terminal stream whose writes, once the terminal is gone, are dropped."""

    def __init__(self, stream: IO[str]):
        self.stream = stream
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self.stream.write(text)
            except (OSError, ValueError):  # EIO from a hung-up terminal, or closed
                self.gone = True
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self.stream.flush()
            except (OSError, ValueError):
                self.gone = True

    def fileno(self) -> int:
        return self.stream.fileno()

    def isatty(self) -> bool:
        return True


class TerminalDriver(LinuxDriver):
    """Textual's terminal driver that ends the app, promptly and without spinning,
    when the terminal goes away."""

    def __init__(self, app: Any, **kwargs: Any):
        super().__init__(app, **kwargs)
        self._file = self._output = _Dropping(self._file)  # type: ignore[assignment,arg-type]
        self._wake: int | None = None  # writing to it ends the hangup watch

    def start_application_mode(self) -> None:
        super().start_application_mode()
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGHUP, self._gone)
            loop.add_signal_handler(signal.SIGTERM, self._app.exit, None, TERM_EXIT)  # ends as `q` does
        except (RuntimeError, ValueError):  # not the main thread: the hangup watch still works
            pass
        self._watch(loop)

    def stop_application_mode(self) -> None:
        self._unwatch()
        for signum in (signal.SIGHUP, signal.SIGTERM):
            try:
                asyncio.get_running_loop().remove_signal_handler(signum)
            except (RuntimeError, ValueError):
                pass
        super().stop_application_mode()

    def _sigcont_application(self, *args: Any) -> None:
        """Resume only what a suspend (ctrl+z) stopped: a hangup sends SIGCONT too, and
        drawing must not start again on a terminal that is gone."""
        if self._must_signal_resume:
            super()._sigcont_application(*args)

    def _gone(self) -> None:
        """The terminal is gone: nothing more is drawn, and the app ends."""
        self._output.gone = True
        self._app.exit(return_code=HANGUP_EXIT)

    def _watch(self, loop: asyncio.AbstractEventLoop) -> None:
        """Wait, in a thread asleep until then, for stdin's terminal to hang up."""
        self._unwatch()
        wake_read, self._wake = os.pipe()
        poller = select.poll()
        poller.register(self.fileno, select.POLLHUP | select.POLLERR)  # not POLLIN: keys are the input thread's
        poller.register(wake_read, select.POLLIN)

        def watch() -> None:
            try:
                if any(fd == self.fileno for fd, _ in poller.poll()):  # else woken: the watch ends
                    loop.call_soon_threadsafe(self._gone)
            except RuntimeError:  # the loop is closed: the app has ended already
                pass
            finally:
                os.close(wake_read)

        threading.Thread(target=watch, name="gmtui-hangup", daemon=True).start()

    def _unwatch(self) -> None:
        if self._wake is not None:
            try:
                os.write(self._wake, b"x")
            except OSError:  # the watch has ended already (it saw the hangup)
                pass
            os.close(self._wake)
            self._wake = None
