"""Profiles and paths.

``paths()`` (in places.py, light enough for the first frame) finds where gmtui keeps
files: the platformdirs config, cache and state dirs, or all three under
``$GMTUI_HOME`` when it is set (tests use it so that they never read the user's real
config).

Profiles live in ``config.toml``. A profile holds a secret, so the file is written
atomically with mode 0600, and a config file readable by group or others is refused.
Environment overrides: GMTUI_PROFILE, GMTUI_PLATFORM, GMTUI_BASE_URL, GMTUI_API_KEY,
GMTUI_API_SECRET, GMTUI_USER, GMTUI_USERS_FILE, GMTUI_MINING_KEY, GMTUI_WEB_URL. A profile names its
platform (``gomining`` when it does not, so older files load as they were);
WebMinePool's secret key is ``api_secret`` (GMTUI_API_SECRET) and it has no API key;
Mithril Vault's client id is ``api_key`` and its client key ``api_secret`` (hex), with
its ``mining_key``, the Vault ``web_url`` of the authorize page and, optionally, the
registered ``redirect_uri``.

Top-level ``color`` and ``mouse`` keys set how the dashboard draws (gmtui.display).

Partner users: GMTUI_USER is one id or a comma-separated list, put first in that
order; then the profile's ``users``; then those of its ``users_file`` (or of
GMTUI_USERS_FILE), one id a line, read by ``resolve`` (see ``read_users_file``).
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from gmtui.api.errors import ConfigError
from gmtui.api.text import clean
from gmtui.display import ColorMode
from gmtui.places import paths  # the one place that finds the folders; callers also look for it here

_PRINTABLE = re.compile(r"[\x21-\x7e]+")  # what a header or a URL can carry as is

USERS_FILE_MAX_BYTES = 10 * 1024 * 1024
USERS_FILE_MAX_USERS = 100_000


def user_problem(user: str) -> str | None:
    """What is wrong with a partner user id, or None: the one rule for every source
    (a profile's ``users``, GMTUI_USER, a users file)."""
    if not 1 <= len(user) <= 255:
        return "a partner user id has 1 to 255 characters"
    if clean(user) != user:
        return "a partner user id has no control or invisible characters"
    return None


class Profile(BaseModel):
    """A partner's connection to one platform."""

    model_config = ConfigDict(extra="forbid", defer_build=True)  # built when first used: the demo never does

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    """Short name, used with --profile and GMTUI_PROFILE."""
    platform: Literal["gomining", "webminepool", "mithril"] = "gomining"
    """The platform this profile speaks to."""
    base_url: str = Field(min_length=1)
    """The API's base URL, e.g. https://api.sandbox.gmt.io."""
    api_key: SecretStr = SecretStr("")
    """The partner API key (GoMining: X-PARTNER-API-KEY; Mithril Vault: the client id;
    WebMinePool has none)."""
    api_secret: SecretStr | None = None
    """The secret (GoMining: the API secret that signs requests; WebMinePool: the secret
    key; Mithril Vault: the client key, hex); absent here when kept in the keyring."""
    mining_key: str = Field(default="", max_length=256, pattern=r"^[\x21-\x7e]*$")
    """Mithril Vault: the mining key (also the app_id of donate links)."""
    web_url: str = ""
    """Mithril Vault: the Vault web front end, where users approve a binding."""
    redirect_uri: str = ""
    """Mithril Vault: the redirect URI registered with Vault (a 127.0.0.1 one lets
    gmtui vault bind listen for it)."""
    secret_store: Literal["file", "keyring"] = "file"
    """Where the API secret is kept: this 0600 file, or the system keyring."""
    users: list[str] = Field(default_factory=list)
    """The partner user ids this profile manages; the first is the default."""
    users_file: str = Field(default="", max_length=4096)
    """A file of more partner user ids, one a line (blank lines and lines starting
    with # are skipped), listed after ``users``; read each time the profile is used
    (GMTUI_USERS_FILE overrides it). ``~`` is expanded; a relative path is taken from
    the current directory (``gmtui profile add --users-file`` stores it absolute)."""
    recv_window_ms: int = Field(default=10_000, ge=1, le=60_000)
    """recvWindow sent with signed requests, in milliseconds."""
    refresh_s: int = Field(default=60, ge=0, le=86_400)
    """Seconds between automatic refreshes of the dashboard's shown section (0: off)."""
    read_only: bool = False
    """Refuse every money move (withdrawals, binding, upgrades, purchases, transfers)."""

    @field_validator("base_url", "web_url", "redirect_uri")
    @classmethod
    def _url(cls, value: str, info: Any) -> str:
        if not value and info.field_name != "base_url":
            return value
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 (raises for a port out of range)
        except ValueError as exc:
            raise ValueError(f"is not a URL ({exc})") from None
        if not parts.hostname or not _PRINTABLE.fullmatch(value):
            raise ValueError("is not a URL (a host, printable ASCII)")
        return value.rstrip("/")

    @field_validator("api_key")
    @classmethod
    def _key(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value() and not _PRINTABLE.fullmatch(value.get_secret_value()):
            raise ValueError("must be printable ASCII without spaces (was an invisible character copied with it?)")
        return value

    @field_validator("api_secret")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _PRINTABLE.fullmatch(value.get_secret_value()):
            raise ValueError("must be printable ASCII without spaces (was an invisible character copied with it?)")
        return value

    @model_validator(mode="after")
    def _platform_fields(self) -> Profile:
        from gmtui.api.platforms import platform

        described = platform(self.platform)
        for name, called in described.requires.items():
            value = getattr(self, name)
            if not (value.get_secret_value() if isinstance(value, SecretStr) else value):
                raise ValueError(f"{called}: is required for a {described.title} profile")
        if self.platform == "mithril" and self.api_secret is not None:
            key = self.api_secret.get_secret_value()
            if len(key) % 2 or not all(c in "0123456789abcdefABCDEF" for c in key):
                raise ValueError("Client key: is a hex string (Vault's configuration profile gives it)")
        return self

    @field_validator("users")
    @classmethod
    def _users(cls, value: list[str]) -> list[str]:
        for user in value:
            problem = user_problem(user)
            if problem:
                raise ValueError(problem)
        return value

    @field_validator("users_file")
    @classmethod
    def _users_file(cls, value: str) -> str:
        if value and (clean(value) != value or "\x00" in value):
            raise ValueError("a path has no control or invisible characters")
        return value

    def secret(self) -> SecretStr:
        """The API secret, which a resolved profile always has."""
        if self.api_secret is None:
            raise ConfigError(f"profile {self.name!r} has no API secret: set GMTUI_API_SECRET, or add it again")
        return self.api_secret

    def to_toml(self) -> dict[str, object]:
        body: dict[str, object] = {"base_url": self.base_url}
        if self.platform != "gomining":
            body = {"platform": self.platform, **body}
        if self.api_key.get_secret_value():
            body["api_key"] = self.api_key.get_secret_value()
        body.update({k: v for k in ("mining_key", "web_url", "redirect_uri", "users_file") if (v := getattr(self, k))})
        if self.secret_store == "keyring":
            body["secret_store"] = "keyring"
        elif self.api_secret is not None:
            body["api_secret"] = self.api_secret.get_secret_value()
        return {**body, "users": list(self.users), "recv_window_ms": self.recv_window_ms, "refresh_s": self.refresh_s,
                "read_only": self.read_only}


class Config(BaseModel):
    model_config = ConfigDict(defer_build=True)

    active: str | None = None
    profiles: dict[str, Profile] = Field(default_factory=dict)
    color: ColorMode = "auto"
    """The dashboard's colours: auto (as the terminal says), truecolor, 256, 16, none."""
    mouse: bool = True
    """Mouse support in the dashboard (off: the terminal's own text selection works)."""


def load(path: Path | None = None) -> Config:
    """Read config.toml; a missing file is an empty config, a bad one a ConfigError."""
    path = path or paths().config_file
    if not path.exists():
        return Config()
    check_private(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {clean(exc, limit=200)}") from None
    tables = raw.get("profiles") or {}
    if not isinstance(tables, dict) or not all(isinstance(body, dict) for body in tables.values()):
        raise ConfigError(f"{path}: profiles must be a table of profile tables, like [profiles.prod]")
    try:
        profiles = {name: Profile(name=name, **body) for name, body in tables.items()}
        return Config(active=raw.get("active"), profiles=profiles, color=raw.get("color", "auto"),
                      mouse=raw.get("mouse", True))
    except (ValidationError, TypeError) as exc:
        raise ConfigError(f"{path}: {explain(exc) if isinstance(exc, ValidationError) else exc}") from None


FIELD_NAMES = {
    "name": "Name", "platform": "Platform", "base_url": "Base URL", "api_key": "API key", "api_secret": "API secret",
    "users": "Partner user ids", "users_file": "Users file", "mining_key": "Mining key", "web_url": "Web URL", "redirect_uri": "Redirect URI",
    "recv_window_ms": "recv_window_ms", "refresh_s": "refresh_s", "read_only": "read_only",
}


def explain(exc: ValidationError) -> str:
    """A profile's first problem in words a person uses: "Name: type a short name"."""
    err = exc.errors()[0]
    field = str(err["loc"][0]) if err["loc"] else ""
    kind = err["type"]
    if kind in ("missing", "string_too_short") and field != "users":
        what = "is required"
    elif kind == "string_pattern_mismatch" and field == "name":
        what = "may hold letters, digits and . _ - only (it names the profile on the command line)"
    elif kind == "string_too_long":
        what = f"is too long (at most {err.get('ctx', {}).get('max_length', '?')} characters)"
    else:
        what = str(err["msg"]).removeprefix("Value error, ")
    return f"{FIELD_NAMES.get(field, field)}: {what}".strip(": ")


def save(config: Config, path: Path | None = None) -> Path:
    """Write config.toml atomically (temp file, fsync, rename) with mode 0600."""
    path = path or paths().config_file
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    body: dict[str, object] = {"profiles": {n: p.to_toml() for n, p in config.profiles.items()}}
    if config.active:
        body = {"active": config.active, **body}
    body.update({k: getattr(config, k) for k in ("color", "mouse") if getattr(config, k) != Config.model_fields[k].default})
    write_private(path, tomli_w.dumps(body).encode())
    return path


def check_private(path: Path) -> None:
    """Refuse a file holding secrets that others may read, saying how to fix it."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"{path} holds secrets but is readable by others (mode {stat.S_IMODE(mode):o}); "
            f"fix it with: chmod 600 {path}"
        )


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically with ``data``, readable by the owner only."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_users_file(path: str | Path) -> list[str]:
    """The partner user ids of a users file: one a line, surrounding whitespace
    stripped, blank lines and lines starting with ``#`` skipped, a repeated id kept
    once (where it first appears). A file that cannot be read, is over 10 MB, has a
    line that is not a user id (its number is given) or lists more than 100,000 users
    is a ConfigError naming the file."""
    where = Path(path).expanduser()
    named = clean(where, limit=300)
    try:
        with where.open("rb") as handle:
            data = handle.read(USERS_FILE_MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"users file {named}: cannot be read ({clean(exc.strerror or exc, limit=200)})") from None
    if len(data) > USERS_FILE_MAX_BYTES:
        raise ConfigError(f"users file {named}: is over {USERS_FILE_MAX_BYTES // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[: exc.start].count(b"\n") + 1
        raise ConfigError(f"users file {named}, line {bad}: is not UTF-8 text") from None
    users: dict[str, None] = {}  # ordered, each once
    for number, line in enumerate(text.split("\n"), start=1):
        user = line.strip()
        if not user or user.startswith("#"):
            continue
        problem = user_problem(user)
        if problem:
            raise ConfigError(f"users file {named}, line {number}: {problem}")
        users[user] = None
        if len(users) > USERS_FILE_MAX_USERS:
            raise ConfigError(f"users file {named}: lists more than {USERS_FILE_MAX_USERS:,} users (line {number})")
    return list(users)


def env_users(value: str) -> list[str]:
    """The partner user ids of GMTUI_USER: one id or a comma-separated list (blank
    items skipped, surrounding whitespace stripped, a repeated id kept once)."""
    users: dict[str, None] = {}
    for number, item in enumerate(value.split(","), start=1):
        user = item.strip()
        if not user:
            continue
        problem = user_problem(user)
        if problem:
            raise ConfigError(f"GMTUI_USER, item {number}: {problem}")
        users[user] = None
    return list(users)


def resolve(name: str | None = None, config: Config | None = None, *, overrides: bool = True) -> Profile:
    """The profile to use: --profile, else GMTUI_PROFILE, else the active one, with
    GMTUI_BASE_URL / GMTUI_API_KEY / GMTUI_API_SECRET / GMTUI_USER / GMTUI_USERS_FILE
    applied on top. ``users`` then holds every partner user: GMTUI_USER's, the
    profile's, then its users file's (read here), each once.
    With no profile at all, the environment alone may define one. ``overrides`` False:
    the named profile as saved (another profile the dashboard switches to must never
    get the starting one's secret from the environment)."""
    env = os.environ if overrides else {}
    config = config if config is not None else load()
    name = name or env.get("GMTUI_PROFILE") or config.active
    if name and name not in config.profiles:
        raise ConfigError(f"no profile named {name!r}; see: gmtui profile list")
    base: dict[str, Any] = config.profiles[name].model_dump() if name else {"name": "env"}
    if name is None and len(config.profiles) == 1:
        base = next(iter(config.profiles.values())).model_dump()
    given = {
        "platform": env.get("GMTUI_PLATFORM"),
        "base_url": env.get("GMTUI_BASE_URL"),
        "api_key": env.get("GMTUI_API_KEY"),
        "api_secret": env.get("GMTUI_API_SECRET"),
        "mining_key": env.get("GMTUI_MINING_KEY"),
        "web_url": env.get("GMTUI_WEB_URL"),
        "users_file": env.get("GMTUI_USERS_FILE"),
    }
    saved = base.get("platform") if name or len(config.profiles) == 1 else None
    if given["platform"] and saved and given["platform"] != saved:  # another platform's server would get its secret
        raise ConfigError(f"GMTUI_PLATFORM is {given['platform']!r} but profile {base['name']!r} is a {saved} profile; "
                          "unset GMTUI_PLATFORM, or pick a profile of that platform (--profile NAME)")
    base.update({k: v for k, v in given.items() if v})
    if not base.get("api_secret") and base.get("secret_store") == "keyring":
        from gmtui import keyring_store

        try:
            base["api_secret"] = keyring_store.get(base["name"])
        except keyring_store.Unavailable as exc:
            raise ConfigError(
                f"profile {base['name']!r} keeps its API secret in the keyring, but {exc}; "
                "set GMTUI_API_SECRET, or add the profile again"
            ) from None
    missing = [k for k in ("base_url", "api_secret") if not base.get(k)]  # the platform's own fields: Profile checks
    if missing:
        raise ConfigError(
            "no profile configured: add one with `gmtui profile add NAME --base-url URL --api-key KEY` "
            "or set GMTUI_BASE_URL, GMTUI_API_KEY and GMTUI_API_SECRET (or use --demo)"
        )
    first = env_users(env.get("GMTUI_USER") or "")
    listed = read_users_file(base["users_file"]) if base.get("users_file") else []
    if first or listed:
        base["users"] = list(dict.fromkeys([*first, *base.get("users", []), *listed]))
    try:
        return Profile(**base)
    except ValidationError as exc:
        raise ConfigError(f"profile {base.get('name')!r}: {explain(exc)}") from None
