"""The partner-wide view at scale, against the in-process GoMining sandbox.

    python benchmarks/partner.py [--users 1000] [--latency 50] [--limited 0.05]

Every answer waits ``--latency`` ms (the sandbox's fault injection), as a server
across the internet would. Prints, against the targets of the partner view:
- a single user's row (the same reads, one user): the yardstick;
- all users, first read (no token held: each user is logged in once, its pair written
  to a token file as a profile's are): time to the first row and to the last, and the
  ratio to the single user;
- all users again (tokens held, answers cached): time to the first (cached) row
  painted, and to the last fresh one;
- the same with ``--limited`` of the calls answered 429 (Retry-After 1 s): whether it
  completes and how the gate backed off;
- the first read and the read again over loopback HTTP, against `gmtui sandbox` in
  its own process (as a real server would be: its CPU is not gmtui's), unless --no-http;
- the peak memory of the process (the in-process sandbox's world included).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gmtui.api import partner  # noqa: E402
from gmtui.api.cache import Cache  # noqa: E402
from gmtui.api.gomining.tokens import TokenStore  # noqa: E402
from gmtui.sandbox import DEMO_API_KEY, DEMO_API_SECRET, Faults, Options, State, WorldSize, demo_client  # noqa: E402

FIRST_ROWS_S, ALL_S, RATIO, MEMORY_MB = 1.0, 5.0, 10.0, 250


async def run(client: object, users: list[str]) -> tuple[float, float, float | None, partner.Progress]:
    """(first row s, last row s, first fresh row s, progress)."""
    progress = partner.Progress()
    source = partner.Source("bench", "gomining", client, users)
    started = time.perf_counter()
    first = first_fresh = None
    async for row in partner.gather([source], progress):
        now = time.perf_counter() - started
        first = first if first is not None else now
        if not row.cached and first_fresh is None:
            first_fresh = now
    return first or 0.0, time.perf_counter() - started, first_fresh, progress


def verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def calls_of(state: State | None) -> int:
    return sum(state.calls.values()) if state is not None else 0


async def reads(n: int, users: list[str], single: float, client: Any, state: State | None) -> bool:
    """The first read and the read again of every user; whether they meet the targets."""
    calls = calls_of(state)
    cpu = time.process_time()
    first, last, _, progress = await run(client, users)
    cpu, calls = time.process_time() - cpu, calls_of(state) - calls
    ratio = last / single
    ok = first <= FIRST_ROWS_S and last <= ALL_S and ratio <= RATIO
    said = f"; {calls:,} calls" if state is not None else ""
    print(f"{n:,} users, first read:  first row {first:5.2f} s (target {FIRST_ROWS_S:g} s: {verdict(first <= FIRST_ROWS_S)}), "
          f"all {last:5.2f} s (target {ALL_S:g} s: {verdict(last <= ALL_S)}){said}, {progress.failed} failed; "
          f"gmtui's CPU {cpu:4.2f} s; gate peaked at {client.gate.peak:.0f} in flight")
    print(f"  ratio to a single user: {ratio:5.1f}x (target {RATIO:g}x: {verdict(ratio <= RATIO)})")
    calls = calls_of(state)
    cpu = time.process_time()
    first, last, first_fresh, progress = await run(client, users)
    cpu, calls = time.process_time() - cpu, calls_of(state) - calls
    ok &= first <= FIRST_ROWS_S and last <= ALL_S
    said = f"; {calls:,} calls" if state is not None else ""
    print(f"{n:,} users, again:       first (cached) row {first:5.2f} s, first fresh {first_fresh or 0:5.2f} s, "
          f"all {last:5.2f} s ({verdict(last <= ALL_S)}){said}; gmtui's CPU {cpu:4.2f} s; ratio {last / single:4.1f}x")
    return ok


def sandbox_server(n: int, latency: float) -> tuple[str, subprocess.Popen[str]]:
    """`gmtui sandbox` in its own process, answering on a loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "gmtui", "sandbox", "--port", str(port), "--users", str(n),
                             "--faults", f"latency={latency:g}"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/api/partner/none", timeout=0.5)
            return base, proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the sandbox server did not start")


async def over_http(n: int, users: list[str], latency: float) -> bool:
    """The same reads against `gmtui sandbox` over loopback sockets: gmtui's own cost on
    the wire (httpx, httpcore), the server's on another core, as a real server's would be."""
    from gmtui.api.gomining.client import GoMiningClient

    base, proc = sandbox_server(n, latency)
    try:
        async with GoMiningClient(base, DEMO_API_KEY, DEMO_API_SECRET) as warm_up:  # the server builds its ledgers
            async for _ in partner.gather([partner.Source("bench", "gomining", warm_up, users)], partner.Progress()):
                pass
        async with GoMiningClient(base, DEMO_API_KEY, DEMO_API_SECRET) as one:
            _, single, _, _ = await run(one, [users[0]])
        print(f"over loopback HTTP (`gmtui sandbox` in its own process), single user's row: {single * 1000:4.0f} ms")
        folder = tempfile.mkdtemp(prefix="gmtui-bench-")
        async with GoMiningClient(base, DEMO_API_KEY, DEMO_API_SECRET, cache=Cache(),
                                  token_store=TokenStore(Path(folder) / "tokens-bench.json")) as client:
            return await reads(n, users, single, client, None)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def main(n: int, latency: float, limited: float, http: bool) -> int:
    built = time.perf_counter()
    state = State(Options(size=WorldSize(n)), faults=Faults(latency_ms=latency))
    users = list(state.world.users)
    for u in users:  # a real server has its figures at hand: build the sandbox's ledgers first
        state.ledger(u)
    print(f"sandbox: {n:,} users, {len(state.world.miners):,} miners, {latency:g} ms a call "
          f"(built in {time.perf_counter() - built:.1f} s, not counted)")

    async with demo_client(State(Options(size=WorldSize(1)), faults=Faults(latency_ms=latency))) as one:
        _, single, _, _ = await run(one, ["alice"])
    print(f"in process, single user's row: {single * 1000:4.0f} ms")

    folder = tempfile.mkdtemp(prefix="gmtui-bench-")
    async with demo_client(state, cache=Cache(), token_store=TokenStore(Path(folder) / "tokens-bench.json")) as client:
        ok = await reads(n, users, single, client, state)

    if limited:
        faults = Faults(latency_ms=latency, rate_limit_rate=limited, retry_after_s=1.0, seed=1)
        throttled = State(Options(size=WorldSize(n)), faults=faults)
        for u in users:
            throttled.ledger(u)
        async with demo_client(throttled) as client:
            first, last, _, progress = await run(client, users)
            print(f"{n:,} users, {limited:.0%} answered 429: all {last:5.2f} s, {progress.done:,} of {progress.total:,} "
                  f"rows, {progress.failed} failed; {faults.injected.get('429', 0)} 429s, the gate halved "
                  f"{client.gate.cuts} times and ended at {client.gate.limit:.0f} in flight")
            ok &= progress.failed == 0
    if http:
        ok &= await over_http(n, users, latency)

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ok &= peak <= MEMORY_MB
    print(f"peak memory:              {peak:6.0f} MB (target {MEMORY_MB} MB: {verdict(peak <= MEMORY_MB)})")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=50)
    parser.add_argument("--limited", type=float, default=0.05)
    parser.add_argument("--no-http", dest="http", action="store_false", help="skip the reads over loopback HTTP")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.users, args.latency, args.limited, args.http)))
