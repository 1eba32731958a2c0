"""Overview: the selected partner user's fleet, income and balances at a glance.

Below 120x34 it is four tiles and a sparkline of the last 30 days. From 120x34 up (class
``-large``, see ``widgets.fit``) the 30 days become a chart with axes and dates, the market tile
adds the trend of the income per TH, and two boxes follow the chart: the top miners by
net per day, and the balances. Those two are loaded once the tiles' figures are in, each
on its own (cached first, with its age; a failure shows in its box only), and only while
the terminal is large."""

from __future__ import annotations

import asyncio
import importlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Sparkline

from gmtui.api.gomining.figures import btc as btc_text
from gmtui.api.gomining.figures import daily_estimate, exact, usd
from gmtui.ui.screens.section import MASK, Failed, Loaded, Section, masked
from gmtui.ui.text import markup
from gmtui.ui.widgets.fit import fit
from gmtui.ui.widgets.glance import Tile, TopMiners, balances, bars, ranked

if TYPE_CHECKING:
    from gmtui.api.gomining.models import DailyIncome
    from gmtui.api.gomining.resources import Overview

TOP = 10  # miners in the top list


@dataclass(frozen=True)
class OverviewData:
    overview: Overview
    days: list[DailyIncome]  # the last 30 days, oldest first


@dataclass
class PartLoaded(Message):
    """The top miners' or the balances' figures (``part``), cached or fresh."""

    part: str
    user: str
    profile: str
    data: Any
    age_s: float | None
    final: bool


@dataclass
class PartFailed(Message):
    part: str
    user: str
    profile: str
    error: str


def per_th(days: list[DailyIncome]) -> list[Decimal]:
    """The pool's income per TH of each day (BTC)."""
    return [d.pool_reward / d.total_power for d in days if d.total_power]


def change(recent: list[Decimal], before: list[Decimal], unit: str) -> str:
    """The mean of ``recent`` against the mean of ``before``, as an arrow and a percent."""
    if not recent or not before or not sum(before, Decimal(0)):
        return ""
    pct = (sum(recent, Decimal(0)) / len(recent)) / (sum(before, Decimal(0)) / len(before)) * 100 - 100
    return f"{'▲' if pct > 0 else '▼' if pct < 0 else '='} {pct:+.1f}% {unit}"


def trend(days: list[DailyIncome]) -> str:
    """Income per TH of the last 7 days against the 7 before."""
    values = per_th(days)
    return change(values[-7:], values[-14:-7], "wk") if len(values) >= 14 else ""


PARTS = {  # box id -> what it shows, the function of gomining.views that loads it (as Miners and Wallets do)
    "top": ("top miners", "fleet"),
    "balances": ("balances", "holdings"),
}


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
        "last 7 days against the 7 before (wk) and against the first 7 of the 30 days (30d), "
        "the electricity price.\n"
        "[b]Sparkline[/], or on a large terminal the chart: gross and net BTC per day over the last 30 days.\n"
        "[b]Top miners[/] (large terminal): net BTC per day over the last 30 days, best first, and its share "
        "of the fleet's (loss when the fees exceeded the reward).\n"
        "[b]Balances[/] (large terminal): each currency and its value at the prices above, as on Wallets."
    )

    def body(self) -> ComposeResult:
        # The layout for the terminal's size is chosen before the widgets are styled: set
        # after, every widget of the screen would be styled twice before the first frame.
        fit(self, self.app.size)
        # One grid in reading order; the small layout hides what only the large one shows.
        with Grid(id="glance"):
            yield Tile("Fleet", id="fleet")
            yield Tile("Per day (estimate)", id="daily")
            yield Tile("Income", id="income")
            yield Vertical(id="chart-box")
            yield TopMiners(id="top")
            yield Tile("Market", id="market")
            yield Tile("Balances", id="balances")
            spark = Sparkline([], id="spark")
            spark.border_title = "Net BTC per day, last 30 days"
            yield spark

    def on_mount(self) -> None:  # before Section's (the handlers of every class run)
        self.tiles: OverviewData | None = None  # the figures the tiles show (Section's ``last`` once shown)
        self.got: dict[str, PartLoaded] = {}  # each part's latest figures
        self.failed: dict[str, PartFailed] = {}  # each part's failure since them
        self.chart: Any = None  # mounted when first shown: the chart library loads after the first frame
        self.query_one("#chart-box").border_title = "Gross and net BTC per day, last 30 days"
        self.query_one("#top").border_title = "Top miners, net per day, 30 days"
        self.watch(self.app, "presenter", lambda _: self.paint_parts(), init=False)

    async def fetch(self, user: str) -> OverviewData:
        # The service is imported here, not with the module: the first frame is drawn before it.
        from gmtui.api.gomining.resources import Query, overview
        from gmtui.api.gomining.views import earnings, today

        client = self.app.service
        end = today(client) - timedelta(days=1)
        ov, days = await asyncio.gather(overview(client, Query(user)), earnings(client, user, end - timedelta(days=29), end))
        return OverviewData(ov, days)

    # ---- layout
    @property
    def large(self) -> bool:
        return self.has_class("-large")

    @on(events.Resize)
    def _resized(self, event: events.Resize) -> None:  # beside Section's own handler
        self.refit(event.size)

    def on_screen_resume(self) -> None:  # the terminal may have changed size while another section was shown
        self.refit(self.app.size)

    def refit(self, size: Size) -> None:
        if fit(self, size) and getattr(self, "last", None) is not None:
            self.show(self.last)  # the market tile and the chart differ
            if self.large and self.shown_user == self.app.user:
                self.load_parts(self.app.user)

    # ---- the tiles and the chart
    def show(self, data: OverviewData) -> None:
        self.tiles = data
        btc = masked(self.app, btc_text)
        d = data.overview
        stats, totals, rate = d.stats.stats, d.totals, d.per_th
        est = daily_estimate(stats, rate)
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
        hashprice = f"{btc(rate.income_per_th)} BTC"
        if self.large:  # its value in USD, its change over 30 days and a bar per day
            hashprice += f" · {masked(self.app, usd4)(rate.income_per_th * rate.btc_rate)}"
        values = per_th(data.days)
        month = change(values[-7:], values[:7], "30d") if len(values) >= 21 else ""
        self.query_one("#market", Tile).update(Content.assemble(
            f"BTC        {usd(rate.btc_rate)}\n"
            f"GOMINING   {'$' + format(gmt_rate, 'f') if gmt_rate is not None else '-'}\n"
            f"Per TH/day {hashprice}\n"
            f"           {trend(data.days)}{' · ' + month if self.large and month else ''}\n",
            (f"{bars(values)} {len(values)}d\n" if self.large and values else "", "green"),
            f"Power      ${rate.kwh}/kWh",
        ))
        spark = self.query_one("#spark", Sparkline)
        spark.data = [float(x.reward) for x in data.days] or [0.0]
        if data.days:
            lo, hi = min(x.reward for x in data.days), max(x.reward for x in data.days)
            spark.border_subtitle = f"min {btc(lo)} · max {btc(hi)}"
        if self.large:  # after the frame with the figures is out
            self.call_after_refresh(self.run_worker, partial(self.plot, data), group="overview.chart", exclusive=True)
        self.paint_parts()

    async def plot(self, data: OverviewData) -> None:
        """The chart of the 30 days, mounted on first use (its library loads then, once the
        tiles' figures are on screen)."""
        if self.chart is None:
            chart_module = await asyncio.to_thread(importlib.import_module, "gmtui.ui.widgets.chart")  # ~120 ms, off the loop
            self.chart = chart_module.Chart(id="chart")
            self.chart.can_focus = False  # a glance: its zoom keys (0, +, -) stay the dashboard's
            await self.query_one("#chart-box").mount(self.chart)
        chart = self.chart
        chart.clear()
        chart.mask(MASK if self.app.presenter else None)
        legend: list[tuple[str, str] | str] = []
        if data.days:
            xs = [d.created_at.date().toordinal() for d in data.days]
            for i, (name, ys, color) in enumerate((("gross", [float(d.pool_reward) for d in data.days], "cyan"),
                                                   ("net", [float(d.reward) for d in data.days], "green"))):
                legend += [(chart.plot_series(xs, ys, color, name, i), color), f" {name}  "]
        box = self.query_one("#chart-box")
        box.border_subtitle = Content.assemble(*legend) if legend else Content("no income in these 30 days")

    # ---- the top miners and the balances: loaded after the tiles, each on its own
    @on(Loaded)
    @on(Failed)
    def _after_tiles(self, message: Loaded | Failed) -> None:
        """Once the tiles' load is over (figures or not), the large layout's boxes load."""
        if (isinstance(message, Failed) or message.final) and self.large and message.profile == self.app.profile \
                and message.user == self.app.user:
            self.load_parts(message.user)

    def load_parts(self, user: str) -> None:
        for part in PARTS:
            work: Any = partial(self.load_part, part, user)  # a callable: a worker cancelled before it starts awaits nothing
            self.run_worker(work, group=f"overview.{part}", exclusive=True)

    async def load_part(self, part: str, user: str) -> None:
        from gmtui.api.cache import stale_while_revalidate

        from gmtui.api.gomining import views

        client, profile, load = self.app.service, self.app.profile, getattr(views, PARTS[part][1])
        try:
            async for snap in stale_while_revalidate(lambda: load(client, user), client.clock):
                self.post_message(PartLoaded(part, user, profile, snap.value, snap.age_s, snap.final))
        except Exception as exc:  # said in the part's box; the rest of the screen stays
            self.post_message(PartFailed(part, user, profile, failure(exc)))

    def on_part_loaded(self, message: PartLoaded) -> None:
        self.got[message.part] = message
        self.failed.pop(message.part, None)
        self.paint_parts()

    def on_part_failed(self, message: PartFailed) -> None:
        self.failed[message.part] = message
        self.paint_parts()

    def paint_parts(self) -> None:
        """Each box with the figures of the shown user and profile, or why it has none."""
        me = (self.app.user, self.app.profile)
        for part, (what, _) in PARTS.items():
            box: Any = self.query_one(f"#{part}")
            got, failed = self.got.get(part), self.failed.get(part)
            got = got if got and (got.user, got.profile) == me else None
            failed = failed if failed and (failed.user, failed.profile) == me else None
            if got is None:
                note = (markup("[b red]Could not load the $what:[/] $error  (r to retry)", what=what, error=failed.error)
                        if failed else Content.styled(f"loading {what}…", "dim"))
            else:
                try:
                    counted = self._paint(part, box, got.data)
                except Exception as exc:  # figures that cannot be shown: said in the box, the rest stays
                    note = markup("[b red]Could not show the $what:[/] $error", what=what, error=failure(exc))
                else:
                    box.border_subtitle = Content(" · ").join(c for c in (Content(counted), state_of(got, failed)) if c.plain)
                    continue
            box.border_subtitle = ""
            box.set_note(note) if isinstance(box, TopMiners) else box.update(note)

    def _paint(self, part: str, box: Any, data: Any) -> str:
        """Paint ``part``'s figures in ``box``; returns what its subtitle counts."""
        if part == "top":
            rows = ranked(data, TOP)
            box.set_rows(rows, masked(self.app, btc_text)) if rows else box.set_note(Content("no miner"))
            return f"{len(rows)} of {len(data.miners)}" if rows else ""
        d = self.tiles.overview if self.tiles is not None else None  # the prices
        box.update(balances(data, d.per_th if d else None, d.rates if d else [], masked(self.app, exact)))
        return ""


def state_of(got: PartLoaded, failed: PartFailed | None) -> Content:
    """Beside a box's count: a failure to refresh its figures, or their age when not fresh."""
    from gmtui.api.cache import describe_age

    if failed is not None:
        return markup("[b red]could not refresh: $error[/]", error=failed.error)
    if got.age_s is None:
        return Content("")
    age = describe_age(got.age_s)
    return Content(f"cached, {age} old · refreshing…") if not got.final else \
        markup("[b yellow]server unreachable, data $age old[/]", age=age)


def failure(exc: Exception) -> str:
    """What a box says when its figures could not be loaded (as the status line would)."""
    from gmtui.api.errors import GmtuiError

    if isinstance(exc, GmtuiError):
        return str(exc)
    if isinstance(exc, ArithmeticError):
        return f"the server's figures cannot be computed with ({type(exc).__name__})"
    from gmtui.crash import report

    report(exc)
    return f"gmtui could not read this ({type(exc).__name__}; a bug, logged)"


def usd4(value: Decimal) -> str:
    """A small USD figure to the hundredth of a cent: $0.0413."""
    return f"${value.quantize(Decimal('0.0001')):,}"
