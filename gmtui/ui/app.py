"""The app shell: sections on number keys, the profile and user switcher, help,
palette, themes.

The client is injected (the demo passes one wired to the in-process sandbox), so
screens only ask the service for typed data. The app knows every profile it may show
(``Choice``; switching between them is in ``profiles``); the number keys, the
section bar, the palette and help follow the active profile's platform.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from gmtui.api.platforms import NAMES, platform
from gmtui.api.text import clean
from gmtui.ui import colors
from gmtui.ui.profiles import Profiles
from gmtui.ui.sections import EVERYWHERE, SECTIONS, number_keys, title
from gmtui.ui.startup import RESUME_S, Sheet, resume
from gmtui.ui.text import escaped

if TYPE_CHECKING:  # the service and the login screen are imported once the first frame is out
    from textual.driver import Driver

    from gmtui.api.client import Client
    from gmtui.api.gomining.client import GoMiningClient
    from gmtui.api.mithril.client import MithrilClient
    from gmtui.api.webminepool.client import WebMinePoolClient
    from gmtui.session import Choice, Session
    from gmtui.ui.screens.login import Opened


class GmtuiApp(App[int]):
    """gmtui: mining at a glance for partner operators."""

    TITLE = "gmtui"
    CSS = """
    #status-bar { height: 1; }
    #status { width: 1fr; height: 1; padding: 0 1; color: $text-muted; }
    #status-bar #status { text-wrap: nowrap; text-overflow: ellipsis; }
    #hint { width: auto; padding: 0 1; color: $text-muted; }
    #sections { height: 1; background: $boost; color: $text; }
    """
    MODES = {name: make for name, (_, make) in SECTIONS.items()}
    DEFAULT_MODE = "overview"  # composed at start (a switch from the blank default screen costs ~45 ms)
    BINDINGS = [
        *number_keys(),
        Binding("u", "users", "Users", id="users"),
        Binding("question_mark,f1", "help", "Help", id="help"),
        Binding("ctrl+t", "next_theme", "Theme", show=False, id="theme"),  # not `t`: Miners' transfer
        Binding("p", "presenter", "Presenter", show=False, id="presenter"),
        Binding("q", "quit", "Quit", id="quit"),
    ]
    THEMES = ("textual-dark", "textual-light", "ansi-dark", "ansi-light", "nord", "gruvbox")

    user: reactive[str] = reactive("")
    presenter: reactive[bool] = reactive(False)  # balances and amounts hidden for screen sharing

    def __init__(
        self,
        client: Client | None,  # any platform's (``platform`` says which)
        users: list[str],
        *,
        profile: str,
        platform: str = "gomining",
        profiles: Callable[[], Sequence[Choice]] | None = None,
        clock: Callable[[], float] = time.time,
        refresh_s: float | None = 60.0,
        problem: str = "",
        read_only: bool = False,
        presenter: bool = False,
        opener: Callable[[], Session] | None = None,
        strict: bool = False,
        demo: bool = False,
        color: str | None = None,
        **kwargs: Any,
    ):
        """Without a client the app starts on the login screen (``problem`` says why).
        With an ``opener``, the dashboard's frame is drawn first, then the opener runs;
        if the profile is unusable the login screen follows, or with ``strict`` the app
        exits and ``failure`` holds the error, for the command line to report.
        ``profiles`` lists the profiles to switch to (asked once, when first needed:
        reading the configuration waits until the frame is out). ``demo``: the files it
        writes go to the demo's own folder (gmtui.places). ``color``: truecolor, 256, 16
        or none (gmtui.display.color_mode); None leaves Textual's own choice."""
        super().__init__(**kwargs)
        self.stylesheet = Sheet(variables=self.get_css_variables())  # before any source is added
        colors.apply(self, color)
        self.demo = demo
        self.opener = opener
        self.opening = opener is not None  # keys pressed meanwhile act once the session is open
        self.strict = strict
        self.failure: Exception | None = None
        self.crash: str | None = None  # what to say once the TUI is gone, after a bug
        self.client = client
        self.users = users
        self.profile = profile
        self.platform = platform  # the active profile's (its sections are the ones offered)
        self.switching = Profiles(self, profiles)  # the profiles it may show, those opened so far
        self.clock = clock
        self.refresh_arg = refresh_s  # asked for by the command line (None: each profile's own)
        self.refresh_s = refresh_s  # auto-refresh of the shown section; 0 turns it off, None: the profile's
        self.problem = problem
        self.forced_read_only = read_only  # --read-only: whatever each profile says
        self.read_only = read_only  # every money move refused, visibly
        self.set_reactive(GmtuiApp.presenter, presenter)
        self.moves = 0  # money moves sent this session: figures loaded before the last one are stale
        self.small = False  # the terminal is below 80x24 (said once when it gets so)
        self.set_reactive(GmtuiApp.user, users[0] if users else "")

    @property
    def core(self) -> Client:
        """The open session's client, whatever its platform (its journal, cache, clock)."""
        if self.client is None:
            raise RuntimeError("no session is open yet")
        return self.client

    @property
    def service(self) -> GoMiningClient:
        """The open GoMining session's client (GoMining's sections ask once it is open)."""
        if self.platform != "gomining":
            raise RuntimeError(f"profile {self.profile!r} is not a GoMining one")
        return cast("GoMiningClient", self.core)

    @property
    def pool(self) -> WebMinePoolClient:
        """The open WebMinePool session's client (WebMinePool's sections)."""
        if self.platform != "webminepool":
            raise RuntimeError(f"profile {self.profile!r} is not a WebMinePool one")
        return cast("WebMinePoolClient", self.core)

    @property
    def vault(self) -> MithrilClient:
        """The open Mithril Vault session's client (Mithril Vault's sections)."""
        if self.platform != "mithril":
            raise RuntimeError(f"profile {self.profile!r} is not a Mithril Vault one")
        return cast("MithrilClient", self.core)

    def sections(self) -> tuple[str, ...]:
        """The active profile's platform's sections, in number-key order."""
        return platform(self.platform).sections

    def section_titles(self) -> list[str]:
        return [title(name) for name in self.sections()]

    @property
    def sessions(self) -> dict[str, Session]:
        """Every profile opened so far, by name."""
        return self.switching.sessions

    def profiles(self) -> list[Choice]:
        """Every profile this dashboard may show (the active one included)."""
        return self.switching.listed()

    def other_profiles(self) -> list[Choice]:
        return self.switching.others()

    # ---- outside text and failures
    def notify(self, message: str, *, title: str = "", severity: Any = "information", timeout: float | None = None,
               markup: bool = False) -> None:
        """Every notification is plain text (a server's message may hold ``[@click=…]``
        or escapes); ``markup`` is refused, to keep it that way."""
        super().notify(clean(message, limit=600), title=clean(title, limit=120), severity=severity,
                       timeout=timeout, markup=False)

    def _handle_exception(self, error: Exception) -> None:
        """A bug: logged with its traceback (no variable's value: locals can hold the
        API secret), the app ends, and ``run`` says where the log is, exiting 70."""
        from gmtui.crash import report

        self.crash = report(error)
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        # Textual would keep a traceback with every frame's locals to print on exit.
        self.bell()
        self._close_messages_no_wait()

    def get_driver_class(self) -> type[Driver]:
        """Textual's terminal driver, which also ends the app when the terminal goes away
        (``terminal``); any other (the browser's, Windows') as Textual picks it."""
        driver = super().get_driver_class()
        if driver.__module__ == "textual.drivers.linux_driver":
            from gmtui.ui.terminal import TerminalDriver

            return TerminalDriver
        return driver

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        """The palette's Screenshot, delivered like an export (``exports.screenshot``)."""
        from gmtui.ui.exports import screenshot

        written = screenshot(self, filename, time_format)
        return str(written) if written else None

    def moved(self) -> None:
        """A money move went out (done, or with an unknown outcome): every section's
        figures from before it are stale, and each loads again when shown."""
        self.moves += 1

    def _tick(self) -> None:
        """Keep the header's "data live" / "data 5 min old" true as time passes."""
        if not self._screen_stack:  # the app is closing (or a mode is being built): nothing shows a header
            return
        title = getattr(self.screen, "_title", None)
        if title is not None:
            title()

    def on_resize(self, event: events.Resize) -> None:
        """Below 80x24 some figures are cut: say so once, each time it gets that small."""
        small = event.size.width < 80 or event.size.height < 24
        if small and not self.small:
            self.notify(f"The terminal is {event.size.width}x{event.size.height}; gmtui is laid out for at least "
                        "80x24, so some figures are cut. Enlarge it, or zoom out.", title="Terminal too small",
                        severity="warning", timeout=10)
        self.small = small

    def on_mount(self) -> None:
        self.set_interval(5, self._tick)
        self.set_timer(RESUME_S, resume)  # the collector, off since the start (gmtui.cli)
        if self.client is None and self.opener is not None:
            self.call_after_refresh(self._open)
        elif self.client is None:
            self._login(self.problem)
        elif self.current_mode not in self.sections():  # given a client of a platform without an overview
            self.switching.restart(self.sections()[0])

    def _login(self, problem: str) -> None:
        from gmtui.ui.screens.login import LoginScreen

        self.push_screen(LoginScreen(problem))

    def _open(self) -> None:
        """Open the session (the service's imports, the sandbox, the profile) on the loop,
        once the frame is on screen."""
        from gmtui.api.errors import ConfigError, GmtuiError

        assert self.opener is not None
        try:
            opened = self.opener()
            if not opened.users and opened.platform == "gomining":  # the others list their users themselves
                raise ConfigError(f"profile {opened.profile!r} lists no partner users; add it again with --user")
        except GmtuiError as exc:
            self.opening = False
            if self.strict:  # asked for by name: say what is wrong with it, after the TUI is gone
                self.failure = exc
                self.exit()
            else:
                self._login(str(exc))
            return
        self.opening = False
        self.switching.use(opened)  # before any key pressed meanwhile is handled

    def on_opened(self, message: Opened) -> None:
        self.switching.relist()  # the login screen may have added a profile
        self.switching.use(message.opened)

    def action_profile(self, name: str) -> None:
        """Open profile ``name`` and show its first section (see ``Profiles.to``)."""
        self.switching.to(name)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "section" and len(parameters) > 1 and parameters[1] != self.platform:
            return False  # another platform's section key: hidden, and the key goes to this platform's
        return not (self.client is None and not self.opening and action in ("section", "users"))  # nothing to show yet

    def action_section(self, name: str, platform: str = "") -> None:
        if self.current_mode != name and (name in self.sections() or name in EVERYWHERE):
            self.switch_mode(name)

    def action_users(self) -> None:
        from gmtui.ui.screens.users import UsersScreen

        def chosen(pick: tuple[str, str] | None) -> None:
            if pick is not None and pick[0] == "profile":
                self.action_profile(pick[1])
            elif pick is not None:
                self.user = pick[1]

        self.push_screen(UsersScreen(), chosen)

    def action_help(self) -> None:
        from gmtui.ui.screens.help import HelpScreen, key_rows

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        title = getattr(self.screen, "TITLE", "") or self.current_mode
        self.push_screen(HelpScreen(title, key_rows(self.screen), getattr(self.screen, "GUIDE", "")))

    def action_presenter(self) -> None:
        self.presenter = not self.presenter  # every section and dialog watches it
        self.notify("Presenter mode: balances and amounts hidden" if self.presenter else "Presenter mode off")

    def action_next_theme(self) -> None:
        names = [t for t in (*self.THEMES, colors.SIXTEEN.name) if t in self.available_themes]  # 16: registered then
        current = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(current + 1) % len(names)]
        self.notify(f"Theme: {self.theme}")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for i, name in enumerate(self.sections(), start=1):
            yield SystemCommand(f"Go to {title(name)} ({i})", f"Show the {title(name).lower()} section",
                                lambda n=name: self.action_section(n))
        if self.client is not None:  # not "Go to …": the same on every platform
            yield SystemCommand("Partner: every user of every profile (0)", "Every profile's users in one table, "
                                "and what needs a person today", lambda: self.action_section("partner"))
        for choice in self.other_profiles() if self.client is not None else ():
            yield SystemCommand(f"Switch to profile {escaped(choice.name)}", f"Open it and show its {choice.title} sections",
                                lambda n=choice.name: self.action_profile(n))
        for user in self.users:
            yield SystemCommand(f"Switch to user {escaped(user)}", "Show this partner user's data",
                                lambda u=user: setattr(self, "user", u))
        for binding in screen.active_bindings.values():
            b = binding.binding
            if b.description and not b.action.startswith(("section", "help")) and b.id:
                yield SystemCommand(b.description, f"{b.key}: {b.description} on this screen", lambda a=b.action: self.run_action(a, screen))
        yield from super().get_system_commands(screen)

    async def on_unmount(self) -> None:
        clients = {id(c): c for c in [*(s.client for s in self.sessions.values()), self.client] if c is not None}
        for client in clients.values():
            await client.aclose()


def run(
    demo: bool = False, profile: str | None = None, faults: object | None = None, refresh_s: int | None = None,
    read_only: bool = False, presenter: bool = False, clock: Callable[[], float] = time.time, *,
    color: str | None = None, mouse: bool = True,
) -> int:
    """Start the TUI (see ``dashboard``; ``mouse`` False: no mouse reporting, so the
    terminal's own selection works); the exit code, or the failure raised. After a
    demo, where the files it was asked for stay is said."""
    from gmtui.cli import EXIT_CRASH
    from gmtui.display import HANGUP_EXIT

    app = dashboard(demo, profile, faults, refresh_s, read_only, presenter, clock, color=color)
    code = app.run(mouse=mouse) or 0
    if app.return_code == HANGUP_EXIT:
        return HANGUP_EXIT  # the terminal is gone: nobody to tell anything
    if demo:
        from gmtui import places

        if places.kept():
            _say(f"gmtui: the demo's exports and screenshots stay in {places.demo_dir()}")
    if app.crash is not None:
        _say(app.crash)  # already plain: gmtui's words and a path
        return EXIT_CRASH
    if app.failure is not None:
        raise app.failure
    return code or (app.return_code or 0)


def _say(line: str) -> None:
    with contextlib.suppress(OSError):  # the terminal went away meanwhile
        print(line, file=sys.stderr)


def dashboard(
    demo: bool = False, profile: str | None = None, faults: object | None = None, refresh_s: int | None = None,
    read_only: bool = False, presenter: bool = False, clock: Callable[[], float] = time.time, *,
    color: str | None = None,
) -> GmtuiApp:
    """The TUI on the embedded sandboxes (every platform's; GMTUI_PLATFORM's first) or
    on a configured profile (the others offered by `u`). The frame is drawn before the
    service is imported, so the dashboard shows at once. ``color``: see GmtuiApp."""
    import os
    first = os.environ.get("GMTUI_PLATFORM") or "gomining"

    def listed() -> list[Choice]:
        from gmtui import session

        return session.demo_choices(faults, clock) if demo else session.profile_choices(clock)

    def opener() -> Session:
        from gmtui import session
        from gmtui.api.errors import ConfigError

        if not demo:
            return session.open_profile(profile, clock)
        found = [c for c in app.profiles() if c.platform == first]
        if not found:
            raise ConfigError(f"GMTUI_PLATFORM is {first!r}: gmtui knows {', '.join(NAMES)}")
        return found[0].open()

    app = GmtuiApp(None, [], profile="demo" if demo else profile or "", platform=first if demo and first in NAMES else "gomining",
                   profiles=listed, refresh_s=refresh_s, clock=clock, read_only=read_only, presenter=presenter,
                   opener=opener, strict=bool(profile), demo=demo, color=color)
    return app
