"""WebMinePool account: the WMC balance and the unpaid hashes, each with its worth in
satoshi and BTC, and today's three rates (WMC; web and CLI mining per 1,000,000
hashes). Exact decimals throughout; presenter mode hides the balance and the hashes."""

from __future__ import annotations

from decimal import Decimal

from textual import events
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Static

from gmtui.api.webminepool.client import RATE_UNIT
from gmtui.api.webminepool.views import Account, account
from gmtui.ui.screens.section import MASK, Section
from gmtui.ui.text import markup


def sat_text(value: Decimal) -> str:
    """"2,345.679 sat": satoshi as the server's figures give them (to 1/1000 sat)."""
    return f"{value:,f} sat"


def btc_text(sat: Decimal) -> str:
    """"0.00002345679 BTC": satoshi / 10^8, exact (no rounding)."""
    return f"{sat.scaleb(-8):f} BTC"


def rate_text(value: Decimal) -> str:
    """"190 sat", "0.54 sat": a rate without trailing zeros."""
    return f"{value.normalize():f} sat"


class PoolAccountScreen(Section):
    DEFAULT_CSS = """
    PoolAccountScreen {
        #holdings { grid-size: 2; grid-columns: 1fr 1fr; grid-rows: auto; grid-gutter: 0 1; height: auto; }
        .tile { border: round $primary; border-title-color: $accent; padding: 0 1; height: auto; }
        #note { height: auto; padding: 1 1 0 1; color: $text-muted; }
        #guide { height: 1fr; padding: 1 1 0 1; color: $text-muted; }
    }
    """
    TITLE = "Account"
    GUIDE = (
        "[b]Balance[/]: the WMC (WebMinePool's coin) the account holds, and what it is worth at "
        "today's WMC rate, in satoshi (sat) and BTC; 1 BTC is 100,000,000 sat.\n"
        "[b]Unpaid hashes[/]: the hashes your users have mined and still hold (a withdrawal or a reset "
        "takes them off), and what they are worth at today's web-mining rate.\n"
        "[b]Today's rates[/]: what the server pays for 1 WMC, and for 1,000,000 hashes mined in a web "
        "browser or with the command-line (CLI) miner. Rates move from day to day."
    )

    def body(self) -> ComposeResult:
        with Grid(id="holdings"):
            yield self._tile("Balance", "balance")
            yield self._tile("Unpaid hashes", "unpaid")
        yield self._tile("Today's rates", "rates")
        yield Static("Values are at today's rates · 1 BTC = 100,000,000 sat · ? explains each figure", id="note")
        yield Static(self.GUIDE, id="guide")  # said here too when the terminal has the room

    def on_resize(self, event: events.Resize) -> None:
        self.query_one("#guide").styles.visibility = "visible" if event.size.height >= 32 else "hidden"

    @staticmethod
    def _tile(title: str, name: str) -> Static:
        tile = Static("…", id=name, classes="tile")
        tile.border_title = title
        return tile

    async def fetch(self, user: str) -> Account:
        return await account(self.app.pool)

    def show(self, data: Account) -> None:
        hide = self.app.presenter
        held = [f"{data.balance_wmc:,f} WMC", sat_text(data.balance_sat), btc_text(data.balance_sat)]
        unpaid = [f"{data.unpaid_hashes:,} hashes", sat_text(data.unpaid_sat), btc_text(data.unpaid_sat)]
        if hide:
            held, unpaid = [MASK] * 3, [MASK] * 3
        self.query_one("#balance", Static).update(markup(
            "[b]$amount[/]\nworth $sat\n      $btc\n[dim]at $rate per WMC[/]",
            amount=held[0], sat=held[1], btc=held[2], rate=rate_text(data.wmc_sat)))
        self.query_one("#unpaid", Static).update(markup(
            "[b]$amount[/]\nworth $sat\n      $btc\n[dim]at today's web-mining rate[/]",
            amount=unpaid[0], sat=unpaid[1], btc=unpaid[2]))
        rows = [
            ("1 WMC, the account's coin", rate_text(data.wmc_sat)),
            (f"{RATE_UNIT:,} hashes mined in a web browser", rate_text(data.hash_rate_sat)),
            (f"{RATE_UNIT:,} hashes mined with the CLI miner", rate_text(data.hash_rate_cli_sat)),
        ]
        width = max(len(label) for label, _ in rows) + 2
        values = max(len(value) for _, value in rows)
        self.query_one("#rates", Static).update(markup(
            "\n".join(f"$l{i}$v{i}" for i in range(len(rows))),
            **{f"l{i}": label.ljust(width) for i, (label, _) in enumerate(rows)},
            **{f"v{i}": value.rjust(values) for i, (_, value) in enumerate(rows)},
        ))
