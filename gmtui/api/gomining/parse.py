"""Turning an HTTP answer into the catalogue's model or a typed error, never leaking
a secret into the error's text."""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import pydantic
from pydantic import TypeAdapter

from gmtui.api.gomining.catalogue import Auth, Endpoint, Shape
from gmtui.api.client import field_path, json_body
from gmtui.api.errors import ApiError, UnexpectedResponse, classify

_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def _adapter(ep: Endpoint, model: type[pydantic.BaseModel] | None = None) -> TypeAdapter[Any]:
    model = model or ep.response
    if model is None:
        raise TypeError(f"{ep.name} has no response model")
    key = f"{ep.name}:{model.__name__}"
    if key not in _ADAPTERS:
        shape: Any = list[model] if ep.shape is Shape.ARRAY else model  # type: ignore[valid-type]
        _ADAPTERS[key] = TypeAdapter(shape)
    return _ADAPTERS[key]


def parse(
    ep: Endpoint, status: int, content: bytes, retry_after: str | None, model: type[pydantic.BaseModel] | None,
    secrets: Callable[[], list[str]],
) -> Any:
    """The answer (``status`` and body ``content``) as the catalogue's model, or a typed
    error scrubbed of ``secrets()`` (asked for only then: the list grows with the users).
    ``retry_after``: the header, if any."""
    text = content.decode("utf-8", "replace")
    body = json_body(content, status, ep.name)
    if status >= 400:
        held = secrets()
        raise _scrubbed(classify(
            status, body, text, operation=ep.name, signed=ep.auth is Auth.SIGNED, retry_after=_retry_after(retry_after),
            secrets=tuple(s for s in held if len(s) >= 6),
        ), held)
    if not 200 <= status < 300:
        raise UnexpectedResponse(f"HTTP {status}", operation=ep.name, status=status)
    if not isinstance(body, dict) or "data" not in body:
        raise UnexpectedResponse("no 'data' in the body", operation=ep.name, field="data", status=status)
    data = body["data"]
    if ep.shape is Shape.TRUE:
        if not isinstance(data, bool):
            raise UnexpectedResponse("expected true or false", operation=ep.name, field="data", status=status)
        if not data:
            raise ApiError("the server answered false: nothing was done", operation=ep.name, status=status)
        return True
    if ep.shape is Shape.ARRAY:
        if not isinstance(data, dict) or "array" not in data:
            raise UnexpectedResponse("no 'array' in data", operation=ep.name, field="data.array", status=status)
        data, prefix = data["array"], "data.array"
    elif ep.shape is Shape.DATED:
        data, prefix = body, ""
    else:
        prefix = "data"
    try:
        return _adapter(ep, model).validate_python(data)
    except pydantic.ValidationError as exc:
        err = exc.errors()[0]
        loc = field_path(err["loc"])
        field = f"{prefix}{'' if not loc else ('' if loc.startswith('[') else '.') + loc}" if prefix else loc
        raise UnexpectedResponse(err["msg"], operation=ep.name, field=field, status=status) from None


def _scrubbed(exc: ApiError, secrets: list[str]) -> ApiError:
    for secret in secrets:
        if secret and secret in str(exc.args[0]):
            exc.server_message = exc.server_message.replace(secret, "***")
            exc.args = (str(exc.args[0]).replace(secret, "***"),)
    return exc


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None
