"""Reliability figures against the in-process sandbox with injected faults.

    python benchmarks/reliability.py [--reads 1000] [--seed 1]

Prints: refresh calls for 100 concurrent calls on an expired JWT; resends of a
withdrawal whose answer is dropped after it committed; the share of reads that
succeed fresh, succeed from the cache, or fail under 20% injected faults.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from decimal import Decimal

from gmtui.api.cache import Cache, tracking
from gmtui.api.errors import GmtuiError, OutcomeUnknown, PendingMoveError
from gmtui.api.journal import Journal
from gmtui.api.retry import RetryPolicy
from gmtui.sandbox import Faults, State, demo_client

FAST = RetryPolicy(attempts=4, timeout_s=5, wait_initial_s=0.001, wait_max_s=0.01, wait_jitter_s=0.002)


class Clock:
    def __init__(self) -> None:
        self.t = time.time()

    def __call__(self) -> float:
        return self.t


async def refreshes() -> tuple[int, int, int]:
    clock = Clock()
    state = State(clock=clock)
    async with demo_client(state) as client:
        await client.miners_c2s("alice")
        clock.t += state.options.jwt_lifetime_s + 1
        results = await asyncio.gather(*(client.miners_c2s("alice", limit=1) for _ in range(100)), return_exceptions=True)
    ok = sum(1 for r in results if not isinstance(r, BaseException))
    return state.calls["auth.refresh.s2s"], ok, state.spent_refresh_presented


async def commit_then_drop() -> tuple[int, int]:
    state = State(faults=Faults(drop_after_rate=1.0, ops=("withdraw.create",)))
    address = state.world.users["alice"].wallets[0].address
    async with demo_client(state, journal=Journal(), retry=FAST) as client:
        for _ in range(3):  # the user tries three times
            try:
                await client.withdraw("alice", address, Decimal("0.001"), fast=True)
            except (OutcomeUnknown, PendingMoveError):
                pass
    return state.calls["withdraw.create_fast"] - 1, len(state.withdrawals)


async def reads(n: int, seed: int) -> tuple[int, int, int, dict[str, int]]:
    faults = Faults(error_rate=0.1, rate_limit_rate=0.05, retry_after_s=0, drop_before_rate=0.05, seed=seed)
    state = State()
    calls = [("user_stats", "alice"), ("miners", "alice"), ("wallets", "bob"), ("income_totals", "carol")]
    async with demo_client(state, cache=Cache(), retry=FAST) as client:
        for name, user in calls:
            await getattr(client, name)(user)
        state.faults = faults
        fresh = cached = failed = 0
        for i in range(n):
            name, user = calls[i % len(calls)]
            try:
                with tracking() as f:
                    await getattr(client, name)(user)
            except GmtuiError:
                failed += 1
                continue
            cached += f.from_cache
            fresh += not f.from_cache
    return fresh, cached, failed, faults.injected


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reads", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    refresh, ok, spent = await refreshes()
    print(f"100 concurrent calls, expired JWT: {refresh} refresh call(s), {ok}/100 succeeded, spent refresh tokens presented: {spent}")
    resends, withdrawals = await commit_then_drop()
    print(f"commit-then-drop withdrawal, tried 3 times: {resends} resend(s), {withdrawals} withdrawal(s) on the server")
    fresh, cached, failed, injected = await reads(args.reads, args.seed)
    total = fresh + cached + failed
    print(f"{total} reads under 20% faults ({sum(injected.values())} injected: {injected}): "
          f"{fresh / total:.1%} fresh, {cached / total:.1%} from cache with age, {failed / total:.1%} failed")


if __name__ == "__main__":
    asyncio.run(main())
