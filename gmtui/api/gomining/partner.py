"""A GoMining user's row in the partner-wide view (see api/partner.py).

Reads per user: ``user.stats`` (miners, TH/s, W/TH, bound wallets, discount),
``income.total.c2s`` (on balance, withdrawn; it needs the user's JWT, renewed once at
most) and ``nft.get_my.s2s`` (each miner's power and efficiency, to find the miners
whose fees exceed their reward). The withdrawal minimum is read only for a user with a
balance and no bound wallet. Income per TH, the fees and the BTC price are read once
per profile (``context``). Net per day follows the Overview's formula (figures.py).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from gmtui.api.errors import GmtuiError
from gmtui.api.gomining import models as m
from gmtui.api.gomining.client import GoMiningClient
from gmtui.api.gomining.figures import SAT, daily_estimate
from gmtui.api.partner import Amount, Flag, Row
from gmtui.api.text import clean


async def context(client: GoMiningClient) -> m.IncomePerTh:
    return await client.income_per_th()


async def users(client: GoMiningClient, configured: list[str]) -> list[str]:
    return list(dict.fromkeys(configured))


def miner_net(miner: m.Miner, per_th: m.IncomePerTh, discount: Decimal) -> Decimal:
    """One miner's net BTC per day at today's prices (the Overview's formula)."""
    gross = per_th.income_per_th * miner.power
    fees_usd = (miner.energy_efficiency * miner.power * 24 / 1000 * per_th.kwh + miner.power * per_th.service_cost) \
        * (1 - discount)
    fees = fees_usd / per_th.btc_rate if per_th.btc_rate else Decimal(0)
    return (gross - fees).quantize(SAT)


async def row(client: GoMiningClient, user: str, per_th: m.IncomePerTh | Exception) -> Row:
    stats, totals, miners = await asyncio.gather(
        client.user_stats(user), client.income_totals(user), client.fetch_all("nft.get_my.s2s", {"partnerUserId": user}, concurrency=1)
    )
    s = stats.stats
    figures: dict[str, Any] = {
        "miners": s.nfts_count, "th_s": s.total_power_th, "w_th": s.avg_energy_efficiency,
        "on_balance_btc": totals.on_balance_amount, "withdrawn_btc": totals.withdrawn_amount,
        "wallets": s.wallets_count,
    }
    flags: list[Flag] = []
    daily, error = None, ""
    if isinstance(per_th, Exception):
        error = f"no prices, so no net per day: {clean(str(per_th), limit=120)}"
    else:
        estimate = daily_estimate(s, per_th)
        daily = Amount(estimate.net_btc, "BTC")
        figures.update(net_btc_day=estimate.net_btc, net_usd_day=estimate.net_usd, btc_usd=per_th.btc_rate)
        losing = [(mi, net) for mi in miners if (net := miner_net(mi, per_th, s.discount)) < 0]
        loss = -sum((net for _, net in losing), Decimal(0))
        figures.update(losing_miners=len(losing), losing_btc_day=loss)
        if losing:
            names = ", ".join(f"#{mi.id}" for mi, _ in losing[:3]) + (" …" if len(losing) > 3 else "")
            flags.append(Flag(
                "losing-miners",
                f"{len(losing)} miner{'s' if len(losing) != 1 else ''} ({names}) cost more in fees than "
                f"{'they earn' if len(losing) != 1 else 'it earns'}: {loss:,f} BTC a day at today's prices",
                "upgrades", Amount(loss, "BTC/day"), loss,
            ))
    if totals.on_balance_amount > 0 and s.wallets_count == 0 and (flag := await _no_wallet(client, user, totals.on_balance_amount)):
        flags.append(flag)
    summary = f"{s.nfts_count:,} miner{'s' if s.nfts_count != 1 else ''} · {s.total_power_th:,f} TH/s · {s.avg_energy_efficiency:f} W/TH"
    return Row("gomining", "", user, holds=Amount(totals.on_balance_amount, "BTC"),
               btc=totals.on_balance_amount, daily=daily, summary=summary, figures=figures, flags=tuple(flags),
               error=error)


async def _no_wallet(client: GoMiningClient, user: str, balance: Decimal) -> Flag | None:
    """A flag when ``balance`` could be withdrawn but there is no wallet to send it to."""
    stake = Amount(balance, "BTC")
    try:
        minimum = (await client.commission(user)).income_withdraw_min_value
    except GmtuiError as exc:
        return Flag("no-wallet", f"{balance:,f} BTC on balance and no bound wallet (the withdrawal minimum is "
                    f"unreadable: {clean(str(exc), limit=80)})", "wallets", stake, balance)
    if balance < minimum:
        return None
    return Flag("no-wallet", f"{balance:,f} BTC on balance (above the {minimum:,f} BTC minimum) and no bound "
                "wallet to withdraw to", "wallets", stake, balance)
