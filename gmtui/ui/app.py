"""The app shell: the injected client, the partner users, global keys."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.binding import Binding

from gmtui.api.gomining import GoMiningClient
from gmtui.ui.screens.overview import OverviewScreen


class GmtuiApp(App[int]):
    """gmtui: mining at a glance for partner operators."""

    TITLE = "gmtui"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark,f1", "help", "Help", id="help"),
    ]

    def __init__(
        self,
        client: GoMiningClient,
        users: list[str],
        *,
        profile: str,
        clock: Callable[[], float] = time.time,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.client = client
        self.users = users
        self.profile = profile
        self.clock = clock

    def on_mount(self) -> None:
        self.push_screen(OverviewScreen())

    def action_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    async def on_unmount(self) -> None:
        await self.client.aclose()


def run(demo: bool = False, profile: str | None = None, faults: object | None = None) -> int:
    """Start the TUI on the embedded sandbox (demo) or on a configured profile."""
    from gmtui import session
    from gmtui.api.errors import ConfigError

    opened = session.open_demo(faults) if demo else session.open_profile(profile)
    if not opened.users:
        raise ConfigError(f"profile {opened.profile!r} lists no partner users; add one with --user when adding the profile")
    app = GmtuiApp(opened.client, opened.users, profile=opened.profile)
    return app.run() or 0
