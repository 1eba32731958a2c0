"""Bitcoin mainnet address validation: P2PKH/P2SH (base58check), segwit v0 (bech32)
and v1+ (bech32m), following BIP173 and BIP350. Checksums, not a regex.

``script_pubkey`` decodes any address the BIPs call valid. ``validate`` accepts only
what is safe to send money to today: P2PKH, P2SH, P2WPKH, P2WSH and P2TR. Coins sent
to another witness version or program length are spendable by anyone until a soft
fork gives it meaning, so those are refused with the reason."""

from __future__ import annotations

import hashlib

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_CONST = 1
_BECH32M_CONST = 0x2BC830A3


class AddressError(ValueError):
    """Why an address is not a valid mainnet Bitcoin address."""


def _b58decode(text: str) -> bytes:
    num = 0
    for ch in text:
        idx = _B58.find(ch)
        if idx < 0:
            raise AddressError(f"character {ch!r} is not base58")
        num = num * 58 + idx
    body = num.to_bytes((num.bit_length() + 7) // 8, "big") if num else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def _b58check_encode(payload: bytes) -> str:
    raw = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    num = int.from_bytes(raw, "big")
    out = ""
    while num:
        num, rem = divmod(num, 58)
        out = _B58[rem] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


def _polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convertbits(data: list[int] | bytes, frombits: int, tobits: int, pad: bool) -> list[int]:
    acc = bits = 0
    out = []
    maxv = (1 << tobits) - 1
    for value in data:
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad and bits:
        out.append((acc << (tobits - bits)) & maxv)
    elif not pad and (bits >= frombits or (acc << (tobits - bits)) & maxv):
        raise AddressError("invalid padding in the witness program")
    return out


def _segwit_decode(address: str) -> tuple[int, bytes]:
    if any(ord(c) < 33 or ord(c) > 126 for c in address):
        raise AddressError("invalid character")
    if address.lower() != address and address.upper() != address:
        raise AddressError("mixed case")
    addr = address.lower()
    pos = addr.rfind("1")
    if pos < 1 or pos + 7 > len(addr) or len(addr) > 90:
        raise AddressError("bad bech32 length or separator")
    hrp, data_part = addr[:pos], addr[pos + 1 :]
    if hrp != "bc":
        raise AddressError("not a mainnet address (expected bc1...)")
    if any(c not in _B32 for c in data_part):
        raise AddressError("character not in the bech32 alphabet")
    data = [_B32.find(c) for c in data_part]
    const = _polymod(_hrp_expand(hrp) + data)
    version = data[0]
    if version > 16:
        raise AddressError("invalid witness version")
    expected = _BECH32_CONST if version == 0 else _BECH32M_CONST
    if const != expected:
        raise AddressError("bad checksum" if const not in (_BECH32_CONST, _BECH32M_CONST) else "wrong checksum variant for the witness version")
    program = bytes(_convertbits(data[1:-6], 5, 8, False))
    if not 2 <= len(program) <= 40:
        raise AddressError("invalid witness program length")
    if version == 0 and len(program) not in (20, 32):
        raise AddressError("invalid witness v0 program length")
    return version, program


SAFE_KINDS = ("p2pkh", "p2sh", "p2wpkh", "p2wsh", "p2tr")


def validate(address: str) -> str:
    """The kind of a mainnet address safe to pay, else AddressError saying why."""
    kind, script = _decode(address)
    if kind not in SAFE_KINDS:
        version, size = script[0] - 0x50, len(script) - 2
        if version == 1:
            raise AddressError(f"a witness v1 program of {size} bytes is not Taproot (32 bytes): "
                               "coins sent there can be taken by anyone")
        raise AddressError(f"witness version {version} is not in use yet: coins sent there can be taken by anyone")
    return kind


def canonical(address: str) -> str:
    """The one spelling of an address, for comparing: bech32 is case-insensitive and
    written in lower case; base58 is case-sensitive and kept as is. Only ASCII is
    folded: a look-alike letter (K, the Kelvin sign) never matches a real address."""
    address = address.strip()
    return address.lower() if address.isascii() and address[:3].lower() == "bc1" else address


def script_pubkey(address: str) -> bytes:
    """The output script a valid mainnet address pays to (raises AddressError)."""
    return _decode(address)[1]


def _decode(address: str) -> tuple[str, bytes]:
    if not address or address != address.strip():
        raise AddressError("empty or padded address")
    if len(address) > 90:  # bech32's limit; base58 addresses are 26 to 35 characters
        raise AddressError("too long for an address")
    if address[:3].lower() == "bc1":
        version, program = _segwit_decode(address)
        script = bytes([0x50 + version if version else 0, len(program)]) + program
        if version == 0:
            return ("p2wpkh" if len(program) == 20 else "p2wsh"), script
        return ("p2tr" if version == 1 and len(program) == 32 else f"witness-v{version}"), script
    if address[0] in "13":
        raw = _b58decode(address)
        if len(raw) != 25:
            raise AddressError("wrong length for a base58 address")
        payload, checksum = raw[:-4], raw[-4:]
        if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
            raise AddressError("bad checksum")
        if payload[0] == 0x00:
            return "p2pkh", b"\x76\xa9\x14" + payload[1:] + b"\x88\xac"
        if payload[0] == 0x05:
            return "p2sh", b"\xa9\x14" + payload[1:] + b"\x87"
        raise AddressError("unknown version byte")
    raise AddressError("not a mainnet Bitcoin address")


def is_valid(address: str) -> bool:
    try:
        validate(address)
    except AddressError:
        return False
    return True


def encode_segwit(version: int, program: bytes) -> str:
    """A bc1 address for a witness program (used to make sandbox data)."""
    data = [version] + _convertbits(program, 8, 5, True)
    const = _BECH32_CONST if version == 0 else _BECH32M_CONST
    poly = _polymod(_hrp_expand("bc") + data + [0] * 6) ^ const
    checksum = [(poly >> 5 * (5 - i)) & 31 for i in range(6)]
    return "bc1" + "".join(_B32[d] for d in data + checksum)


def encode_p2pkh(hash160: bytes) -> str:
    return _b58check_encode(b"\0" + hash160)
