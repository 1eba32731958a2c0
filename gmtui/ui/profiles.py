"""Switching profiles (`u`, the palette): the profiles the dashboard may show
(``Choice``), each opened on first use and its session kept; the active session and
platform swapped for the chosen one's, every section made anew so that none shows
the previous profile's figures; a profile that cannot be opened leaves the current
one, and the reason is said."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

from textual.screen import Screen

from gmtui.ui.sections import SECTIONS, factory
from gmtui.ui.text import plain

if TYPE_CHECKING:
    from gmtui.session import Choice, Session
    from gmtui.ui.app import GmtuiApp

BETWEEN = "between-profiles"  # a blank mode, current for an instant while the sections are made anew


class Profiles:
    """The profiles of ``app``: those it may show (asked of ``lister`` when first
    needed: reading the configuration waits until the frame is out) and the sessions
    opened so far, by name."""

    def __init__(self, app: GmtuiApp, lister: Callable[[], Sequence[Choice]] | None):
        self.app = app
        self.lister = lister
        self.choices: list[Choice] | None = None
        self.sessions: dict[str, Session] = {}  # every profile opened so far, by name
        app.add_mode(BETWEEN, Screen)

    def listed(self) -> list[Choice]:
        """Every profile the dashboard may show (the active one included)."""
        if self.choices is None:
            from gmtui.api.errors import GmtuiError

            try:
                self.choices = list(self.lister()) if self.lister is not None else []
            except GmtuiError as exc:  # the configuration cannot be read now: only the open profile
                self.app.notify(str(exc), title="Other profiles unavailable", severity="warning")
                self.choices = []
        return self.choices

    def others(self) -> list[Choice]:
        return [p for p in self.listed() if p.name != self.app.profile]

    def relist(self) -> None:
        """Ask ``lister`` again when next needed (the login screen may have added a profile)."""
        self.choices = None

    def to(self, name: str) -> None:
        """Open profile ``name`` (first use; kept after) and show its first section; if
        it cannot be opened, the current one stays and the reason is said."""
        choice = next((p for p in self.listed() if p.name == name), None)
        if choice is None or name == self.app.profile or self.app.client is None:
            return
        self._say(plain(f"opening {name}…"))
        self.app.call_after_refresh(self._open, choice)

    def _open(self, choice: Choice) -> None:
        from gmtui.api.errors import ConfigError, GmtuiError

        try:
            opened = self.sessions.get(choice.name) or choice.open()
            if not opened.users and opened.platform == "gomining":  # the others list their users themselves
                raise ConfigError(f"profile {choice.name!r} lists no partner users; add it again with --user")
        except GmtuiError as exc:
            self._cannot_open(choice.name, str(exc))
            return
        except Exception as exc:  # a bug: logged (redacted), said, and the current profile stays
            from gmtui.crash import report

            self._cannot_open(choice.name, report(exc))
            return
        self.use(opened)

    def _cannot_open(self, name: str, why: str) -> None:
        from gmtui.ui.text import markup

        self.app.notify(why, title=f"Could not open {name}", severity="error", timeout=12)
        self._say(markup("[b red]Could not open $name:[/] $why  (still on $profile)", name=name, why=why,
                         profile=self.app.profile))

    def _say(self, text: Any) -> None:
        """``text`` (plain or markup content) on the shown section's status line."""
        getattr(self.app.screen, "set_status", lambda _: None)(text)

    def use(self, opened: Session) -> None:
        """Show ``opened``: its client, users and platform, on its platform's first
        section. After another profile, every section starts afresh (none shows the
        previous profile's figures, even while the new ones load)."""
        from gmtui.session import Session
        from gmtui.ui.screens.login import LoginScreen

        app = self.app
        switched = app.client is not None
        if app.client is not None and app.profile not in self.sessions:  # given to the app: kept too
            given = cast(Any, app.client)  # the client of ``app.platform``, as a session holds it
            self.sessions[app.profile] = Session(given, app.users, app.profile, platform=app.platform,
                                                 read_only=app.read_only and not app.forced_read_only)
        self.sessions[opened.profile] = opened
        app.client, app.users, app.profile, app.platform = opened.client, opened.users, opened.profile, opened.platform
        app.read_only = app.forced_read_only or opened.read_only
        app.refresh_s = app.refresh_arg if app.refresh_arg is not None else opened.refresh_s
        app.set_reactive(type(app).user, opened.users[0] if opened.users else "")
        if isinstance(app.screen, LoginScreen):
            app.pop_screen()
        first = app.sections()[0]
        if not switched and app.current_mode == first:
            app.screen.action_refresh()  # type: ignore[attr-defined]
        else:
            self.restart(first)

    def restart(self, show: str) -> None:
        """Show section ``show`` as a new screen; every section is made anew when next
        shown (by way of a blank mode: the current one cannot be replaced in place)."""
        self.app.switch_mode(BETWEEN)
        for name in SECTIONS:
            self.app.remove_mode(name)
            self.app.add_mode(name, factory(name))
        self.app.switch_mode(show)
