"""Open a ready client: for a profile (its cache, journal, token file and log file in
the platformdirs dirs) or for the demo (the in-process sandbox, all of it in memory)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from gmtui import config
from gmtui.api.cache import FILE_NAME as CACHE_FILE
from gmtui.api.cache import Cache
from gmtui.api.gomining import GoMiningClient
from gmtui.api.journal import FILE_NAME as JOURNAL_FILE
from gmtui.api.journal import Journal
from gmtui.api import logs
from gmtui.api.tokens import TokenStore



@dataclass
class Session:
    client: GoMiningClient
    users: list[str]
    profile: str
    refresh_s: int = 60
    read_only: bool = False


def start_logging(secrets: list[str]) -> None:
    """Log to the state dir's gmtui.log, redacted (see logs.start)."""
    logs.start(config.paths().state / logs.LOG_FILE, secrets)


def account_of(api_key: str) -> str:
    """The journal's name for a partner account: every profile with this API key
    (another name, another spelling of the URL) shares its guard and reconcile. A
    hash: the key itself is never written."""
    return "key:" + hashlib.sha256(api_key.encode()).hexdigest()[:16]


def open_profile(name: str | None = None, clock: Callable[[], float] = time.time) -> Session:
    profile = config.resolve(name)
    p = config.paths()
    secret = profile.secret()
    start_logging([profile.api_key.get_secret_value(), secret.get_secret_value()])  # before the files open
    client = GoMiningClient(
        profile.base_url, profile.api_key.get_secret_value(), secret,
        recv_window_ms=profile.recv_window_ms,
        clock=clock,
        scope=f"{profile.name}@{profile.base_url}",
        account=account_of(profile.api_key.get_secret_value()),
        cache=Cache(p.cache / CACHE_FILE),
        journal=Journal(p.state / JOURNAL_FILE, clock),
        token_store=TokenStore(p.state / f"tokens-{profile.name}.json"),
    )
    return Session(client, list(profile.users), profile.name, refresh_s=profile.refresh_s, read_only=profile.read_only)


def open_demo(faults: object | None = None, clock: Callable[[], float] = time.time) -> Session:
    """The embedded sandbox, its world built for the day ``clock`` says."""
    from gmtui.sandbox import State, demo_client

    state = State(clock=clock, faults=faults)  # type: ignore[arg-type]
    start_logging([state.options.api_key, state.options.api_secret])
    client = demo_client(state, scope="demo", cache=Cache(), journal=Journal(clock=state.clock))
    return Session(client, list(state.world.users), "demo")


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

    assert profile.api_secret is not None
    start_logging([profile.api_key.get_secret_value(), profile.api_secret.get_secret_value()])  # masked from here on
    client = GoMiningClient(
        profile.base_url, profile.api_key.get_secret_value(), profile.api_secret,
        recv_window_ms=profile.recv_window_ms, retry=NO_RETRY, timeout=10.0,
        **({"transport": transport} if transport else {}), **({"clock": clock} if clock else {}),  # type: ignore[arg-type]
    )
    try:
        async with client:
            if profile.users:
                await client.user_stats(profile.users[0])
            else:
                try:
                    await client.income_per_th()  # signed, no user needed (its path is assumed)
                except NotFoundError:
                    await client.collections()  # checks the key only
    except SignatureError:
        raise ConfigError("the API secret does not match this API key: the server refused the signature") from None
    except TimestampError:
        raise ConfigError("the server refused the request's time even after syncing: check this computer's clock") from None
    except AuthError as exc:
        raise ConfigError(f"the server does not accept this API key ({exc.server_message})") from None
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
