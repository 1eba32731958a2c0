"""Journal: every money move of this profile with its time, user, operation, amount,
destination and outcome; `R` settles unknown ones from the server's state; `e`
exports CSV."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from gmtui.api.errors import GmtuiError
from gmtui.api.journal import DAMAGED, UNKNOWN, Entry
from gmtui.api.reconcile import reconcile
from gmtui.api.text import csv_cell
from gmtui.ui.screens.ask import AskChoice, AskText
from gmtui.ui.text import markup, plain
from gmtui.ui.screens.section import Section, masked
from gmtui.ui.widgets.vtable import Column, VirtualTable

COLUMNS = [
    Column("#", 3, right=True),
    Column("At (UTC)", 14, lambda v: v[5:]),
    Column("User", 8),
    Column("Operation", 16),
    Column("Amount", 10, right=True),
    Column("Destination", 14),
    Column("Outcome", 7),
]
FIELDS = ["id", "at", "user", "operation", "amount", "destination", "outcome"]


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
        "Every money move sent from this machine, written down before it leaves. [b]ok[/]: done; "
        "[b]failed[/]: not done; [b]unknown[/]: the answer was lost, so it may have happened. Do "
        "not repeat an unknown move: R (reconcile) asks the server and settles it when the server's "
        "state proves what happened; when it cannot, x settles it by hand with a note saying how you "
        "know (recorded as such). [b]damaged[/]: the entry was changed outside gmtui or the disk is "
        "damaged; money moves are refused until a person settles it."
    )
    BINDINGS = [
        Binding("R", "reconcile", "Reconcile", id="journal.reconcile"),
        Binding("x", "settle", "Settle by hand…", id="journal.settle"),
        Binding("e", "export", "Export CSV", id="journal.export"),
    ]

    def body(self) -> ComposeResult:
        trouble = Static("", id="trouble")
        trouble.display = False
        yield trouble
        yield VirtualTable(COLUMNS, id="moves")
        yield self.filter_box("user, operation, destination or outcome")
        yield Static("", id="detail")

    @on(VirtualTable.Highlighted)
    def highlighted(self, event: VirtualTable.Highlighted) -> None:
        row = event.row
        self.query_one("#detail", Static).update(plain(f"#{row[0]} {row[3]}: {row[-1]}" if row else "", limit=400))

    async def fetch(self, user: str) -> list[Entry]:
        journal = self.app.service.journal
        if journal is None:
            return []
        self.trouble = journal.trouble()
        return journal.entries(limit=10_000)

    def show(self, entries: list[Entry]) -> None:
        amount = masked(self.app, str)
        rows: list[tuple[Any, ...]] = [
            tuple(amount(r[f]) if f == "amount" and r[f] else r[f] for f in FIELDS) + (r["detail"],)
            for r in (e.row() for e in entries)
        ]
        table = self.query_one(VirtualTable)
        table.set_rows(rows)
        unknown = sum(1 for e in entries if e.outcome == UNKNOWN)
        table.border_title = f"{len(entries)} money moves · {unknown} unknown" + (" · R reconciles" if unknown else "")
        if self.app.service.journal is None:
            table.border_title = "No journal in this session"
        trouble = getattr(self, "trouble", None)
        box = self.query_one("#trouble", Static)
        box.update(markup("[b]Money moves are refused:[/] $why", why=trouble) if trouble else "")
        box.display = bool(trouble)
        table.focus()

    @work(exclusive=True, group="reconcile")
    async def action_reconcile(self) -> None:
        try:
            settled = await reconcile(self.app.service)
        except GmtuiError as exc:
            self.notify(str(exc), title="Could not reconcile", severity="error", timeout=12)
            return
        if not settled:
            self.notify("No money move has an unknown outcome.")
        for s in settled:
            self.notify(s.reason, title=f"#{s.entry.id} {s.entry.operation}: {s.outcome}",
                        severity="information" if s.outcome != UNKNOWN else "warning", timeout=10)
        self.action_refresh()

    @work(exclusive=True, group="settle")
    async def action_settle(self) -> None:
        """A person's verdict on the selected unknown (or damaged) move, with a note."""
        row = self.query_one(VirtualTable).current
        journal = self.app.service.journal
        if row is None or journal is None or row[6] not in (UNKNOWN, DAMAGED):
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
        rows = [[csv_cell(e.row()[f]) for f in [*FIELDS, "detail"]] for e in entries]
        self.export_csv("gmtui-journal", [*FIELDS, "detail"], rows, f"{len(entries)} moves")
