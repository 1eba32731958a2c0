"""A GoMining user's row in the partner-wide view (see api/partner.py).

Reads per user: ``user.stats`` (miners, TH/s, W/TH, bound wallets, discount),
``income.total.c2s`` (on balance, withdrawn; it needs the user's JWT, renewed once at
most) and, for a user with more than one miner, ``nft.get_my.s2s`` (each miner's power
and efficiency, to find the miners whose fees exceed their reward; a single miner's
are the user's stats). The withdrawal minimum is read only for a user with a
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
from gmtui.api.gomining.figures import daily_estimate
from gmtui.api.gomining.moves import miner_net
from gmtui.api.partner import Amount, Flag, Row
from gmtui.api.text import clean


async def context(client: GoMiningClient) -> m.IncomePerTh:
    return await client.income_per_th()


async def users(client: GoMiningClient, configured: list[str]) -> list[str]:
    return list(dict.fromkeys(configured))


def losing(spec: list[tuple[str, Decimal, Decimal]], per_th: m.IncomePerTh, discount: Decimal) -> list[tuple[str, Decimal]]:
    """The miners of ``spec`` (label, TH/s, W/TH) whose fees exceed their reward at today's
    prices, with their net BTC a day (the Upgrades section's formula)."""
    if not per_th.btc_rate:
        return []
    return [(label, net) for label, power, eff in spec if (net := miner_net(power, eff, per_th, discount)[0]) < 0]


async def row(client: GoMiningClient, user: str, per_th: m.IncomePerTh | Exception) -> Row:
    stats_read = asyncio.ensure_future(client.user_stats(user))

    async def miners() -> list[tuple[str, Decimal, Decimal]]:
        s = (await stats_read).stats
        if s.nfts_count <= 1:  # the user's figures are its one miner's: no list to read
            return [("its one miner", s.total_power_th, s.avg_energy_efficiency)] if s.nfts_count == 1 else []
        mine = await client.fetch_all("nft.get_my.s2s", {"partnerUserId": user}, concurrency=1)
        return [(f"#{mi.id}", mi.power, mi.energy_efficiency) for mi in mine]

    try:
        stats, totals, spec = await asyncio.gather(stats_read, client.income_totals(user), miners())
    finally:
        stats_read.cancel()  # when another read failed first: nothing is left running
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
        lost = losing(spec, per_th, s.discount)
        loss = -sum((net for _, net in lost), Decimal(0))
        figures.update(losing_miners=len(lost), losing_btc_day=loss)
        if lost:
            names = ", ".join(label for label, _ in lost[:3]) + (" …" if len(lost) > 3 else "")
            flags.append(Flag(
                "losing-miners",
                f"{len(lost)} miner{'s' if len(lost) != 1 else ''} ({names}) cost more in fees than "
                f"{'they earn' if len(lost) != 1 else 'it earns'}: {loss:,f} BTC a day at today's prices",
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
