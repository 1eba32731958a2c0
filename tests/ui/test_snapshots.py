"""SVG snapshots of every section at 80x24 and 120x40: seeded data, a fixed clock,
no animations, no auto-refresh. Update with `pytest tests/ui --snapshot-update`
after looking at the change."""

from __future__ import annotations

import pytest

from gmtui.sandbox import demo_client
from gmtui.ui.app import GmtuiApp

SIZES = [(80, 24), (120, 40)]
SECTIONS = {
    "overview": "1", "miners": "2", "earnings": "3", "wallets": "4", "withdraw": "5", "upgrades": "6",
    "shop": "7", "journal": "8", "help": "?", "users": "u",
}


def demo_app(state) -> GmtuiApp:
    return GmtuiApp(demo_client(state), list(state.world.users), profile="demo", clock=state.clock, refresh_s=0)


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
