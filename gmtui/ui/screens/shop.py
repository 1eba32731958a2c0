"""Shop: the collections a miner can be bought from (TH/s, W/TH, price, annual ROI,
fees); enter buys one for the selected user after confirmation (payment, then its
confirmation, one externalId journaled first)."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding

from gmtui.api.gomining import models as m
from gmtui.api.gomining.figures import usd
from gmtui.api.gomining.moves import plan_purchase
from gmtui.ui.screens.confirm import run_move
from gmtui.ui.screens.section import Section
from gmtui.ui.widgets.vtable import Column, VirtualTable

COLUMNS = [
    Column("ID", 4, right=True),
    Column("TH/s", 7, right=True),
    Column("W/TH", 6, right=True),
    Column("Price", 11, usd, right=True),
    Column("ROI/yr", 8, lambda v: f"{v}%", right=True),
    Column("Elec $/TH/d", 12, lambda v: f"{v:.4f}", right=True),
    Column("Svc $/TH/d", 11, lambda v: f"{v:.4f}", right=True),
    Column("Discount", 9, lambda v: f"{v * 100:g}%", right=True),
]


class ShopScreen(Section):
    CSS = "ShopScreen #collections { height: 1fr; border: round $primary; border-title-color: $accent; }"
    TITLE = "Shop"
    GUIDE = (
        "Collections a new miner can be bought from: power, efficiency, price, the yearly return "
        "the platform states, the electricity and service costs per TH per day, and the discount."
    )
    MOVES = frozenset({"buy"})
    BINDINGS = [Binding("enter", "buy", "Buy…", id="shop.buy")]

    def body(self) -> ComposeResult:
        yield VirtualTable(COLUMNS, id="collections")

    async def fetch(self, user: str) -> list[m.Collection]:
        return await self.app.service.collections()

    def show(self, collections: list[m.Collection]) -> None:
        rows = [(c.id, c.power, c.energy_efficiency, c.value, c.annual_roi, c.electricity_cost, c.service_cost, c.level_discount)
                for c in collections]
        table = self.query_one(VirtualTable)
        table.set_rows(rows)
        table.border_title = f"{len(collections)} collections · enter buys one for {self.app.user}"
        table.focus()

    @work(exclusive=True, group="buy")
    async def action_buy(self) -> None:
        row = self.query_one(VirtualTable).current
        if row is not None:
            await run_move(self, plan_purchase(self.app.service, self.app.user, int(row[0])))
