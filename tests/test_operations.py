"""Every catalogue operation through the client against the in-process sandbox:
the happy path and at least one rejection each."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from gmtui.api import errors as e
from gmtui.api.gomining.catalogue import CATALOGUE, endpoint
from gmtui.sandbox import demo_client
from gmtui.sandbox.gomining import tonproof


WALLET_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
ADDRESS = "0:" + "ab" * 32


def proof(payload: str, now: float, key: Ed25519PrivateKey = WALLET_KEY) -> dict:
    """A TON Connect proof signed by ``key`` as a wallet would sign it."""
    signature = key.sign(tonproof.signed_bytes(ADDRESS, "gmtui.dev", int(now), payload))
    public = WALLET_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    return {
        "device": {"platform": "linux", "appName": "gmtui-test", "appVersion": "1", "maxProtocolVersion": 2, "features": []},
        "account": {"address": ADDRESS, "chain": "-239", "walletStateInit": "te6cc", "publicKey": public},
        "provider": "http",
        "connectItems": {"tonProof": {"name": "ton_proof", "proof": {
            "domain": {"lengthBytes": 9, "value": "gmtui.dev"}, "payload": payload,
            "signature": base64.b64encode(signature).decode(), "timestamp": int(now)}}},
    }


async def raw(client, op, params, bearer=None):
    """Send without the client's own validation, to see the server's rules."""
    return await client.send(endpoint(op), params, bearer=bearer)


def expired_jwt(state, clock, user="alice"):
    jwt, _ = state.issue_tokens(user)
    clock.advance(state.options.jwt_lifetime_s + 1)
    return jwt


HAPPY: dict[str, object] = {}
REJECT: dict[str, object] = {}


def happy(name):
    def register(fn):
        HAPPY[name] = fn
        return fn
    return register


def reject(name):
    def register(fn):
        REJECT[name] = fn
        return fn
    return register


# ---- authentication
@happy("auth.generate_payload")
async def _(c, s, clock):
    assert len((await c.generate_payload("gmtui-demo-partner")).payload) == 32


@reject("auth.generate_payload")
async def _(c, s, clock):
    with pytest.raises(e.AuthError):
        await c.generate_payload("someone-else")


@happy("auth.check_proof")
async def _(c, s, clock):
    payload = (await c.generate_payload("gmtui-demo-partner")).payload
    pair = await c.check_proof(proof(payload, clock()))
    assert pair.jwt_token.get_secret_value().count(".") == 2


@reject("auth.check_proof")
async def _(c, s, clock):
    payload = (await c.generate_payload("gmtui-demo-partner")).payload
    with pytest.raises(e.AuthError, match="signature does not match"):
        await c.check_proof(proof(payload, clock(), key=Ed25519PrivateKey.from_private_bytes(bytes(32))))
    payload = (await c.generate_payload("gmtui-demo-partner")).payload  # a payload is spent by any attempt
    await c.check_proof(proof(payload, clock()))
    with pytest.raises(e.AuthError, match="unknown or expired"):
        await c.check_proof(proof(payload, clock()))  # a payload is good once


@happy("auth.refresh.c2s")
async def _(c, s, clock):
    first = await c.auth_init("alice")
    new = await c.refresh_c2s("alice", first.refresh_token.get_secret_value())
    assert new.refresh_token != first.refresh_token


@reject("auth.refresh.c2s")
async def _(c, s, clock):
    with pytest.raises(e.AuthError, match="refresh token"):
        await c.refresh_c2s("alice", "rt_not-a-real-token")


@happy("auth.refresh.s2s")
async def _(c, s, clock):
    first = await c.auth_init("bob")
    new = await c.refresh_s2s("bob", first.refresh_token.get_secret_value())
    assert new.jwt_token != first.jwt_token


@reject("auth.refresh.s2s")
async def _(c, s, clock):
    first = await c.auth_init("bob")
    token = first.refresh_token.get_secret_value()
    await c.refresh_s2s("bob", token)
    with pytest.raises(e.AuthError, match="already used"):
        await c.refresh_s2s("bob", token)


@happy("auth.init")
async def _(c, s, clock):
    await c.auth_init("newcomer", email="new@example.com")
    assert s.world.users["newcomer"].email == "new@example.com"


@reject("auth.init")
async def _(c, s, clock):
    async with demo_client(s) as bad:
        bad._secret = type(bad._secret)("wrong-secret")
        with pytest.raises(e.SignatureError):
            await bad.auth_init("alice")


# ---- miners
@happy("nft.get_my.c2s")
async def _(c, s, clock):
    miners = await c.miners_c2s("alice", limit=2)
    assert [m.id for m in miners] == [10001, 10002] and miners[0].power > 0


@reject("nft.get_my.c2s")
async def _(c, s, clock):
    jwt = await c.tokens.jwt("alice")
    with pytest.raises(e.RequestValidationError, match="limit"):
        await raw(c, "nft.get_my.c2s", {"limit": "0"}, bearer=jwt)


@happy("nft.get_my.s2s")
async def _(c, s, clock):
    miners = await c.miners("alice", limit=999)
    assert len(miners) == sum(1 for m in s.world.miners.values() if m.owner == "alice")


@reject("nft.get_my.s2s")
async def _(c, s, clock):
    with pytest.raises(e.NotFoundError, match="not found"):
        await c.miners("nobody")


@happy("nft.transfer")
async def _(c, s, clock):
    assert await c.transfer("alice", 10001, "bob")
    assert 10001 in [m.id for m in await c.miners("bob", limit=999)]
    assert 10001 not in [m.id for m in await c.miners("alice", limit=999)]


@reject("nft.transfer")
async def _(c, s, clock):
    with pytest.raises(e.NotFoundError, match="not owned"):
        await c.transfer("bob", 10001, "carol")


# ---- collections and purchases
@happy("collections.c2s")
async def _(c, s, clock):
    rows = await c.collections_c2s("alice")
    assert rows and all(r.level_discount == s.world.users["alice"].discount for r in rows)


@reject("collections.c2s")
async def _(c, s, clock):
    with pytest.raises(e.AuthError, match="Bearer"):
        await raw(c, "collections.c2s", {})


@happy("collections.s2s")
async def _(c, s, clock):
    rows = await c.collections()
    assert rows[0].value == Decimal("20.99") and rows[0].annual_roi > 0


@reject("collections.s2s")
async def _(c, s, clock):
    async with demo_client(s) as bad:
        bad._api_key = type(bad._api_key)("not-the-key")
        with pytest.raises(e.AuthError, match="API key"):
            await bad.collections()


@happy("payment.init")
async def _(c, s, clock):
    paid = await c.payment_init(1000, 1, "order-1")
    assert paid.value == Decimal("20.99") and paid.external_id == "order-1"
    again = await c.payment_init(1000, 1, "order-1")  # a retry with the same externalId
    assert again == paid and len(s.payments) == 1


@reject("payment.init")
async def _(c, s, clock):
    with pytest.raises(e.NotFoundError, match="collection"):
        await c.payment_init(1000, 99, "order-2")


@happy("payment.success")
async def _(c, s, clock):
    before = len(await c.miners("alice", limit=999))
    await c.payment_init(1000, 3, "order-3")
    assert await c.payment_success(1000, "order-3")
    assert await c.payment_success(1000, "order-3")  # confirming twice buys one miner
    assert len(await c.miners("alice", limit=999)) == before + 1


@reject("payment.success")
async def _(c, s, clock):
    with pytest.raises(e.NotFoundError, match="no payment"):
        await c.payment_success(1000, "never-initialised")


# ---- income
@happy("income_per_th.c2s")
async def _(c, s, clock):
    per = await c.income_per_th_c2s("alice")
    assert per.kwh == Decimal("0.05") and per.btc_rate > 1000


@reject("income_per_th.c2s")
async def _(c, s, clock):
    with pytest.raises(e.AuthError, match="not valid"):
        await raw(c, "income_per_th.c2s", {}, bearer="a.b.c")


@happy("income_per_th.s2s")
async def _(c, s, clock):
    assert (await c.income_per_th()).income_per_th > 0


@reject("income_per_th.s2s")
async def _(c, s, clock):
    c._api_key = type(c._api_key)("revoked-key")
    with pytest.raises(e.AuthError, match="API key"):
        await c.income_per_th()


@happy("income.total.c2s")
async def _(c, s, clock):
    totals = await c.income_totals("alice")
    assert totals.total_income == sum(t.total_value for t in totals.array)
    assert totals.on_balance_amount + totals.withdrawn_amount == totals.total_income


@reject("income.total.c2s")
async def _(c, s, clock):
    with pytest.raises(e.AuthError, match="expired"):
        await raw(c, "income.total.c2s", {}, bearer=expired_jwt(s, clock))


@happy("income.list.c2s")
async def _(c, s, clock):
    records = await c.income_records_c2s("alice", limit=5)
    assert len(records) == 5 and records[0].created_at.date() == date(2026, 11, 20)
    for r in records:
        assert r.value == r.c1_value - r.c2_value - r.c3_value + r.c4_value
    days = await c.income_days_c2s("alice", limit=2)
    assert days[0].value == sum(r.value for r in days[0].records)


@reject("income.list.c2s")
async def _(c, s, clock):
    with pytest.raises(e.RequestValidationError, match="between 1 and 100"):
        await c.income_records_c2s("alice", limit=101)


@happy("income.list.s2s")
async def _(c, s, clock):
    page1 = await c.income_records("alice", limit=3)
    page2 = await c.income_records("alice", limit=3, offset=3)
    both = await c.income_records("alice", limit=6)
    assert page1 + page2 == both


@reject("income.list.s2s")
async def _(c, s, clock):
    async with demo_client(s) as bad:
        bad._secret = type(bad._secret)("nope")
        with pytest.raises(e.SignatureError):
            await bad.income_records("alice")


@happy("income.by_dates")
async def _(c, s, clock):
    page = await c.income_by_dates("alice", date(2026, 11, 1), date(2026, 11, 20), limit=100, by_miner=True)
    assert page.total_count == 20 and len(page.data) == 20
    day = page.data[0]
    assert day.reward == day.pool_reward - day.service_fee + day.total_discount
    assert sum(Decimal(v["value"]) for v in day.incomes.values()) == day.reward


@reject("income.by_dates")
async def _(c, s, clock):
    with pytest.raises(e.RequestValidationError, match="endDate"):
        await c.income_by_dates("alice", date(2026, 11, 20), date(2026, 11, 1))


# ---- wallets and balances
GOOD_ADDRESS = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"


@happy("wallet.bind.c2s")
async def _(c, s, clock):
    assert await c.bind_wallet_c2s("carol", GOOD_ADDRESS)
    assert GOOD_ADDRESS in [w.address for w in await c.wallets_c2s("carol")]


@reject("wallet.bind.c2s")
async def _(c, s, clock):
    with pytest.raises(e.RequestValidationError, match="not a valid Bitcoin address"):
        await c.bind_wallet_c2s("carol", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5")


@happy("wallet.list.c2s")
async def _(c, s, clock):
    wallets = await c.wallets_c2s("alice")
    assert len(wallets) == 2 and all(w.type == "BTC" for w in wallets)


@reject("wallet.list.c2s")
async def _(c, s, clock):
    jwt = await c.tokens.jwt("alice")
    with pytest.raises(e.RequestValidationError, match="offset"):
        await raw(c, "wallet.list.c2s", {"offset": "abc"}, bearer=jwt)


@happy("wallet.bind.s2s")
async def _(c, s, clock):
    assert await c.bind_wallet("bob", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")
    assert len(await c.wallets("bob")) == len(s.world.users["bob"].wallets)


@reject("wallet.bind.s2s")
async def _(c, s, clock):
    existing = s.world.users["alice"].wallets[0].address
    with pytest.raises(e.ConflictError, match="already bound"):
        await c.bind_wallet("alice", existing)


@happy("wallet.list.s2s")
async def _(c, s, clock):
    assert [w.address for w in await c.wallets("alice")] == [w.address for w in s.world.users["alice"].wallets]


@reject("wallet.list.s2s")
async def _(c, s, clock):
    with pytest.raises(e.RequestValidationError, match="partnerUserId"):
        await raw(c, "wallet.list.s2s", {"partnerUserId": "x" * 256})


@happy("balances.c2s")
async def _(c, s, clock):
    rows = {b.currency: b.balance for b in await c.balances_c2s("alice")}
    assert rows["BTC"] == (await c.income_totals("alice")).on_balance_amount and "GOMINING" in rows


@reject("balances.c2s")
async def _(c, s, clock):
    with pytest.raises(e.AuthError):
        await raw(c, "balances.c2s", {})


@happy("balances.s2s")
async def _(c, s, clock):
    rows = await c.balances("alice")
    assert rows[0].value_numeric_at_sync_date == (await c.income_totals("alice")).on_balance_amount
    assert rows[1].gmt_value_at_sync_date_numeric is not None


@reject("balances.s2s")
async def _(c, s, clock):
    with pytest.raises(e.NotFoundError):
        await c.balances("ghost")


# ---- withdrawals
@happy("withdraw.create_24h")
async def _(c, s, clock):
    address = s.world.users["alice"].wallets[0].address
    before = (await c.income_totals("alice")).on_balance_amount
    assert await c.withdraw("alice", address, Decimal("0.001"))
    assert (await c.income_totals("alice")).on_balance_amount == before - Decimal("0.001")


@reject("withdraw.create_24h")
async def _(c, s, clock):
    address = s.world.users["alice"].wallets[0].address
    with pytest.raises(e.ConflictError, match="exceeds"):
        await c.withdraw("alice", address, Decimal("5"))


@happy("withdraw.create_fast")
async def _(c, s, clock):
    address = s.world.users["alice"].wallets[1].address
    assert await c.withdraw("alice", address, Decimal("0.0006"), fast=True)
    assert s.withdrawals[-1]["fee"] == Decimal("0.000012")


@reject("withdraw.create_fast")
async def _(c, s, clock):
    with pytest.raises(e.RequestValidationError, match="not a wallet bound"):
        await c.withdraw("alice", GOOD_ADDRESS, Decimal("0.001"), fast=True)


@happy("withdraw.commission")
async def _(c, s, clock):
    terms = await c.commission("alice")
    assert terms.income_withdraw_min_value == Decimal("0.0005")


@reject("withdraw.commission")
async def _(c, s, clock):
    with pytest.raises(e.NotFoundError, match="not found"):
        await c.commission("no-such-user")


# ---- incentives, rates, users
@happy("incentives")
async def _(c, s, clock):
    data = (await c.incentives("alice")).to_api()
    assert data["levels"][0]["name"] == "Basic"


@reject("incentives")
async def _(c, s, clock):
    with pytest.raises(e.AuthError):
        await raw(c, "incentives", {}, bearer="garbage")


@happy("rates")
async def _(c, s, clock):
    assert {r.symbol for r in await c.rates("alice")} == {"GOMINING", "BTC"}


@reject("rates")
async def _(c, s, clock):
    with pytest.raises(e.AuthError, match="expired"):
        await raw(c, "rates", {}, bearer=expired_jwt(s, clock))


@happy("user.stats")
async def _(c, s, clock):
    stats = await c.user_stats("alice")
    miners = await c.miners("alice", limit=999)
    assert stats.stats.nfts_count == len(miners)
    assert stats.stats.total_power_th == sum(m.power for m in miners)


@reject("user.stats")
async def _(c, s, clock):
    with pytest.raises(e.NotFoundError):
        await c.user_stats("nobody-here")


# ---- upgrades
@happy("upgrade.create")
async def _(c, s, clock):
    miner = (await c.miners("alice", limit=1))[0]
    created = await c.upgrade_create("power", miner.id, miner.power, miner.power + 10)
    assert created.id.startswith("upg_")
    assert (await c.miners("alice", limit=1))[0].power == miner.power + 10


@reject("upgrade.create")
async def _(c, s, clock):
    miner = (await c.miners("alice", limit=1))[0]
    with pytest.raises(e.ConflictError, match="not"):
        await c.upgrade_create("efficiency", miner.id, miner.energy_efficiency + 1, Decimal(15))


@happy("upgrade.price")
async def _(c, s, clock):
    miner = (await c.miners("alice", limit=1))[0]
    price = await c.upgrade_price("efficiency", miner.id, miner.energy_efficiency, Decimal(15))
    assert price.price > 0


@reject("upgrade.price")
async def _(c, s, clock):
    miner = (await c.miners("alice", limit=1))[0]
    with pytest.raises(e.RequestValidationError, match="go down"):
        await c.upgrade_price("efficiency", miner.id, miner.energy_efficiency, miner.energy_efficiency + 5)


def test_every_operation_has_a_happy_path_and_a_rejection():
    names = {ep.name for ep in CATALOGUE}
    assert set(HAPPY) == names
    assert set(REJECT) == names


@pytest.mark.parametrize("name", sorted(HAPPY))
async def test_happy_path(name, client, state, clock):
    await HAPPY[name](client, state, clock)


@pytest.mark.parametrize("name", sorted(REJECT))
async def test_rejection(name, client, state, clock):
    await REJECT[name](client, state, clock)
