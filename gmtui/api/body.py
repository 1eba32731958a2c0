"""Reading an answer's body within bounds: at most ``MAX_BYTES`` once decompressed,
decompressed here (never by httpx, which inflates a whole chunk at once: a 2 KB gzip
bomb became 2 GB), and only the encodings gmtui asks for."""

from __future__ import annotations

import zlib

import httpx

MAX_MB = 20
MAX_BYTES = MAX_MB * 1024 * 1024
ACCEPT_ENCODING = "gzip, deflate"
_WBITS = {"identity": None, "": None, "gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS,
          "deflate": 32 + zlib.MAX_WBITS}  # deflate: zlib-wrapped (or gzip, detected)


class TooBig(ValueError):
    """The body is over the bound, or in an encoding gmtui did not ask for."""


async def read(response: httpx.Response, limit: int = MAX_BYTES) -> bytes:
    """The whole body of a streamed ``response``, decoded, refused past ``limit``."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooBig(f"the answer is {int(declared):,} bytes, over the {limit // 2**20} MB gmtui reads")
    if response.is_stream_consumed:  # read already (an in-process transport gave it as bytes)
        if len(response.content) > limit:
            raise TooBig(f"the answer is over the {limit // 2**20} MB gmtui reads")
        return response.content
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    if encoding not in _WBITS:
        raise TooBig(f"the answer is encoded as {encoding[:40]!r}, which gmtui did not ask for")
    wbits = _WBITS[encoding]
    inflater = zlib.decompressobj(wbits) if wbits is not None else None
    parts: list[bytes] = []
    size = 0
    async for chunk in response.aiter_raw():
        data = chunk
        while data:
            if inflater is None:
                piece, data = data, b""
            else:
                try:
                    piece = inflater.decompress(data, limit - size + 1)
                except zlib.error:
                    raise TooBig(f"the answer's {encoding} encoding is broken") from None
                data = inflater.unconsumed_tail
            size += len(piece)
            if size > limit:
                raise TooBig(f"the answer is over the {limit // 2**20} MB gmtui reads; stopped there")
            parts.append(piece)
    return b"".join(parts)
