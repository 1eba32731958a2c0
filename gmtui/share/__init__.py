"""Showing gmtui to people who do not install it: ``ssh.py`` (`gmtui ssh-demo`, the
demo over SSH, one throwaway process per session) and ``web.py`` (`gmtui serve`, the
dashboard in a browser on textual-serve). Both need the optional ``share`` extra."""

from __future__ import annotations

import ipaddress

DEMO_COMMAND_ARGS = ("--demo", "--read-only")
"""What a shared session runs, after ``python -m gmtui``: the demo, money moves refused."""
GRACE_S = 2.0  # a session's app that has not quit this long after being asked is killed
MAX_COLUMNS, MAX_ROWS = 500, 200  # a bigger window would only make the app use more memory


def bounded(width: int, height: int) -> tuple[int, int]:
    """A window size in 1..MAX_COLUMNS x 1..MAX_ROWS."""
    return max(1, min(int(width), MAX_COLUMNS)), max(1, min(int(height), MAX_ROWS))


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) only listens on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
