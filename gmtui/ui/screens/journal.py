"""Journal: every money move of this profile with its time, user, operation, amount,
destination and outcome; `R` settles unknown ones from the server's state; `e`
exports CSV."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from gmtui.api.journal import UNKNOWN, Entry
from gmtui.api.reconcile import reconcile
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
    }
    """
    TITLE = "Journal"
    GUIDE = (
        "Every money move sent from this machine, written down before it leaves. [b]ok[/]: done; "
        "[b]failed[/]: not done; [b]unknown[/]: the answer was lost, so it may have happened. Do "
        "not repeat an unknown move: R (reconcile) asks the server and settles it."
    )
    BINDINGS = [
        Binding("R", "reconcile", "Reconcile", id="journal.reconcile"),
        Binding("e", "export", "Export CSV", id="journal.export"),
    ]

    def body(self) -> ComposeResult:
        yield VirtualTable(COLUMNS, id="moves")
        yield self.filter_box("user, operation, destination or outcome")
        yield Static("", id="detail")

    @on(VirtualTable.Highlighted)
    def highlighted(self, event: VirtualTable.Highlighted) -> None:
        row = event.row
        self.query_one("#detail", Static).update(f"#{row[0]} {row[3]}: {row[-1]}" if row else "")

    async def fetch(self, user: str) -> list[Entry]:
        journal = self.app.client.journal
        return journal.entries(limit=10_000) if journal is not None else []

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
        if self.app.client.journal is None:
            table.border_title = "No journal in this session"
        table.focus()

    @work(exclusive=True, group="reconcile")
    async def action_reconcile(self) -> None:
        settled = await reconcile(self.app.client)
        if not settled:
            self.notify("No money move has an unknown outcome.")
        for s in settled:
            self.notify(s.reason, title=f"#{s.entry.id} {s.entry.operation}: {s.outcome}",
                        severity="information" if s.outcome != UNKNOWN else "warning", timeout=10)
        self.action_refresh()

    def action_export(self) -> None:
        entries = self.last or []
        path = Path.cwd() / "gmtui-journal.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=[*FIELDS, "detail"])
            writer.writeheader()
            for e in entries:
                writer.writerow(e.row())
        self.notify(f"{len(entries)} moves written to {path}", title="Exported")
