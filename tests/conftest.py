"""Shared fixtures. Every test runs with GMTUI_HOME in a temporary folder, no GMTUI_*
variables from the environment, a fixed clock, and no network beyond loopback."""

from __future__ import annotations

import os

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")  # before textual is imported

import re
import socket
from datetime import date, datetime, UTC
from pathlib import Path

import pytest

from gmtui.sandbox import DEMO_API_KEY, DEMO_API_SECRET, Options, State, WorldSize, demo_client
from gmtui.sandbox.mithril.state import DEMO_CLIENT_KEY as VAULT_KEY
from gmtui.sandbox.webminepool.state import DEMO_SECRET as POOL_SECRET

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
def no_backoff_waits():
    """Retries happen as configured, without waiting out backoffs or Retry-After:
    no test sleeps for real."""
    import stamina

    with stamina.set_testing(True, attempts=100, cap=True):
        yield


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


# ---- after the whole suite: no secret in logs, caches, journals or snapshots -----------

_SCANNED = ("*.log", "cache-v*.sqlite*", "journal-v*.sqlite*", "*.svg", "*.csv")
_SECRET_PATTERNS = [
    re.compile(rb"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}"),  # a JWT
    re.compile(rb"rt_[\w-]{24,}"),  # a sandbox refresh token
    re.compile(rb"signature[\"'=:\s]+[0-9a-fA-F]{64}"),  # a request signature
]


def scan_for_secrets(roots: list[Path]) -> list[str]:
    known = [DEMO_API_SECRET.encode(), DEMO_API_KEY.encode(), POOL_SECRET.encode(), VAULT_KEY.encode(), b"s3cr3t", b"top-secret-value"]
    found = []
    for root in roots:
        for pattern in _SCANNED:
            for path in root.rglob(pattern):
                if not path.is_file():
                    continue
                data = path.read_bytes()
                hits = [k.decode() for k in known if k in data] + [p.pattern.decode() for p in _SECRET_PATTERNS if p.search(data)]
                if hits:
                    found.append(f"{path}: {', '.join(hits)}")
    return found


def pytest_sessionfinish(session, exitstatus):
    factory = getattr(session.config, "_tmp_path_factory", None)
    roots = [Path(__file__).parent, Path(__file__).parent.parent / "screenshots"]
    if factory is not None:
        roots.append(factory.getbasetemp())
    found = scan_for_secrets(roots)
    session.config.secret_scan = (sum(1 for r in roots for p in _SCANNED for _ in r.rglob(p)), found)
    if found:
        print("\nSECRETS FOUND after the suite:\n  " + "\n  ".join(found))
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, config):
    scanned, found = getattr(config, "secret_scan", (0, []))
    terminalreporter.write_line(f"secret scan: {scanned} log/cache/journal/snapshot files, {len(found)} with a secret")


__all__ = ["Clock", "NOW", "small_state", "date"]
