"""Profiles of different platforms in one dashboard: the number keys, the section bar,
help and the palette follow the active profile's platform; `u` switches profile; a
section never shows another profile's figures; the demo opens every platform's
sandbox on one journal; WebMinePool's Account section."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from gmtui import session
from gmtui.api.cache import Cache
from gmtui.api.errors import ConfigError
from gmtui.api.journal import Journal
from gmtui.sandbox import demo_client, pool_client
from gmtui.sandbox.webminepool.state import State as PoolState
from gmtui.ui.app import GmtuiApp, dashboard
from gmtui.ui.screens.help import key_rows
from gmtui.ui.screens.section import MASK, Loaded
from gmtui.ui.screens.users import UsersScreen
from gmtui.ui.widgets.vtable import VirtualTable

from conftest import small_state


@pytest.fixture
def pool(clock) -> PoolState:
    return PoolState(clock=clock)


def opened(state, pool, other=None) -> dict[str, session.Session]:
    """A GoMining profile, a WebMinePool one (the two on one journal) and a second
    GoMining one (another world)."""
    journal = Journal(clock=state.clock)
    other = other or small_state(state.clock, users=2, miners=3)
    return {
        "demo": session.Session(demo_client(state, scope="demo", journal=journal, cache=Cache()),
                                list(state.world.users), "demo"),
        "demo-webminepool": session.Session(pool_client(pool, scope="demo-webminepool", journal=journal, cache=Cache()),
                                            list(pool.users), "demo-webminepool", platform="webminepool"),
        "other": session.Session(demo_client(other, scope="other", cache=Cache()), list(other.world.users), "other"),
    }


def make_app(sessions: dict[str, session.Session], start: str = "demo", broken: Exception | None = None) -> GmtuiApp:
    def opener(name: str):
        def open_() -> session.Session:
            if name == "broken":
                assert broken is not None
                raise broken
            return sessions[name]
        return open_

    choices = [session.Choice(name, s.platform, opener(name)) for name, s in sessions.items()]
    if broken is not None:
        choices.append(session.Choice("broken", "webminepool", opener("broken")))
    first = sessions[start]
    return GmtuiApp(first.client, first.users, profile=start, platform=first.platform, clock=first.client.clock,
                    refresh_s=0, profiles=lambda: choices)


async def settle(pilot) -> None:
    for _ in range(2):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def switch_to(pilot, profile: str) -> None:
    """`u`, then the profile's line, then enter."""
    await press(pilot, "u")
    options = pilot.app.screen.query_one("OptionList")
    options.highlighted = options.get_option_index(f"profile:{profile}")
    await press(pilot, "enter")


async def confirm(pilot, *keys: str) -> None:
    """``keys`` lead to a confirmation (through dialogs whose workers wait on them, so
    workers are not waited for): `y` sends the move."""
    for key in keys:
        await pilot.press(key)
        await pilot.pause()
    for _ in range(5):
        await pilot.pause(0.05)
    await press(pilot, "y")


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def numbers(shown: str) -> list[Decimal]:
    return [Decimal(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", shown)]


async def test_number_keys_bar_help_and_palette_follow_the_platform(state, pool):
    app = make_app(opened(state, pool))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, mode in [("4", "wallets"), ("8", "journal"), ("1", "overview")]:
            await press(pilot, key)
            assert app.current_mode == mode
        await switch_to(pilot, "demo-webminepool")
        assert (app.profile, app.platform, app.current_mode) == ("demo-webminepool", "webminepool", "pool-users")
        for key, mode in [("2", "pool-account"), ("3", "pool-tokens"), ("4", "journal"), ("8", "journal"),
                          ("5", "journal"), ("1", "pool-users")]:
            await press(pilot, key)
            assert app.current_mode == mode
        assert text(app, "#sections").split() == ["1", "Users", "2", "Account", "3", "Tokens", "4", "Journal", "0", "Partner"]
        keys = dict(key_rows(app.screen))
        assert [keys.get(str(i)) for i in range(1, 6)] == ["Users", "Account", "Tokens", "Journal", None]
        titles = [str(c.title) for c in app.get_system_commands(app.screen)]
        assert [t for t in titles if t.startswith("Go to")] == ["Go to Users (1)", "Go to Account (2)",
                                                                  "Go to Tokens (3)", "Go to Journal (4)"]
        assert {"Switch to profile demo", "Switch to profile other"} <= set(titles)
        await switch_to(pilot, "demo")
        assert app.current_mode == "overview" and text(app, "#sections").split()[:4] == ["1", "Overview", "2", "Miners"]
        assert dict(key_rows(app.screen))["8"] == "Journal"


async def test_switching_profile_never_shows_the_other_profiles_figures(state, pool, clock):
    other = small_state(clock, users=2, miners=3)
    sessions = opened(state, pool, other)
    app = make_app(sessions)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "366 TH/s" in text(app, "#fleet")
        await press(pilot, "2")
        miners = app.screen
        await switch_to(pilot, "demo-webminepool")
        assert {r[0] for r in app.screen.query_one(VirtualTable).rows} <= set(pool.users)
        await press(pilot, "2")
        balance = text(app, "#balance")
        assert f"{pool.account_hashes():,} hashes" in text(app, "#unpaid")
        # figures of the profile left behind, arriving late, are dropped
        app.screen.post_message(Loaded("ada", object(), app.clock(), profile="demo"))
        await settle(pilot)
        assert text(app, "#balance") == balance
        await press(pilot, "4")
        assert str(app.screen.query_one(VirtualTable).border_title).startswith("ada: ")
        assert app.sub_title.startswith("demo-webminepool · ada")

        await switch_to(pilot, "demo")
        assert app.client is sessions["demo"].client and app.user == "alice"  # the session kept, not reopened
        assert "366 TH/s" in text(app, "#fleet")
        await press(pilot, "2")
        assert app.screen is not miners  # made anew: it never showed another profile's rows first
        assert {r[0] for r in app.screen.query_one(VirtualTable).rows} == {
            m.id for m in state.world.miners.values() if m.owner == "alice"}

        # to another GoMining profile, from the same first section: a new overview at once
        await press(pilot, "1")
        await press(pilot, "u")
        options = app.screen.query_one("OptionList")
        options.highlighted = options.get_option_index("profile:other")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert app.profile == "other" and "366 TH/s" not in text(app, "#fleet")
        await settle(pilot)
        fleet = (await sessions["other"].client.user_stats(app.user)).stats.total_power_th
        assert f"{fleet:,} TH/s" in text(app, "#fleet") and fleet != 366


async def test_the_switcher_lists_other_profiles_above_the_users(state, pool):
    app = make_app(opened(state, pool))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "u")
        assert isinstance(app.screen, UsersScreen)
        options = app.screen.query_one("OptionList")
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert prompts[:2] == ["demo-webminepool · WebMinePool", "other · GoMining"]
        assert "6 miners" in prompts[2] and app.screen.query("#new")  # GoMining: fleets, and adding a user
        await press(pilot, "escape")
        await switch_to(pilot, "demo-webminepool")
        await press(pilot, "u")
        options = app.screen.query_one("OptionList")
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert prompts == ["demo · GoMining", "other · GoMining", *pool.users]  # no GoMining stats
        assert not app.screen.query("#new")  # users are added in the Users section (a)
        options.highlighted = options.get_option_index("user:bram")
        await press(pilot, "enter")
        assert app.user == "bram" and app.profile == "demo-webminepool"


@pytest.mark.parametrize("error", [ConfigError("the server refuses this secret key [@click=app.quit]x[/]"),
                                   RuntimeError("a bug")], ids=["refused", "bug"])
async def test_a_profile_that_cannot_open_leaves_the_current_one(state, pool, error):
    app = make_app(opened(state, pool), broken=error)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await switch_to(pilot, "broken")
        assert (app.profile, app.platform, app.current_mode) == ("demo", "gomining", "overview")
        assert app.client is not None and "366 TH/s" in text(app, "#fleet")
        note = list(app._notifications)[-1]
        assert note.title == "Could not open broken"
        status = text(app, "#status")
        assert status.startswith("Could not open broken: ") and "(still on demo)" in status
        if isinstance(error, ConfigError):
            assert "[@click=app.quit]x[/]" in note.message and "[@click=app.quit]x[/]" in status  # plain text
        else:
            assert "internal error (RuntimeError)" in note.message
        await switch_to(pilot, "demo-webminepool")  # another one still opens
        assert app.profile == "demo-webminepool"


async def test_the_demo_opens_every_platform_on_one_journal(clock):
    demos = session.open_demos(None, clock)
    assert [(s.profile, s.platform) for s in demos] == [("demo", "gomining"), ("demo-webminepool", "webminepool"),
                                                        ("demo-mithril", "mithril")]
    assert all(s.client.journal is demos[0].client.journal and s.client.cache is demos[0].client.cache for s in demos)
    for s in demos:
        await s.client.aclose()

    app = dashboard(demo=True, clock=clock, refresh_s=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert (app.profile, app.current_mode) == ("demo", "overview")
        assert [(c.name, c.title) for c in app.profiles()] == [("demo", "GoMining"), ("demo-webminepool", "WebMinePool"),
                                                                ("demo-mithril", "Mithril Vault")]
        await press(pilot, "7")
        await confirm(pilot, "enter")  # a purchase on GoMining
        await switch_to(pilot, "demo-webminepool")
        app.screen.query_one(VirtualTable).cursor = [r[0] for r in app.screen.query_one(VirtualTable).rows].index("ada")
        await confirm(pilot, "w", *"1000", "enter")  # a hash withdrawal on WebMinePool
        await press(pilot, "4", "a")
        rows = app.screen.query_one(VirtualTable).rows
        assert {(r[3], r[4], r[5]) for r in rows} >= {("Hash withdrawal", "1000 hashes", "WebMinePool")}
        assert {r[5] for r in rows} == {"GoMining", "WebMinePool"}
        assert app.sessions["demo"].client.journal is app.core.journal
        await press(pilot, "R")  # by WebMinePool's rules, on this profile's moves
        assert list(app._notifications)[-1].message == "No money move of demo-webminepool has an unknown outcome."


async def test_gmtui_platform_starts_the_demo_on_webminepool(clock, monkeypatch):
    monkeypatch.setenv("GMTUI_PLATFORM", "webminepool")
    app = dashboard(demo=True, clock=clock, refresh_s=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert (app.profile, app.platform, app.current_mode) == ("demo-webminepool", "webminepool", "pool-users")
        assert [c.name for c in app.other_profiles()] == ["demo", "demo-mithril"]
        await switch_to(pilot, "demo")
        assert app.current_mode == "overview" and "TH/s" in text(app, "#fleet")


async def test_the_account_shows_the_sandboxs_figures_and_hides_them_for_presenting(state, pool):
    app = make_app(opened(state, pool), start="demo-webminepool")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        assert app.screen.TITLE == "Account"
        balance, wmc = pool.balance(), pool.wmc_satoshi()
        web, cli = pool.hash_satoshi(cli=False), pool.hash_satoshi(cli=True)
        hashes = pool.account_hashes()
        balance_sat = (balance * wmc).quantize(Decimal("0.001"))
        unpaid_sat = (hashes * web / 1_000_000).quantize(Decimal("0.001"))
        assert numbers(text(app, "#balance")) == [balance, balance_sat, balance_sat / 10**8, wmc]
        assert numbers(text(app, "#unpaid")) == [hashes, unpaid_sat, unpaid_sat / 10**8]
        assert numbers(text(app, "#rates")) == [1, wmc, 1_000_000, web, 1_000_000, cli]
        assert "WMC" in text(app, "#balance") and "BTC" in text(app, "#unpaid") and "CLI" in text(app, "#rates")
        await press(pilot, "p")
        assert text(app, "#balance").count(MASK) == 3 and text(app, "#unpaid").count(MASK) == 3
        assert f"{balance:,f}" not in text(app, "#balance") and f"{hashes:,}" not in text(app, "#unpaid")
        assert numbers(text(app, "#rates")) == [1, wmc, 1_000_000, web, 1_000_000, cli]  # rates are not holdings


async def test_a_real_run_opens_any_platforms_profile_and_lists_every_configured_one(clock):
    from gmtui import config

    config.save(config.Config(active="prod", profiles={
        "prod": config.Profile(name="prod", base_url="https://api.example", api_key="key", api_secret="top-secret-value",
                               users=["u1"]),
        "pool": config.Profile(name="pool", platform="webminepool", base_url="https://pool.example",
                               api_secret="top-secret-value", users=["ada"]),
    }))
    assert [(c.name, c.title) for c in session.profile_choices(clock)] == [("prod", "GoMining"), ("pool", "WebMinePool")]
    app = dashboard(profile="pool", clock=clock, refresh_s=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)  # a WebMinePool profile opens (its server is out of reach here: said, not refused)
        assert (app.profile, app.platform, app.current_mode) == ("pool", "webminepool", "pool-users")
        assert text(app, "#status").startswith("Could not load ada: ")
        assert [c.name for c in app.other_profiles()] == ["prod"]
