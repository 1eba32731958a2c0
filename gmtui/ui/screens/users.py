"""The switcher (`u`): the other profiles, each with its platform, above the current
profile's users; for GoMining, each user's fleet and a way to add a partner user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from gmtui.api.errors import GmtuiError, NotFoundError
from gmtui.api.text import clean
from gmtui.ui.text import markup, plain


if TYPE_CHECKING:
    from gmtui.ui.app import GmtuiApp

Pick = tuple[str, str]  # ("profile", name) or ("user", id)


class UsersScreen(ModalScreen[Pick | None]):
    if TYPE_CHECKING:
        app: GmtuiApp  # the dashboard's app, typed for the checker

    DEFAULT_CSS = """
    UsersScreen { align: center middle; }
    #box { width: 64; max-width: 95%; height: auto; max-height: 90%;
           border: round $accent; background: $panel; }
    #list { height: auto; max-height: 14; border: none; }
    UsersScreen.-no-add #list { max-height: 17; }
    #new { margin: 0 1; }
    #note { color: $text-muted; padding: 0 1; }
    """
    BINDINGS = [Binding("escape", "dismiss", "Close", id="users.close")]

    def compose(self) -> ComposeResult:
        gomining = self.app.platform == "gomining"
        profiles: list[Option | None] = [
            Option(markup("[b]$name[/] · $title", name=p.name, title=p.title), id=f"profile:{p.name}")
            for p in self.app.other_profiles()
        ]
        users = [Option(clean(u, limit=60), id=f"user:{u}") for u in self.app.users]
        self.set_class(not gomining, "-no-add")  # room for the list instead
        with Vertical(id="box"):
            yield OptionList(*profiles, *([None] if profiles else []), *users, id="list", markup=False)
            if gomining:
                yield Input(placeholder="add a partner user id (logs it in with auth/init)", id="new")
            yield Static("enter picks · esc closes", id="note")

    def on_mount(self) -> None:
        box = self.query_one("#box")
        whose = "Partner users" if self.app.platform == "gomining" else "Users"
        box.border_title = plain(f"Profiles · {self.app.profile}: {whose.lower()}" if self.app.other_profiles() else whose)
        options = self.query_one(OptionList)
        options.highlighted = options.get_option_index(f"user:{self.app.user}")
        options.focus()
        if self.app.platform == "gomining":
            self.load_stats()

    @work(exclusive=True)
    async def load_stats(self) -> None:
        options = self.query_one(OptionList)
        for user in list(self.app.users):
            try:
                s = (await self.app.service.user_stats(user)).stats
            except GmtuiError:
                continue
            label = (f"{clean(user, limit=40):<16} {s.nfts_count:>4} miner{'s' if s.nfts_count != 1 else ' '} "
                     f"{s.total_power_th:>9,} TH/s {s.avg_energy_efficiency:>6} W/TH")
            options.replace_option_prompt(f"user:{user}", label)

    @on(OptionList.OptionSelected)
    def picked(self, event: OptionList.OptionSelected) -> None:
        kind, _, name = (event.option.id or "").partition(":")
        self.dismiss((kind, name))

    @on(Input.Submitted, "#new")
    def add(self, event: Input.Submitted) -> None:
        user = event.value.strip()
        if not user:
            return
        self.add_user(user)

    @work(exclusive=True, group="add-user")
    async def add_user(self, user: str) -> None:
        """Log ``user`` in (auth/init, which creates a user the platform does not know):
        an id the platform does not know yet is said first, and added only when entered
        again (a typo would otherwise become a new, empty user)."""
        note = self.query_one("#note", Static)
        if user != getattr(self, "confirming", None):
            note.update(plain(f"looking {user} up…"))
            try:
                await self.app.service.user_stats(user)
            except NotFoundError:
                self.confirming = user
                note.update(markup("[yellow]The platform has no partner user $user yet:[/] enter again to create it, "
                                   "or correct the id", user=repr(user)))
                return
            except GmtuiError:
                pass  # the look-up says nothing: logging in says the rest
        note.update(plain(f"logging {user} in…"))
        try:
            await self.app.service.tokens.jwt(user)  # auth/init, and the pair is kept
        except GmtuiError as exc:
            note.update(markup("[red]Could not add $user:[/] $why", user=user, why=exc))
            return
        if user not in self.app.users:
            self.app.users.append(user)
        self.dismiss(("user", user))
