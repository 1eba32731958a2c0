"""Wallets and balances: the user's bound wallets, and balances in both API shapes
(per currency, and synced values), with exact decimals. `c` copies an address."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable

from gmtui.api.views import Holdings, holdings
from gmtui.output import cell
from gmtui.ui.screens.section import Section


class WalletsScreen(Section):
    CSS_PATH = "wallets.tcss"
    TITLE = "Wallets"
    BINDINGS = [Binding("c", "copy", "Copy address", id="copy")]

    def body(self) -> ComposeResult:
        wallets = DataTable(id="wallets", cursor_type="row", zebra_stripes=True)
        wallets.border_title = "Wallets"
        yield wallets
        with Horizontal(id="balances"):
            per_currency = DataTable(id="per-currency", cursor_type="row")
            per_currency.border_title = "Balances"
            yield per_currency
            synced = DataTable(id="synced", cursor_type="row")
            synced.border_title = "Synced values"
            yield synced

    def on_mount(self) -> None:
        self.query_one("#wallets", DataTable).add_columns("Address", "Type", "Created")
        self.query_one("#per-currency", DataTable).add_columns("Currency", "Balance")
        self.query_one("#synced", DataTable).add_columns("ID", "Value", "GMT", "Locked")
        super().on_mount()

    async def fetch(self, user: str) -> Holdings:
        return await holdings(self.app.client, user)

    def show(self, data: Holdings) -> None:
        wallets = self.query_one("#wallets", DataTable)
        wallets.clear()
        for w in data.wallets:
            wallets.add_row(w.address, w.type, f"{w.created_at:%Y-%m-%d}", key=w.address)
        wallets.border_subtitle = f"{len(data.wallets)} bound · c copies the address"
        per_currency = self.query_one("#per-currency", DataTable)
        per_currency.clear()
        for b in data.balances:
            per_currency.add_row(b.currency, cell(b.balance))
        synced = self.query_one("#synced", DataTable)
        synced.clear()
        for s in data.synced:
            synced.add_row(
                str(s.id), cell(s.value_numeric_at_sync_date), cell(s.gmt_value_at_sync_date_numeric),
                cell(s.time_locked_value_at_sync_date_numeric),
            )
        wallets.focus()

    def action_copy(self) -> None:
        table = self.query_one("#wallets", DataTable)
        if not table.row_count:
            self.notify("No wallet to copy.", severity="warning")
            return
        address = str(table.get_row_at(table.cursor_row)[0])
        self.app.copy_to_clipboard(address)  # OSC 52: works over SSH in most terminals
        self.notify(f"Copied {address}", title="Clipboard")
