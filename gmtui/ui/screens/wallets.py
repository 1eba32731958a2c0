"""Wallets and balances: the user's bound wallets, and balances in both API shapes
(per currency, and synced values), with exact decimals. `c` copies an address. On a
large terminal the tables hug their rows instead of stretching."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable

from gmtui.api.gomining.moves import bindable, plan_bind
from gmtui.api.gomining.views import Holdings, holdings
from gmtui.ui.screens.ask import AskText
from gmtui.ui.screens.confirm import run_move
from gmtui.api.gomining.figures import exact
from gmtui.api.text import clean
from gmtui.ui.screens.section import Section, masked
from gmtui.ui.text import rich_plain
from gmtui.ui.widgets.fit import fit


class WalletsScreen(Section):
    CSS_PATH = "wallets.tcss"
    TITLE = "Wallets"
    GUIDE = (
        "[b]Wallets[/]: the BTC addresses withdrawals can go to, and when each was bound.\n"
        "[b]Balances[/]: per currency, as the user's own account reports them.\n"
        "[b]Synced values[/]: the balance records as of the platform's last sync: the value, and "
        "its GOMINING that is free, time-locked, staked and frozen. Every amount is exact, never rounded."
    )
    MOVES = frozenset({"bind"})
    BINDINGS = [Binding("c", "copy", "Copy address", id="copy"), Binding("b", "bind", "Bind wallet…", id="wallets.bind")]

    def body(self) -> ComposeResult:
        wallets: DataTable[Any] = DataTable(id="wallets", cursor_type="row", zebra_stripes=True)
        wallets.border_title = "Wallets"
        yield wallets
        with Horizontal(id="balances"):
            per_currency: DataTable[Any] = DataTable(id="per-currency", cursor_type="row")
            per_currency.border_title = "Balances"
            yield per_currency
            synced: DataTable[Any] = DataTable(id="synced", cursor_type="row")
            synced.border_title = "Synced values"
            yield synced

    def on_mount(self) -> None:
        self.query_one("#wallets", DataTable).add_columns("Address", "Type", "Created")
        self.query_one("#per-currency", DataTable).add_columns("Currency", "Balance")
        self.query_one("#synced", DataTable).add_columns("Record", "Value", "Free", "Locked", "Staked", "Frozen")
        # Section's on_mount runs next (the handlers of every class run)

    @on(events.Resize)
    def _resized(self, event: events.Resize) -> None:  # beside Section's own handler
        fit(self, event.size)

    def on_screen_resume(self) -> None:  # the terminal may have changed size while another section was shown
        fit(self, self.app.size)

    async def fetch(self, user: str) -> Holdings:
        return await holdings(self.app.service, user)

    def show(self, data: Holdings) -> None:
        wallets = self.query_one("#wallets", DataTable)
        wallets.clear()
        self.addresses = [w.address for w in data.wallets]  # as the server spells them, for `c`
        for w in data.wallets:  # no row keys: a server may list the same address twice
            wallets.add_row(rich_plain(w.address), rich_plain(w.type), f"{w.created_at:%Y-%m-%d}")
        wallets.border_subtitle = f"{len(data.wallets)} bound · c copies the address"
        cell = masked(self.app, lambda v: "" if v is None else exact(v))
        right = lambda v: Text(cell(v), justify="right")  # noqa: E731 (amounts line up on the right)
        per_currency = self.query_one("#per-currency", DataTable)
        per_currency.clear()
        for b in data.balances:
            per_currency.add_row(rich_plain(b.currency), right(b.balance))
        synced = self.query_one("#synced", DataTable)
        synced.clear()
        for s in data.synced:
            synced.add_row(
                str(s.id), right(s.value_numeric_at_sync_date), right(s.gmt_value_at_sync_date_numeric),
                right(s.time_locked_value_at_sync_date_numeric), right(s.flexible_staking_value_at_sync_date_numeric),
                right(s.freezed_value_numeric_at_sync_date),
            )
        wallets.focus()

    @work(exclusive=True, group="bind")
    async def action_bind(self) -> None:
        address = await self.app.push_screen_wait(
            AskText(f"Bind a BTC wallet to {self.app.user}", "bc1…, 1… or 3… (mainnet)",
                    "P2PKH, P2SH, P2WPKH, P2WSH or P2TR · checked before anything is sent", check=bindable)
        )
        if address and await run_move(self, plan_bind(self.app.service, self.app.user, address)) in ("ok", "unknown"):
            self.action_refresh()

    def action_copy(self) -> None:
        table = self.query_one("#wallets", DataTable)
        if not table.row_count:
            self.notify("No wallet to copy.", severity="warning")
            return
        address = clean(self.addresses[table.cursor_row])  # never an escape sequence inside the OSC 52 write
        self.app.copy_to_clipboard(address)  # OSC 52: works over SSH in most terminals
        self.notify(f"Copied {address}", title="Clipboard")
