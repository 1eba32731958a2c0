"""Upgrades: the possible upgrades of all the user's miners, priced by the API and
ranked by payback; enter shows the what-if and creates the upgrade after confirmation."""

from __future__ import annotations


from textual import work
from textual.app import ComposeResult
from textual.binding import Binding

from gmtui.api.gomining.figures import btc, usd
from gmtui.api.gomining.moves import UNITS, Candidate, Plan, fleet_upgrades, plan_upgrade, target_range, upgrade_target
from gmtui.ui.screens.ask import AskText
from gmtui.ui.screens.confirm import run_move
from gmtui.ui.screens.section import Section
from gmtui.ui.widgets.vtable import Column, VirtualTable

COLUMNS = [
    Column("Miner", 18),
    Column("Upgrade", 14),
    Column("Price", 10, usd, right=True),
    Column("+BTC/day", 10, btc, right=True),
    Column("Payback", 9, lambda d: f"{d} d" if d is not None else "never", right=True, key=lambda d: d if d is not None else 10**9),
    Column("Break-even", 11, usd, right=True),
]


def label(c: Candidate) -> str:
    unit = "TH/s" if c.kind == "power" else "W/TH"
    return f"{c.current}→{c.target} {unit}"


class UpgradesScreen(Section):
    CSS = "UpgradesScreen #candidates { height: 1fr; border: round $primary; border-title-color: $accent; }"
    TITLE = "Upgrades"
    GUIDE = (
        "For each miner: more power or better efficiency, priced by the platform. [b]+BTC/day[/] "
        "is the extra net per day, [b]payback[/] the days until the price is earned back, "
        "[b]break-even[/] the BTC price below which the upgraded miner earns nothing net."
    )
    MOVES = frozenset({"upgrade", "custom"})
    BINDINGS = [
        Binding("enter", "upgrade", "Upgrade…", id="upgrades.create"),
        Binding("c", "custom", "Other target…", id="upgrades.custom"),
    ]

    def body(self) -> ComposeResult:
        yield VirtualTable(COLUMNS, id="candidates")
        yield self.filter_box("miner or upgrade")

    async def fetch(self, user: str) -> list[Candidate]:
        return await fleet_upgrades(self.app.service, user)

    def show(self, candidates: list[Candidate]) -> None:
        self.candidates = {(c.nft_id, c.kind): c for c in candidates}
        rows = [(c.name, label(c), c.what_if.price_usd, c.what_if.extra_btc, c.what_if.payback_days,
                 c.what_if.break_even_btc_usd, c.nft_id, c.kind) for c in candidates]
        table = self.query_one(VirtualTable)
        table.set_rows(rows)
        table.border_title = f"{len(candidates)} possible upgrades, best payback first · enter: what-if and upgrade"
        table.focus()

    @work(exclusive=True, group="upgrade")
    async def action_upgrade(self) -> None:
        row = self.query_one(VirtualTable).current
        if row is None:
            return
        chosen = self.candidates[(row[-2], row[-1])]

        async def planning() -> Plan:
            plan, _ = await plan_upgrade(self.app.service, self.app.user, chosen.nft_id, chosen.kind, chosen.target)
            return plan

        if await run_move(self, planning()) in ("ok", "unknown"):
            self.action_refresh()

    @work(exclusive=True, group="upgrade")
    async def action_custom(self) -> None:
        """The selected miner and kind of upgrade, to a target the operator types."""
        row = self.query_one(VirtualTable).current
        if row is None:
            return
        chosen = self.candidates[(row[-2], row[-1])]
        unit = UNITS[chosen.kind]
        text = await self.app.push_screen_wait(AskText(
            f"{chosen.name}: {chosen.kind} from {chosen.current} {unit} to",
            f"e.g. {chosen.target}", f"{target_range(chosen.kind, chosen.current)} · price and payback come next",
            check=lambda typed: upgrade_target(chosen.kind, chosen.current, typed),
        ))
        if not text:
            return
        target = upgrade_target(chosen.kind, chosen.current, text)  # checked in the dialog

        async def planning() -> Plan:
            plan, _ = await plan_upgrade(self.app.service, self.app.user, chosen.nft_id, chosen.kind, target)
            return plan

        if await run_move(self, planning()) in ("ok", "unknown"):
            self.action_refresh()
