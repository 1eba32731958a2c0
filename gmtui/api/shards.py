"""HTTP/1.1 connections kept in several small pools rather than one large one.

httpcore's pool looks at every one of its connections (a ``poll`` of each idle socket,
among other checks) each time a request enters or leaves it, so a request's cost grows
with the pool's size: at 64 connections it was most of the client's CPU (measured with
benchmarks/partner.py against `gmtui sandbox` on loopback: 9 ms of CPU a request). Each
request here goes to the pool with the fewest requests under way, so that none queues
while another has room; the client's gate (gate.py) keeps the total within bounds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

PER_POOL = 8


class _Counted(httpx.AsyncByteStream):
    """A response body that tells its pool when it is closed (its connection is free)."""

    def __init__(self, inner: Any, done: Callable[[], None]):
        self._inner, self._done = inner, done

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            done, self._done = self._done, lambda: None
            done()


class Shards(httpx.AsyncBaseTransport):
    def __init__(self, connections: int):
        count = max(1, -(-connections // PER_POOL))
        size = -(-connections // count)
        limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
        tls = httpx.create_ssl_context()  # one for all (loading the CA certificates takes 40 ms)
        self._pools = [httpx.AsyncHTTPTransport(verify=tls, limits=limits) for _ in range(count)]
        self.busy = [0] * count  # requests under way in each pool
        self.served = [0] * count

    def __repr__(self) -> str:
        return f"Shards(pools={len(self._pools)}, busy={sum(self.busy)})"

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        i = min(range(len(self._pools)), key=self.busy.__getitem__)
        self.busy[i] += 1
        self.served[i] += 1

        def done() -> None:
            self.busy[i] -= 1

        try:
            response = await self._pools[i].handle_async_request(request)
        except BaseException:
            done()
            raise
        response.stream = _Counted(response.stream, done)
        return response

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()
