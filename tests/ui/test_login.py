"""Logging in: the demo entry, and a profile added from the form, checked live."""

from __future__ import annotations

import functools
import stat

import pytest

from gmtui import config, session
from gmtui.api.errors import ConfigError
from gmtui.sandbox import BASE_URL, DEMO_API_KEY, DEMO_API_SECRET, demo_client, in_process
from gmtui.ui.app import GmtuiApp
from gmtui.ui.screens.login import LoginScreen


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture
def sandboxed(monkeypatch, state):
    """Profiles whose base URL is the sandbox's reach it in process."""
    from gmtui.api.gomining import client

    real = client.GoMiningClient
    monkeypatch.setattr(client, "GoMiningClient", functools.partial(real, transport=in_process(state), clock=state.clock))
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
        assert "u" in [key.key for key in app.screen.query("FooterKey")]


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


def opened_on(state) -> session.Session:
    return session.Session(demo_client(state), list(state.world.users), "demo", refresh_s=0)


async def test_the_dashboard_frame_is_drawn_before_the_session_opens(state):
    seen = []

    def opener() -> session.Session:
        seen.append((app.current_mode, str(app.screen.query_one("#status").render()), app.sub_title))
        return opened_on(state)

    app = GmtuiApp(None, [], profile="demo", clock=state.clock, refresh_s=None, opener=opener)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert seen == [("overview", "starting the embedded sandbox…", "demo")]
        assert "TH/s" in str(app.screen.query_one("#fleet").render())
        assert app.user == "alice" and app.refresh_s == 0  # the profile's interval, none given
        assert "u" in [key.key for key in app.screen.query("FooterKey")]  # the user switcher is offered now


async def test_an_unusable_profile_asked_for_by_name_ends_the_app_with_the_reason(state):
    def opener() -> session.Session:
        raise ConfigError("no profile named 'prod'")

    app = GmtuiApp(None, [], profile="prod", refresh_s=0, opener=opener, strict=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
    assert isinstance(app.failure, ConfigError) and str(app.failure) == "no profile named 'prod'"


async def test_without_a_usable_profile_the_login_screen_follows_the_frame(state):
    def opener() -> session.Session:
        raise ConfigError("no profile configured: add one")

    app = GmtuiApp(None, [], profile="", clock=state.clock, refresh_s=0, opener=opener)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and "No profile yet" in str(app.screen.query_one("#status").render())
        await pilot.press("enter")  # "Try the demo"
        await settle(pilot)
        assert app.current_mode == "overview" and not isinstance(app.screen, LoginScreen)
        assert app.user == "alice" and "TH/s" in str(app.screen.query_one("#fleet").render())
        assert "u" in [key.key for key in app.screen.query("FooterKey")]


async def test_a_key_pressed_while_the_session_opens_acts_once_it_is_open(state):
    from textual import events

    def opener() -> session.Session:
        app.post_message(events.Key("2", "2"))  # typed while the sandbox starts
        return opened_on(state)

    app = GmtuiApp(None, [], profile="demo", clock=state.clock, refresh_s=0, opener=opener)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.current_mode == "miners" and "6 of 6 miners" in app.screen.query_one("#left").border_title


@pytest.mark.parametrize(("field", "value", "why"), [
    ("api_key", DEMO_API_KEY + "\u200b", "API key: must be printable ASCII"),
    ("base_url", "http://[::1", "Base URL: is not a URL"),
    ("base_url", "http://127.0.0.1:99999", "Base URL: is not a URL"),
    ("name", "", "Name: is required"),
    ("name", "my prod", "Name: may hold letters, digits and . _ - only"),
])
async def test_a_pasted_value_that_cannot_work_is_refused_in_the_form_and_never_logged(sandboxed, state, isolated_home,
                                                                                       field, value, why):
    app = GmtuiApp(None, [], profile="", refresh_s=0)
    values = {"name": "prod", "base_url": BASE_URL, "api_key": DEMO_API_KEY, "api_secret": DEMO_API_SECRET, "users": "alice"}
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await fill(pilot, **{**values, field: value})
        await pilot.click("#save")
        await settle(pilot)
        assert app.is_running and why in str(app.screen.query_one("#status").render())
    log = isolated_home / "state" / "gmtui.log"
    assert not config.paths().config_file.exists()
    assert not log.exists() or DEMO_API_KEY not in log.read_text()
