"""Overview: the selected partner user's fleet, income and balances at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, UTC
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static

from gmtui.api.cache import describe_age, stale_while_revalidate
from gmtui.api.errors import GmtuiError
from gmtui.api.figures import btc, daily_estimate, usd
from gmtui.api.resources import Overview, Query, overview


@dataclass
class Loaded(Message):
    user: str
    data: Overview
    at: float
    age_s: float | None = None  # set when the figures come from the cache
    final: bool = True


@dataclass
class Failed(Message):
    user: str
    error: str


class Tile(Static):
    """A titled box of figures."""

    def __init__(self, title: str, **kw: Any):
        super().__init__("…", **kw)
        self.border_title = title


class OverviewScreen(Screen[None]):
    CSS_PATH = "overview.tcss"
    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("u", "focus_users", "Users", id="users"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="side"):
                yield OptionList(*self.app.users, id="users")
            with Grid(id="tiles"):
                yield Tile("Fleet", id="fleet")
                yield Tile("Per day (estimate)", id="daily")
                yield Tile("Income", id="income")
                yield Tile("Market", id="market")
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.user = self.app.users[0]
        self.query_one("#users", OptionList).highlighted = 0
        self.action_refresh()

    def action_focus_users(self) -> None:
        self.query_one("#users").focus()

    @on(OptionList.OptionHighlighted, "#users")
    def pick_user(self, event: OptionList.OptionHighlighted) -> None:
        user = self.app.users[event.option_index]
        if user != getattr(self, "user", None):
            self.user = user
            self.action_refresh()

    def action_refresh(self) -> None:
        self.set_status(f"loading {self.user}…")
        self.load(self.user)

    @work(exclusive=True, group="overview")
    async def load(self, user: str) -> None:
        client = self.app.client
        try:
            async for snap in stale_while_revalidate(lambda: overview(client, Query(user)), client.clock):
                self.post_message(Loaded(user, snap.value, self.app.clock(), snap.age_s, snap.final))
        except GmtuiError as exc:
            self.post_message(Failed(user, str(exc)))

    def set_status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)
        self.app.sub_title = f"{self.app.profile} · {self.user}"

    def on_failed(self, message: Failed) -> None:
        self.set_status(f"[b red]Could not load {message.user}:[/] {message.error}  (r to retry)")

    def on_loaded(self, message: Loaded) -> None:
        if message.user != self.user:
            return
        d = message.data
        stats, totals, per_th = d.stats.stats, d.totals, d.per_th
        est = daily_estimate(stats, per_th)
        rates = {r.symbol: r.price for r in d.rates}
        self.query_one("#fleet", Tile).update(
            f"Miners       {stats.nfts_count}\n"
            f"Power        {stats.total_power_th:,} TH/s\n"
            f"Efficiency   {stats.avg_energy_efficiency} W/TH\n"
            f"Wallets      {stats.wallets_count}"
        )
        money = f"{est.gross_usd:,.2f}", f"-{est.fees_usd:,.2f}", f"{est.net_usd:,.2f}"
        w = max(len(x) for x in money)
        self.query_one("#daily", Tile).update(
            f"{'BTC':>17}  {'USD':>{w}}\n"
            f"Gross  {btc(est.gross_btc):>10}  {money[0]:>{w}}\n"
            f"Fees  -{btc(est.fees_btc):>10}  {money[1]:>{w}}\n"
            f"[b]Net    {btc(est.net_btc):>10}  {money[2]:>{w}}[/]\n"
            f"[dim]elec ${est.electricity_usd} svc ${est.service_usd} -{est.discount * 100:.0f}%[/]"
        )
        last = (totals.last_income or {}).get("value")
        self.query_one("#income", Tile).update(
            f"{'BTC':>21}\n"
            f"Lifetime    {btc(totals.total_income):>10}\n"
            f"On balance  {btc(totals.on_balance_amount):>10}\n"
            f"Withdrawn   {btc(totals.withdrawn_amount):>10}\n"
            f"Last day    {btc(last) if last is not None else '-':>10}"
        )
        gmt = rates.get("GOMINING")
        self.query_one("#market", Tile).update(
            f"BTC        {usd(per_th.btc_rate)}\n"
            f"GOMINING   {'$' + format(gmt, 'f') if gmt is not None else '-'}\n"
            f"Per TH/day {btc(per_th.income_per_th)} BTC\n"
            f"Power      ${per_th.kwh}/kWh"
        )
        at = datetime.fromtimestamp(message.at, UTC).strftime("%H:%M:%S UTC")
        if message.age_s is None:
            self.set_status(f"{self.user}: updated {at} · r refresh · u users · ? help")
        elif not message.final:
            self.set_status(f"{self.user}: cached, {describe_age(message.age_s)} old · refreshing…")
        else:
            self.set_status(f"[b yellow]{self.user}: server unreachable, showing data {describe_age(message.age_s)} old[/] (r to retry)")
