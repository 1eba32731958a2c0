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


# Bounds on what a body may hold, so that no answer can make gmtui spin or fill memory:
# a number literal of 1e999999999 is 12 bytes, and printing it exactly takes a gigabyte.
MAX_NUMBER_CHARS = 64
# |adjusted exponent|: 10^18 is far beyond any amount, 10^-18 below any unit, and any such
# value still prints to 8 decimals within Decimal's 28 digits.
MAX_EXPONENT = 18
MAX_DEPTH = 64
MAX_CONTAINERS = 200_000  # objects and arrays in one body: a page holds a few thousand
MAX_SEPARATORS = 1_000_000  # commas: values in one body, roughly


class Unreadable(ValueError):
    """A body gmtui refuses to read, with the reason a person can act on."""


def bounded_decimal(value: str | int | Decimal) -> Decimal:
    """``value`` as an exact Decimal within gmtui's bounds (raises Unreadable)."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > MAX_NUMBER_CHARS:
        raise Unreadable(f"a number has more than {MAX_NUMBER_CHARS} characters ({text[:16]}…)")
    try:
        number = Decimal(text)
    except ArithmeticError:
        raise Unreadable(f"{text[:16]!r} is not a number") from None
    if not number.is_finite():
        raise Unreadable(f"{text[:16]!r} is not a finite number")
    if abs(number.adjusted()) > MAX_EXPONENT:
        raise Unreadable(f"the number {text[:16]} is out of range (beyond 10^±{MAX_EXPONENT})")
    return number


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_CHARS // 2:
        raise Unreadable(f"an integer has more than {MAX_NUMBER_CHARS // 2} digits ({text[:16]}…)")
    return int(text)


def loads(raw: bytes | str) -> Any:
    """Parse JSON keeping every non-integer number exact (as Decimal), within bounds:
    numbers (see ``bounded_decimal``) and nesting (``MAX_DEPTH``). Raises ValueError
    (Unreadable with a reason for the bounds). A body of millions of tiny values is
    refused before it is parsed: 19 MB of ``{},`` would take 1.5 GB as objects."""
    data = raw.encode() if isinstance(raw, str) else raw
    if data.count(b"{") + data.count(b"[") > MAX_CONTAINERS:
        raise Unreadable(f"the JSON holds more than {MAX_CONTAINERS:,} objects and lists")
    if data.count(b",") > MAX_SEPARATORS:
        raise Unreadable(f"the JSON holds more than {MAX_SEPARATORS:,} values")
    try:
        value = json.loads(raw, parse_float=bounded_decimal, parse_int=_bounded_int, parse_constant=_reject_constant)
    except RecursionError:
        raise Unreadable(f"the JSON is nested more than {MAX_DEPTH} levels deep") from None
    _check_depth(value)
    return value


def _check_depth(value: Any) -> None:
    level: list[tuple[Any, int]] = [(value, 1)]
    while level:
        node, depth = level.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > MAX_DEPTH:
                    raise Unreadable(f"the JSON is nested more than {MAX_DEPTH} levels deep")
                level.append((child, depth + 1))


def _reject_constant(name: str) -> Any:
    raise Unreadable(f"{name} is not valid JSON")


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
