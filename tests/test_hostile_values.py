"""Answers that parse but must not be trusted: wallet addresses the server spells
wrongly or with look-alike letters, figures at the edge of arithmetic, prices of zero,
and fees or balances that come from the cache when the server stops answering."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest

from gmtui.api.gomining import moves
from gmtui.api.cache import Cache
from gmtui.api.errors import MoveRefused, UnexpectedResponse
from gmtui.ui.app import GmtuiApp

from test_bounds import JSON, body, rigged_client

REAL = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
KELVIN = REAL.replace("k", "\u212a", 1)  # the Kelvin sign looks like K, and lower-cases to k


def wallets(*addresses: str):
    rows = [{"id": i, "createdAt": "2026-01-01T00:00:00.000Z", "address": a, "type": "BTC"} for i, a in enumerate(addresses, 1)]
    return body(json.dumps({"data": {"array": rows}}))


@pytest.mark.parametrize(("listed", "typed", "why"), [
    ("1BadChecksumAddrXXXXXXXXXXXXXXXXXX", "1BadChecksumAddrXXXXXXXXXXXXXXXXXX", "is not a Bitcoin address to pay: bad checksum"),
    (KELVIN, REAL, "is not a wallet bound"),
    (KELVIN, KELVIN, "is not a Bitcoin address to pay"),
    (REAL + "\u200b", REAL, "is not a wallet bound"),
])
async def test_a_withdrawal_goes_only_to_a_valid_address_the_server_lists_exactly(state, listed, typed, why):
    async with rigged_client(state, {"/s2s/wallet/find-by-user": wallets(listed)}) as client:
        with pytest.raises(MoveRefused, match=why):
            await moves.plan_withdrawal(client, "alice", typed, Decimal("0.001"), fast=False)
    assert not state.withdrawals


async def test_a_look_alike_listed_by_the_server_does_not_block_binding_the_real_address(state):
    async with rigged_client(state, {"/s2s/wallet/find-by-user": wallets(KELVIN)}) as client:
        plan = await moves.plan_bind(client, "alice", REAL)
    assert ("Bind wallet", REAL) in plan.lines


@pytest.mark.parametrize(("path", "data", "why"), [
    ("/get-income-per-th", {"incomePerTh": 1e-7, "btcRate": 0, "gominingRate": 0.3, "kWh": 0.05, "serviceCost": 0.0089},
     r"btcRate.*greater than 0"),
    ("/calculate-commission", {"incomeWithdrawMinValue": 0.0005, "incomeWithdrawCommission": 1.5},
     r"incomeWithdrawCommission.*less than 1"),
    ("/find-total-by-user", {"array": [], "totalIncome": 0, "withdrawnAmount": 0, "onBalanceAmount": "1e25"},
     r"onBalanceAmount.*out of range"),
])
async def test_figures_that_make_no_sense_are_refused_by_name(state, path, data, why):
    async with rigged_client(state, {path: body(json.dumps({"data": data}))}) as client:
        with pytest.raises(UnexpectedResponse, match=why):
            await moves.plan_upgrade(client, "alice", 10001, "efficiency", Decimal(20)) if "income-per-th" in path else (
                await moves.plan_withdrawal(client, "alice", "1NeTVrZEZvx9niuKrFRMQsdF3YSnhkyaCB", Decimal("0.001"), fast=True))


async def test_figures_beyond_arithmetic_refuse_the_move_instead_of_crashing(state):
    miner = {"id": 10001, "createdAt": "2026-01-01T00:00:00Z", "name": "Huge", "power": 9e17, "energyEfficiency": 9e17}
    answers = {"/s2s/nft/get-my": body(json.dumps({"data": {"array": [miner]}})), "/calculate-price": body('{"data": {"price": 1000}}')}
    async with rigged_client(state, answers) as client:
        with pytest.raises(MoveRefused, match="cannot be computed with"):
            await moves.plan_upgrade(client, "alice", 10001, "power", Decimal("9.1e17"))


async def test_a_move_is_never_planned_on_cached_figures(state):
    answers: dict = {}
    async with rigged_client(state, answers, cache=Cache()) as client:
        await moves.plan_withdrawal(client, "alice", "1NeTVrZEZvx9niuKrFRMQsdF3YSnhkyaCB", Decimal("0.001"), fast=True)
        answers["/calculate-commission"] = lambda request: httpx.Response(503, content=b'{"error":{"message":"down"}}', headers=JSON)
        with pytest.raises(MoveRefused, match="never planned on cached figures"):
            await moves.plan_withdrawal(client, "alice", "1NeTVrZEZvx9niuKrFRMQsdF3YSnhkyaCB", Decimal("0.001"), fast=True)
        assert await client.commission("alice")  # a read alone may still answer from the cache, with its age
    assert not state.withdrawals


async def test_the_dashboard_says_figures_out_of_range_instead_of_exiting(state):
    stats = {"user": {"id": 1000, "partnerUserId": "alice", "createdAt": "2026-01-01T00:00:00Z"},
             "stats": {"walletsCount": 1, "nftsCount": 1, "totalPowerTH": 9e17, "avgEnergyEfficiency": 9e17,
                       "totalIncome": 0, "discount": 0}}
    client = rigged_client(state, {"/user/get-stats": body(json.dumps({"data": stats}))})
    app = GmtuiApp(client, ["alice"], profile="demo", clock=state.clock, refresh_s=0)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running and "cannot be computed with" in str(app.screen.query_one("#status").render())
