"""Journal: the money moves of the selected user (`a`: every user's) with their time,
platform, what they were, amount and unit, outcome and (when wide enough, else in the
line below) destination; `R` settles the active profile's unknown ones from its
server's state, `x` by hand; `e` exports CSV. Every platform's moves share it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from gmtui.api.platforms import label, owner, platform
from gmtui.api.errors import GmtuiError
from gmtui.api.gomining.figures import count, usd
from gmtui.api.journal import DAMAGED, UNKNOWN, Entry
from gmtui.api.text import csv_cell
from gmtui.ui.screens.ask import AskChoice, AskText
from gmtui.ui.text import markup, plain
from gmtui.ui.screens.section import Section, masked
from gmtui.ui.widgets.vtable import Column, VirtualTable

COLUMNS = [  # 76 wide: fits 80 columns with the border and the scroll bar
    Column("#", 3, right=True),
    Column("At (UTC)", 11, lambda v: v[5:16]),
    Column("User", 8),
    Column("Move", 15),
    Column("Amount", 14, right=True),
    Column("Platform", 11),
    Column("Outcome", 7),
]
OUTCOME, TO = 6, 7  # a row's outcome and destination (after them: the detail)
FIELDS = ["id", "at", "platform", "user", "operation", "move", "amount", "currency", "destination", "outcome",
          "detail"]  # CSV


def columns(width: int) -> list[Column]:
    """The columns for a screen ``width`` wide: the destination too when it has room
    (it is always in the line under the table)."""
    spare = width - 84  # the 76 above, the border, the scroll bar and the destination's gap
    return [*COLUMNS, Column("To", spare)] if spare >= 12 else COLUMNS


def platform_of(entry: Entry) -> str:
    """"GoMining", "WebMinePool": the platform whose operation the entry is."""
    found = owner(entry.operation)
    return found[0].title if found else ""


def money_text(entry: Entry) -> str:
    """"0.001 BTC", "$1,240.00": the amount with its currency."""
    if entry.currency == "USD":
        return usd(Decimal(entry.amount))
    return f"{entry.amount} {entry.currency}".strip()


class JournalScreen(Section):
    CSS = """
    JournalScreen {
        #moves { height: 1fr; border: round $primary; border-title-color: $accent; }
        #detail { height: 2; padding: 0 1; color: $text-muted; }
        #trouble { height: auto; max-height: 4; padding: 0 1; color: $error; }
    }
    """
    TITLE = "Journal"
    GUIDE = (
        "Every money move sent from this machine, on every platform, written down before it leaves. "
        "[b]ok[/]: done; [b]failed[/]: not done; [b]unknown[/]: the answer was lost, so it may have happened. "
        "Do not repeat an unknown move: R (reconcile) asks the server of the profile shown and settles it "
        "when the server's state proves what happened; when it cannot, x settles it by hand with a note saying how you "
        "know (recorded as such). [b]damaged[/]: the entry was changed outside gmtui or the disk is "
        "damaged; money moves are refused until a person settles it."
    )
    BINDINGS = [
        Binding("R", "reconcile", "Reconcile", id="journal.reconcile"),
        Binding("x", "settle", "Settle…", id="journal.settle"),
        Binding("a", "all_users", "All users", id="journal.all"),
        Binding("e", "export", "Export", id="journal.export"),
    ]
    everyone = False  # every user's moves, or the selected one's

    def body(self) -> ComposeResult:
        trouble = Static("", id="trouble")
        trouble.display = False
        yield trouble
        yield VirtualTable(COLUMNS, id="moves")
        yield self.filter_box("user, move, platform, destination or outcome")
        yield Static("", id="detail")

    @on(VirtualTable.Highlighted)
    def highlighted(self, event: VirtualTable.Highlighted) -> None:
        row = event.row
        to = f" → {row[TO]}" if row and row[TO] else ""
        self.query_one("#detail", Static).update(plain(f"#{row[0]} {row[3]}{to}: {row[-1]}" if row else "", limit=400))

    def on_resize(self, event: events.Resize) -> None:
        if self.last is not None and columns(event.size.width) != self.query_one(VirtualTable).columns:
            self.show(self.last)

    def action_all_users(self) -> None:
        self.everyone = not self.everyone
        if self.last is not None:
            self.show(self.last)

    async def fetch(self, user: str) -> list[Entry]:
        journal = self.app.core.journal
        if journal is None:
            return []
        self.trouble = journal.trouble()
        return journal.entries(limit=10_000)

    def show(self, entries: list[Entry]) -> None:
        money = masked(self.app, money_text)
        shown = entries if self.everyone else [e for e in entries if e.user == self.app.user]
        rows: list[tuple[Any, ...]] = [
            (e.id, e.row()["at"], e.user, label(e.operation), money(e) if e.amount else "", platform_of(e), e.outcome,
             e.destination, e.detail)
            for e in shown
        ]
        table = self.query_one(VirtualTable)
        table.columns = columns(self.size.width)
        table.set_rows(rows)
        unknown = sum(1 for e in shown if e.outcome == UNKNOWN)
        whose = "every user" if self.everyone else self.app.user
        table.border_title = markup("$whose: $moves · $unknown unknown$hint", whose=whose, moves=count(len(shown), "money move"),
                                    unknown=unknown, hint=" · R reconciles" if unknown else "")
        table.border_subtitle = plain("a: only " + self.app.user if self.everyone else "a: every user")
        if self.app.core.journal is None:
            table.border_title = "No journal in this session"
        trouble = getattr(self, "trouble", None)
        box = self.query_one("#trouble", Static)
        box.update(markup("[b]Money moves are refused:[/] $why", why=trouble) if trouble else "")
        box.display = bool(trouble)
        table.focus()

    @work(exclusive=True, group="reconcile")
    async def action_reconcile(self) -> None:
        try:
            settled = await platform(self.app.platform).reconcile(self.app.core)
        except GmtuiError as exc:
            self.notify(str(exc), title="Could not reconcile", severity="error", timeout=12)
            return
        if not settled:
            self.notify(f"No money move of {self.app.profile} has an unknown outcome.")
        for s in settled:
            self.notify(s.reason, title=f"#{s.entry.id} {label(s.entry.operation)}: {s.outcome}",
                        severity="information" if s.outcome != UNKNOWN else "warning", timeout=10)
        self.action_refresh()

    @work(exclusive=True, group="settle")
    async def action_settle(self) -> None:
        """A person's verdict on the selected unknown (or damaged) move, with a note."""
        row = self.query_one(VirtualTable).current
        journal = self.app.core.journal
        if row is None or journal is None or row[OUTCOME] not in (UNKNOWN, DAMAGED):
            self.notify("Pick a move whose outcome is unknown (or damaged): the others are settled.", severity="warning")
            return
        outcome = await self.app.push_screen_wait(AskChoice(f"#{row[0]} {row[3]}: what happened?", ["ok", "failed"]))
        if not outcome:
            return
        note = await self.app.push_screen_wait(
            AskText(f"#{row[0]} {outcome}: how do you know?", "e.g. support ticket 1234: not received",
                    "recorded with the entry as settled by hand · esc cancels")
        )
        if not note:
            return
        try:
            journal.settle_by_hand(int(row[0]), outcome, note)
        except GmtuiError as exc:
            self.notify(str(exc), title="Not settled", severity="error", timeout=10)
            return
        self.notify(f"#{row[0]} settled by hand as {outcome}.", title="Journal")
        self.action_refresh()

    def action_export(self) -> None:
        entries = self.last or []
        rows = [[csv_cell({**e.row(), "platform": platform_of(e)}[f]) for f in FIELDS] for e in entries]
        self.export_csv("gmtui-journal", FIELDS, rows, count(len(entries), "money move"))
