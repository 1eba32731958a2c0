"""The Mithril Vault API client: how its calls are signed and read, and a typed method
for every operation of the catalogue.

Every call carries ``client_id``, ``timestamp`` and a fresh ``nonce`` and is signed
(signing.py); a POST's body is serialised once and those bytes are sent. User calls
send ``Authorization: <the user's token>``, kept per profile and user (bindings.py).
Errors are read from ``{"error": CODE, "message": ...}``; a 403 on a user call says
the binding may be gone and how to bind again. A refusal that names the timestamp, or
any 403 while the local clock is more than 30 s off the server's ``Date``, syncs the
clock and signs once more with a fresh nonce (Vault refused it before running it).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pydantic
from pydantic import SecretStr

from gmtui.api import logs
from gmtui.api.client import Client, field_path, json_body
from gmtui.api.errors import (
    ApiError,
    AuthError,
    ConflictError,
    NetworkError,
    ServerError,
    RequestValidationError,
    SignatureError,
    TimestampError,
    UnexpectedResponse,
    classify,
)
from gmtui.api.mithril import models as m
from gmtui.api.mithril import signing
from gmtui.api.mithril.bindings import USER, Bindings
from gmtui.api.mithril.catalogue import BY_NAME, Op
from gmtui.api.retry import NO_RETRY

UUID = re.compile(r"[A-Za-z0-9_-]{1,64}")
HAPPENED_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
_PRINTABLE = re.compile(r"[\x21-\x7e]{1,1024}")
_CURSOR = re.compile(r"[^\x00-\x1f\x7f]{1,255}")
MAX_REWARD = Decimal(10**12)
SKEW_S = 30  # a 403 with the clock this far off the server's is taken as a timestamp refusal


class NotBound(AuthError):
    """The user has no binding here, or Vault refused the one gmtui holds."""

    hint = ""  # the message says how to bind again
    VAULT_CODES = frozenset({"FORBIDDEN_ERROR", "USER_NOT_REGISTERED_ERROR", "INPUT_FIELD_INVALID_ERROR"})

    @property
    def from_vault(self) -> bool:
        """Whether Vault itself refused the token (its own error code), not a proxy in between."""
        return self.code in self.VAULT_CODES


def reward_amount(value: Any) -> Decimal:
    """A reward as Vault can take it (ValueError says why not)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ValueError("a MITH amount")
    number = Decimal(str(value))
    if not number.is_finite() or not 0 < number <= MAX_REWARD or number != number.quantize(Decimal("1e-8")):
        raise ValueError("more than 0 MITH, with at most 8 decimals")
    if Decimal(repr(float(number))) != number:  # what a server parsing JSON numbers as floats would read
        raise ValueError("at most 15 significant digits (Vault reads the amount as a floating-point number)")
    return number


def _check(pattern: re.Pattern[str], what: str) -> Any:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise ValueError(what)
        return value
    return check


CHECKS = {
    "uuid": _check(UUID, "1 to 64 letters, digits, _ or -"),
    "reward": reward_amount,
    "happened_at": _check(HAPPENED_AT, "YYYY-MM-DDTHH:MM:SS in UTC, without Z"),
    "state": _check(_PRINTABLE, "printable text"),
    "grant_code": _check(_PRINTABLE, "printable text"),
    "next_id": _check(_CURSOR, "a cursor as the server sent it"),
}


def happened_at(moment: float) -> str:
    """A time as the documents write it: ``YYYY-MM-DDTHH:MM:SS`` in UTC, no Z."""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S")


class MithrilClient(Client):
    """Speaks the Mithril Vault API for one application (client id, client key, mining key)."""

    def __init__(self, base_url: str, client_id: str, client_key: str | SecretStr, mining_key: str, *,
                 bindings: Bindings | None = None, web_url: str = "", redirect_uri: str = "", **core: Any):
        """``web_url``: Vault's web front end (the authorize page); ``redirect_uri``: the
        one registered with Vault, if known."""
        super().__init__(base_url, **core)
        self.web_url, self.redirect_uri = web_url.rstrip("/"), redirect_uri
        logs.mask_http_urls()  # httpx logs each URL, and a mining call's holds the mining key
        self.client_id = client_id
        self._key = SecretStr(client_key) if isinstance(client_key, str) else client_key
        signing.key_bytes(self._key.get_secret_value())  # a key that is not hex fails here, not at the first call
        self._mining_key = SecretStr(mining_key)
        self.bindings = bindings if bindings is not None else Bindings(clock=self.clock)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    @property
    def mining_key(self) -> str:
        return self._mining_key.get_secret_value()

    # ---- how Vault names, signs and reads its calls
    def secrets(self) -> list[str]:
        return [self._key.get_secret_value(), *self.bindings.secrets()]

    def endpoint(self, name: str) -> Op:
        return BY_NAME[name]

    def needs_user(self, ep: Op) -> bool:
        return ep.user

    def resignable(self, ep: Op) -> bool:
        return True  # a timestamp refusal comes before anything runs; a reward resent keeps its uuid

    def validate_request(self, ep: Op, params: Mapping[str, Any] | None) -> dict[str, Any]:
        given = {k: v for k, v in dict(params or {}).items() if v is not None}
        own = tuple(p for p in ep.params if p != "mining_key")
        unknown = set(given) - set(own)
        if unknown:
            raise RequestValidationError(f"{sorted(unknown)[0]}: not a parameter of {ep.name}", operation=ep.name)
        out: dict[str, Any] = {}
        for name in own:
            if name not in given:
                if name not in ep.optional:
                    raise RequestValidationError(f"{name}: required", operation=ep.name, field=name)
                continue
            try:
                out[name] = CHECKS[name](given[name])
            except ValueError as exc:
                raise RequestValidationError(f"{name}: {exc}", operation=ep.name, field=name) from None
        return out

    def build(self, ep: Op, params: dict[str, Any], credential: str | None = None) -> httpx.Request:
        """The signed request: a fresh timestamp and nonce each time it is built."""
        payload: dict[str, Any] = {"client_id": self.client_id, "timestamp": self.now_ms() // 1000,
                                   "nonce": signing.nonce()}
        if "mining_key" in ep.params:
            payload["mining_key"] = self.mining_key
        payload.update(params)
        key = self._key.get_secret_value()
        headers = {"Authorization": credential} if credential else {}
        if ep.method == "POST":
            raw, headers[signing.HEADER] = signing.signed_body(payload, key)
            headers["Content-Type"] = "application/json"
            return self.request("POST", ep.path, headers=headers, content=raw)
        query, headers[signing.HEADER] = signing.signed_query(payload, key)
        return self.request(ep.method, ep.path + "?" + urlencode(query), headers=headers)

    def skew_s(self) -> float:
        """How far the local clock is off the server's, from the last ``Date`` seen."""
        seen = getattr(self, "_server_seen", None)
        if seen is None:
            return 0.0
        return abs(seen[0] - (seen[1] + self.clock_offset_ms)) / 1000

    def parse_answer(
        self, ep: Op, status: int, content: bytes, retry_after: str | None, model: type[pydantic.BaseModel] | None
    ) -> Any:
        secrets = tuple(s for s in self.secrets() if len(s) >= 6)
        if 300 <= status < 400:  # gmtui follows no redirect: whether the call ran is not known
            raise UnexpectedResponse(f"HTTP {status}: a redirect, which gmtui does not follow", operation=ep.name,
                                     status=status)
        if status >= 300:
            text = content.decode("utf-8", "replace")
            body = json_body(content, status, ep.name)
            try:
                wait = float(retry_after) if retry_after else None
            except ValueError:
                wait = None
            error = classify(status, body, text, operation=ep.name, retry_after=wait, secrets=secrets)
            if status == 403 and not isinstance(error, TimestampError) and self.skew_s() > SKEW_S:
                error = TimestampError(error.server_message, operation=ep.name, status=status, code=error.code)
            if ep.user and status in (401, 403) and type(error) in (AuthError, ApiError, SignatureError):
                error = NotBound(error.server_message, operation=ep.name, status=status, code=error.code)
            elif isinstance(error, SignatureError):
                error.hint = "the client key does not match the client id"
            raise error
        response = model or ep.response
        if response is None:
            return None  # 201 `null` or 204: the documents' answers carry nothing else
        value = json_body(content, status, ep.name)
        try:
            return response.model_validate(value)
        except pydantic.ValidationError as exc:
            err = exc.errors()[0]
            raise UnexpectedResponse(err["msg"], operation=ep.name, field=field_path(err["loc"]), status=status) from None

    async def _attempt(
        self, ep: Op, params: dict[str, Any], user: str | None, model: type[pydantic.BaseModel] | None
    ) -> tuple[Any, bytes]:
        if not ep.user:
            return await self._exchange(ep, params, None, model)
        assert user is not None
        token = self.bindings.token(user)
        if token is None:
            raise NotBound(f"{user!r} is not bound to Mithril Vault in this profile; bind it: gmtui vault bind {user}",
                           operation=ep.name)
        try:
            return await self._exchange(ep, params, token, model)
        except NotBound as exc:
            raise NotBound(f"{exc.server_message}: Vault refused the binding of {user} (unbound in Vault, or its "
                           f"token no longer works); bind it again: gmtui vault bind {user}", operation=ep.name,
                           status=exc.status, code=exc.code) from None

    # ---- binding
    def authorize_url(self, user: str) -> str:
        """The page where the Vault user approves the binding (the seed's NOTE), with a
        new single-use state kept for 10 minutes."""
        state = self.bindings.start(user)
        return f"{self.web_url}/#/oauth/authorize?" + urlencode(
            {"client_id": self.client_id, "state": state, "user_id": user})

    async def exchange(self, state: str, grant_code: str) -> str:
        """Finish a binding: the state must be one gmtui made (and not used); the grant
        code is exchanged at once, never retried. The state is spent only once Vault
        gave the token (a mistyped code can be pasted again). The partner user it was for."""
        user = self.bindings.waiting(state)
        if user is None:
            raise ApiError("this redirect's state is not one gmtui is waiting for (used, expired after 10 minutes, "
                           "or made by another profile): start again with gmtui vault bind USER")
        ep = self.endpoint("vault.oauth.token")
        try:
            token, _ = await NO_RETRY.run(
                lambda: self._attempt(ep, self.validate_request(ep, {"state": state, "grant_code": grant_code}), None, None))
        except (NetworkError, ServerError, UnexpectedResponse) as exc:
            if isinstance(exc, NetworkError) and exc.sent is False:
                raise
            raise ApiError(f"{exc}; Vault may have bound {user} without gmtui getting its token: if binding again "
                           "says OAUTH_ALREADY_BIND_ERROR, the user removes the binding in Vault first") from None
        self.bindings.take(state)
        self.bindings.bind(user, token.token)
        return user

    async def unbind(self, user: str) -> None:
        await self.call("vault.oauth.unbind", user=user)
        self.bindings.forget(user)

    # ---- reads
    async def user_info(self, user: str) -> m.UserInfo:
        return await self.call("vault.oauth.user_info", user=user)

    async def app_balance(self) -> m.AppBalances:
        return await self.call("vault.oauth.balance")

    async def activities(self, user: str, uuid: str | None = None, next_id: str | None = None) -> m.Activities:
        """One page of the user's activities (newest first, as Vault sends them)."""
        return await self.call("vault.mining.list", {"uuid": uuid, "next_id": next_id}, user=user)

    async def all_activities(self, user: str, limit: int = 10_000) -> list[m.Activity]:
        """Every activity, page after page by ``next_id``; stops at a cursor seen before."""
        items: list[m.Activity] = []
        seen: set[str] = set()
        cursor: str | None = None
        while len(items) < limit:
            page = await self.activities(user, next_id=cursor)
            items.extend(page.items)
            if not page.next_id or page.next_id in seen or not page.items:
                break
            seen.add(page.next_id)
            cursor = page.next_id
        return items[:limit]

    async def find(self, user: str, uuid: str, fresh: bool = False) -> m.Activity | None:
        """The user's activity ``uuid``, or None when Vault has none."""
        page: m.Activities = (await self.read_fresh("vault.mining.list", {"uuid": uuid}, user=user) if fresh
                              else await self.activities(user, uuid=uuid))
        return next((a for a in page.items if a.uuid == uuid), None)

    # ---- moves (planned in moves.py)
    async def reward(self, user: str, uuid: str, reward: Decimal, at: str) -> None:
        await self.call("vault.mining.submit", {"uuid": uuid, "reward": reward, "happened_at": at}, user=user)

    async def resend_reward(self, entry: int, user: str, uuid: str, reward: Decimal, at: str) -> None:
        """The reward of journal entry ``entry`` (outcome unknown) again, with its uuid:
        Vault takes a uuid once, so it cannot be paid twice. A 409 then proves the first
        attempt arrived only if Vault's activity with that uuid is this reward."""
        assert self.journal is not None
        ep, params = self.endpoint("vault.mining.submit"), {"uuid": uuid, "reward": reward, "happened_at": at}

        async def judge(exc: ApiError) -> tuple[str, str] | None:
            if not isinstance(exc, ConflictError):
                return None
            outcome, why = verdict(await self.find(user, uuid, fresh=True), reward, at, uuid)
            return outcome, f"resent; Vault answered 409 (the uuid is taken): {why}"

        await self.journal.resend(entry, lambda: self._attempt(ep, self.validate_request(ep, params), user, None), judge)

    async def cancel(self, user: str, uuid: str) -> None:
        await self.call("vault.mining.delete", {"uuid": uuid}, user=user)


def verdict(found: m.Activity | None, reward: Decimal, at: str, uuid: str) -> tuple[str, str]:
    """What Vault's activity ``uuid`` proves of a reward sent with it: ok when it is that
    reward (amount, and time when Vault gives one), failed when it is another one (Vault
    takes a uuid once: this one was refused), failed when there is none."""
    if found is None:
        return "failed", f"Vault has no activity {uuid}"
    same = found.value == reward and (not found.happened_at or found.happened_at == at)
    if same:
        return "ok", f"done: Vault has activity {uuid} ({found.status})"
    return "failed", (f"Vault's activity {uuid} is another reward ({found.value} MITH at {found.happened_at or '?'}): "
                      "this one was refused as a duplicate")


def open_client(profile: Any, state_dir: Path | None, **core: Any) -> MithrilClient:
    """The client of a Mithril profile (see platforms.Platform.open); its bindings are
    kept in ``state_dir`` per account (named by a hash)."""
    bindings = None
    if state_dir is not None:
        account = re.sub(r"[^A-Za-z0-9_-]", "_", str(core.get("account") or core.get("scope") or "default"))[:80]
        bindings = Bindings(Path(state_dir) / f"mithril-bindings-{account}.json", core.get("clock") or time.time)
    return MithrilClient(profile.base_url, profile.api_key.get_secret_value(), profile.secret(),
                         profile.mining_key, bindings=bindings, web_url=profile.web_url,
                         redirect_uri=profile.redirect_uri, **core)


async def check(client: MithrilClient, profile: Any) -> None:
    """The application's balance (proves the client id and key), then the first bound user's info."""
    await client.app_balance()
    bound = client.bindings.users()
    if bound:
        await client.user_info(bound[0].user)


__all__ = ["MithrilClient", "NotBound", "USER", "happened_at", "open_client", "check"]
