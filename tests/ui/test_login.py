"""Logging in: the demo entry, and a profile added from the form, checked live."""

from __future__ import annotations

import functools
import stat

import pytest

from gmtui import config, session
from gmtui.sandbox import BASE_URL, DEMO_API_KEY, DEMO_API_SECRET, in_process
from gmtui.ui.app import GmtuiApp
from gmtui.ui.screens.login import LoginScreen


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture
def sandboxed(monkeypatch, state):
    """Profiles whose base URL is the sandbox's reach it in process."""
    real = session.GoMiningClient
    monkeypatch.setattr(session, "GoMiningClient", functools.partial(real, transport=in_process(state), clock=state.clock))
    monkeypatch.setitem(__import__("sys").modules, "keyring", None)


async def fill(pilot, **values) -> None:
    for field, value in values.items():
        box = pilot.app.screen.query_one(f"#{field}")
        box.value = value
    await pilot.pause()


async def test_without_a_profile_the_app_offers_the_demo(state):
    app = GmtuiApp(None, [], profile="", refresh_s=0, problem="no profile configured: …")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and "No profile yet" in str(app.screen.query_one("#status").render())
        await pilot.press("2", "u")  # nothing to show yet: ignored
        assert isinstance(app.screen, LoginScreen)
        await pilot.press("enter")  # "Try the demo"
        await settle(pilot)
        assert app.current_mode == "overview" and app.profile == "demo" and app.user == "alice"


async def test_a_profile_added_in_the_form_is_checked_then_saved(sandboxed, state):
    app = GmtuiApp(None, [], profile="", refresh_s=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await fill(pilot, name="prod", base_url=BASE_URL, api_key=DEMO_API_KEY, api_secret="not-the-secret", users="alice, bob")
        await pilot.click("#save")
        await settle(pilot)
        assert "Not saved" in str(app.screen.query_one("#status").render())
        assert "API secret does not match" in str(app.screen.query_one("#status").render())
        assert not config.paths().config_file.exists()

        await fill(pilot, api_secret=DEMO_API_SECRET)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.current_mode == "overview" and app.profile == "prod" and app.users == ["alice", "bob"]
    path = config.paths().config_file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert config.load().profiles["prod"].users == ["alice", "bob"]
