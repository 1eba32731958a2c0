"""Log in: pick a saved profile, add one (checked live with a signed call before it is
saved), or try the demo on the embedded sandbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataclasses import dataclass

from pydantic import ValidationError
from textual import on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from gmtui import config, session
from gmtui.api.errors import GmtuiError
from gmtui.crash import report
from gmtui.ui.text import markup, plain

DEMO = "__demo__"


@dataclass
class Opened(Message):
    """A session is ready: the app switches to the dashboard."""

    opened: session.Session


if TYPE_CHECKING:
    from gmtui.ui.app import GmtuiApp


class LoginScreen(Screen[None]):
    if TYPE_CHECKING:
        app: GmtuiApp  # the dashboard's app, typed for the checker

    CSS_PATH = "login.tcss"
    TITLE = "Log in"
    BINDINGS = [Binding("ctrl+s", "save", "Check and save", id="login.save"), Binding("q", "app.quit", "Quit", show=False)]

    def __init__(self, problem: str = ""):
        super().__init__()
        if problem.startswith("no profile configured"):
            problem = "No profile yet: pick “Try the demo”, or add one on the right (tab: next field)."
        self.problem = problem

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="login"):
            with Vertical(id="pick"):
                yield OptionList(id="profiles")
            with VerticalScroll(id="form"):
                yield Label("Name")
                yield Input(placeholder="e.g. prod", id="name", compact=True)
                yield Label("Base URL")
                yield Input(placeholder="https://api.example.com", id="base_url", compact=True)
                yield Label("API key")
                yield Input(id="api_key", compact=True)
                yield Label("API secret")
                yield Input(password=True, id="api_secret", compact=True)
                yield Label("Partner user ids (comma-separated)")
                yield Input(placeholder="u1, u2", id="users", compact=True)
                yield Button("Check and save", variant="primary", id="save")
        yield Static(plain(self.problem), id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.app.sub_title = ""  # no profile, user or data age to tell yet
        self.query_one("#pick").border_title = "Profiles"
        self.query_one("#form").border_title = "Add a profile"
        options = self.query_one(OptionList)
        try:
            cfg = config.load()
        except GmtuiError as exc:
            cfg = config.Config()
            self.say(markup("[red]$why[/]", why=exc))
        for name, p in cfg.profiles.items():
            options.add_option(Option(markup("$name  [dim]$url[/]", name=name, url=p.base_url), id=name))
        options.add_option(Option("[b]Try the demo[/]  [dim]embedded sandbox[/]", id=DEMO))
        options.highlighted = 0
        options.focus()

    def say(self, text: str | Content) -> None:
        """The status line: ``text`` plain, or content made with ``markup``."""
        self.query_one("#status", Static).update(text if isinstance(text, Content) else plain(text))

    @on(OptionList.OptionSelected, "#profiles")
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.open_session(event.option.id or DEMO)

    @work(exclusive=True, group="login")
    async def open_session(self, name: str) -> None:
        self.say("starting the demo…" if name == DEMO else f"opening {name}…")
        try:
            opened = session.open_demo(clock=self.app.clock) if name == DEMO else session.open_profile(name, self.app.clock)
        except GmtuiError as exc:
            self.say(markup("[red]$why[/]", why=exc))
            return
        except Exception as exc:  # a bug: said here, logged (redacted), the app goes on
            self.say(markup("[red]$why[/]", why=report(exc)))
            return
        if not opened.users:
            self.say(markup("[red]profile $name lists no partner users: add it again with some[/]", name=repr(name)))
            return
        self.post_message(Opened(opened))

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        values = {i.id: i.value.strip() for i in self.query(Input) if i.id}
        users = [u.strip() for u in values.pop("users", "").split(",") if u.strip()]
        try:
            profile = config.Profile(**values, users=users)  # type: ignore[arg-type]
        except ValidationError as exc:
            self.say(markup("[red]$why[/]", why=config.explain(exc)))
            return
        if not users:
            self.say(markup("[red]add at least one partner user id[/]"))
            return
        self.check_and_save(profile, values["api_secret"])

    @work(exclusive=True, group="login")
    async def check_and_save(self, profile: config.Profile, secret: str) -> None:
        self.say(f"checking {profile.base_url} with a signed call…")
        try:
            remark = await session.check_profile(profile)
            where = session.save_profile(profile, secret)
        except GmtuiError as exc:
            self.say(markup("[red]Not saved: $why[/]", why=exc))
            return
        except Exception as exc:  # a bug: said here, logged (redacted: the key is registered first), nothing saved
            self.say(markup("[red]Not saved: $why[/]", why=report(exc)))
            return
        self.say(f"{profile.name}: {remark}; secret kept in {where}")
        self.open_session(profile.name)
