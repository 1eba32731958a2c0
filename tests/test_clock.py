"""A skewed local clock: one timestamp rejection, one resync, then every call works."""

from __future__ import annotations

import pytest

from gmtui.sandbox import demo_client


@pytest.mark.parametrize("skew_s", [30, -30])
async def test_skewed_clock_resyncs_once(state, clock, skew_s):
    async with demo_client(state) as client:
        client.clock = lambda: clock() + skew_s
        stats = await client.user_stats("alice")
        assert stats.user.partner_user_id == "alice"
        assert state.calls["user.stats"] == 2  # refused once, re-signed, accepted
        assert abs(client.clock_offset_ms + skew_s * 1000) <= 1000
        await client.user_stats("alice")
        await client.miners("alice")
        assert state.calls["user.stats"] == 3 and state.calls["nft.get_my.s2s"] == 1  # no more rejections


async def test_a_money_move_refused_for_its_timestamp_is_sent_once_more_only(state, clock):
    address = state.world.users["alice"].wallets[0].address
    async with demo_client(state) as client:
        client.clock = lambda: clock() - 30
        from decimal import Decimal

        assert await client.withdraw("alice", address, Decimal("0.001"))
    assert state.calls["withdraw.create_24h"] == 2 and len(state.withdrawals) == 1


async def test_without_a_date_header_the_error_stands(clock):
    import httpx

    from gmtui.api.errors import TimestampError
    from gmtui.api.gomining.client import GoMiningClient

    calls = []

    def reject(request):
        calls.append(request)
        return httpx.Response(400, json={"message": "Timestamp for this request is outside of the recvWindow"})

    async with GoMiningClient("http://api.test", "k", "s", transport=httpx.MockTransport(reject)) as client:
        with pytest.raises(TimestampError):
            await client.user_stats("alice")
    assert len(calls) == 1
