"""How many requests one client keeps in flight: adaptive, polite to the server.

Like TCP's congestion window: the limit starts small and grows by one with each answer
until the server first says 429 (slow start), then by one per limit's worth of
answers; a 429 halves it, at most once per ``Retry-After`` (at least a second, at most
``max_pause_s``): the other 429s of that moment answer requests sent before the cut.
The request answered 429 waits out its ``Retry-After`` in the retry loop (retry.py);
the others go on at the lower limit. Waiting requests go one per free slot, lowest
``RANK`` first, then in arrival order: the partner view ranks each user's requests by
the user's place in the list, so that a user's later reads (its totals after its
login) do not queue behind every other user's first ones, and rows complete in order.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from contextvars import ContextVar

RANK: ContextVar[int] = ContextVar("gate_rank", default=0)


class Gate:
    def __init__(self, most: int = 32, start: int = 8, *, max_pause_s: float = 10.0,
                 clock: Callable[[], float] = time.monotonic):
        self.most = max(1, most)
        self.limit = float(min(max(1, start), self.most))
        self.max_pause_s = max_pause_s
        self.clock = clock
        self.busy = 0
        self.calm_at = 0.0  # no cut before this (clock time)
        self.slow_start = True
        self.cuts = 0  # how many times a 429 halved the limit
        self.peak = self.limit
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []  # a heap: (rank, arrival, waiter)
        self._arrival = itertools.count()

    def __repr__(self) -> str:
        return f"Gate(limit={self.limit:.1f}, busy={self.busy}, most={self.most})"

    @property
    def cap(self) -> int:
        return max(1, int(self.limit))

    async def enter(self) -> None:
        """Wait for a free slot."""
        if self._waiters or self.busy >= self.cap:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            entry = (RANK.get(), next(self._arrival), waiter)
            heapq.heappush(self._waiters, entry)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self.leave()  # the slot was ours: hand it on
                elif entry in self._waiters:
                    self._waiters.remove(entry)
                    heapq.heapify(self._waiters)
                raise
        else:
            self.busy += 1

    def leave(self) -> None:
        self.busy -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.busy < self.cap:
            _, _, waiter = heapq.heappop(self._waiters)
            if not waiter.done():
                self.busy += 1
                waiter.set_result(None)

    def answered(self) -> None:
        """An answer that was not a 429: one more request may be in flight."""
        self.limit = min(float(self.most), self.limit + (1 if self.slow_start else 1 / self.limit))
        self.peak = max(self.peak, self.limit)
        self._wake()

    def limited(self, retry_after: float | None) -> None:
        """A request was answered 429."""
        now = self.clock()
        if now < self.calm_at:
            return  # this moment's cut is made
        self.slow_start = False
        self.limit = max(1.0, self.limit / 2)
        self.cuts += 1
        self.calm_at = now + min(self.max_pause_s, max(retry_after or 0.0, 1.0))
