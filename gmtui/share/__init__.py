"""Showing gmtui to people who do not install it: ``ssh.py`` (`gmtui ssh-demo`, the
demo over SSH, one throwaway process per session) and ``web.py`` (`gmtui serve`, the
dashboard in a browser on textual-serve). Both need the optional ``share`` extra."""

from __future__ import annotations

import ipaddress

DEMO_COMMAND_ARGS = ("--demo", "--read-only")
"""What a shared session runs, after ``python -m gmtui``: the demo, money moves refused."""
GRACE_S = 2.0  # a session's app that has not quit this long after being asked is killed
IDLE_TIMEOUT_S = 600.0  # a session without input this long ends (both servers' default)
MAX_DURATION_S = 3600.0  # a session ends this long after it began, input or not
MAX_COLUMNS, MAX_ROWS = 500, 200  # a bigger window would only make the app use more memory


def bounded(width: int, height: int) -> tuple[int, int]:
    """A window size in 1..MAX_COLUMNS x 1..MAX_ROWS."""
    return max(1, min(int(width), MAX_COLUMNS)), max(1, min(int(height), MAX_ROWS))


def limit(now: float, started: float, last_input: float, idle_timeout_s: float,
          max_duration_s: float) -> tuple[str | None, float | None]:
    """Why a session that began at ``started`` ends at ``now`` (None: it goes on), and
    when to look again (None: never; a limit of 0 is none)."""
    deadlines = []
    if max_duration_s:
        if now - started >= max_duration_s:
            return f"the session reached its limit of {_span(max_duration_s)}", None
        deadlines.append(started + max_duration_s)
    if idle_timeout_s:
        if now - last_input >= idle_timeout_s:
            return f"no input for {_span(idle_timeout_s)}: session closed", None
        deadlines.append(last_input + idle_timeout_s)
    return None, min(deadlines) if deadlines else None


def _span(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60} min" if whole >= 120 and whole % 60 == 0 else f"{whole} s"


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) only listens on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
