"""TON Connect ``ton_proof`` (v2) messages: the bytes a wallet signs, and the check.

  message = "ton-proof-item-v2/" + workchain (int32 BE) + address hash (32 bytes)
            + domain length (uint32 LE) + domain + timestamp (uint64 LE) + payload
  signed  = ed25519(sha256(0xffff + "ton-connect" + sha256(message)))

The sandbox checks the signature against the account's ``publicKey``; it does not
derive that key from ``walletStateInit`` (a real server also does that).
"""

from __future__ import annotations

import base64
import hashlib
import struct


def signed_bytes(address: str, domain: str, timestamp: int, payload: str) -> bytes:
    workchain, _, account = address.partition(":")
    raw = bytes.fromhex(account)
    if len(raw) != 32:
        raise ValueError("address must be workchain:64 hex digits")
    domain_bytes = domain.encode()
    message = (
        b"ton-proof-item-v2/"
        + struct.pack(">i", int(workchain))
        + raw
        + struct.pack("<I", len(domain_bytes))
        + domain_bytes
        + struct.pack("<Q", timestamp)
        + payload.encode()
    )
    return hashlib.sha256(b"\xff\xff" + b"ton-connect" + hashlib.sha256(message).digest()).digest()


def verify(address: str, public_key_hex: str, domain: str, timestamp: int, payload: str, signature_b64: str) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        key.verify(base64.b64decode(signature_b64, validate=True), signed_bytes(address, domain, timestamp, payload))
    except (ValueError, InvalidSignature):
        return False
    return True
