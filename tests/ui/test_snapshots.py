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


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("section", SECTIONS)
def test_section_snapshot(snap_compare, state, section, size):
    app = GmtuiApp(demo_client(state), list(state.world.users), profile="demo", clock=state.clock, refresh_s=0)

    async def open_section(pilot):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press(SECTIONS[section])
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=open_section)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_login_snapshot(snap_compare, size):
    app = GmtuiApp(None, [], profile="", refresh_s=0, problem="no profile configured")
    assert snap_compare(app, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_confirm_modal_snapshot(snap_compare, state, size, monkeypatch):
    import uuid

    monkeypatch.setattr("gmtui.api.moves.uuid.uuid4", lambda: uuid.UUID(int=42))  # the payment id is random
    app = GmtuiApp(demo_client(state), list(state.world.users), profile="demo", clock=state.clock, refresh_s=0)

    async def review(pilot):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("7")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("enter")  # the buy worker now waits on the modal: do not wait for workers
        for _ in range(5):
            await pilot.pause(0.05)

    assert snap_compare(app, terminal_size=size, run_before=review)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(("section", "key"), [("wallets", "b"), ("miners", "t")], ids=["bind", "transfer"])
def test_ask_modal_snapshot(snap_compare, state, size, section, key):
    app = GmtuiApp(demo_client(state), list(state.world.users), profile="demo", clock=state.clock, refresh_s=0)

    async def ask(pilot):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press(SECTIONS[section])
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press(key)  # its worker waits on the modal: do not wait for workers
        for _ in range(5):
            await pilot.pause(0.05)

    assert snap_compare(app, terminal_size=size, run_before=ask)
