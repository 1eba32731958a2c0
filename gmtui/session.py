"""Open a ready client: for a profile (its cache, journal, token file and log file in
the platformdirs dirs) or for the demo (the in-process sandbox, all of it in memory)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from gmtui import config
from gmtui.api.cache import FILE_NAME as CACHE_FILE
from gmtui.api.cache import Cache
from gmtui.api.gomining import GoMiningClient
from gmtui.api.journal import FILE_NAME as JOURNAL_FILE
from gmtui.api.journal import Journal
from gmtui.api.logs import RedactingFilter, quiet_http_loggers
from gmtui.api.tokens import TokenStore

LOG_FILE = "gmtui.log"


@dataclass
class Session:
    client: GoMiningClient
    users: list[str]
    profile: str
    state: object | None = None  # the sandbox State in demo mode


def start_logging(secrets: list[str]) -> None:
    """Log to the state dir's gmtui.log (GMTUI_LOG_LEVEL, default INFO), redacted."""
    quiet_http_loggers()
    root = logging.getLogger("gmtui")
    path = config.paths().state / LOG_FILE
    for old in [h for h in root.handlers if getattr(h, "_gmtui", False)]:
        if getattr(old, "baseFilename", None) == str(path.absolute()):
            for f in old.filters:
                if isinstance(f, RedactingFilter):
                    f.add(*secrets)
            return
        root.removeHandler(old)
        old.close()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.touch(mode=0o600, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    handler._gmtui = True  # type: ignore[attr-defined]
    handler.addFilter(RedactingFilter(secrets))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(os.environ.get("GMTUI_LOG_LEVEL", "INFO").upper())


def open_profile(name: str | None = None) -> Session:
    profile = config.resolve(name)
    p = config.paths()
    client = GoMiningClient(
        profile.base_url, profile.api_key.get_secret_value(), profile.api_secret,
        recv_window_ms=profile.recv_window_ms,
        scope=f"{profile.name}@{profile.base_url}",
        cache=Cache(p.cache / CACHE_FILE),
        journal=Journal(p.state / JOURNAL_FILE),
        token_store=TokenStore(p.state / f"tokens-{profile.name}.json"),
    )
    start_logging([profile.api_key.get_secret_value(), profile.api_secret.get_secret_value()])
    return Session(client, list(profile.users), profile.name)


def open_demo(faults: object | None = None) -> Session:
    from gmtui.sandbox import State, demo_client

    state = State(faults=faults)  # type: ignore[arg-type]
    client = demo_client(state, scope="demo", cache=Cache(), journal=Journal(clock=state.clock))
    start_logging([state.options.api_key, state.options.api_secret])
    return Session(client, list(state.world.users), "demo", state=state)
