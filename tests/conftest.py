"""Shared fixtures. Every test runs with GMTUI_HOME in a temporary folder, no GMTUI_*
variables from the environment, a fixed clock, and no network beyond loopback."""

from __future__ import annotations

import os

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")  # before textual is imported

import socket
from datetime import date, datetime, UTC

import pytest

from gmtui.sandbox import Options, State, WorldSize, demo_client

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


class Clock:
    """A settable clock (seconds since the epoch)."""

    def __init__(self, t: float = NOW.timestamp()):
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith("GMTUI_"):
            monkeypatch.delenv(name)
    home = tmp_path / "gmtui-home"
    monkeypatch.setenv("GMTUI_HOME", str(home))
    return home


_real_connect = socket.socket.connect


def _loopback_only(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1")) and self.family != socket.AF_UNIX:
        raise OSError(f"tests must not touch the network (tried {host})")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def state(clock) -> State:
    return State(Options(seed=7, today=NOW.date()), clock=clock)


@pytest.fixture
async def client(state):
    async with demo_client(state) as c:
        yield c


def small_state(clock: Clock, **size) -> State:
    return State(Options(seed=11, today=NOW.date(), size=WorldSize(**size)), clock=clock)


__all__ = ["Clock", "NOW", "small_state", "date"]
