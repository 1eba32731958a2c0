"""SVG snapshots of every section at 80x24 and 120x40: seeded data, a fixed clock,
no animations, no auto-refresh. Update with `pytest tests/ui --snapshot-update`
after looking at the change."""

from __future__ import annotations

import pytest

from gmtui.api.journal import Journal
from gmtui.sandbox import demo_client, pool_client
from gmtui.sandbox.webminepool.state import DAY_S
from gmtui.sandbox.webminepool.state import State as PoolState
from gmtui.session import Choice
from gmtui.ui.app import GmtuiApp

SIZES = [(80, 24), (120, 40)]
SECTIONS = {
    "overview": "1", "miners": "2", "earnings": "3", "wallets": "4", "withdraw": "5", "upgrades": "6",
    "shop": "7", "journal": "8", "help": "?", "users": "u",
}


def demo_app(state, **kw) -> GmtuiApp:
    return GmtuiApp(demo_client(state), list(state.world.users), profile="demo", clock=state.clock, refresh_s=0, **kw)


def pool_app(clock, **kw) -> GmtuiApp:
    """The WebMinePool demo's world on the fixed clock."""
    pool = PoolState(clock=clock)
    client = pool_client(pool, scope="demo-webminepool", journal=Journal(clock=clock))
    return GmtuiApp(client, list(pool.users), profile="demo-webminepool", platform="webminepool", clock=clock,
                    refresh_s=0, **kw)


def listed(*profiles: tuple[str, str]):
    """Profiles for the switcher to list (never opened here)."""
    return lambda: [Choice(name, platform, lambda: pytest.fail("not opened in a snapshot")) for name, platform in profiles]


async def press_settled(pilot, *keys: str, then: str | None = None) -> None:
    """Press ``keys`` waiting for the data after each; ``then`` opens a modal whose
    worker waits on it, so workers are not waited for after that one."""
    for key in keys:
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.press(key)
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    if then:
        await pilot.press(then)
        for _ in range(5):
            await pilot.pause(0.05)
    steady(pilot.app)


def steady(app) -> None:
    """No blinking cursor in a text field: the picture no longer depends on when it is taken."""
    from textual.widgets import Input

    for box in app.screen.query(Input):
        box.cursor_blink = False


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("section", SECTIONS)
def test_section_snapshot(snap_compare, state, section, size):
    assert snap_compare(demo_app(state), terminal_size=size, run_before=lambda pilot: press_settled(pilot, SECTIONS[section]))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_login_snapshot(snap_compare, size):
    app = GmtuiApp(None, [], profile="", refresh_s=0, problem="no profile configured")
    assert snap_compare(app, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_confirm_modal_snapshot(snap_compare, state, size, monkeypatch):
    import uuid

    monkeypatch.setattr("gmtui.api.gomining.moves.uuid.uuid4", lambda: uuid.UUID(int=42))  # the payment id is random
    assert snap_compare(demo_app(state), terminal_size=size, run_before=lambda pilot: press_settled(pilot, "7", then="enter"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(("section", "key"), [("wallets", "b"), ("miners", "t")], ids=["bind", "transfer"])
def test_ask_modal_snapshot(snap_compare, state, size, section, key):
    run = lambda pilot: press_settled(pilot, SECTIONS[section], then=key)  # noqa: E731
    assert snap_compare(demo_app(state), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_pool_account_snapshot(snap_compare, clock, size):
    assert snap_compare(pool_app(clock), terminal_size=size, run_before=lambda pilot: press_settled(pilot, "2"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_pool_users_snapshot(snap_compare, clock, size):
    assert snap_compare(pool_app(clock), terminal_size=size, run_before=lambda pilot: press_settled(pilot, "1"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_pool_tokens_snapshot(snap_compare, clock, size):
    async def run(pilot) -> None:
        await press_settled(pilot)
        await pilot.app.pool.set_token(1000, "ada")
        clock.advance(DAY_S / 24)  # ada mines those 1,000 hashes: verified
        await pilot.app.pool.set_token(50_000_000)  # the whole account's, still pending
        await press_settled(pilot, "3")

    assert snap_compare(pool_app(clock), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("platform", ["gomining", "webminepool"])
def test_switcher_snapshot(snap_compare, state, clock, size, platform):
    profiles = listed(("demo", "gomining"), ("demo-webminepool", "webminepool"), ("prod", "gomining"))
    app = demo_app(state, profiles=profiles) if platform == "gomining" else pool_app(clock, profiles=profiles)
    assert snap_compare(app, terminal_size=size, run_before=lambda pilot: press_settled(pilot, "u"))
