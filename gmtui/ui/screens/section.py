"""What every section of the dashboard shares: header and footer, a status line that
tells the age of the data, loading through the service (cached figures at once, then
fresh ones), refresh on `r`, on a user switch and on a timer while it is shown.

Figures carry the profile they were loaded for: a section drops those of a profile no
longer shown, and loads again when shown after a profile switch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Static

from textual.content import Content

from gmtui.api.errors import GmtuiError
from gmtui.api.text import clean
from gmtui.ui.text import markup, plain

# The cache (sqlite3, hashlib, json) and the CSV writer load when first used, after the
# dashboard's first frame (gmtui.api.cache: ~7 ms).


@dataclass
class Loaded(Message):
    user: str
    data: Any
    at: float
    age_s: float | None = None  # set when the data comes from the cache
    final: bool = True
    profile: str = ""  # whose figures: dropped unless the app still shows that profile


@dataclass
class Failed(Message):
    user: str
    error: str
    profile: str = ""


MASK = "•••••••"
DEMOS = ("demo", "demo-webminepool", "demo-mithril")  # the demo's profiles (session.DEMOS; not imported before the first frame)
LIVE_S = 60.0  # how long figures count as live when auto-refresh is off


def masked(app: GmtuiApp, fmt: Any) -> Any:
    """``fmt``, or a mask in presenter mode (balances and amounts hidden)."""
    return (lambda *_: MASK) if app.presenter else fmt


if TYPE_CHECKING:
    from gmtui.ui.app import GmtuiApp


class Section(Screen[None]):
    """A screen of the dashboard; subclasses give ``body``, ``fetch`` and ``show``."""

    if TYPE_CHECKING:
        app: GmtuiApp  # the dashboard's app, typed for the checker

    TITLE: ClassVar[str] = ""
    GUIDE: ClassVar[str] = ""  # what each figure of the screen means, shown by `?` above the keys
    MOVES: ClassVar[frozenset[str]] = frozenset()  # actions that move money: off, and shown so, when read-only
    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("slash", "filter", "Filter", id="filter", priority=True),
        Binding("escape", "blur", "Leave the field", show=False, id="blur"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._bar(), id="sections")
        yield from self.body()
        with Horizontal(id="status-bar"):
            yield Static("", id="status")
            yield Static("[b]?[/] help", id="hint")  # always shown: the footer runs out of room at 80 columns
        yield Footer()

    def _bar(self) -> str:
        """The profile's sections by key, and the Partner section (key 0, every
        profile's) where the width leaves room for it."""
        names = self.app.section_titles()
        parts = []
        for i, name in enumerate(names, start=1):
            parts.append(f"[reverse b] {i} {name}[/]" if name == self.TITLE else f" [b]{i}[/] {name}")
        if sum(3 + len(n) for n in names) + 10 <= self.app.size.width:
            parts.append(" [b]0[/] Partner")
        return "".join(parts)

    @on(events.Resize)
    def _fit_bar(self) -> None:
        self.query_one("#sections", Static).update(self._bar())

    def body(self) -> ComposeResult:
        raise NotImplementedError

    def filter_box(self, what: str) -> Input:
        """The filter of the screen's table, for ``body`` to place; `/` opens it."""
        box = Input(placeholder=f"filter by {what} (enter: done, esc: clear)", id="filter")
        box.display = False
        return box

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A key that opens a field of this screen is a priority binding: it acts as soon
        as the app reads it, so that the keys typed right after it reach the field. It
        stands aside while a field has focus, so the field gets that key as text."""
        if action == "filter" and not self.query("#filter"):
            return False  # this screen has no table to filter
        if action in self.MOVES and self.app.read_only:
            return None  # shown, dimmed: this session moves no money
        if isinstance(self.focused, Input):
            return not any(b.priority and b.action == action for b in self._bindings_of_screen())
        return True

    def _bindings_of_screen(self) -> list[Binding]:
        return [b for cls in type(self).__mro__ for b in getattr(cls, "BINDINGS", ()) if isinstance(b, Binding)]

    async def fetch(self, user: str) -> Any:
        raise NotImplementedError

    def show(self, data: Any) -> None:
        raise NotImplementedError

    # ---- life cycle
    def on_mount(self) -> None:
        self.shown_user: str | None = None
        self.shown_profile: str | None = None  # whose figures are shown
        self.last: Any = None
        self.data_at: float | None = None  # when the shown figures were fetched (app clock)
        self.seen_moves = 0  # the app's money-move count when they were asked for
        self._timer: Timer | None = None
        self.watch(self.app, "user", self._user_changed, init=False)
        self.watch(self.app, "presenter", self._presenter_changed, init=False)
        self.action_refresh()

    def on_screen_resume(self) -> None:
        """Shown again: figures older than the refresh interval, from before a money
        move, or of another user or profile are loaded again; otherwise auto-refresh
        resumes."""
        self.query_one("#sections", Static).update(self._bar())  # the platform's sections
        if self.app.client is not None and (self.shown_user not in (None, self.app.user) or self.outdated()
                                            or self.shown_profile not in (None, self.app.profile)):
            self.action_refresh()
        else:
            self._arm()
        self._title()

    def on_screen_suspend(self) -> None:
        if self._timer is not None:
            self._timer.stop()

    def _user_changed(self, user: str) -> None:
        if self.is_current:
            self.action_refresh()

    def _presenter_changed(self, on: bool) -> None:
        """Presenter mode toggled: every section shows its figures again, masked or not."""
        if self.last is not None:
            self.show(self.last)
        self._title()

    @property
    def every(self) -> float:
        return float(self.app.refresh_s or 0)

    def outdated(self) -> bool:
        """Figures a person should not take as live: none yet, from before a money move,
        or older than the refresh interval (60 s when auto-refresh is off)."""
        if self.data_at is None or self.seen_moves < self.app.moves:
            return True
        return self.app.clock() - self.data_at >= (self.every or LIVE_S)

    def action_blur(self) -> None:
        """Leave the field (so that number keys switch sections again); in a filter,
        clear it too."""
        boxes = self.query("#filter")
        if boxes and boxes.first().display:
            box = boxes.first(Input)
            box.value = ""
            table = self._table()
            table.set_filter("")  # now, before the layout gives the table the box's rows
            table.border_subtitle = ""
            box.display = False
            table.focus()
            return
        self.set_focus(None)

    def export_csv(self, stem: str, header: list[str], rows: list[list[str]], what: str) -> None:
        """Deliver cells already made safe (``text.csv_cell``) as ``stem``.csv: to the
        browser, the demo's folder or the working directory, never over an existing file
        (see ``exports.deliver``); a file that cannot be written is said so."""
        from gmtui.output import csv_text
        from gmtui.ui.exports import deliver

        deliver(self.app, stem, ".csv", csv_text(header, rows), what, "text/csv")

    # ---- the table filter
    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        self.set_focus(box)

    def _table(self) -> Any:
        return self.query_one("VirtualTable")  # by its name: the widget module loads after the first frame

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        table = self._table()
        table.set_filter(event.value)
        table.border_subtitle = self.filter_note(table)

    @staticmethod
    def filter_note(table: Any, what: str = "") -> Content:
        """"4 of 11 miners · filter “night”" (the filter as typed, plain), or nothing."""
        shown = f"{len(table.rows):,} of {table.total:,}{' ' + what if what else ''}"
        if not table.filter_text:
            return Content(shown if what else "")
        return markup("$shown · filter “$text”", shown=shown, text=table.filter_text)

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self._table().focus()

    def action_refresh(self) -> None:
        if self.app.client is None:  # the frame is up; the session is still opening
            name = self.app.profile
            self.set_status(plain("starting the embedded sandbox…" if name in DEMOS else f"opening {name or 'the active profile'}…"))
            return
        if self.app.current_mode not in self.app.sections():
            return  # another platform's section (the first frame's overview): it is about to make way
        self.set_status(plain(f"loading {self.app.user}…"))
        self.seen_moves = self.app.moves
        self.load(self.app.user)

    @work(exclusive=True, group="section")
    async def load(self, user: str) -> None:
        from gmtui.api.cache import stale_while_revalidate

        client, profile = self.app.core, self.app.profile
        try:
            async for snap in stale_while_revalidate(lambda: self.fetch(user), client.clock):
                self.post_message(Loaded(user, snap.value, self.app.clock(), snap.age_s, snap.final, profile))
        except GmtuiError as exc:
            self.post_message(Failed(user, str(exc), profile))
        except ArithmeticError as exc:
            self.post_message(Failed(user, f"the server's figures cannot be computed with ({type(exc).__name__})", profile))
        except Exception as exc:  # a bug met on some answer: this section says so, the app goes on
            from gmtui.crash import report

            report(exc)
            self.post_message(Failed(user, f"gmtui could not read this ({type(exc).__name__}; a bug, logged)", profile))

    def on_failed(self, message: Failed) -> None:
        if message.profile != self.app.profile:
            return  # about a profile no longer shown
        self.set_status(markup("[b red]Could not load $user:[/] $error  (r to retry)", user=message.user, error=message.error))
        self._arm()

    def on_loaded(self, message: Loaded) -> None:
        from gmtui.api.cache import describe_age

        if message.user != self.app.user or message.profile != self.app.profile:
            return  # another user's or profile's figures: never shown
        try:
            self.show(message.data)
        except Exception as exc:  # figures that cannot be shown (out of range, or a bug): said, not a crash
            from gmtui.crash import report

            why = "cannot be computed with" if isinstance(exc, ArithmeticError) else "could not be shown (a bug, logged)"
            if not isinstance(exc, ArithmeticError):
                report(exc)
            self.on_failed(Failed(message.user, f"the server's figures {why} ({type(exc).__name__})", message.profile))
            return
        self.shown_user, self.shown_profile = message.user, message.profile
        self.last = message.data
        self.data_at = message.at - (message.age_s or 0)
        at = datetime.fromtimestamp(message.at, UTC).strftime("%H:%M:%S UTC")
        if message.age_s is None:
            self.set_status(plain(f"{message.user}: updated {at}" if message.user else f"updated {at}"))
        elif not message.final:
            age = describe_age(message.age_s)
            self.set_status(plain(f"{message.user}: cached, {age} old · refreshing…"))
        else:
            age = describe_age(message.age_s)
            self.set_status(markup("[b yellow]$user: server unreachable, showing data $age old[/] (r to retry)",
                                   user=message.user, age=age))
        if message.final:
            self._arm()

    def _arm(self) -> None:
        """Arm auto-refresh for when the shown figures reach the refresh interval (once
        a load has finished: never two loads at once)."""
        if self._timer is not None:
            self._timer.stop()
        if self.every and self.is_current:
            age = self.app.clock() - self.data_at if self.data_at is not None else 0.0
            self._timer = self.set_timer(min(self.every, max(1.0, self.every - age)), self.action_refresh)

    def set_status(self, text: Content) -> None:
        """The status line: content made with ``plain`` or ``markup`` (never a bare
        string, which Textual would read as markup)."""
        self.query_one("#status", Static).update(text)
        self._title()

    def _title(self) -> None:
        marks = "".join(
            f" · {mark}" for mark, on in (("READ-ONLY", self.app.read_only),
                                          ("PRESENTER", self.app.presenter)) if on
        )
        if self.app.client is None:  # opening: no user or data yet
            self.app.sub_title = clean(f"{self.app.profile}{marks}", limit=120)
            return
        who = f" · {self.app.user}" if self.app.user else ""
        self.app.sub_title = clean(f"{self.app.profile}{who} · data {self.age_text()}{marks}", limit=120)

    def age_text(self) -> str:
        """"live" while the figures are, else how old they are ("…" before any)."""
        data_at: float | None = getattr(self, "data_at", None)
        if data_at is None:
            return "…"
        if not self.outdated():
            return "live"
        from gmtui.api.cache import describe_age

        return f"{describe_age(max(0.0, self.app.clock() - data_at))} old"
