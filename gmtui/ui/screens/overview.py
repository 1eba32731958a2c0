"""Overview: the selected partner user's fleet, income and balances at a glance."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.content import Content
from textual.containers import Grid
from textual.widgets import Sparkline, Static

from gmtui.api.gomining.figures import btc as btc_text
from gmtui.api.gomining.figures import daily_estimate, exact, usd
from gmtui.ui.screens.section import MASK, Section, masked

if TYPE_CHECKING:
    from gmtui.api.gomining.models import DailyIncome
    from gmtui.api.gomining.resources import Overview


@dataclass(frozen=True)
class OverviewData:
    overview: Overview
    days: list[DailyIncome]  # the last 30 days, oldest first


class Tile(Static):
    """A titled box of figures."""

    def __init__(self, title: str, **kw: Any):
        super().__init__("…", **kw)
        self.border_title = title


def trend(days: list[DailyIncome]) -> str:
    """Income per TH of the last 7 days against the 7 before, as an arrow and a percent."""
    per_th = [d.pool_reward / d.total_power for d in days if d.total_power]
    if len(per_th) < 14:
        return ""
    recent, before = sum(per_th[-7:], Decimal(0)) / 7, sum(per_th[-14:-7], Decimal(0)) / 7
    if not before:
        return ""
    change = (recent - before) / before * 100
    return f"{'▲' if change > 0 else '▼' if change < 0 else '='} {change:+.1f}% wk"


class OverviewScreen(Section):
    CSS_PATH = "overview.tcss"
    TITLE = "Overview"
    GUIDE = (
        "[b]Fleet[/]: miners, total power, average W/TH weighted by power (lower is better).\n"
        "[b]Per day[/]: an estimate for today's fleet at the latest income per TH. Gross = income "
        "per TH × TH/s; fees = electricity (W/TH × TH/s × 24 h × $/kWh) plus service ($/TH/day), "
        "after the discount shown; net = gross − fees (in red, marked loss, when the fees exceed the reward).\n"
        "[b]Income[/]: lifetime, still on balance, withdrawn, the last day; GOMINING: free, locked and staked, as "
        "on Wallets.\n"
        "[b]Market[/]: BTC and GOMINING prices, income per TH per day and its change over the "
        "last 7 days against the 7 before, the electricity price.\n"
        "[b]Sparkline[/]: net BTC per day over the last 30 days."
    )

    def body(self) -> ComposeResult:
        with Grid(id="tiles"):
            yield Tile("Fleet", id="fleet")
            yield Tile("Per day (estimate)", id="daily")
            yield Tile("Income", id="income")
            yield Tile("Market", id="market")
        spark = Sparkline([], id="spark")
        spark.border_title = "Net BTC per day, last 30 days"
        yield spark

    async def fetch(self, user: str) -> OverviewData:
        # The service is imported here, not with the module: the first frame is drawn before it.
        from gmtui.api.gomining.resources import Query, overview
        from gmtui.api.gomining.views import earnings, today

        client = self.app.service
        end = today(client) - timedelta(days=1)
        ov, days = await asyncio.gather(overview(client, Query(user)), earnings(client, user, end - timedelta(days=29), end))
        return OverviewData(ov, days)

    def show(self, data: OverviewData) -> None:
        btc = masked(self.app, btc_text)
        d = data.overview
        stats, totals, per_th = d.stats.stats, d.totals, d.per_th
        est = daily_estimate(stats, per_th)
        rates = {r.symbol: r.price for r in d.rates}
        self.query_one("#fleet", Tile).update(
            f"Miners       {stats.nfts_count}\n"
            f"Power        {stats.total_power_th:,} TH/s\n"
            f"Efficiency   {stats.avg_energy_efficiency} W/TH\n"
            f"Wallets      {stats.wallets_count}"
        )
        money = (f"{est.gross_usd:,.2f}", f"-{est.fees_usd:,.2f}", f"{est.net_usd:,.2f}")
        if self.app.presenter:
            money = (MASK,) * 3
        w = max(len(x) for x in money)
        loss = est.net_btc < 0  # the fees exceed the reward: shown as such
        discount = f"after the {(est.discount * 100).normalize():f}% discount" if est.discount else "no discount"
        self.query_one("#daily", Tile).border_title = f"Per day, {discount}"
        self.query_one("#daily", Tile).update(Content.from_markup(  # figures only: no outside text
            f"{'BTC':>17}  {'USD':>{w}}\n"
            f"Gross  {btc(est.gross_btc):>10}  {money[0]:>{w}}\n"
            f"Fees  -{btc(est.fees_btc):>10}  {money[1]:>{w}}\n"
            f"[b{' red' if loss else ''}]Net    {btc(est.net_btc):>10}  {money[2]:>{w}}{' loss' if loss else ''}[/]\n"
            f"[dim]fees: power ${est.electricity_usd:,} + service ${est.service_usd:,}[/]"
        ))
        last = (totals.last_income or {}).get("value")
        gmt = sum((b.value_numeric_at_sync_date for b in d.balances if b.gmt_value_at_sync_date_numeric is not None),
                  Decimal(0))  # free, locked and staked, as on Wallets
        self.query_one("#income", Tile).update(
            f"{'BTC':>21}\n"
            f"Lifetime    {btc(totals.total_income):>10}\n"
            f"On balance  {btc(totals.on_balance_amount):>10}\n"
            f"Withdrawn   {btc(totals.withdrawn_amount):>10}\n"
            f"Last day    {btc(last) if last is not None else '-':>10}\n"
            f"GOMINING    {masked(self.app, exact)(gmt):>10}"
        )
        gmt_rate = rates.get("GOMINING")
        self.query_one("#market", Tile).update(
            f"BTC        {usd(per_th.btc_rate)}\n"
            f"GOMINING   {'$' + format(gmt_rate, 'f') if gmt_rate is not None else '-'}\n"
            f"Per TH/day {btc(per_th.income_per_th)} BTC\n"
            f"           {trend(data.days)}\n"
            f"Power      ${per_th.kwh}/kWh"
        )
        spark = self.query_one("#spark", Sparkline)
        spark.data = [float(x.reward) for x in data.days] or [0.0]
        if data.days:
            lo, hi = min(x.reward for x in data.days), max(x.reward for x in data.days)
            spark.border_subtitle = f"min {btc(lo)} · max {btc(hi)}"
