"""The overview screen, driven with Pilot against the in-process sandbox."""

from __future__ import annotations

import httpx

from gmtui.api.figures import btc
from gmtui.api.gomining import GoMiningClient
from gmtui.sandbox import demo_client
from gmtui.sandbox.world import sats
from gmtui.ui.app import GmtuiApp


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_overview_shows_the_selected_users_figures(state):
    app = GmtuiApp(demo_client(state), list(state.world.users), profile="demo", clock=state.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert btc(sats(state.ledger("alice").total)) in text(app, "#income")
        assert "366 TH/s" in text(app, "#fleet")
        assert "updated 12:00:00 UTC" in text(app, "#status")
        assert app.sub_title == "demo · alice"

        await pilot.press("down")  # the user list has focus: pick bob
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.sub_title == "demo · bob"
        assert "20 TH/s" in text(app, "#fleet")


async def test_overview_says_what_failed(state):
    def down(request):
        return httpx.Response(503, text="maintenance window")

    client = GoMiningClient("http://api.test", "k", "s", transport=httpx.MockTransport(down))
    app = GmtuiApp(client, ["alice"], profile="broken")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = text(app, "#status")
        assert "Could not load alice" in status and "maintenance window" in status and "r to retry" in status
