"""Reading every page of a list operation, and stopping a server that does not page:
one that ignores ``offset`` (the same page again, or pages in a cycle) or ``limit``
(more items than asked) is refused, and past the API's last offset the read stops with
an error instead of a list silently cut at 100,000 items."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gmtui.api.gomining.catalogue import Endpoint, Shape
from gmtui.api.errors import UnexpectedResponse

if TYPE_CHECKING:
    from gmtui.api.gomining.client import GoMiningClient as Client

MAX_OFFSET = 99_999  # the largest offset the API takes (the seeds)


async def fetch_all(
    client: Client, ep: Endpoint, params: Mapping[str, Any] | None, *, user: str | None, page_size: int | None,
    concurrency: int,
) -> list[Any]:
    """Every item of ``ep``, fetching up to ``concurrency`` pages at once."""
    size = min(page_size or ep.page_max, ep.page_max)
    base = dict(params or {})
    max_offset = MAX_OFFSET

    async def page(offset: int) -> list[Any]:
        result = await client.call(ep, {**base, "limit": str(size), "offset": str(offset)}, user=user)
        return list(result.data) if ep.shape is Shape.DATED else list(result)

    pages = _Pages(ep.name, size)
    if ep.shape is Shape.DATED:
        first = await client.call(ep, {**base, "limit": str(size), "offset": "0"}, user=user)
        pages.add(0, list(first.data))
        if first.total_count > max_offset + size:
            raise pages.too_many(max_offset + size)
        offsets = list(range(size, min(first.total_count, max_offset + 1), size))
        gate = asyncio.Semaphore(concurrency)

        async def gated(offset: int) -> list[Any]:
            async with gate:
                return await page(offset)

        for offset, chunk in zip(offsets, await asyncio.gather(*(gated(o) for o in offsets)), strict=True):
            pages.add(offset, chunk)
        return pages.items

    offset = 0
    while offset <= max_offset:
        batch = [o for o in range(offset, offset + size * concurrency, size) if o <= max_offset]
        for o, chunk in zip(batch, await asyncio.gather(*(page(o) for o in batch)), strict=True):
            if not pages.add(o, chunk):
                return pages.items
        offset += size * len(batch)
    raise pages.too_many(offset)


class _Pages:
    """The items of consecutive pages, checked as they come: a page the server sent
    before (it ignores offset, or cycles), or more items than asked, stops the read."""

    def __init__(self, operation: str, size: int):
        self.operation, self.size = operation, size
        self.items: list[Any] = []
        self._seen: set[str] = set()

    def add(self, offset: int, chunk: list[Any]) -> bool:
        """Add the page at ``offset``; False once a short page says it was the last."""
        if len(chunk) > self.size:
            raise UnexpectedResponse(f"the server sent {len(chunk)} items for a page of {self.size} (offset {offset}): "
                                     "it seems to ignore limit; stopped", operation=self.operation)
        digest = hashlib.sha256(repr(chunk).encode()).hexdigest()
        if chunk and digest in self._seen:
            raise UnexpectedResponse(f"the server sent the same page again at offset {offset}: "
                                     "it seems to ignore offset; stopped", operation=self.operation)
        self._seen.add(digest)
        self.items.extend(chunk)
        return len(chunk) == self.size

    def too_many(self, offset: int) -> UnexpectedResponse:
        return UnexpectedResponse(f"more than {offset:,} items: the API pages no further (offset at most "
                                  f"{MAX_OFFSET:,}); narrow the request", operation=self.operation)
