"""The Overview uses the space it is given. At 80x24 it stays four tiles and a
sparkline; from 120x34 up it adds a chart of the 30 days with dates on its axis, the
top miners by net per day and the balances, loaded after the tiles' figures, each on
its own. Snapshots at 80x24, 120x40 and 160x50 on a fixed clock and seeded data; then
what a person notices."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest

from gmtui.api.cache import Cache
from gmtui.api.gomining.client import GoMiningClient
from gmtui.api.gomining.figures import btc, exact
from gmtui.api.gomining.views import fleet, holdings
from gmtui.api.retry import NO_RETRY
from gmtui.sandbox import BASE_URL, demo_client, in_process
from gmtui.ui.app import GmtuiApp
from gmtui.ui.screens.overview import OverviewScreen
from gmtui.ui.screens.section import MASK
from hostile import screen_text
from tests.conftest import NOW

SIZES = [(80, 24), (120, 40), (160, 50)]
END = NOW.date() - timedelta(days=1)  # the last day of the 30 the Overview shows


def demo_app(state, client=None, **kw) -> GmtuiApp:
    return GmtuiApp(client or demo_client(state), list(state.world.users), profile="demo", clock=state.clock,
                    refresh_s=0, **kw)


class Switch(httpx.AsyncBaseTransport):
    """The sandbox, with paths that can be made to fail: ``down[path end] = status``, or
    ``"drop"`` for a server that does not answer (``"*"``: every path)."""

    def __init__(self, state):
        self.inner, self.down = in_process(state), {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        how = next((v for k, v in self.down.items() if k == "*" or request.url.path.endswith(k)), None)
        if how == "drop":
            raise httpx.ConnectError("no route to host", request=request)
        if how:
            body = {"error": {"code": "MAINTENANCE", "message": "down for maintenance"}}
            return httpx.Response(how, json=body)
        return await self.inner.handle_async_request(request)


def switched(state, **kw) -> tuple[GoMiningClient, Switch]:
    switch = Switch(state)
    opts = state.options
    client = GoMiningClient(BASE_URL, opts.api_key, opts.api_secret, transport=switch, clock=state.clock,
                            retry=NO_RETRY, **kw)
    return client, switch


async def settle(pilot) -> None:
    """Until no worker runs: the tiles' load starts the parts' and the chart's."""
    for _ in range(6):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if all(w.is_finished for w in pilot.app.workers):
            return


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def shown(app, selector: str) -> bool:
    return app.screen.query_one(selector).display


def chart_axis(app, margin: str) -> str:
    """The text of one of the chart's margins (its axis labels)."""
    canvas = app.screen.query_one("#chart").query_one(f"#margin-{margin}")
    return "\n".join(canvas.render_line(y).text for y in range(canvas.size.height))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_overview_snapshot(snap_compare, state, size):
    assert snap_compare(demo_app(state), terminal_size=size, run_before=settle)


async def test_at_160x50_the_chart_has_dates_and_the_top_miners_and_balances_are_listed(state):
    data = await fleet(demo_client(state), "alice")
    days = {m.id: data.recent[m.id] for m in data.miners}
    best = sorted(data.miners, key=lambda m: sum(days[m.id], Decimal(0)) / len(days[m.id]), reverse=True)
    money = await holdings(demo_client(state), "alice")
    app = demo_app(state)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        assert not shown(app, "#spark") and shown(app, "#chart-box")
        labels = re.findall(r"\b(\d\d)-(\d\d)\b", chart_axis(app, "bottom"))
        assert len(labels) >= 4  # days along the x axis, as dates of the 30 shown
        assert all(END - timedelta(days=29) <= date(END.year, int(m), int(d)) <= END for m, d in labels)
        assert "gross" in str(app.screen.query_one("#chart-box").border_subtitle)
        rows = text(app, "#top").splitlines()[1:]
        assert len(rows) == len(data.miners) == 6  # alice's six, best first
        assert all(row.startswith(m.name + " ") for row, m in zip(rows, best, strict=True))
        assert btc(sum(days[best[0].id], Decimal(0)) / len(days[best[0].id])) in rows[0] and "%" in rows[0]
        balances = text(app, "#balances")
        btc_balance = next(b.balance for b in money.balances if b.currency == "BTC")
        assert exact(btc_balance) in balances and "GOMINING" in balances and "Total" in balances
        assert "30d" in text(app, "#market") and "366 TH/s" in text(app, "#fleet")
        await pilot.press("2", "1")  # away and back: the chart takes no focus, so 0, + and - stay the dashboard's
        await settle(pilot)
        assert app.current_mode == "overview" and app.focused is None


async def test_at_80x24_nothing_more_is_loaded_until_the_terminal_grows(state):
    app = demo_app(state)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert shown(app, "#spark") and not shown(app, "#top") and not shown(app, "#balances")
        assert state.calls["nft.get_my.s2s"] == 0 and state.calls["balances.c2s"] == 0
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert state.calls["nft.get_my.s2s"] > 0 and state.calls["balances.c2s"] > 0
        assert len(text(app, "#top").splitlines()) == 7 and not shown(app, "#spark")
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert shown(app, "#spark") and not shown(app, "#chart-box")


async def test_the_tiles_are_painted_before_the_extra_figures_are_asked_for(state, monkeypatch):
    asked: list[int] = []
    show = OverviewScreen.show

    def noting(screen, data):
        asked.append(state.calls["nft.get_my.s2s"] + state.calls["balances.c2s"])
        show(screen, data)

    monkeypatch.setattr(OverviewScreen, "show", noting)
    app = demo_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert asked[0] == 0 and len(text(app, "#top").splitlines()) == 7


async def test_presenter_mode_masks_the_balances_the_top_miners_and_the_chart(state):
    money, data = await holdings(demo_client(state), "alice"), await fleet(demo_client(state), "alice")
    amounts = [exact(b.balance) for b in money.balances]
    amounts += [btc(sum(days, Decimal(0)) / len(days)) for days in data.recent.values()]  # net per day
    app = demo_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert all(a in text(app, "#balances") + text(app, "#top") for a in amounts)
        await pilot.press("p")
        await settle(pilot)
        balances, top = text(app, "#balances"), text(app, "#top")
        assert not any(a in balances for a in amounts) and MASK in balances and "Total" in balances
        assert "0.0000" not in top and MASK in top and "Night Owl #10005" in top  # names stay, amounts go
        assert MASK in chart_axis(app, "left") and "0.000" not in chart_axis(app, "left")
        assert f"BTC · {MASK}" in text(app, "#market")  # the income per TH in USD too
        assert not any(a in screen_text(app) for a in amounts)
        await pilot.press("p")
        await settle(pilot)
        assert all(a in text(app, "#balances") + text(app, "#top") for a in amounts)


async def test_a_failing_extra_load_is_said_in_its_box_and_the_rest_stays(state):
    client, switch = switched(state)
    switch.down["/c2s/wallet-balance/find-by-user"] = 400
    app = demo_app(state, client)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        balances = text(app, "#balances")
        assert "Could not load the balances" in balances and "down for maintenance" in balances and "r to retry" in balances
        assert len(text(app, "#top").splitlines()) == 7 and "366 TH/s" in text(app, "#fleet")
        assert "updated" in text(app, "#status")  # the tiles' load went through
        del switch.down["/c2s/wallet-balance/find-by-user"]
        await pilot.press("r")
        await settle(pilot)
        assert "Total" in text(app, "#balances") and "Could not" not in text(app, "#balances")


async def test_cached_extra_figures_stay_with_their_age_when_the_server_is_unreachable(state, clock):
    client, switch = switched(state, cache=Cache())
    app = demo_app(state, client)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        figures = text(app, "#balances")
        switch.down["*"] = "drop"
        clock.advance(600)
        await pilot.press("r")
        await settle(pilot)
        for box in ("#balances", "#top"):
            assert "server unreachable, data 10 min old" in str(app.screen.query_one(box).border_subtitle)
        assert text(app, "#balances") == figures and len(text(app, "#top").splitlines()) == 7
