"""The sandbox's HTTP surface, routed from the endpoint catalogue: ``Sandbox.answer``
serves one request (the in-process transport calls it directly, with no web framework
to import), and ``create_app`` wraps it in an ASGI app for ``gmtui sandbox``.

It checks what the real service documents: the ``X-PARTNER-API-KEY`` header, the HMAC
signature over the exact query string or the compact JSON body without
``signature`` (hex, case-insensitive), ``timestamp`` within ``recvWindow`` (default
5000 ms, at most 60000 ms) and not more than 1 s ahead, the user JWT, and every
parameter's constraints. Rejections are ``{"error": {"code", "message", "field"}}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote

import pydantic

from gmtui.api import wire
from gmtui.api.gomining.catalogue import API_KEY_HEADER, CATALOGUE, PREFIX, Auth, Endpoint, Shape
from gmtui.sandbox.answer import Answer, json_answer
from gmtui.sandbox.gomining.handlers import HANDLERS, Call
from gmtui.sandbox.gomining.state import Rejected, State

DEFAULT_RECV_WINDOW_MS = 5_000
MAX_RECV_WINDOW_MS = 60_000
MAX_AHEAD_MS = 1_000
_DIGITS = re.compile(r"^\d+$")
_HEX = re.compile(r"^[0-9a-fA-F]{1,64}$")
_ROUTES: dict[tuple[str, str], Endpoint] = {(e.method, e.url_path): e for e in CATALOGUE}
_PATHS = {e.url_path for e in CATALOGUE}

if TYPE_CHECKING:
    from starlette.applications import Starlette


_json = json_answer


def _error(exc: Rejected, clock_s: float) -> Answer:
    body: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if exc.field:
        body["field"] = exc.field
    return _json({"error": body}, exc.status, clock_s=clock_s)


def _injected(kind: str, state: State) -> Answer:
    if kind == "429":
        answer = _error(Rejected(429, "RATE_LIMITED", "too many requests (injected fault)"), state.clock())
        assert state.faults is not None
        answer.headers["Retry-After"] = f"{state.faults.retry_after_s:g}"
        return answer
    return _error(Rejected(503, "UNAVAILABLE", "service unavailable (injected fault)"), state.clock())


class Sandbox:
    """Answers requests against one :class:`State`."""

    def __init__(self, state: State):
        missing = [e.name for e in CATALOGUE if e.name not in HANDLERS]
        if missing:
            raise RuntimeError(f"sandbox handlers missing for {missing}")
        self.state = state

    async def answer(self, method: str, path: str, query: str, headers: Mapping[str, str], raw: bytes) -> Answer:
        """One request's answer. ``headers`` must look names up case-insensitively (as
        httpx's and Starlette's do). Raises :class:`Dropped` when a fault drops it."""
        state = self.state
        try:
            ep = _ROUTES.get((method, path))
            if ep is None:
                if path in _PATHS:
                    raise Rejected(405, "METHOD_NOT_ALLOWED", f"{method} is not allowed here")
                raise Rejected(404, "NOT_FOUND", f"no operation at {path}")
            state.calls[ep.name] += 1
            if state.faults and (injected := await state.faults.before(ep.name)):
                return _injected(injected, state)
            params, user = self.authenticate(ep, headers, query, raw)
            call = Call(ep, self.validate(ep, params), user)
            data = HANDLERS[ep.name](state, call)
            if state.faults:
                state.faults.after(ep.name)
        except Rejected as exc:
            return _error(exc, state.clock())
        if ep.shape is Shape.DATED:
            items, total = data
            return _json({"data": items, "totalCount": total}, clock_s=state.clock())
        return _json({"data": data}, clock_s=state.clock())

    # ---- authentication
    def authenticate(self, ep: Endpoint, headers: Mapping[str, str], query: str, raw: bytes) -> tuple[dict[str, Any], str | None]:
        if ep.auth in (Auth.API_KEY, Auth.SIGNED):
            key = headers.get(API_KEY_HEADER)
            if not key:
                raise Rejected(401, "MISSING_API_KEY", f"the {API_KEY_HEADER} header is missing")
            if key != self.state.options.api_key:
                raise Rejected(401, "INVALID_API_KEY", "the API key is not valid")
        if ep.method == "GET":
            params = self.signed_query(query) if ep.auth is Auth.SIGNED else dict(parse_qsl(query, keep_blank_values=True))
        else:
            params = self.signed_body(raw) if ep.auth is Auth.SIGNED else self.body(raw)
        user = None
        if ep.auth is Auth.USER_JWT:
            user = self.bearer(headers, refreshing=ep.name.startswith("auth.refresh"))
        return params, user

    def bearer(self, headers: Mapping[str, str], refreshing: bool) -> str | None:
        header = headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            if refreshing:
                return None  # the refresh token in the body is the credential
            raise Rejected(401, "MISSING_TOKEN", "the Authorization: Bearer <jwtToken> header is missing")
        return self.state.verify_jwt(token.strip(), allow_expired=refreshing)

    @staticmethod
    def body(raw: bytes) -> dict[str, Any]:
        if not raw.strip():
            return {}
        try:
            body = wire.loads(raw)
        except ValueError:
            raise Rejected(400, "INVALID_JSON", "the request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise Rejected(400, "INVALID_JSON", "the request body must be a JSON object")
        return body

    def signed_query(self, query: str) -> dict[str, Any]:
        pairs = [p for p in query.split("&") if p]
        signatures = [p for p in pairs if p.split("=", 1)[0] == "signature"]
        if len(signatures) != 1:
            raise Rejected(400, "MISSING_SIGNATURE", "exactly one signature parameter is required", "signature")
        message = "&".join(p for p in pairs if p.split("=", 1)[0] != "signature")
        params = dict(parse_qsl(message, keep_blank_values=True))
        given = unquote(signatures[0].split("=", 1)[1] if "=" in signatures[0] else "")
        self.check_signature(message, given)
        self.check_timestamp(params, text=True)
        return params

    def signed_body(self, raw: bytes) -> dict[str, Any]:
        body = self.body(raw)
        given = body.pop("signature", None)
        if not isinstance(given, str):
            raise Rejected(400, "MISSING_SIGNATURE", "the signature field is required", "signature")
        self.check_signature(wire.dumps(body), given)
        self.check_timestamp(body, text=False)
        return body

    def check_signature(self, message: str, given: str) -> None:
        if not _HEX.match(given):
            raise Rejected(400, "INVALID_SIGNATURE", "signature must be 1 to 64 hex characters", "signature")
        if not wire.signatures_match(wire.sign(self.state.options.api_secret, message), given):
            raise Rejected(401, "INVALID_SIGNATURE", "signature does not match the request (check the API secret)")

    def check_timestamp(self, params: dict[str, Any], *, text: bool) -> None:
        stamp = self._int(params.pop("timestamp", None), "timestamp", text, required=True)
        assert stamp is not None  # required
        window = self._int(params.pop("recvWindow", None), "recvWindow", text, required=False)
        window = DEFAULT_RECV_WINDOW_MS if window is None else window
        if window > MAX_RECV_WINDOW_MS:
            raise Rejected(400, "INVALID_RECV_WINDOW", f"recvWindow must be at most {MAX_RECV_WINDOW_MS}", "recvWindow")
        now = int(self.state.clock() * 1000)
        if stamp - now > MAX_AHEAD_MS:
            raise Rejected(400, "TIMESTAMP_AHEAD", "timestamp is ahead of the server time; sync the clock", "timestamp")
        if now - stamp > window:
            raise Rejected(400, "TIMESTAMP_EXPIRED", "timestamp is outside the recvWindow; sync the clock", "timestamp")

    @staticmethod
    def _int(value: Any, name: str, text: bool, *, required: bool) -> int | None:
        if value is None:
            if required:
                raise Rejected(400, "VALIDATION_ERROR", f"{name} is required", name)
            return None
        ok = (isinstance(value, str) and bool(_DIGITS.match(value))) if text else (type(value) is int)
        if not ok or int(value) < 1:
            raise Rejected(400, "VALIDATION_ERROR", f"{name} must be a positive integer", name)
        return int(value)

    @staticmethod
    def validate(ep: Endpoint, params: dict[str, Any]) -> Any:
        try:
            return ep.request.model_validate(params)
        except pydantic.ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or None
            raise Rejected(400, "VALIDATION_ERROR", f"{field}: {err['msg']}", field) from None


def create_app(state: State | None = None) -> Starlette:
    """The GoMining sandbox alone as an ASGI app; ``app.state.sandbox`` is its :class:`State`."""
    from gmtui.sandbox.serve import asgi

    state = state or State()
    return asgi({PREFIX: Sandbox(state)}, state)
