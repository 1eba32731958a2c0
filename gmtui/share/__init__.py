"""Showing gmtui to people who do not install it: ``ssh.py`` (`gmtui ssh-demo`, the
demo over SSH, one throwaway process per session) and ``web.py`` (`gmtui serve`, the
dashboard in a browser on textual-serve). Both need the optional ``share`` extra."""

from __future__ import annotations

import ipaddress

DEMO_COMMAND_ARGS = ("--demo", "--read-only")
"""What a shared session runs, after ``python -m gmtui``: the demo, money moves refused."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) only listens on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
