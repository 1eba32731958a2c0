"""The bytes on the wire: JSON with exact decimals, query strings, HMAC signatures.

One serializer is used for everything gmtui signs, sends and prints, so the bytes
that are signed are the bytes that are sent. Decimals are written as JSON number
literals in plain notation (never through a float); non-ASCII text is written as is,
like JavaScript's ``JSON.stringify``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime, UTC
from decimal import Decimal
from typing import Any
from urllib.parse import quote


def decimal_literal(value: Decimal) -> str:
    """A decimal as a plain JSON number literal: ``Decimal('1E-7')`` -> ``0.0000001``."""
    if not value.is_finite():
        raise ValueError(f"cannot write {value} as a JSON number")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _iso(value: datetime | date) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
            return value.isoformat(timespec="milliseconds") + "Z"
        return value.isoformat(timespec="milliseconds")
    return value.isoformat()


def dumps(obj: Any, indent: int | None = None, _level: int = 0) -> str:
    """Serialize ``obj`` compactly (``indent=None``) or pretty-printed.

    Supports dict, list/tuple, str, int, bool, None, Decimal, datetime and date.
    Floats are refused on purpose: money never passes through a float here.
    """
    if obj is None:
        return "null"
    if obj is True:
        return "true"
    if obj is False:
        return "false"
    if isinstance(obj, str):
        return json.dumps(obj, ensure_ascii=False)
    if isinstance(obj, int):
        return str(obj)
    if isinstance(obj, Decimal):
        return decimal_literal(obj)
    if isinstance(obj, (datetime, date)):
        return json.dumps(_iso(obj))
    if isinstance(obj, float):
        raise TypeError("floats are not serialized; use Decimal")
    if isinstance(obj, Mapping):
        items = [(json.dumps(str(k), ensure_ascii=False), v) for k, v in obj.items()]
        if not items:
            return "{}"
        if indent is None:
            return "{" + ",".join(f"{k}:{dumps(v)}" for k, v in items) + "}"
        pad = " " * (indent * (_level + 1))
        inner = ",\n".join(f"{pad}{k}: {dumps(v, indent, _level + 1)}" for k, v in items)
        return "{\n" + inner + "\n" + " " * (indent * _level) + "}"
    if isinstance(obj, (list, tuple)):
        if not obj:
            return "[]"
        if indent is None:
            return "[" + ",".join(dumps(v) for v in obj) + "]"
        pad = " " * (indent * (_level + 1))
        inner = ",\n".join(pad + dumps(v, indent, _level + 1) for v in obj)
        return "[\n" + inner + "\n" + " " * (indent * _level) + "]"
    raise TypeError(f"cannot serialize {type(obj).__name__}")


def loads(raw: bytes | str) -> Any:
    """Parse JSON keeping every non-integer number exact (as Decimal)."""
    return json.loads(raw, parse_float=Decimal, parse_constant=_reject_constant)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def query_string(params: Iterable[tuple[str, Any]]) -> str:
    """Encode ``(name, value)`` pairs in the given order, percent-encoding values."""
    parts = []
    for name, value in params:
        if value is None:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, Decimal):
            text = decimal_literal(value)
        elif isinstance(value, (datetime, date)):
            text = _iso(value)
        else:
            text = str(value)
        parts.append(f"{quote(name, safe='')}={quote(text, safe='-_.~')}")
    return "&".join(parts)


def sign(secret: str, message: bytes | str) -> str:
    """Lowercase hex HMAC-SHA256 of ``message`` keyed with the UTF-8 bytes of ``secret``."""
    if isinstance(message, str):
        message = message.encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signatures_match(expected: str, given: str) -> bool:
    """Compare hex signatures case-insensitively in constant time."""
    return hmac.compare_digest(expected.lower().encode(), given.lower().encode())
