"""`gmtui sandbox` over loopback, called the way the seeds' curl + openssl recipe does."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest

from gmtui.api import wire
from gmtui.sandbox import DEMO_API_KEY, DEMO_API_SECRET


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    yield from serve()


def serve(*extra: str):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gmtui", "sandbox", "--port", str(port), "--users", "3", "--days", "60",
         "--today", "2026-11-21", *extra],  # the same world whatever the date
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/api/partner/none", timeout=0.5)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    yield base, proc
    proc.terminate()
    proc.wait(timeout=10)


def test_banner_prints_credentials_and_users(server):
    base, proc = server
    banner = "".join(proc.stdout.readline() for _ in range(5))
    assert base in banner and DEMO_API_KEY in banner and DEMO_API_SECRET in banner and "alice, bob, carol" in banner


def test_signed_calls_and_rejections_over_loopback(server):
    base, _ = server
    now = int(time.time() * 1000)
    query = f"partnerUserId=alice&timestamp={now}&limit=2&offset=0"
    sig = wire.sign(DEMO_API_SECRET, query)
    key = {"X-PARTNER-API-KEY": DEMO_API_KEY}
    ok = httpx.get(f"{base}/api/partner/s2s/nft/get-my?{query}&signature={sig}", headers=key)
    assert ok.status_code == 200 and len(ok.json()["data"]["array"]) == 2
    body = f'{{"partnerUserId":"alice","timestamp":{now}}}'
    signed = body[:-1] + f',"signature":"{wire.sign(DEMO_API_SECRET, body).upper()}"}}'
    r = httpx.post(f"{base}/api/partner/s2s/auth/init", content=signed, headers={**key, "Content-Type": "application/json"})
    assert r.status_code == 200 and "jwtToken" in r.json()["data"]

    wrong = httpx.get(f"{base}/api/partner/s2s/nft/get-my?{query}&signature={'0' * 64}", headers=key)
    stale_q = f"partnerUserId=alice&timestamp={now - 60_000}"
    stale = httpx.get(f"{base}/api/partner/s2s/user/get-stats?{stale_q}&signature={wire.sign(DEMO_API_SECRET, stale_q)}", headers=key)
    keyless = httpx.get(f"{base}/api/partner/s2s/nft/get-my?{query}&signature={sig}")
    for response, status in ((wrong, 401), (stale, 400), (keyless, 401)):
        assert response.status_code == status
        assert set(response.json()["error"]) >= {"code", "message"}


def test_cli_against_the_served_sandbox(server, monkeypatch, capsys):
    from gmtui.cli import main

    base, _ = server
    monkeypatch.setenv("GMTUI_BASE_URL", base)
    monkeypatch.setenv("GMTUI_API_KEY", DEMO_API_KEY)
    monkeypatch.setenv("GMTUI_API_SECRET", DEMO_API_SECRET)
    assert main(["get", "overview", "--user", "carol", "--format", "json"]) == 0
    assert '"partnerUserId": "carol"' in capsys.readouterr().out


@pytest.fixture(scope="module")
def dropping_server():
    yield from serve("--days", "730", "--faults", "drop-after=1,ops=withdraw.create")


def _env(monkeypatch, base: str) -> None:
    monkeypatch.setenv("GMTUI_BASE_URL", base)
    monkeypatch.setenv("GMTUI_API_KEY", DEMO_API_KEY)
    monkeypatch.setenv("GMTUI_API_SECRET", DEMO_API_SECRET)
    monkeypatch.setenv("GMTUI_LOG_LEVEL", "DEBUG")


def test_commit_then_drop_over_a_real_socket_then_journal_and_reconcile(dropping_server, monkeypatch, capsys):
    import asyncio
    import json
    from decimal import Decimal

    from gmtui import session
    from gmtui.api.errors import OutcomeUnknown, PendingMoveError
    from gmtui.cli import main

    base, _ = dropping_server
    _env(monkeypatch, base)
    async def withdraw_twice() -> str:
        async with session.open_profile().client as client:
            address = (await client.wallets("alice"))[0].address
            with pytest.raises(OutcomeUnknown):
                await client.withdraw("alice", address, Decimal("0.0006"))
            with pytest.raises(PendingMoveError):
                await client.withdraw("alice", address, Decimal("0.0006"))
        return address

    address = asyncio.run(withdraw_twice())
    assert main(["journal", "--format", "json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert (entry["outcome"], entry["operation"], entry["amount"], entry["destination"]) == (
        "unknown", "withdraw.create_24h", "0.0006", address)
    assert main(["reconcile"]) == 0
    assert "ok (the withdrawn total grew by 0.0006" in capsys.readouterr().out
    main(["journal", "--format", "json"])
    assert json.loads(capsys.readouterr().out)[0]["outcome"] == "ok"


def test_offline_and_unreachable_reads_print_cached_data_with_its_age(server, monkeypatch, capsys):
    import json

    from gmtui.cli import main

    base, _ = server
    _env(monkeypatch, base)
    assert main(["get", "stats", "--user", "alice", "--format", "json"]) == 0
    fresh = json.loads(capsys.readouterr().out)
    assert main(["get", "stats", "--user", "alice", "--format", "json", "--offline"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == fresh and "offline: cached data, fetched" in err
    assert main(["get", "miners", "--user", "alice", "--offline"]) == 1
    assert "nothing cached for nft.get_my.s2s" in capsys.readouterr().err


async def test_concurrent_reads_spread_over_small_pools_and_free_every_connection(server):
    """A partner-wide read over real sockets: the requests share several small pools
    (see api/shards.py) and every answer, read or failed, gives its connection back."""
    import asyncio

    from gmtui.api.gomining.client import GoMiningClient
    from gmtui.api.shards import Shards

    base, _ = server
    async with GoMiningClient(base, DEMO_API_KEY, DEMO_API_SECRET, max_connections=16) as client:
        shards = client._http._transport
        assert isinstance(shards, Shards) and len(shards._pools) == 2
        users = ["alice", "bob", "carol", "nobody-" + "x" * 10] * 8
        got = await asyncio.gather(*(client.user_stats(u) for u in users), return_exceptions=True)
        assert sum(not isinstance(g, Exception) for g in got) == 24  # the unknown user fails alone
        assert shards.busy == [0, 0] and all(shards.served)  # both pools were used, and are free again
