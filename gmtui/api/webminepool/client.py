"""The WebMinePool HTTP API client: how its calls are built and read, and a typed
method for every operation of the catalogue.

The secret key is a path segment (``/api/{secret}/{method}/...``), so the request's
URL is a secret: it is never logged (gmtui logs operation names), never part of a
cache key (params only), never in an error (the client's ``secrets`` scrub them).
Answers are ``{"success": true|false, ...}`` whatever the HTTP status: ``success``
decides, and a failure's words pick the error (see ``refusal``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pydantic
from pydantic import SecretStr

from gmtui.api import logs
from gmtui.api.client import Client, field_path, json_body
from gmtui.api.errors import (
    ApiError,
    AuthError,
    GmtuiError,
    NotFoundError,
    RateLimitError,
    RequestValidationError,
    ServerError,
    UnexpectedResponse,
    error_message,
)
from gmtui.api.text import clean
from gmtui.api.webminepool import models as m
from gmtui.api.webminepool.catalogue import Op, op
from gmtui.api.webminepool.roster import Roster

USERNAME = re.compile(r"[A-Za-z0-9_.@-]{1,64}")
_TOKEN_ID = re.compile(r"[A-Za-z0-9_.~-]{1,128}")
MAX_HASHES = 10**18
RATE_UNIT = 1_000_000  # hashes per hash-rate quote


def _username(value: Any) -> str:
    if not isinstance(value, str) or not USERNAME.fullmatch(value):
        raise ValueError("a username has 1 to 64 letters, digits or _ . @ -")
    return value


def _hashes(value: Any) -> str:
    text = str(value)
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_HASHES:
        raise ValueError(f"a whole number of hashes from 1 to {MAX_HASHES:,}")
    return str(int(text))


def _token_id(value: Any) -> str:
    if not isinstance(value, str) or not _TOKEN_ID.fullmatch(value):
        raise ValueError("a token id has 1 to 128 letters, digits or _ . ~ -")
    return value


def _referral(value: Any) -> str:
    text = str(value)
    if not 1 <= len(text) <= 255 or clean(text) != text:
        raise ValueError("a referral is 1 to 255 characters, without control characters")
    return text


def _unset(value: Any) -> str:
    if str(value) != "1":
        raise ValueError("unset is 1")
    return "1"


CHECKS = {"username": _username, "hashes": _hashes, "amount": _hashes, "token_id": _token_id,
          "referral": _referral, "unset": _unset}


def refusal(op_name: str, status: int, body: Mapping[str, Any], text: str, secrets: tuple[str, ...]) -> ApiError:
    """A ``success: false`` answer as the error its words name (the seed's list)."""
    message, _, _ = error_message({"message": body.get("message") or body.get("error")}, text, secrets)
    words = message.lower()
    kw: dict[str, Any] = {"operation": op_name, "status": status if status >= 400 else None}
    if "invalid api key" in words:
        refused = AuthError(message, **kw)
        refused.hint = "check the secret key (WebMinePool: Dashboard > Keys)"
        return refused
    if "nonexistent token" in words:
        return NotFoundError(message, **kw)
    if "internal error" in words:
        return ServerError(message, **kw)
    if status == 429:
        return RateLimitError(message, **kw)
    return ApiError(message, **kw)


class WebMinePoolClient(Client):
    """Speaks the WebMinePool HTTP API for one account (its secret key)."""

    def __init__(self, base_url: str, secret_key: str | SecretStr, *, roster: Roster | None = None, **core: Any):
        """``roster``: the partner's own list of users and tokens (in memory if None)."""
        super().__init__(base_url, **core)
        logs.mask_http_urls()  # httpx logs each URL, and this one holds the secret key
        self._secret = SecretStr(secret_key) if isinstance(secret_key, str) else secret_key
        self.roster = roster if roster is not None else Roster(clock=self.clock)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    # ---- how WebMinePool names, builds and reads its calls
    def secrets(self) -> list[str]:
        secret = self._secret.get_secret_value()
        return [secret, quote(secret, safe="")]

    def endpoint(self, name: str) -> Op:
        return op(name)

    def validate_request(self, ep: Op, params: Mapping[str, Any] | None) -> dict[str, Any]:
        given = {k: v for k, v in dict(params or {}).items() if v is not None}
        unknown = set(given) - set(ep.params)
        if unknown:
            raise RequestValidationError(f"{sorted(unknown)[0]}: not a parameter of {ep.name}", operation=ep.name)
        out: dict[str, Any] = {}
        required = ep.params[: len(ep.params) - ep.optional]
        for name in ep.params:
            if name not in given:
                if name in required:
                    raise RequestValidationError(f"{name}: required", operation=ep.name, field=name)
                continue
            try:
                out[name] = CHECKS[name](given[name])
            except ValueError as exc:
                raise RequestValidationError(f"{name}: {exc}", operation=ep.name, field=name) from None
        return out

    def build(self, ep: Op, params: dict[str, Any], credential: str | None = None) -> httpx.Request:
        """``GET /api/{secret}/{path}/{p1}/{p2}``: each segment percent-encoded, absent
        optional ones left out (never an empty segment in the middle)."""
        segments = [self._secret.get_secret_value(), ep.path]
        for name in ep.params:
            if name not in params:
                break
            segments.append(str(params[name]))
        url = "/api/" + "/".join(quote(s, safe="") for s in segments)
        if not ep.params:
            url += "/" if ep.path == "users" else ""  # the documents print /users/ with its slash
        return self.request("GET", url)

    def parse_answer(
        self, ep: Op, status: int, content: bytes, retry_after: str | None, model: type[pydantic.BaseModel] | None
    ) -> Any:
        secrets = tuple(s for s in self.secrets() if len(s) >= 6)
        text = content.decode("utf-8", "replace")
        body = json_body(content, status, ep.name)
        if not isinstance(body, dict) or not isinstance(body.get("success"), bool):
            if status == 429 or status >= 500:
                message, _, _ = error_message(body, text, secrets)
                error = RateLimitError if status == 429 else ServerError
                raise error(message, operation=ep.name, status=status)
            raise UnexpectedResponse("no 'success' true or false in the answer", operation=ep.name, field="success",
                                     status=status)
        if not body["success"]:
            raise refusal(ep.name, status, body, text, secrets)
        if not 200 <= status < 300:
            raise UnexpectedResponse(f"HTTP {status} with success true", operation=ep.name, status=status)
        try:
            return (model or ep.response).model_validate({k: v for k, v in body.items() if k != "success"})
        except pydantic.ValidationError as exc:
            err = exc.errors()[0]
            raise UnexpectedResponse(err["msg"], operation=ep.name, field=field_path(err["loc"]), status=status) from None

    # ---- what a move concerns, and what reconcile needs of before it
    def subject(self, operation: str, params: dict[str, Any], user: str | None) -> str:
        return str(params.get("username") or user or "")

    async def before_move(self, operation: str, params: dict[str, Any], user: str) -> dict[str, Any]:
        """The user's hashes just before a withdrawal, a reset or a deletion (for a
        withdrawal and a reset the move is not sent without them), and every listed
        user's hashes before a reset of all."""
        try:
            if operation in ("wmp.withdraw", "wmp.reset_user_hashes"):
                return {"hashes": await self.fresh_hashes(user)}
            if operation == "wmp.reset_all_user_hashes":
                listed: m.Users = await self.read_fresh("wmp.users")
                return {"users": {u.name: u.hashes for u in listed.users}}
        except GmtuiError as exc:
            raise ApiError(f"cannot read the hashes before this move, so nothing was sent: {exc}",
                           operation=operation) from None
        if operation == "wmp.delete_user":
            try:
                return {"hashes": await self.fresh_hashes(user)}
            except GmtuiError:
                return {}  # reconcile then looks for the user only
        return {}

    async def fresh_hashes(self, username: str) -> int:
        """The user's hashes now (never the cache)."""
        answer: m.Hashes = await self.read_fresh("wmp.user_hashes", {"username": username})
        return answer.hashes

    # ---- tokens
    async def set_token(self, hashes: int, username: str | None = None) -> m.TokenCreated:
        """A token for ``hashes`` more hashes (of ``username``, or of the account),
        remembered in the roster: no method lists tokens."""
        made: m.TokenCreated = await self.call("wmp.set_token", {"hashes": hashes, "username": username})
        self.roster.add_token(made.token_id, hashes, username)
        return made

    async def get_token(self, token_id: str) -> m.TokenState:
        return await self.call("wmp.get_token", {"token_id": token_id})

    async def get_token_unset(self, token_id: str) -> m.TokenState:
        """Checks the token and, once verified, deletes it and its user."""
        state: m.TokenState = await self.call("wmp.get_token.unset", {"token_id": token_id, "unset": 1})
        if state.verified:
            self.roster.drop_token(token_id)
        return state

    # ---- users
    async def users(self) -> m.Users:
        """Users who mined within the last 3 days only."""
        return await self.call("wmp.users")

    async def create_user(self, username: str, referral: str | None = None) -> m.Message:
        done: m.Message = await self.call("wmp.create_user", {"username": username, "referral": referral})
        self.roster.add(username, "created")
        return done

    async def delete_user(self, username: str) -> m.Message:
        done: m.Message = await self.call("wmp.delete_user", {"username": username})
        self.roster.remove(username)
        return done

    async def user_hashes(self, username: str) -> int:
        answer: m.Hashes = await self.call("wmp.user_hashes", {"username": username}, user=username)
        return answer.hashes

    async def withdraw(self, username: str, amount: int) -> m.Message:
        return await self.call("wmp.withdraw", {"username": username, "amount": amount})

    async def reset_user_hashes(self, username: str) -> m.Message:
        return await self.call("wmp.reset_user_hashes", {"username": username})

    async def reset_all_user_hashes(self) -> m.Message:
        return await self.call("wmp.reset_all_user_hashes")

    # ---- the account
    async def balance(self) -> Decimal:
        answer: m.Balance = await self.call("wmp.balance")
        return answer.balance

    async def hashes(self) -> int:
        answer: m.Hashes = await self.call("wmp.hashes")
        return answer.hashes

    async def wmc_rate(self, amount: int = 1) -> Decimal:
        answer: m.Satoshi = await self.call("wmp.wmc_rate", {"amount": amount})
        return answer.satoshi

    async def hash_rate(self, amount: int = RATE_UNIT) -> Decimal:
        answer: m.Satoshi = await self.call("wmp.hash_rate", {"amount": amount})
        return answer.satoshi

    async def hash_rate_cli(self, amount: int = RATE_UNIT) -> Decimal:
        answer: m.Satoshi = await self.call("wmp.hash_rate_cli", {"amount": amount})
        return answer.satoshi


def open_client(profile: Any, state_dir: Path | None, **core: Any) -> WebMinePoolClient:
    """The client of a WebMinePool profile (see platforms.Platform.open); its roster
    is kept in ``state_dir`` per account (the account's name is a hash)."""
    roster = None
    if state_dir is not None:
        account = re.sub(r"[^A-Za-z0-9_-]", "_", str(core.get("account") or core.get("scope") or "default"))[:80]
        roster = Roster(Path(state_dir) / f"webminepool-roster-{account}.json", core.get("clock") or time.time)
    return WebMinePoolClient(profile.base_url, profile.secret(), roster=roster, **core)


async def check(client: WebMinePoolClient, profile: Any) -> None:
    """The account's balance (proves the secret key), then the first user's hashes."""
    await client.balance()
    if profile.users:
        await client.user_hashes(profile.users[0])
