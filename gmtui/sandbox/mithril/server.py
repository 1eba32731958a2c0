"""Answers Mithril Vault API requests (seed 003) against one :class:`State`.

Every call is checked as Vault documents it: ``client_id`` names the application, the
``X-Vault-Signature`` header is the hex HMAC-SHA512 (keyed with the client key read as
hex) over the seed's ``preprocess`` of the parameters (GET/DELETE: the query's values
as text; POST: the JSON body as Python's ``json.loads`` reads it, floats and all), the
``timestamp`` lies within ``WINDOW_S`` of the server's clock and the ``nonce`` was not
used within the window. User calls carry ``Authorization: <access token>`` (raw).
Errors are ``{"error": CODE, "message": words}``. ``{prefix}/web/`` serves Vault's
authorize page (see web.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl

from gmtui.sandbox.answer import Answer, json_answer
from gmtui.sandbox.faults import Dropped, Faults
from gmtui.sandbox.mithril import web
from gmtui.sandbox.mithril.state import WINDOW_S, Binding, Refused, State

SIGNATURE_HEADER = "X-Vault-Signature"
MAX_REWARD = Decimal(10) ** 12
_EIGHT = Decimal("1e-8")
_HAPPENED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", re.ASCII)
_DIGITS = re.compile(r"-?\d{1,18}", re.ASCII)

# path -> method -> operation (the names of gmtui.api.mithril.catalogue)
ROUTES: dict[str, dict[str, str]] = {
    "/oauth/token": {"POST": "vault.oauth.token", "DELETE": "vault.oauth.unbind"},
    "/oauth/user-info": {"GET": "vault.oauth.user_info"},
    "/oauth/balance": {"GET": "vault.oauth.balance"},
    "/mining": {"GET": "vault.mining.list", "POST": "vault.mining.submit", "DELETE": "vault.mining.delete"},
}


def preprocess(payload: Any) -> str:
    """The seed's ``preprocess``, as its Python sample writes it: the text that is signed."""
    if isinstance(payload, dict):
        return "&".join(f"{key}={preprocess(value)}" for key, value in sorted(payload.items()))
    if isinstance(payload, list):
        return "[" + ",".join(f"{preprocess(item)}" for item in payload) + "]"
    return f"{payload}"


def expected_signature(payload: Any, client_key: str) -> str:
    return hmac.new(bytes.fromhex(client_key), preprocess(payload).encode(), hashlib.sha512).hexdigest()


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return headers.get(name) or headers.get(name.lower())


def _error(exc: Refused, now: float) -> Answer:
    return json_answer({"error": exc.code, "message": exc.message}, exc.status, clock_s=now)


def _empty(status: int, now: float) -> Answer:
    return Answer(status, b"", {"Date": formatdate(now, usegmt=True)})


def _invalid(message: str) -> Refused:
    return Refused(400, "INPUT_FIELD_INVALID_ERROR", message)


def _params(method: str, query: str, raw: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """What is signed and what is read: a GET's or DELETE's query (both as text), or a
    POST's JSON body parsed twice (with floats, as signed; with Decimals, as read)."""
    if method != "POST":
        pairs = parse_qsl(query, keep_blank_values=True)
        params = dict(pairs)
        if len(params) != len(pairs):
            raise _invalid("a query parameter is given twice")
        return params, params
    try:
        signed, read = json.loads(raw), json.loads(raw, parse_float=Decimal)
    except (ValueError, RecursionError):
        raise _invalid("the body is not JSON") from None
    if not isinstance(signed, dict) or not isinstance(read, dict):
        raise _invalid("the body is not a JSON object")
    return signed, read


def authenticate(state: State, signed: dict[str, Any], headers: Mapping[str, str]) -> None:
    """The application, the signature, the timestamp and the nonce; raises Refused (403)."""
    if not isinstance(signed.get("client_id"), str) or signed["client_id"] != state.client_id:
        raise Refused(403, "FORBIDDEN_ERROR", "application not found (client_id)")
    given = (_header(headers, SIGNATURE_HEADER) or "").strip().lower()
    if not given:
        raise Refused(403, "FORBIDDEN_ERROR", f"the {SIGNATURE_HEADER} header is missing")
    if not hmac.compare_digest(expected_signature(signed, state.client_key).encode(), given.encode(errors="replace")):
        raise Refused(403, "FORBIDDEN_ERROR", "signature does not match")
    stamp, now = signed.get("timestamp"), state.now()
    if isinstance(stamp, str) and _DIGITS.fullmatch(stamp):
        stamp = int(stamp)
    if not isinstance(stamp, int) or isinstance(stamp, bool):
        raise Refused(403, "FORBIDDEN_ERROR", "timestamp is missing or not an integer (seconds, UTC)")
    if abs(stamp - now) > WINDOW_S:
        raise Refused(403, "FORBIDDEN_ERROR", f"timestamp {stamp} is more than {WINDOW_S} s from the server's "
                                              f"time {int(now)}")
    nonce = signed.get("nonce")
    if isinstance(nonce, int) and not isinstance(nonce, bool):
        nonce = str(nonce)
    if not isinstance(nonce, str) or not 1 <= len(nonce) <= 64:
        raise Refused(403, "FORBIDDEN_ERROR", "nonce is missing or longer than 64 characters")
    if state.seen(nonce):
        raise Refused(403, "FORBIDDEN_ERROR", "nonce already used")


def _mining_key(state: State, read: dict[str, Any]) -> None:
    if read.get("mining_key") != state.mining_key:
        raise _invalid("mining_key is missing or wrong")


def _uuid(read: dict[str, Any]) -> str:
    value = read.get("uuid")
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        raise _invalid("uuid must be a string of 1 to 64 characters")
    return value


def _reward(read: dict[str, Any]) -> Decimal:
    value = read.get("reward")
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise _invalid("reward must be a number")
    reward = Decimal(value)
    if not reward.is_finite() or not 0 < reward <= MAX_REWARD:
        raise _invalid("reward must be a number above 0")
    if reward != reward.quantize(_EIGHT):
        raise _invalid("reward has more than 8 digits after the decimal point")
    return reward


def _happened_at(read: dict[str, Any]) -> str:
    value = read.get("happened_at")
    try:
        if not isinstance(value, str) or not _HAPPENED.fullmatch(value):
            raise ValueError
        datetime.strptime(value, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        raise _invalid("happened_at must be YYYY-MM-DDTHH:MM:SS (UTC, no Z)") from None
    return value


def _text(read: dict[str, Any], name: str) -> str | None:
    value = read.get(name)
    return value if isinstance(value, str) and value else None


class VaultSandbox:
    """The Mithril Vault sandbox; ``prefix`` is where it is mounted when served."""

    def __init__(self, state: State, prefix: str = ""):
        self.state = state
        self.prefix = prefix.rstrip("/")
        self.calls: dict[str, int] = {}

    async def answer(self, method: str, path: str, query: str, headers: Mapping[str, str], raw: bytes) -> Answer:
        """One request's answer. Raises :class:`Dropped` when a fault drops it."""
        state = self.state
        state.process()
        now = state.now()
        if not path.startswith(self.prefix + "/"):
            return _error(Refused(404, "NOT_FOUND_ERROR", "no such path"), now)
        route = path[len(self.prefix):]
        if route == "/web" or route.startswith("/web/"):
            return web.answer(state, self.prefix, method, route, raw, now)
        methods = ROUTES.get(route)
        if methods is None:
            return _error(Refused(404, "NOT_FOUND_ERROR", "no such path"), now)
        operation = methods.get(method)
        if operation is None:
            answer = _error(Refused(405, "METHOD_NOT_ALLOWED_ERROR", f"{method} is not allowed here"), now)
            answer.headers["Allow"] = ", ".join(methods)
            return answer
        self.calls[operation] = self.calls.get(operation, 0) + 1
        faults = state.faults if isinstance(state.faults, Faults) else None
        if faults and (injected := await faults.before(operation)):
            if injected == "429":
                answer = _error(Refused(429, "TOO_MANY_REQUEST_ERROR", "too many requests (injected fault)"), now)
                answer.headers["Retry-After"] = f"{faults.retry_after_s:g}"
                return answer
            return _error(Refused(503, "INTERNAL_SERVER_ERROR", "service unavailable (injected fault)"), now)
        try:
            signed, read = _params(method, query, raw)
            authenticate(state, signed, headers)
            answer = self._handle(operation, read, _header(headers, "Authorization"), now)
        except Refused as exc:
            answer = _error(exc, now)
            if exc.retry_after is not None:
                answer.headers["Retry-After"] = str(exc.retry_after)
            return answer
        if faults:
            faults.after(operation)
        return answer

    def _handle(self, operation: str, read: dict[str, Any], token: str | None, now: float) -> Answer:
        state = self.state
        match operation:
            case "vault.oauth.token":
                state_param, code = _text(read, "state"), _text(read, "grant_code")
                if state_param is None or code is None:
                    raise Refused(400, "BAD_REQUEST_ERROR", "state and grant_code are required")
                return json_answer({"token": state.exchange(state_param, code)}, clock_s=now)
            case "vault.oauth.unbind":
                if not token or token not in state.bindings:  # the seed: 400 for a missing or invalid token
                    raise _invalid("Authorization is missing or not a valid access token")
                state.unbind(token)
                return _empty(204, now)
            case "vault.oauth.user_info":
                return json_answer(state.user_info(state.binding(token)), clock_s=now)
            case "vault.oauth.balance":
                return json_answer(state.app_balance(), clock_s=now)
            case "vault.mining.list":
                binding = state.binding(token)
                self._throttle(binding)
                _mining_key(state, read)
                return json_answer(state.listing(binding, _text(read, "uuid"), _text(read, "next_id")), clock_s=now)
            case "vault.mining.submit":
                binding = state.binding(token)
                _mining_key(state, read)
                state.submit(binding, _uuid(read), _reward(read), _happened_at(read))
                return json_answer(None, 201, clock_s=now)
            case "vault.mining.delete":
                owner = state.binding(token) if token else None  # optional, as the seed's sample sends none
                _mining_key(state, read)
                state.delete(_uuid(read), owner)
                return _empty(204, now)
        raise KeyError(operation)

    def _throttle(self, binding: Binding) -> None:
        wait = self.state.throttle(binding.token)
        if wait is not None:
            seconds = math.ceil(wait)
            raise Refused(429, "TOO_MANY_REQUEST_ERROR", f"API call too many times; retry after {seconds} s", seconds)


__all__ = ["ROUTES", "SIGNATURE_HEADER", "VaultSandbox", "Dropped", "authenticate", "preprocess"]
