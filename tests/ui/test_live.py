"""Live means live: a section shown again reloads once its figures are older than the
refresh interval or from before a money move, the header says "live" only while that
holds; presenter mode is global and reversible; every section works without colour
and in 16 or 256 colours."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from rich.console import Console

from gmtui.api.gomining.figures import btc
from gmtui.api.journal import Journal
from gmtui.sandbox import demo_client
from gmtui.sandbox.gomining.world import sats
from gmtui.ui.app import GmtuiApp
from gmtui.ui.screens.confirm import ConfirmScreen
from gmtui.ui.screens.section import MASK
from hostile import screen_text

ADDRESS = "1NeTVrZEZvx9niuKrFRMQsdF3YSnhkyaCB"


def make_app(state, refresh_s: float = 60) -> GmtuiApp:
    client = demo_client(state, journal=Journal(clock=state.clock))
    return GmtuiApp(client, list(state.world.users), profile="demo", clock=state.clock, refresh_s=refresh_s)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def review(pilot) -> None:
    """Open the withdrawal's confirmation (its worker waits on it: do not wait for workers)."""
    pilot.app.screen.action_review()
    for _ in range(4):
        await pilot.pause(0.02)


async def visit(pilot, key: str) -> None:
    await pilot.press(key)
    await settle(pilot)


def on_balance(state) -> str:
    return btc(sats(state.on_balance(state.world.users["alice"])))


async def test_a_withdrawal_made_elsewhere_shows_when_the_overview_is_shown_again(state, clock):
    app = make_app(state)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        before = on_balance(state)
        assert before in screen_text(app) and app.sub_title == "demo · alice · data live"
        await visit(pilot, "2")
        state.withdraw("alice", ADDRESS, Decimal("0.001"), False)  # `gmtui withdraw` in another terminal
        clock.advance(30)
        await visit(pilot, "1")
        assert before in screen_text(app)  # within the interval: still live, not reloaded
        await visit(pilot, "2")
        clock.advance(31)
        app._tick()
        assert app.sub_title == "demo · alice · data 1 min old"  # what is shown says how old it is
        await visit(pilot, "1")  # no `r`
        assert on_balance(state) in screen_text(app) and before not in screen_text(app)
        assert app.sub_title == "demo · alice · data live"


async def test_a_money_move_makes_every_section_reload_its_figures(state):
    app = make_app(state, refresh_s=0)  # even with auto-refresh off
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await visit(pilot, "4")
        before = on_balance(state)
        await visit(pilot, "5")
        screen = app.screen
        screen.query_one("#amount").value = "0.001"
        screen.query_one("#to").value = ADDRESS
        await review(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert len(state.withdrawals) == 1
        for key in ("1", "4"):
            await visit(pilot, key)
            assert on_balance(state) in screen_text(app) and before not in screen_text(app), key


async def test_presenter_mode_masks_every_section_and_comes_back(state):
    app = make_app(state, refresh_s=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        amount = on_balance(state)
        for key in "14":
            await visit(pilot, key)
        await pilot.press("p")  # on Wallets
        await settle(pilot)
        for key in "1458":
            await visit(pilot, key)
            assert amount not in screen_text(app), key
        await visit(pilot, "8")
        await pilot.press("p")
        await settle(pilot)
        for key in "14":
            await visit(pilot, key)
            assert amount in screen_text(app), key


async def test_presenter_mode_masks_the_confirmation_too(state):
    app = make_app(state, refresh_s=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await visit(pilot, "5")
        screen = app.screen
        screen.query_one("#amount").value = "0.00123"
        screen.query_one("#to").value = ADDRESS
        await review(pilot)
        assert isinstance(app.screen, ConfirmScreen) and "0.00123000" in screen_text(app)
        await pilot.press("p")
        await pilot.pause()
        assert "0.00123000" not in screen_text(app) and MASK in screen_text(app) and ADDRESS in screen_text(app)
        await pilot.press("p")
        await pilot.pause()
        assert "0.00123000" in screen_text(app)
        await pilot.press("escape")


@pytest.mark.parametrize("colours", ["none", "16", "256"])
async def test_every_section_works_without_colour_and_in_16_or_256(state, monkeypatch, colours):
    if colours == "none":
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(state, refresh_s=0)
    system = {"none": None, "16": "standard", "256": "256"}[colours]
    async with app.run_test(size=(80, 24)) as pilot:
        if colours == "16":
            app.theme = "ansi-dark"
        for key in "12345678":
            await visit(pilot, key)
            assert app.is_running, key
            console = Console(width=80, height=24, file=io.StringIO(), force_terminal=True, color_system=system)
            console.print(app.screen._compositor.render_update(full=True))
        await pilot.press("m")  # the per-miner chart
        await visit(pilot, "3")
        assert app.is_running
