"""WebMinePool's Users and Tokens sections: the roster with hashes and their value,
moves through the same confirmation (a reset of every user only by its typed word),
read-only refusing visibly, tokens kept and checked, and outside text left plain."""

from __future__ import annotations

import pytest

from gmtui.api.journal import OK, Journal
from gmtui.api.webminepool.views import hashes_sat
from gmtui.sandbox import pool_client
from gmtui.sandbox.webminepool.state import DAY_S, State
from gmtui.ui.app import GmtuiApp
from gmtui.ui.screens.confirm import ConfirmScreen
from gmtui.ui.widgets.vtable import VirtualTable

from hostile import HOSTILE, Hostile, harmless


@pytest.fixture
def pool(clock) -> State:
    return State(clock=clock)


def make_app(pool: State, **kw) -> GmtuiApp:
    client = kw.pop("client", None) or pool_client(pool, journal=Journal(clock=pool.clock), scope="demo-webminepool")
    return GmtuiApp(client, ["ada"], profile="demo-webminepool", platform="webminepool", clock=pool.clock,
                    refresh_s=0, **kw)


async def settle(pilot) -> None:
    """Wait for the data (never after opening a modal: its worker waits on it)."""
    for _ in range(2):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def opened(pilot) -> None:
    """Let a modal that a key opened come up."""
    for _ in range(4):
        await pilot.pause(0.02)


def rows(app) -> dict[str, tuple]:
    return {r[0]: r for r in app.screen.query_one(VirtualTable).rows}


def notes(app) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def test_users_show_the_roster_with_hashes_and_their_value(pool):
    app = make_app(pool)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = rows(app)
        rate = pool.hash_satoshi(cli=False)
        ada = pool.users["ada"].hashes(pool.now())
        assert shown["ada"][1:4] == (ada, hashes_sat(ada, rate), True)
        assert set(shown) == {u.name for u in pool.users.values() if u.active(pool.now())}  # idle ones: never seen


async def test_a_withdrawal_is_typed_confirmed_and_sent_once(pool):
    app = make_app(pool)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        held = pool.users["ada"].hashes(pool.now())
        app.screen.query_one(VirtualTable).cursor = list(rows(app)).index("ada")
        await pilot.press("w")
        await opened(pilot)
        await pilot.press(*"1000", "enter")
        await opened(pilot)
        assert isinstance(app.screen, ConfirmScreen) and "1,000 hashes" in app.screen.plan.summary()
        await pilot.press("y")
        await settle(pilot)
        assert pool.users["ada"].hashes(pool.now()) == held - 1000
        assert [e.outcome for e in app.pool.journal.entries()] == [OK]


async def test_resetting_every_user_needs_the_word_not_y(pool):
    app = make_app(pool)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("X")
        await opened(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y", "enter")  # y is only a letter typed in the field here
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and pool.users["ada"].hashes(pool.now()) > 0
        app.screen.query_one("#word").value = ""
        await pilot.press(*"reset-all", "enter")
        await settle(pilot)
        assert all(u.hashes(pool.now()) == 0 for u in pool.users.values())


async def test_read_only_refuses_every_move_visibly(pool):
    app = make_app(pool, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key in ("w", "x", "X", "a", "d"):
            await pilot.press(key)
            await opened(pilot)
        assert not isinstance(app.screen, ConfirmScreen) and app.pool.journal.entries() == []


async def test_a_token_is_set_checked_and_deleted_with_its_user(pool, clock):
    app = make_app(pool)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("n")
        await opened(pilot)
        await pilot.press(*"1000 ada", "enter")
        await opened(pilot)
        await pilot.press("y")
        await settle(pilot)
        [token] = app.pool.roster.tokens
        assert rows(app)[token][4] == "pending"
        clock.advance(DAY_S / 24)
        await pilot.press("r")
        await settle(pilot)
        assert rows(app)[token][4] == "verified"
        await pilot.press("D")
        await opened(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert token not in pool.tokens and "ada" not in pool.users


async def test_hostile_names_and_refusals_stay_plain(pool):
    from gmtui.sandbox import _Transport
    from gmtui.sandbox.webminepool.server import PoolSandbox

    client = pool_client(pool, journal=Journal(clock=pool.clock))
    client._http._transport = Hostile(_Transport(PoolSandbox(pool)))
    app = make_app(pool, client=client)
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("1", "2", "3", "4", "u", "escape", "1"):
            await pilot.press(key)
            await (opened(pilot) if key == "u" else settle(pilot))
            assert harmless(app) == [], key
        assert any(name.endswith(HOSTILE) for name in rows(app))
        await pilot.press("w")  # a poisoned name is not a username: refused before anything is sent
        await opened(pilot)
        await pilot.press(*"5", "enter")
        await opened(pilot)
        assert harmless(app) == [] and not isinstance(app.screen, ConfirmScreen)
