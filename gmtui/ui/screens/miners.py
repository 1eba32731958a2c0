"""Miners: every miner of the user in a sortable, filterable table, and the selected
one's figures with its earnings over the last 30 days (on a large terminal, a wider
pane that adds its net per day and its share of the fleet's)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.widgets import Sparkline, Static

from gmtui.api.gomining.figures import btc
from gmtui.api.gomining.figures import btc as btc_text
from gmtui.api.gomining.moves import plan_transfer
from gmtui.api.gomining.views import Fleet, fleet
from gmtui.ui.screens.ask import AskChoice
from gmtui.ui.screens.confirm import run_move
from gmtui.ui.screens.section import Section, masked
from gmtui.ui.text import markup
from gmtui.ui.widgets.fit import fit
from gmtui.ui.widgets.glance import Ranked, ranked, share_text
from gmtui.ui.widgets.vtable import Column, VirtualTable

COLUMNS = [
    Column("ID", 7, right=True),
    Column("Name", 18),
    Column("TH/s", 8, lambda v: f"{v:,}", right=True),
    Column("W/TH", 6, str, right=True),
    Column("Created", 10, lambda v: v.strftime("%Y-%m-%d")),
    Column("Earned BTC", 11, btc, right=True),
    Column("Last day BTC", 12, lambda v: "-" if v is None else btc(v), right=True,
           key=lambda v: Decimal(-10**9) if v is None else v),  # negative: the fees exceeded the reward
]


def rows_of(data: Fleet) -> list[tuple[Any, ...]]:
    return [
        (m.id, m.name, m.power, m.energy_efficiency, m.created_at, data.lifetime.get(m.id, Decimal(0)),
         data.recent[m.id][-1] if data.recent.get(m.id) else None)
        for m in data.miners
    ]


def matches(row: tuple[Any, ...], text: str) -> bool:
    return text in str(row[0]) or text in row[1].lower()


class MinersScreen(Section):
    CSS_PATH = "miners.tcss"
    TITLE = "Miners"
    GUIDE = (
        "Every miner NFT of the user: power (TH/s), efficiency (W/TH, lower is better), when "
        "it was created, what it has earned in all and on the last day (BTC, net of its fees: "
        "negative when the fees exceeded the reward). The pane shows the selected miner and its "
        "BTC per day over the last 30 days."
    )
    MOVES = frozenset({"transfer"})
    BINDINGS = [Binding("t", "transfer", "Transfer…", id="miners.transfer")]

    def body(self) -> ComposeResult:
        with Horizontal(id="split"):
            with Vertical(id="left"):
                yield VirtualTable(COLUMNS, id="table")
                yield self.filter_box("id or name")
            with Vertical(id="detail"):
                yield Static("", id="facts")
                yield Sparkline([], id="miner-spark")

    def on_mount(self) -> None:  # before Section's (the handlers of every class run)
        self.data: Fleet | None = None
        self.ranks: dict[int, tuple[int, Ranked]] = {}  # miner id -> its place by net per day, its figures
        self.query_one("#detail").border_title = "Miner"

    @on(events.Resize)
    def _resized(self, event: events.Resize) -> None:  # beside Section's own handler
        self.set_class(event.size.width < 100, "-narrow")
        self.refit(event.size)

    def on_screen_resume(self) -> None:  # the terminal may have changed size while another section was shown
        self.refit(self.app.size)

    def refit(self, size: Size) -> None:
        if fit(self, size):
            table = self.query_one(VirtualTable)
            self.describe(table, table.current)  # the pane's lines differ

    async def fetch(self, user: str) -> Fleet:
        return await fleet(self.app.service, user)

    def show(self, data: Fleet) -> None:
        self.data = data
        self.ranks = {r.id: (i, r) for i, r in enumerate(ranked(data, len(data.miners)), start=1)}
        table = self.query_one(VirtualTable)
        table.mask({5, 6}, self.app.presenter)
        table.set_rows(rows_of(data), matches)
        table.focus()

    @work(exclusive=True, group="transfer")
    async def action_transfer(self) -> None:
        row = self.query_one(VirtualTable).current
        others = [u for u in self.app.users if u != self.app.user]
        if row is None or not others:
            self.notify("Pick a miner, and have another partner user to give it to.", severity="warning")
            return
        to_user = await self.app.push_screen_wait(AskChoice(f"Transfer {row[1]} to", others))
        if to_user and await run_move(self, plan_transfer(self.app.service, self.app.user, int(row[0]), to_user)) in ("ok", "unknown"):
            self.action_refresh()

    @on(VirtualTable.Highlighted)
    def highlighted(self, event: VirtualTable.Highlighted) -> None:
        self.describe(event.table, event.row)

    def describe(self, table: VirtualTable, row: tuple[Any, ...] | None) -> None:
        """The pane: the miner of ``row``, or why there is none."""
        facts = self.query_one("#facts", Static)
        spark = self.query_one("#miner-spark", Sparkline)
        self.query_one("#left").border_title = self.filter_note(table, "miners")
        if row is None or self.data is None:
            facts.update("No miner matches." if table.filter_text else "")
            spark.data = []
            return
        nft, name, power, eff, created, earned, last = row
        recent = self.data.recent.get(nft, [])
        total = sum(recent, Decimal(0))
        btc = masked(self.app, btc_text)
        loss = "[b red]fees exceeded the reward[/]\n" if last is not None and last < 0 else ""
        place, rank = self.ranks.get(nft, (0, None))
        more = ("\nBTC per day   $per_day\nshare of net  $share · #$place of $of"
                if rank is not None and self.has_class("-large") else "")  # the wider pane has room
        facts.update(markup(
            "[b]$name[/]\n$power TH/s · $eff W/TH\n" + loss +
            "BTC lifetime  $earned\nBTC $days days   $total\nBTC last day  $last" + more + "\nsince $created",
            name=name, power=f"{power:,}", eff=eff, created=f"{created:%Y-%m-%d}", earned=btc(earned),
            days=self.data.days, total=btc(total), last="-" if last is None else btc(last),
            per_day=btc(rank.per_day) if rank else "", place=place, of=len(self.ranks),
            share=share_text(rank) if rank else "",
        ))
        spark.data = [float(v) for v in recent] or [0.0]
