"""Open a ready client: for a profile (its cache, journal, token file and log file in
the platformdirs dirs) or for the demo (the in-process sandboxes, all of it in memory
but the log, which goes to the demo's own folder: gmtui.places); and the profiles the
dashboard may switch between (``Choice``)."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gmtui import config
from gmtui.api.cache import FILE_NAME as CACHE_FILE
from gmtui.api.cache import Cache
from gmtui.api.journal import FILE_NAME as JOURNAL_FILE
from gmtui.api.journal import Journal
from gmtui.api import logs

if TYPE_CHECKING:
    from gmtui.api.gomining.client import GoMiningClient
    from gmtui.api.mithril.client import MithrilClient
    from gmtui.api.webminepool.client import WebMinePoolClient

# platform -> its demo's profile name
DEMOS = {"gomining": "demo", "webminepool": "demo-webminepool", "mithril": "demo-mithril"}


@dataclass
class Session:
    client: GoMiningClient | WebMinePoolClient | MithrilClient  # the client of ``platform``
    users: list[str]
    profile: str
    refresh_s: int = 60
    read_only: bool = False
    platform: str = "gomining"
    # The demo's stand-in for a Vault user approving a binding: (state, user) -> the
    # address Vault would redirect to. None outside the demo.
    approve: Callable[[str, str], str] | None = None


def start_logging(secrets: list[str], *, demo: bool = False) -> None:
    """Log to the state dir's gmtui.log, or a demo's to its own folder's (see
    gmtui.places), redacted (see logs.start)."""
    if demo:
        from gmtui import places

        logs.start(places.demo_log, secrets)
    else:
        logs.start(config.paths().state / logs.LOG_FILE, secrets)


def account_of(api_key: str) -> str:
    """The journal's name for a partner account: every profile with this API key
    (another name, another spelling of the URL) shares its guard and reconcile. A
    hash: the key itself is never written."""
    return "key:" + hashlib.sha256(api_key.encode()).hexdigest()[:16]


def open_profile(name: str | None = None, clock: Callable[[], float] = time.time, *, overrides: bool = True) -> Session:
    """Profile ``name`` (see config.resolve; ``overrides`` False: as saved, no GMTUI_*)."""
    from gmtui.api.platforms import platform

    profile = config.resolve(name, overrides=overrides)
    p = config.paths()
    secret = profile.secret().get_secret_value()
    key = profile.api_key.get_secret_value()
    start_logging([s for s in (key, secret) if s])  # before the files open
    client = platform(profile.platform).open(
        profile, p.state,
        clock=clock,
        scope=f"{profile.name}@{profile.base_url}",
        account=account_of(key or secret),
        cache=Cache(p.cache / CACHE_FILE),
        journal=Journal(p.state / JOURNAL_FILE, clock),
    )
    users = list(profile.users)
    if profile.platform == "mithril":  # bound users first: the ones gmtui can act for
        bound = [b.user for b in client.bindings.users()]
        users = bound + [u for u in users if u not in bound]
    return Session(client, users, profile.name, refresh_s=profile.refresh_s, read_only=profile.read_only,
                   platform=profile.platform)


def open_demo(faults: object | None = None, clock: Callable[[], float] = time.time, platform: str | None = None) -> Session:
    """The embedded sandbox of ``platform`` (default: GMTUI_PLATFORM, else GoMining),
    its world built for the day ``clock`` says."""
    platform = platform or os.environ.get("GMTUI_PLATFORM") or "gomining"
    if platform not in DEMOS:
        from gmtui.api.errors import ConfigError

        raise ConfigError(f"GMTUI_PLATFORM is {platform!r}: gmtui knows {', '.join(DEMOS)}")
    return _demo(platform, faults, clock, Cache(), None)


def open_demos(faults: object | None = None, clock: Callable[[], float] = time.time) -> list[Session]:
    """Every platform's embedded sandbox on one clock, sharing one in-memory journal
    (the Journal section shows every platform's moves) and one cache (its keys carry
    each profile's scope)."""
    cache, journal = Cache(), Journal(clock=clock)
    return [_demo(name, faults, clock, cache, journal) for name in DEMOS]


def _demo(platform: str, faults: object | None, clock: Callable[[], float], cache: Cache,
          journal: Journal | None) -> Session:
    name = DEMOS[platform]
    if platform == "mithril":
        from gmtui.sandbox import vault_client
        from gmtui.sandbox.mithril.state import State as VaultState

        vault = VaultState(clock=clock, faults=faults)
        start_logging([vault.client_key], demo=True)
        client = vault_client(vault, scope=name, cache=cache, journal=journal or Journal(clock=vault.clock))
        return Session(client, [b.user for b in client.bindings.users()], name, platform=platform,
                       approve=lambda state, user: vault.approve(state, user))
    if platform == "webminepool":
        from gmtui.sandbox import pool_client
        from gmtui.sandbox.webminepool.state import State as PoolState

        pool = PoolState(clock=clock, faults=faults)
        start_logging([pool.secret], demo=True)
        client = pool_client(pool, scope=name, cache=cache, journal=journal or Journal(clock=pool.clock))
        return Session(client, list(pool.users), name, platform=platform)
    from gmtui.sandbox import State, demo_client

    state = State(clock=clock, faults=faults)  # type: ignore[arg-type]
    start_logging([state.options.api_key, state.options.api_secret], demo=True)
    client = demo_client(state, scope=name, cache=cache, journal=journal or Journal(clock=state.clock))
    return Session(client, list(state.world.users), name)


@dataclass(frozen=True)
class Choice:
    """A profile the dashboard can switch to: its name, its platform, and how to open
    it (called once, on first use; the dashboard keeps the session)."""

    name: str
    platform: str
    open: Callable[[], Session]

    @property
    def title(self) -> str:
        """The platform's name as a person says it ("WebMinePool")."""
        from gmtui.api.platforms import platform

        try:
            return platform(self.platform).title
        except KeyError:
            return self.platform


def demo_choices(faults: object | None = None, clock: Callable[[], float] = time.time) -> list[Choice]:
    """Every platform's demo, as ``open_demos`` makes them (one clock, one in-memory
    journal, one cache), each opened on its first use: the dashboard's first figures wait
    for the first platform's sandbox alone; the others open when the switcher or the
    Partner section first asks for them (~40 ms of imports and seeded worlds)."""
    opened: dict[str, Session] = {}
    shared: list[tuple[Cache, Journal]] = []  # made with the first one opened

    def opener(platform: str, name: str) -> Callable[[], Session]:
        def open_() -> Session:
            if name not in opened:
                if not shared:
                    shared.append((Cache(), Journal(clock=clock)))
                cache, journal = shared[0]
                opened[name] = _demo(platform, faults, clock, cache, journal)
            return opened[name]

        return open_

    return [Choice(name, platform, opener(platform, name)) for platform, name in DEMOS.items()]


def profile_choices(clock: Callable[[], float] = time.time) -> list[Choice]:
    """Every configured profile, each opened by name when first picked."""

    def opener(name: str) -> Callable[[], Session]:
        return lambda: open_profile(name, clock, overrides=False)

    return [Choice(name, p.platform, opener(name)) for name, p in config.load().profiles.items()]


async def check_profile(profile: config.Profile, transport: object | None = None, clock: object | None = None) -> str:
    """One signed call, so that a wrong key, secret, host or clock shows at once.
    Returns a remark for a success; raises ConfigError saying what is wrong."""
    from gmtui.api.errors import (
        AuthError,
        ConfigError,
        GmtuiError,
        NetworkError,
        NotFoundError,
        SignatureError,
        TimestampError,
    )
    from gmtui.api.retry import NO_RETRY

    from gmtui.api.platforms import platform

    described = platform(profile.platform)
    start_logging([s for s in (profile.api_key.get_secret_value(), profile.secret().get_secret_value()) if s])
    client = described.open(
        profile, None, retry=NO_RETRY, timeout=10.0,
        **({"transport": transport} if transport else {}), **({"clock": clock} if clock else {}),
    )
    try:
        async with client:
            await described.check(client, profile)
    except SignatureError:
        key = "client id" if profile.platform == "mithril" else "API key"
        raise ConfigError(f"the {described.secret_label} does not match this {key}: the server refused the signature"
                          ) from None
    except TimestampError:
        raise ConfigError("the server refused the request's time even after syncing: check this computer's clock") from None
    except AuthError as exc:
        what = {"mithril": "client id and key", "webminepool": "secret key"}.get(profile.platform, "API key")
        raise ConfigError(f"the server does not accept this {what} ({exc.server_message})") from None
    except NetworkError as exc:
        raise ConfigError(f"cannot reach {profile.base_url}: {exc}") from None
    except NotFoundError:
        raise ConfigError(f"the key and secret work, but the server does not know partner user {profile.users[0]!r}") from None
    except GmtuiError as exc:
        raise ConfigError(f"the check failed: {exc}") from None
    skew = client.clock_offset_ms / 1000
    if abs(skew) >= 2:
        return f"works; this computer's clock is {abs(skew):.0f} s {'behind' if skew > 0 else 'ahead of'} the server's (corrected when signing)"
    return "works"


def save_profile(profile: config.Profile, secret: str, *, keyring: bool = True) -> str:
    """Save ``profile`` (made active if none is); returns where the secret went."""
    from gmtui import keyring_store

    where = f"{config.paths().config_file} (mode 0600)"
    if keyring:
        try:
            keyring_store.put(profile.name, secret)
            profile = profile.model_copy(update={"secret_store": "keyring", "api_secret": None})
            where = "the system keyring"
        except keyring_store.Unavailable as exc:
            where += f"; {exc}"
    cfg = config.load()
    cfg.profiles[profile.name] = profile
    cfg.active = cfg.active or profile.name
    config.save(cfg)
    return where
