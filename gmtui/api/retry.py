"""Retries for calls that are safe to repeat: reads, and requests the server never ran.

stamina drives the loop (bounded attempts and total time, exponential backoff with
jitter); ``backoff`` decides per error whether to try again and, for a 429, waits
what ``Retry-After`` asks. Every attempt builds and signs its request afresh.
Money-moving operations never come through here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import logging

import stamina
from stamina.instrumentation import RetryDetails, set_on_retry_hooks

from gmtui.api.errors import NetworkError, RateLimitError, ServerError

T = TypeVar("T")
log = logging.getLogger("gmtui.retry")


def _note_retry(details: RetryDetails) -> None:
    # stamina's default hook warns on the root logger, which would print over the TUI.
    exc = details.caused_by
    log.info("retry %d in %.2f s after %s: %s", details.retry_num, details.wait_for, type(exc).__name__, exc)


set_on_retry_hooks([_note_retry])


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    timeout_s: float = 20.0
    wait_initial_s: float = 0.2
    wait_max_s: float = 5.0
    wait_jitter_s: float = 0.3
    max_retry_after_s: float = 10.0  # a longer wait is the server's to ask, not gmtui's to sit through

    def backoff(self, exc: Exception) -> bool | float:
        """False: give up. True: back off as usual. A number: wait that many seconds."""
        if isinstance(exc, RateLimitError):
            if exc.retry_after is None:
                return True
            return exc.retry_after <= self.max_retry_after_s and max(exc.retry_after, 0.001)
        return isinstance(exc, ServerError | NetworkError)

    async def run(self, attempt: Callable[[], Awaitable[T]]) -> T:
        async for try_ in stamina.retry_context(
            on=self.backoff,
            attempts=self.attempts,
            timeout=self.timeout_s,
            wait_initial=self.wait_initial_s,
            wait_max=self.wait_max_s,
            wait_jitter=self.wait_jitter_s,
        ):
            with try_:
                return await attempt()
        raise AssertionError("unreachable: stamina re-raises the last error")


NO_RETRY = RetryPolicy(attempts=1)
