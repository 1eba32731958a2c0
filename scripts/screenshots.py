"""Regenerate the README's screenshots from the demo: one SVG per section at 120x40.

    make screenshots        (or: python scripts/screenshots.py [OUT_DIR])

The data is the demo's seeded sandbox with the clock fixed at 2026-11-21 12:00 UTC,
so the images change only when the screens do.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from gmtui.sandbox import Options, State, demo_client  # noqa: E402
from gmtui.ui.app import GmtuiApp  # noqa: E402

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC).timestamp()
SHOTS = {
    "overview": "1", "miners": "2", "earnings": "3", "wallets": "4", "withdraw": "5", "upgrades": "6",
    "shop": "7", "journal": "8", "help": "?", "users": "u",
}


async def shoot(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, key in SHOTS.items():
        state = State(Options(seed=7), clock=lambda: NOW)
        app = GmtuiApp(demo_client(state), list(state.world.users), profile="demo", clock=state.clock, refresh_s=0)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.press(key)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            path = app.save_screenshot(filename=f"{name}.svg", path=str(out))
        print(path)
    app = GmtuiApp(None, [], profile="", refresh_s=0, problem="no profile configured")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        print(app.save_screenshot(filename="login.svg", path=str(out)))


if __name__ == "__main__":
    asyncio.run(shoot(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")))
