"""GoMining's money moves, planned before they are sent: every check a partner would
expect, with the cost and the outcome spelled out (the shared rules: api/moves.py).
No UI here.
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from gmtui.api.gomining import btc as btc_address
from gmtui.api import inputs
from gmtui.api.errors import GmtuiError, MoveRefused, NotFoundError
from gmtui.api.moves import Plan, planned
from gmtui.api.gomining.figures import SAT, btc, usd
from gmtui.api.gomining.client import GoMiningClient
from gmtui.api.journal import UNKNOWN
from gmtui.api.text import clean


# ---- wallet binding ------------------------------------------------------------------


def bindable(address: str) -> tuple[str, str]:
    """(canonical form, kind) of an address safe to bind; MoveRefused says why not."""
    address = address.strip()
    try:
        kind = btc_address.validate(address)
    except btc_address.AddressError as exc:
        raise MoveRefused(f"{clean(address, limit=100)!r} is not a Bitcoin address to bind: {exc}") from None
    return btc_address.canonical(address), kind


@planned
async def plan_bind(client: GoMiningClient, user: str, address: str) -> Plan:
    address, kind = bindable(address)
    wallets = await client.fetch_all("wallet.list.s2s", {"partnerUserId": user})
    if any(btc_address.canonical(w.address) == address for w in wallets):
        raise MoveRefused(f"{address} is already bound to {user!r}")
    return Plan("wallet.bind.s2s", user, [("Bind wallet", address), ("Kind", kind), ("User", user)],
                functools.partial(client.bind_wallet, user, address))


# ---- withdrawals ---------------------------------------------------------------------


@planned
async def plan_withdrawal(client: GoMiningClient, user: str, address: str, amount: Decimal, *, fast: bool) -> Plan:
    wallets, totals, terms = await asyncio.gather(
        client.fetch_all("wallet.list.s2s", {"partnerUserId": user}), client.income_totals(user), client.commission(user)
    )
    try:
        btc_address.validate(address)
    except btc_address.AddressError as exc:
        raise MoveRefused(f"{clean(address, limit=100)!r} is not a Bitcoin address to pay: {exc}") from None
    bound = {btc_address.canonical(w.address): w.address for w in wallets}
    if btc_address.canonical(address) not in bound:
        raise MoveRefused(f"{clean(address, limit=100)} is not a wallet bound to {user!r}; bind it first (gmtui wallet bind)")
    address = bound[btc_address.canonical(address)]  # as the server spells it: the same address, checked again
    try:
        btc_address.validate(address)
    except btc_address.AddressError as exc:
        raise MoveRefused(f"the server lists this wallet as {clean(address, limit=100)!r}, not an address to pay: {exc}") from None
    if amount > totals.on_balance_amount:
        raise MoveRefused(f"{btc(amount)} BTC is more than the {btc(totals.on_balance_amount)} BTC on balance")
    if amount < terms.income_withdraw_min_value:
        raise MoveRefused(f"{btc(amount)} BTC is below the minimum of {btc(terms.income_withdraw_min_value)} BTC")
    fee = (amount * terms.income_withdraw_commission).quantize(SAT) if fast else Decimal(0)
    lines = [
        ("Withdraw", f"{btc(amount)} BTC"),
        ("Speed", f"fast (commission {terms.income_withdraw_commission * 100:g}%)" if fast else "24 h (no commission)"),
        ("Fee", f"{btc(fee)} BTC"),
        ("You receive", f"{btc(amount - fee)} BTC"),
        ("To", address),
        ("User", user),
        ("Balance after", f"{btc(totals.on_balance_amount - amount)} BTC"),
    ]
    return Plan("withdraw.create_fast" if fast else "withdraw.create_24h", user, lines,
                functools.partial(client.withdraw, user, address, amount, fast=fast),
                frozenset({"Withdraw", "Fee", "You receive", "Balance after"}))


# ---- upgrades ------------------------------------------------------------------------

Kind = Literal["power", "efficiency"]
UNITS: dict[str, str] = {"power": "TH/s", "efficiency": "W/TH"}


def upgrade_target(kind: Kind, current: Decimal, target: Decimal | str) -> Decimal:
    """``target`` (typed, or a number) as an upgrade of ``current``: more power, or a
    lower W/TH; MoveRefused (InputError for what is not a number) says why not."""
    if isinstance(target, str):
        target = inputs.decimal(target, f"a target {UNITS[kind]}", places=2, maximum=Decimal(100_000), example=str(current))
    if kind == "power" and target <= current:
        raise MoveRefused(f"a power upgrade goes above the current {current} TH/s")
    if kind == "efficiency" and target >= current:
        raise MoveRefused(f"an efficiency upgrade goes below the current {current} W/TH")
    return target


def target_range(kind: Kind, current: Decimal) -> str:
    """What an upgrade of ``current`` may target, said before anything is typed."""
    return f"above {current} TH/s" if kind == "power" else f"below {current} W/TH"


@dataclass(frozen=True)
class WhatIf:
    price_usd: Decimal
    net_now_btc: Decimal
    net_after_btc: Decimal
    payback_days: Decimal | None  # None: never pays back
    break_even_btc_usd: Decimal  # BTC price below which the upgraded miner earns nothing net

    @property
    def extra_btc(self) -> Decimal:
        return self.net_after_btc - self.net_now_btc


def miner_net(power: Decimal, eff: Decimal, per_th: Any, discount: Decimal) -> tuple[Decimal, Decimal]:
    """(net BTC per day, fees USD per day) of one miner, by GoMining's formula."""
    fees_usd = (eff * power * 24 / 1000 * per_th.kwh + power * per_th.service_cost) * (1 - discount)
    gross = per_th.income_per_th * power
    return (gross - fees_usd / per_th.btc_rate).quantize(SAT), fees_usd


def what_if(power: Decimal, eff: Decimal, new_power: Decimal, new_eff: Decimal, price: Decimal, per_th: Any, discount: Decimal) -> WhatIf:
    now, _ = miner_net(power, eff, per_th, discount)
    after, fees_after = miner_net(new_power, new_eff, per_th, discount)
    extra_usd = (after - now) * per_th.btc_rate
    payback = (price / extra_usd).quantize(Decimal("0.1")) if extra_usd > 0 else None
    gross_btc = per_th.income_per_th * new_power
    break_even = (fees_after / gross_btc).quantize(Decimal("0.01")) if gross_btc else Decimal(0)
    return WhatIf(price, now, after, payback, break_even)


@planned
async def plan_upgrade(client: GoMiningClient, user: str, nft_id: int, kind: Kind, target: Decimal) -> tuple[Plan, WhatIf]:
    miners, per_th, stats = await asyncio.gather(
        client.fetch_all("nft.get_my.s2s", {"partnerUserId": user}), client.income_per_th_c2s(user), client.user_stats(user)
    )
    miner = next((m for m in miners if m.id == nft_id), None)
    if miner is None:
        raise MoveRefused(f"miner {nft_id} is not one of {user!r}'s miners")
    current = miner.power if kind == "power" else miner.energy_efficiency
    upgrade_target(kind, current, target)
    try:
        price = (await client.upgrade_price(kind, nft_id, current, target)).price
    except NotFoundError as exc:
        raise MoveRefused(f"no price for this upgrade: {exc}") from None
    new_power, new_eff = (target, miner.energy_efficiency) if kind == "power" else (miner.power, target)
    wi = what_if(miner.power, miner.energy_efficiency, new_power, new_eff, price, per_th, stats.stats.discount)
    unit = "TH/s" if kind == "power" else "W/TH"
    lines = [
        ("Upgrade", f"{miner.name}: {current} → {target} {unit}"),
        ("Price", usd(price)),
        ("Net per day now", f"{btc(wi.net_now_btc)} BTC"),
        ("Net per day after", f"{btc(wi.net_after_btc)} BTC (+{btc(wi.extra_btc)})"),
        ("Payback", f"{wi.payback_days} days" if wi.payback_days is not None else "never at today's figures"),
        ("Break-even BTC price", usd(wi.break_even_btc_usd)),
        ("Paid", "with the platform, once the upgrade request is paid (its price may change then, the API says; "
                 "no balance shown here is charged)"),
    ]
    return Plan("upgrade.create", user, lines,
                functools.partial(client.upgrade_create, kind, nft_id, current, target, user=user),
                frozenset({"Price", "Net per day now", "Net per day after"})), wi


# ---- purchases and transfers ---------------------------------------------------------


@planned
async def plan_purchase(client: GoMiningClient, user: str, collection_id: int, external_id: str | None = None) -> Plan:
    collections, stats = await asyncio.gather(client.collections(), client.user_stats(user))
    chosen = next((c for c in collections if c.id == collection_id), None)
    if chosen is None:
        raise MoveRefused(f"no collection {collection_id}; see: gmtui get collections")
    user_id = stats.user.id
    external_id = external_id or pending_external_id(client, user_id, collection_id) or f"gmtui-{uuid.uuid4()}"
    lines = [
        ("Buy", f"collection {collection_id}: {chosen.power} TH/s at {chosen.energy_efficiency} W/TH"),
        ("Price", usd(chosen.value)),
        ("Annual ROI", f"{chosen.annual_roi}% (fees {usd(chosen.electricity_cost + chosen.service_cost)}/TH/day)"),
        ("User", f"{user} (id {user_id})"),
        ("Paid", "by you, the partner: gmtui confirms this payment to the platform right after (no balance "
                 "shown here is charged)"),
        ("Payment id", external_id),
    ]
    return Plan("payment.init", user, lines,
                functools.partial(client.buy, user_id, collection_id, external_id, user=user),
                frozenset({"Price"}))


def pending_external_id(client: GoMiningClient, user_id: int, collection_id: int) -> str | None:
    """The payment id of an earlier purchase of the same collection that may have reached
    the server: retries reuse it, so the server sees the same payment again."""
    if client.journal is None:
        return None
    for entry in client.journal.entries(limit=200):
        p = entry.params
        same = p.get("userId") == user_id and p.get("nftCollectionId") == collection_id  # userId: one user, any partner id
        if entry.operation == "payment.init" and same and entry.outcome == UNKNOWN:
            return str(p.get("externalId"))
    return None


@planned
async def plan_transfer(client: GoMiningClient, user: str, nft_id: int, to_user: str) -> Plan:
    if to_user == user:
        raise MoveRefused("the miner already belongs to this user")
    miners, target = await asyncio.gather(
        client.fetch_all("nft.get_my.s2s", {"partnerUserId": user}), client.user_stats(to_user)
    )
    miner = next((m for m in miners if m.id == nft_id), None)
    if miner is None:
        raise MoveRefused(f"miner {nft_id} is not one of {user!r}'s miners")
    lines = [
        ("Transfer", f"{miner.name} ({miner.power} TH/s, {miner.energy_efficiency} W/TH)"),
        ("From", user),
        ("To", f"{to_user} (has {target.stats.nfts_count} miner{'' if target.stats.nfts_count == 1 else 's'} now)"),
        ("Note", "future income goes to the new owner from today"),
    ]
    return Plan("nft.transfer", user, lines, functools.partial(client.transfer, user, nft_id, to_user))


@dataclass(frozen=True)
class Candidate:
    nft_id: int
    name: str
    kind: Kind
    current: Decimal
    target: Decimal
    what_if: WhatIf


def candidate_targets(power: Decimal, eff: Decimal) -> list[tuple[Kind, Decimal]]:
    """The upgrades the fleet view prices for a miner: 5 W/TH better (not below 15),
    and half as much power again."""
    out: list[tuple[Kind, Decimal]] = []
    if eff > 15:
        out.append(("efficiency", max(Decimal(15), eff - 5)))
    out.append(("power", (power * Decimal("1.5")).to_integral_value() if power >= 2 else power + 1))
    return out


async def fleet_upgrades(client: GoMiningClient, user: str, concurrency: int = 8) -> list[Candidate]:
    """Every miner's candidate upgrades, priced by the API, best payback first
    (upgrades that never pay back at today's figures last)."""
    miners, per_th, stats = await asyncio.gather(
        client.fetch_all("nft.get_my.s2s", {"partnerUserId": user}), client.income_per_th_c2s(user), client.user_stats(user)
    )
    gate = asyncio.Semaphore(concurrency)

    async def price(miner: Any, kind: Kind, target: Decimal) -> Candidate | None:
        current = miner.power if kind == "power" else miner.energy_efficiency
        async with gate:
            try:
                cost = (await client.upgrade_price(kind, miner.id, current, target)).price
            except GmtuiError:
                return None  # not offered for this miner
        new_power, new_eff = (target, miner.energy_efficiency) if kind == "power" else (miner.power, target)
        wi = what_if(miner.power, miner.energy_efficiency, new_power, new_eff, cost, per_th, stats.stats.discount)
        return Candidate(miner.id, miner.name, kind, current, target, wi)

    found = await asyncio.gather(*(price(m, k, t) for m in miners for k, t in candidate_targets(m.power, m.energy_efficiency)))
    ranked = [c for c in found if c is not None]
    return sorted(ranked, key=lambda c: (c.what_if.payback_days is None, c.what_if.payback_days or 0))
