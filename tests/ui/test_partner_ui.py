"""The Partner section (key 0): every user of every profile in one table with the totals
per unit and the attention queue; presenter mode; enter shows a user on its profile;
a profile or a user that fails keeps its row with the error; batches at 1,000 users;
SVG snapshots at 80x24 and 120x40."""

from __future__ import annotations

import pytest

from gmtui import session
from gmtui.api import cache, partner
from gmtui.api.errors import ConfigError, NetworkError
from gmtui.sandbox import Faults, demo_client
from gmtui.ui.app import GmtuiApp, dashboard
from gmtui.ui.screens.help import key_rows
from gmtui.ui.screens.partner import PartnerTable
from gmtui.ui.screens.section import MASK

from conftest import small_state
from hostile import harmless, screen_text


async def settle(pilot) -> None:
    for _ in range(2):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def rows(app) -> dict[tuple[str, str], tuple]:
    return {(v[-1].profile, v[-1].user): v for v in app.screen.query_one(PartnerTable).rows}


def pick(app, profile: str, user: str) -> None:
    table = app.screen.query_one(PartnerTable)
    table.cursor = [(v[-1].profile, v[-1].user) for v in table.rows].index((profile, user))


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def queue(app) -> list[tuple[str, str, str]]:
    return [(r.user, r.profile, f.kind) for r, f in app.screen.items]


GOMINING = {"alice", "bob", "carol", "dave", "erin"}
MITHRIL = {"alice", "bob", "carol"}


async def test_zero_shows_every_profiles_users_with_totals_and_the_queue(clock):
    app = dashboard(demo=True, clock=clock, refresh_s=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "0")
        assert app.current_mode == "partner" and app.profile == "demo"
        shown = rows(app)
        by = {p: {u for q, u in shown if q == p} for p in ("demo", "demo-webminepool", "demo-mithril")}
        assert by["demo"] == GOMINING and by["demo-mithril"] == MITHRIL
        assert {"ada", "bram", "chen", "fatima"} <= by["demo-webminepool"]
        assert not any(v[-1].error for v in shown.values())
        view = app.screen.last
        assert set(view.totals) == {"BTC", "MITH", "hashes"}
        totals = text(app, "#totals")
        for unit, value in view.totals.items():  # each unit on its own, never summed with another
            assert f"{value:,f} {unit}" in totals
        assert f"≈ {view.btc:,.8f} BTC" in totals and f"net {view.daily['BTC']:,f} BTC/day" in totals
        assert f"{len(shown)} users" in totals
        screen = screen_text(app)
        dave = shown[("demo", "dave")][-1]
        assert f"{dave.holds.value:,f} BTC" in screen and "Figures" in screen  # 120 columns: the figures too
        items = queue(app)
        assert items[0] == ("dave", "demo", "no-wallet")  # the most BTC at stake
        idle = {u for u, p, k in items if k == "idle" and p == "demo-webminepool"}
        assert {"chen", "fatima"} <= idle
        lines = [str(app.screen.query_one("#queue").get_option_at_index(i).prompt) for i in range(len(items))]
        assert lines[0].startswith("dave · demo · ") and lines[0].endswith("→ 4 Wallets")
        assert any(line.startswith("fatima · demo-webminepool") and line.endswith("→ 1 Users") for line in lines)
        assert any(line.endswith("→ 2 Activities") for line in lines)
        assert "updated 12:00:00 UTC" in text(app, "#status") and harmless(app) == []
        await press(pilot, "slash", *"idle")  # the filter: by flag too
        assert {u for _, u in rows(app)} == idle

        app.screen._paint_queue(partner.view([]))  # nothing flagged
        assert str(app.screen.query_one("#queue").get_option_at_index(0).prompt) == "Nothing needs a person today"


async def test_zero_is_in_help_and_the_palette_on_every_platform(clock):
    app = dashboard(demo=True, clock=clock, refresh_s=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for profile, first in [("demo-mithril", "vault-users"), ("demo-webminepool", "pool-users")]:
            app.action_profile(profile)
            await settle(pilot)
            assert app.current_mode == first
            assert dict(key_rows(app.screen))["0"] == "Partner"
            titles = [str(c.title) for c in app.get_system_commands(app.screen)]
            assert "Partner: every user of every profile (0)" in titles
            await press(pilot, "0")
            assert app.current_mode == "partner" and len(rows(app)) >= 15
            assert "0 Partner" in text(app, "#sections")


async def test_presenter_mode_masks_every_amount(clock):
    app = dashboard(demo=True, clock=clock, refresh_s=0, presenter=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "0")
        view = app.screen.last
        screen = screen_text(app)
        for r in view.rows:
            assert f"{r.holds.value:,f}" not in screen
        for value in (*view.totals.values(), *view.daily.values()):
            assert f"{value:,f}" not in screen
        assert f"{view.btc:,.8f}" not in screen and MASK in text(app, "#totals")
        first = str(app.screen.query_one("#queue").get_option_at_index(0).prompt)
        assert first.startswith("dave · demo · ") and "BTC" in first and "0.00" not in first
        await press(pilot, "p")  # off: the amounts again
        assert f"{view.totals['MITH']:,f} MITH" in text(app, "#totals")


async def test_enter_shows_the_user_on_its_profile(clock):
    app = dashboard(demo=True, clock=clock, refresh_s=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "0")
        pick(app, "demo-webminepool", "bram")
        await press(pilot, "enter")
        assert (app.profile, app.platform, app.user, app.current_mode) == (
            "demo-webminepool", "webminepool", "bram", "pool-users")
        assert app.sessions["demo-webminepool"].client is app.client  # the switcher's session, not another

        await press(pilot, "0", "a")  # the queue: dave's missing wallet first, on GoMining
        await press(pilot, "enter")
        assert (app.profile, app.user, app.current_mode) == ("demo", "dave", "wallets")

        await press(pilot, "0", "a")
        options = app.screen.query_one("#queue")
        options.highlighted = next(i for i, (u, p, _) in enumerate(queue(app)) if (u, p) == ("bob", "demo-mithril"))
        await press(pilot, "enter")
        assert (app.profile, app.user, app.current_mode) == ("demo-mithril", "bob", "vault-activities")


async def test_zero_goes_to_partner_even_from_the_focused_chart(clock):
    """The chart zooms on + and -, and z resets it: 0 stays the Partner key there too."""
    from gmtui.ui.widgets.chart import Chart

    app = dashboard(demo=True, clock=clock, refresh_s=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        chart = app.screen.query_one(Chart)
        chart.focus()
        await press(pilot, "plus", "plus")
        zoomed = (chart._x_min, chart._x_max)
        await press(pilot, "z")
        assert (chart._x_min, chart._x_max) != zoomed
        await press(pilot, "0")
        assert app.current_mode == "partner"


async def test_refresh_paints_the_cached_rows_first_with_their_age(clock):
    app = dashboard(demo=True, clock=clock, refresh_s=0, faults=Faults(latency_ms=150))  # every answer takes 150 ms
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "0")
        assert len(rows(app)) >= 19
        clock.advance(300)
        await pilot.press("r")
        for _ in range(3):
            await pilot.pause(0.1)
        cached = [v for v in rows(app).values() if v[-1].cached]
        assert cached and all(v[-2][1] in ("5 min", "cached") for v in cached)
        assert "5 min" in {v[-2][1] for v in cached} and "loading" in text(app, "#status")
        assert "cached figures up to 5 min old" in text(app, "#totals")
        await settle(pilot)
        assert not any(v[-1].cached for v in rows(app).values()) and "updated" in text(app, "#status")


def with_broken_profile(clock) -> GmtuiApp:
    """The three demos and a profile that cannot be opened."""
    opened = {s.profile: s for s in session.open_demos(None, clock)}

    def broken() -> session.Session:
        raise ConfigError("profile 'broken' has no API key")

    choices = [session.Choice(name, s.platform, lambda s=s: s) for name, s in opened.items()]
    choices.insert(1, session.Choice("broken", "webminepool", broken))
    first = opened["demo"]
    return GmtuiApp(first.client, first.users, profile="demo", clock=clock, refresh_s=0, profiles=lambda: choices)


async def test_a_failing_profile_or_user_keeps_its_row_with_the_error(clock, monkeypatch):
    app = with_broken_profile(clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "0")
        shown = rows(app)
        assert shown[("broken", "")][-1].error == "cannot open the profile: profile 'broken' has no API key"
        assert {u for p, u in shown if p == "demo"} == GOMINING and ("demo-mithril", "carol") in shown
        assert ("", "broken", "read-failed") in queue(app)

        bob = shown[("demo-mithril", "bob")][-1]
        vault = app.sessions["demo-mithril"].client
        real = vault.user_info

        async def user_info(user: str):  # the server fails bob's reads; the cache still answers
            if user == "bob" and not getattr(cache.current(), "cache_only", False):
                raise NetworkError("connection reset")
            return await real(user)

        monkeypatch.setattr(vault, "user_info", user_info)
        clock.advance(120)
        await press(pilot, "r")
        shown = rows(app)
        failed = shown[("demo-mithril", "bob")][-1]
        assert failed.error.startswith("connection reset") and failed.holds == bob.holds  # the last figures known, kept
        assert failed.age_s(clock()) == 120 and shown[("demo-mithril", "bob")][-2][1].startswith("error: connection")
        assert not shown[("demo-mithril", "alice")][-1].error and not shown[("demo", "dave")][-1].error
        assert "could not be read in full" in text(app, "#status")
        pick(app, "demo-mithril", "bob")
        await settle(pilot)
        assert "connection reset" in text(app, "#detail")
        assert "cached figures up to 2 min old" in text(app, "#totals")

        pick(app, "broken", "")  # enter: the switcher tries it and says why it cannot
        await press(pilot, "enter")
        assert app.profile == "demo"


async def test_a_thousand_users_arrive_in_batches(clock, monkeypatch):
    state = small_state(clock, users=1000, miners=1, days=30)
    app = GmtuiApp(demo_client(state), list(state.world.users), profile="big", clock=clock, refresh_s=0)
    paints: list[int] = []
    real = PartnerTable.set_rows
    monkeypatch.setattr(PartnerTable, "set_rows", lambda self, rows, match=None: (paints.append(len(rows)),
                                                                                  real(self, rows, match))[1])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "0")
        table = app.screen.query_one(PartnerTable)
        assert len(table.rows) == 1000 and paints[-1] == 1000 and "1,000 users" in text(app, "#totals")
        assert 2 < len(paints) < 100, paints  # painted as they come, in batches: not a repaint per row


# ---- snapshots

@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_partner_snapshot(snap_compare, clock, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await press(pilot, "0")

    assert snap_compare(dashboard(demo=True, clock=clock, refresh_s=0), terminal_size=size, run_before=run_before)
