"""One handler per catalogue operation. Each returns the payload of ``data``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, UTC
from decimal import Decimal
from typing import Any

from gmtui.api.gomining import btc
from gmtui.api.gomining.catalogue import Endpoint
from gmtui.sandbox.gomining import tonproof
from gmtui.sandbox.gomining.state import FAST_COMMISSION, FAST_MIN, Payment, Rejected, State, day_start
from gmtui.sandbox.gomining.world import KWH_USD, SERVICE_USD_PER_TH, Miner, income_sats, sats


@dataclass
class Call:
    endpoint: Endpoint
    params: Any  # the operation's Request model
    user: str | None  # partner user id from the JWT (user-JWT operations)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.params, name)


Handler = Callable[[State, Call], Any]
HANDLERS: dict[str, Handler] = {}


def op(*names: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for name in names:
            HANDLERS[name] = fn
        return fn

    return register


def page(call: Call) -> tuple[int, int]:
    limit = int(call.params.limit) if call.params.limit is not None else 20
    offset = int(call.params.offset) if call.params.offset is not None else 0
    if not 1 <= limit <= call.endpoint.page_max:
        raise Rejected(400, "VALIDATION_ERROR", f"limit must be between 1 and {call.endpoint.page_max}", "limit")
    return limit, offset


def who(call: Call) -> str:
    return call.user or call.params.partnerUserId


def array(items: list[Any], call: Call) -> dict[str, Any]:
    limit, offset = page(call)
    return {"array": items[offset : offset + limit]}


# ---- authentication
@op("auth.generate_payload")
def generate_payload(state: State, call: Call) -> Any:
    if call.partnerId != state.options.partner_id:
        raise Rejected(401, "UNKNOWN_PARTNER", "unknown partnerId")
    return {"payload": state.new_payload()}


@op("auth.check_proof")
def check_proof(state: State, call: Call) -> Any:
    wallet = call.tonWallet
    proof = wallet.connectItems.tonProof.proof
    state.use_payload(proof.payload)
    if abs(state.clock() - proof.timestamp) > 900:
        raise Rejected(401, "INVALID_PROOF", "the proof timestamp is too old")
    if proof.domain.lengthBytes != len(proof.domain.value.encode()):
        raise Rejected(400, "VALIDATION_ERROR", "domain.lengthBytes does not match domain.value", "domain")
    account = wallet.account
    if not tonproof.verify(account.address, account.publicKey, proof.domain.value, proof.timestamp, proof.payload, proof.signature):
        raise Rejected(401, "INVALID_PROOF", "the proof signature does not match the account's public key")
    return _tokens(*state.login(f"ton:{wallet.account.address}"))


def _tokens(jwt: str, refresh: str) -> dict[str, str]:
    return {"jwtToken": jwt, "refreshToken": refresh}


@op("auth.refresh.c2s", "auth.refresh.s2s")
def refresh(state: State, call: Call) -> Any:
    return _tokens(*state.refresh(call.refreshToken))


@op("auth.init")
def auth_init(state: State, call: Call) -> Any:
    return _tokens(*state.login(call.partnerUserId, call.email))


# ---- miners
def miner_json(miner: Miner) -> dict[str, Any]:
    spec = miner.spec
    slug = f"https://sandbox.gmtui.invalid/nft/{miner.id}"
    return {
        "id": miner.id, "createdAt": miner.created, "name": miner.name,
        "power": spec.power, "energyEfficiency": spec.efficiency,
        "imageUrl": f"{slug}.png", "smallImageUrl": f"{slug}-small.png",
    }


@op("nft.get_my.c2s", "nft.get_my.s2s")
def get_my(state: State, call: Call) -> Any:
    user = who(call)
    state.user(user)
    owned = state.world.owned(user)
    return array([miner_json(m) for m in owned], call)


@op("nft.transfer")
def transfer(state: State, call: Call) -> Any:
    state.transfer(call.partnerUserId, int(call.nftId), call.toPartnerUserId)
    return True


# ---- collections and purchases
@op("collections.c2s", "collections.s2s")
def collections(state: State, call: Call) -> Any:
    discount = state.user(who(call)).discount if call.user else Decimal(0)
    return {"array": state.collections(discount)}


@op("payment.init")
def payment_init(state: State, call: Call) -> Any:
    state.user_by_id(call.userId)
    collection = next((c for c in state.collections() if c["id"] == call.nftCollectionId), None)
    if collection is None:
        raise Rejected(404, "COLLECTION_NOT_FOUND", f"collection {call.nftCollectionId} not found", "nftCollectionId")
    existing = state.payments.get(call.externalId)
    if existing is not None:
        if (existing.user_id, existing.collection_id) != (call.userId, call.nftCollectionId):
            raise Rejected(409, "EXTERNAL_ID_IN_USE", "externalId is already used for another purchase", "externalId")
        return {"value": existing.value, "externalId": call.externalId}  # a retry: the same payment
    state.payments[call.externalId] = Payment(call.userId, call.nftCollectionId, Decimal(str(collection["value"])))
    return {"value": collection["value"], "externalId": call.externalId}


@op("payment.success")
def payment_success(state: State, call: Call) -> Any:
    state.pay(call.userId, call.externalId)
    return True


# ---- income
@op("income_per_th.c2s", "income_per_th.s2s")
def income_per_th(state: State, call: Call) -> Any:
    day = state.yesterday
    return {
        "incomePerTh": state.market.pool_reward(day),
        "btcRate": state.market.btc_usd(day),
        "gominingRate": state.market.gmt_usd(day),
        "kWh": KWH_USD,
        "serviceCost": SERVICE_USD_PER_TH,
    }


@op("income.total.c2s")
def income_total(state: State, call: Call) -> Any:
    user = state.user(who(call))
    ledger = state.ledger(user.partner_id)
    last = ledger.last
    return {
        "array": [{"totalValue": sats(v), "nftId": k} for k, v in sorted(ledger.per_miner.items())],
        "totalIncome": sats(ledger.total),
        "lastIncome": {"createdAt": day_start(state.world, last[0]), "value": sats(last[1])} if last else {},
        "withdrawnAmount": sats(state.withdrawn(user)),
        "onBalanceAmount": sats(state.on_balance(user)),
    }


def record_json(state: State, day: int, miner: Miner, discount: Decimal) -> dict[str, Any]:
    net, gross, elec, service, disc = income_sats(state.market, miner.spec_on(day), day, discount)
    return {
        "createdAt": day_start(state.world, day), "value": sats(net),
        "c1Value": sats(gross), "c2Value": sats(elec), "c3Value": sats(service), "c4Value": sats(disc),
        "nftId": miner.id,
    }


@op("income.list.c2s", "income.list.s2s")
def income_list(state: State, call: Call) -> Any:
    user = state.user(who(call))
    limit, offset = page(call)
    if getattr(call.params, "groupByDays", None) == "true":
        ledger = state.ledger(user.partner_id)
        days = []
        for day in ledger.days[offset : offset + limit]:
            records = [record_json(state, day, m, user.discount) for m in ledger.active(day)]
            days.append({"createdAt": day_start(state.world, day), "value": sum((r["value"] for r in records), Decimal(0)), "records": records})
        return {"array": days}
    rows = state.records(user.partner_id, offset, limit)
    return {"array": [record_json(state, day, m, user.discount) for day, m in rows]}


def _parse_instant(text: str, name: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Rejected(400, "VALIDATION_ERROR", f"{name} must be an ISO 8601 date-time", name) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@op("income.by_dates")
def income_by_dates(state: State, call: Call) -> Any:
    user = state.user(call.partnerUserId)
    start, end = _parse_instant(call.startDate, "startDate"), _parse_instant(call.endDate, "endDate")
    if end < start:
        raise Rejected(400, "VALIDATION_ERROR", "endDate is before startDate", "endDate")
    limit, offset = page(call)
    ledger = state.ledger(user.partner_id)
    first = state.market.index(start.date()) + (start.time() > datetime.min.time())
    last = state.market.index(end.date())
    days = [d for d in ledger.days if first <= d <= last]
    with_nfts = call.includeIncomesByNfts == "true"
    wallet = user.wallets[0].address if user.wallets else None
    items = []
    for day in days[offset : offset + limit]:
        gross = elec = service = disc = net = 0
        power = weighted = Decimal(0)
        incomes = {}
        for miner in ledger.active(day):
            spec = miner.spec_on(day)
            n, g, e, s, d = income_sats(state.market, spec, day, user.discount)
            net, gross, elec, service, disc = net + n, gross + g, elec + e, service + s, disc + d
            power += spec.power
            weighted += spec.power * spec.efficiency
            if with_nfts:
                incomes[str(miner.id)] = {"value": sats(n), "poolReward": sats(g), "power": spec.power}
        items.append({
            "createdAt": day_start(state.world, day), "reward": sats(net), "poolReward": sats(gross),
            "totalPower": power, "avgEnergyEfficiency": (weighted / power).quantize(Decimal("0.01")),
            "serviceFee": sats(elec + service), "totalDiscount": sats(disc),
            "toAddress": {"address": wallet} if wallet else {}, "status": "calculated",
            "incomes": incomes if with_nfts else None,
        })
    return items, len(days)


# ---- wallets and balances
def _bind(state: State, user: str, address: str) -> bool:
    try:
        btc.script_pubkey(address)  # any valid address: refusing unsafe kinds is the client's care
    except btc.AddressError as exc:
        raise Rejected(400, "INVALID_ADDRESS", f"address is not a valid Bitcoin address: {exc}", "address") from None
    state.bind_wallet(user, address)
    return True


@op("wallet.bind.c2s", "wallet.bind.s2s")
def bind_wallet(state: State, call: Call) -> Any:
    return _bind(state, who(call), call.address)


@op("wallet.list.c2s", "wallet.list.s2s")
def list_wallets(state: State, call: Call) -> Any:
    user = state.user(who(call))
    rows = [{"id": w.id, "createdAt": w.created, "address": w.address, "type": w.type} for w in user.wallets]
    return array(rows, call)


@op("balances.c2s")
def balances_c2s(state: State, call: Call) -> Any:
    user = state.user(who(call))
    rows = [
        {"id": user.id * 10 + 1, "createdAt": user.created, "currency": "BTC", "balance": sats(state.on_balance(user))},
        {"id": user.id * 10 + 2, "createdAt": user.created, "currency": "GOMINING",
         "balance": user.gmt_balance + user.gmt_locked + user.gmt_staked},
    ]
    return array(rows, call)


@op("balances.s2s")
def balances_s2s(state: State, call: Call) -> Any:
    user = state.user(call.partnerUserId)
    gmt_total = user.gmt_balance + user.gmt_locked + user.gmt_staked
    rows = [
        {"id": user.id * 10 + 1, "gmtValueAtSyncDateNumeric": None, "timeLockedValueAtSyncDateNumeric": None,
         "flexibleStakingValueAtSyncDateNumeric": None, "freezedValueNumericAtSyncDate": None,
         "valueNumericAtSyncDate": str(sats(state.on_balance(user)))},
        {"id": user.id * 10 + 2, "gmtValueAtSyncDateNumeric": str(user.gmt_balance),
         "timeLockedValueAtSyncDateNumeric": str(user.gmt_locked),
         "flexibleStakingValueAtSyncDateNumeric": str(user.gmt_staked), "freezedValueNumericAtSyncDate": "0",
         "valueNumericAtSyncDate": str(gmt_total)},
    ]
    return array(rows, call)


# ---- withdrawals
@op("withdraw.create_24h", "withdraw.create_fast")
def withdraw(state: State, call: Call) -> Any:
    fast = call.endpoint.name == "withdraw.create_fast"
    state.withdraw(call.partnerUserId, call.walletAddress, call.amount, fast)
    return True


@op("withdraw.commission")
def commission(state: State, call: Call) -> Any:
    state.user(call.partnerUserId)
    return {"incomeWithdrawMinValue": FAST_MIN, "incomeWithdrawCommission": FAST_COMMISSION}


# ---- incentives, rates, users
@op("incentives")
def incentives(state: State, call: Call) -> Any:
    levels = [(0, "Basic", 0, 0), (1, "Bronze", 1, 1_000), (2, "Silver", 2, 5_000), (3, "Gold", 3, 20_000), (4, "Platinum", 5, 100_000)]
    user = state.user(who(call))
    return {
        "currency": "GOMINING",
        "currentLevel": sum(1 for _, _, _, need in levels[1:] if user.gmt_locked >= need),
        "levels": [{"level": lv, "name": n, "cashbackPercent": Decimal(c), "minLockedGomining": need} for lv, n, c, need in levels],
    }


@op("rates")
def rates(state: State, call: Call) -> Any:
    day = state.yesterday
    return {"array": [
        {"symbol": "GOMINING", "price": state.market.gmt_usd(day)},
        {"symbol": "BTC", "price": state.market.btc_usd(day)},
    ]}


@op("user.stats")
def user_stats(state: State, call: Call) -> Any:
    user = state.user(call.partnerUserId)
    owned = state.world.owned(user.partner_id)
    power = sum((m.spec.power for m in owned), Decimal(0))
    weighted = sum((m.spec.power * m.spec.efficiency for m in owned), Decimal(0))
    return {
        "user": {"id": user.id, "partnerUserId": user.partner_id, "createdAt": user.created, "email": user.email},
        "stats": {
            "walletsCount": len(user.wallets), "nftsCount": len(owned), "totalPowerTH": power,
            "avgEnergyEfficiency": (weighted / power).quantize(Decimal("0.01")) if power else Decimal(0),
            "totalIncome": sats(state.ledger(user.partner_id).total), "discount": user.discount,
        },
    }


# ---- upgrades
@op("upgrade.create")
def upgrade_create(state: State, call: Call) -> Any:
    data = call.data
    if data.type == "nftPowerUpgrade":
        request = state.upgrade(data.nftId, data.type, data.fromPower, data.toPower)
    else:
        request = state.upgrade(data.nftId, data.type, data.fromEnergyEfficiency, data.toEnergyEfficiency)
    return {"id": request["id"]}


@op("upgrade.price")
def upgrade_price(state: State, call: Call) -> Any:
    miner = state.world.miners.get(int(call.nftId))
    if miner is None:
        raise Rejected(404, "NFT_NOT_FOUND", f"miner {call.nftId} not found", "nftId")
    current, target = Decimal(call.from_), Decimal(call.to)
    spec = miner.spec
    if call.type == "nftPowerUpgrade":
        if current != spec.power or target <= current:
            raise Rejected(400, "VALIDATION_ERROR", f"power upgrade must start at {spec.power} and go up", "to")
    elif current != spec.efficiency or target >= current or target < 15:
        raise Rejected(400, "VALIDATION_ERROR", f"efficiency upgrade must start at {spec.efficiency} and go down to at least 15", "to")
    return {"price": state.upgrade_price(call.type, spec, target)}
