"""SVG snapshots of every section at 80x24 and 120x40: seeded data, a fixed clock,
no animations, no auto-refresh. Update with `pytest tests/ui --snapshot-update`
after looking at the change."""

from __future__ import annotations

import pytest

from gmtui.sandbox import demo_client
from gmtui.ui.app import GmtuiApp

SIZES = [(80, 24), (120, 40)]
SECTIONS = {"overview": "1", "miners": "2", "earnings": "3", "wallets": "4", "help": "?", "users": "u"}


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
