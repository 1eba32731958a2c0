"""Colours over SSH: the mode is chosen from what the terminal says (truecolor
terminals known by TERM or TERM_PROGRAM when COLORTERM did not travel), --color or the
config's ``color`` override it; in 16 colours accents and warnings are not the error's
red; states read in words without colour; the mouse can be turned off."""

from __future__ import annotations

import pytest

from gmtui import config, display
from gmtui.api.errors import ConfigError
from gmtui.cli import parser
from gmtui.display import color_mode
from gmtui.ui.app import GmtuiApp
from gmtui.ui.colors import NoColor
from hostile import screen_text


@pytest.mark.parametrize("env, mode", [
    ({"TERM": "xterm-256color", "COLORTERM": "truecolor"}, "truecolor"),
    ({"TERM": "xterm-256color", "COLORTERM": "24bit"}, "truecolor"),
    ({"TERM": "xterm-kitty"}, "truecolor"),  # kitty over SSH: only TERM arrives
    ({"TERM": "alacritty"}, "truecolor"),
    ({"TERM": "xterm-ghostty"}, "truecolor"),
    ({"TERM": "wezterm"}, "truecolor"),
    ({"TERM": "foot"}, "truecolor"),
    ({"TERM": "contour"}, "truecolor"),
    ({"TERM": "xterm-direct"}, "truecolor"),
    ({"TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"}, "truecolor"),
    ({"TERM": "xterm-256color", "TERM_PROGRAM": "vscode"}, "truecolor"),
    ({"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"}, "truecolor"),
    ({"TERM": "xterm-256color", "TERM_PROGRAM": "Apple_Terminal"}, "256"),
    ({"TERM": "xterm-256color"}, "256"),
    ({"TERM": "tmux-256color"}, "256"),
    ({"TERM": "xterm"}, "16"),
    ({"TERM": "linux"}, "16"),
    ({}, "16"),
    ({"TERM": "dumb"}, "none"),
    ({"TERM": "xterm-kitty", "NO_COLOR": "1"}, "none"),
    ({"TERM": "xterm", "TEXTUAL_COLOR_SYSTEM": "truecolor"}, "truecolor"),  # textual-serve: the browser's
    ({"TERM": "xterm-256color", "TEXTUAL_COLOR_SYSTEM": "standard"}, "16"),
])
def test_auto_reads_the_terminal(env, mode):
    assert color_mode("auto", env) == mode


@pytest.mark.parametrize("asked", ["truecolor", "256", "16", "none"])
def test_an_asked_mode_wins_over_the_terminal(asked):
    assert color_mode(asked, {"TERM": "xterm-kitty", "COLORTERM": "truecolor", "NO_COLOR": "1"}) == asked


def test_the_command_line_and_the_config(isolated_home):
    args = parser().parse_args(["--demo", "--color", "16", "--no-mouse"])
    assert (args.color, args.mouse) == ("16", False)
    assert (parser().parse_args([]).color, parser().parse_args([]).mouse) == (None, None)  # the config decides
    with pytest.raises(SystemExit):
        parser().parse_args(["--color", "red"])
    assert display.settings() == ("auto", True)  # no config file
    path = config.save(config.Config(color="256", mouse=False))
    assert 'color = "256"' in path.read_text() and "mouse = false" in path.read_text()
    assert display.settings() == ("256", False)
    assert (config.load().color, config.load().mouse) == ("256", False)
    config.save(config.load())  # saved again (a profile added): the keys stay
    assert display.settings() == ("256", False)
    config.write_private(path, b'color = "red"\n')
    with pytest.raises(ConfigError, match="color is one of auto, truecolor, 256, 16, none"):
        display.settings()
    config.write_private(path, b"not toml [")
    assert display.settings() == ("auto", True)  # said by whatever reads the profiles


def make_app(state, color: str | None) -> GmtuiApp:
    from gmtui.sandbox import demo_client

    return GmtuiApp(demo_client(state), list(state.world.users), profile="demo", clock=state.clock, refresh_s=0,
                    color=color)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_sixteen_colours_keep_red_for_errors(state):
    app = make_app(state, "16")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "gmtui-16" and app.console.color_system == "standard"
        css = app.get_css_variables()
        red = css["error"]
        assert all(css[name] != red for name in ("accent", "warning", "primary", "footer-key-foreground"))
        assert (css["warning"], css["accent"]) == ("ansi_yellow", "ansi_bright_cyan") and red == "ansi_red"
        await pilot.press("ctrl+t")  # the theme key cycles, this theme included
        assert app.theme != "gmtui-16"


async def test_truecolor_and_256_set_the_colour_system(state):
    for mode, system in (("truecolor", "truecolor"), ("256", "256")):
        app = make_app(state, mode)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert app.console.color_system == system and app.theme == "textual-dark"


async def test_without_colour_a_toggle_says_its_state_in_words(state):
    app = make_app(state, "none")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert any(isinstance(f, NoColor) for f in app._filters)
        await pilot.press("5")
        await settle(pilot)
        assert "Fast: no (within 24 h, no fee)" in screen_text(app)
        app.screen.query_one("#fast").focus()
        await pilot.press("space")
        await pilot.pause()
        text = screen_text(app)
        assert "Fast: yes (commission applies)" in text and "Fast: no" not in text
