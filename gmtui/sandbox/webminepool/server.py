"""Answers WebMinePool HTTP API requests against one :class:`State`, as seed 004 says:
``GET /api/{secret}/{method}/{params}``, always JSON with ``success``; failures come
with HTTP 200 and ``success: false`` (what the documents show), an unknown method 404."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

from gmtui.sandbox.answer import Answer, json_answer
from gmtui.sandbox.faults import Dropped, Faults
from gmtui.sandbox.webminepool.state import Refused, State, done_at

_MAX_HASHES = 10**18


def _amount(text: str | None, *, required: bool = True, default: int | None = None) -> int:
    if text is None or text == "":
        if required:
            raise Refused("amount is required")
        assert default is not None
        return default
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= _MAX_HASHES:
        raise Refused("invalid amount")
    return int(text)


def _name(text: str | None) -> str:
    if not text:
        raise Refused("username is required")
    return text


def _token(state: State, token_id: str | None, unset: str | None) -> dict[str, Any]:
    token = state.token(token_id or "")
    answer = {"state": 1 if token.verified is not None else 0, "end_hashes": token.end_hashes,
              "done_at": done_at(token.verified or token.created)}
    if unset and token.verified is not None:
        state.unset(token)
    return answer


def _rate(value: Decimal, amount: int, per: int) -> Decimal:
    return (value * amount / per).quantize(Decimal("0.0001"))


METHODS = ("set_token", "get_token", "users", "create_user", "delete_user", "user_hashes", "withdraw",
           "reset_user_hashes", "reset_all_user_hashes", "balance", "hashes", "wmc_rate", "hash_rate", "hash_rate_cli")


def handle(s: State, method: str, a: str | None, b: str | None) -> dict[str, Any]:
    """The answer's fields for ``method`` with path parameters ``a`` and ``b``."""
    now = s.now()
    match method:
        case "set_token":
            return {"token_id": s.set_token(_amount(a), b or None).id}
        case "get_token":
            return _token(s, a, b)
        case "users":
            return {"users": [{"api_key": u.api_key, "name": u.name, "hashes": u.hashes(now)}
                              for u in s.users.values() if u.active(now)]}
        case "create_user":
            s.create_user(_name(a), b or "")
            return {"message": "user created"}
        case "delete_user":
            s.delete_user(_name(a))
            return {"message": "user deleted"}
        case "user_hashes":
            return {"hashes": s.user(_name(a)).hashes(now)}
        case "withdraw":
            s.withdraw(_name(a), _amount(b))
            return {"message": "hashes withdrawn"}
        case "reset_user_hashes":
            s.reset(_name(a))
            return {"message": "user's balance is zero"}
        case "reset_all_user_hashes":
            s.reset_all()
            return {"message": "all users' balances are zero"}
        case "balance":
            return {"balance": s.balance()}
        case "hashes":
            return {"hashes": s.account_hashes()}
        case "wmc_rate":
            return {"satoshi": _rate(s.wmc_satoshi(), _amount(a, required=False, default=1), 1)}
        case "hash_rate" | "hash_rate_cli":
            per = _amount(a, required=False, default=1)
            return {"satoshi": _rate(s.hash_satoshi(cli=method == "hash_rate_cli"), per, 1_000_000)}
    raise KeyError(method)


class PoolSandbox:
    """The WebMinePool sandbox; ``prefix`` is where it is mounted when served."""

    def __init__(self, state: State, prefix: str = ""):
        self.state = state
        self.prefix = prefix.rstrip("/")
        self.calls: dict[str, int] = {}

    async def answer(self, method: str, path: str, query: str, headers: Mapping[str, str], raw: bytes) -> Answer:
        """One request's answer. Raises :class:`Dropped` when a fault drops it."""
        state = self.state
        now = state.now()
        if not path.startswith(self.prefix + "/api/"):
            return json_answer({"success": False, "message": "not found"}, 404, clock_s=now)
        parts = [unquote(p) for p in path[len(self.prefix) + len("/api/"):].split("/")]
        while len(parts) > 2 and parts[-1] == "":
            parts.pop()  # /users/ has a trailing slash
        secret, name, args = parts[0], (parts[1] if len(parts) > 1 else ""), parts[2:]
        if name not in METHODS or len(args) > 2:
            return json_answer({"success": False, "message": "unknown method"}, 404, clock_s=now)
        if method != "GET":
            return json_answer({"success": False, "message": "method not allowed"}, 405, clock_s=now)
        operation = "wmp." + name
        if name == "get_token" and len(args) > 1 and args[1]:
            operation += ".unset"
        self.calls[operation] = self.calls.get(operation, 0) + 1
        faults = state.faults if isinstance(state.faults, Faults) else None
        if faults and (injected := await faults.before(operation)):
            if injected == "429":
                answer = json_answer({"success": False, "message": "too many requests"}, 429, clock_s=now)
                answer.headers["Retry-After"] = f"{faults.retry_after_s:g}"
                return answer
            return json_answer({"success": False, "message": "internal error"}, 503, clock_s=now)
        try:
            if secret != state.secret:
                raise Refused("invalid api key")
            fields = handle(state, name, args[0] if args else None, args[1] if len(args) > 1 else None)
        except Refused as exc:
            return json_answer({"success": False, "message": str(exc)}, clock_s=now)
        if faults:
            faults.after(operation)
        return json_answer({"success": True, **fields}, clock_s=now)


__all__ = ["PoolSandbox", "Dropped"]
