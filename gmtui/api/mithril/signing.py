"""How Mithril Vault signs a call, exactly as the seed's own Python sample does.

Every signed call carries ``client_id``, ``timestamp`` (whole seconds, UTC) and a fresh
random ``nonce``. The canonical string is ``key=value`` pairs sorted by key and joined
by ``&``, lists as ``[a,b]``, nested objects the same way, and every other value as
Python's ``str()`` gives it. ``X-Vault-Signature`` is the hex HMAC-SHA512 of that
string keyed with ``bytes.fromhex(client key)``.

What is signed is what the server will see: a GET signs its query parameters (the
server reads them as text); a POST signs its JSON body as the server parses it, so
the body is serialised once, parsed back the way a Python server does (a number with a
fraction becomes a float: a reward of 0.00001 is signed as ``reward=1e-05``), signed,
and those same bytes are sent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from typing import Any

from gmtui.api import wire

HEADER = "X-Vault-Signature"
NONCE_BYTES = 16  # 32 hex characters (the seed allows up to 64)


def canonical(payload: Any) -> str:
    """The seed's ``preprocess``: the text that is signed."""
    if isinstance(payload, Mapping):
        return "&".join(f"{key}={canonical(value)}" for key, value in sorted(payload.items()))
    if isinstance(payload, list):
        return "[" + ",".join(canonical(item) for item in payload) + "]"
    return f"{payload}"


def key_bytes(client_key: str) -> bytes:
    """The HMAC key: the client key read as hex (ValueError says it is not hex)."""
    try:
        return bytes.fromhex(client_key)
    except ValueError:
        raise ValueError("the client key is not a hex string") from None


def sign(payload: Any, client_key: str) -> str:
    return hmac.new(key_bytes(client_key), canonical(payload).encode(), hashlib.sha512).hexdigest()


def nonce() -> str:
    return secrets.token_hex(NONCE_BYTES)


def signed_query(params: Mapping[str, Any], client_key: str) -> tuple[dict[str, str], str]:
    """A GET's or DELETE's query (every value as the text the server reads) and its signature."""
    query = {k: str(v) for k, v in params.items()}
    return query, sign(query, client_key)


def signed_body(body: Mapping[str, Any], client_key: str) -> tuple[bytes, str]:
    """A POST's bytes, serialised once, and the signature of what the server parses from them.
    ``body`` may hold Decimals: they are written as JSON numbers, digit for digit."""
    raw = wire.dumps(body).encode()
    return raw, sign(json.loads(raw), client_key)


