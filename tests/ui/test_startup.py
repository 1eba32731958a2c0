"""The start's shortcuts (gmtui.ui.startup) change nothing a person sees: the CSS
parsed once still follows a theme change, and the collector, off while the dashboard
starts, is on again once it is up, or when the app ends before that."""

from __future__ import annotations

import gc

import pytest
from textual.css import stylesheet

from gmtui import cli, display
from gmtui.ui import app as app_module
from gmtui.ui.startup import Sheet
from tests.ui.test_app import make_app, settle


async def test_css_is_parsed_once_and_a_theme_change_restyles(state, monkeypatch):
    app = make_app(state)
    assert isinstance(app.stylesheet, Sheet)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.screen.query_one("#sections")
        dark = bar.styles.background
        parsed: list[object] = []
        real = stylesheet.parse
        monkeypatch.setattr(stylesheet, "parse", lambda *a, **k: parsed.append(a[1]) or real(*a, **k))
        app.refresh_css()  # what Textual does on each screen's first show: same variables
        await pilot.pause()
        assert parsed == []
        await pilot.press("ctrl+t")  # textual-light: new variables, every source parsed with them
        await settle(pilot)
        assert app.theme == "textual-light" and parsed
        assert bar.styles.background != dark


async def test_the_collector_is_on_again_once_the_dashboard_is_up(state, monkeypatch):
    monkeypatch.setattr(app_module, "RESUME_S", 0.05)
    app = make_app(state)
    gc.disable()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.pause(0.2)
            assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


def test_the_collector_is_on_again_when_the_app_fails_to_start(monkeypatch):
    def fails(**_: object) -> int:
        assert not gc.isenabled()  # off while the dashboard starts
        raise RuntimeError("no terminal after all")

    monkeypatch.setattr(app_module, "run", fails)
    monkeypatch.setattr(display, "not_a_terminal", lambda: None)
    monkeypatch.setattr(display, "settings", lambda: ("auto", True))
    with pytest.raises(RuntimeError):
        args = cli.parser().parse_args(["--demo"])
        args.clock = lambda: 0.0
        cli.cmd_tui(args)
    assert gc.isenabled()
