"""Mithril Vault capital: the application's balance per currency (with when Vault last
changed it), the MITH promised to rewards Vault has not paid yet (PENDING or MINING,
every bound user's newest activities, read fresh) and what is left after them: what
new rewards can still come out of. Presenter mode hides the amounts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from textual import events
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Static

from gmtui.api import cache
from gmtui.api.mithril import models as m
from gmtui.api.mithril import moves
from gmtui.ui.screens.section import MASK, Section
from gmtui.ui.text import markup, plain


@dataclass(frozen=True)
class Capital:
    balances: list[m.AppBalance]
    pending: Decimal | None  # None: not read yet (the cached figures come first)
    unread: list[str]  # bound users whose activities could not be read
    users: int  # bound users

    @property
    def mith(self) -> Decimal:
        return sum((b.balance for b in self.balances if b.currency.upper() == "MITH"), Decimal(0))


class VaultCapitalScreen(Section):
    DEFAULT_CSS = """
    VaultCapitalScreen {
        #figures { grid-size: 2; grid-columns: 1fr 1fr; grid-rows: auto; grid-gutter: 0 1; height: auto; }
        .tile { border: round $primary; border-title-color: $accent; padding: 0 1; height: auto; }
        #figures .tile { min-height: 5; }
        #note { height: auto; padding: 1 1 0 1; color: $text-muted; }
        #guide { height: 1fr; padding: 1 1 0 1; color: $text-muted; }
    }
    """
    TITLE = "Capital"
    GUIDE = (
        "[b]Capital[/]: what the application holds in Vault, per currency; rewards are paid from its MITH. "
        "[b]Promised[/]: the MITH of rewards Vault has not paid yet, PENDING (not processed) or MINING "
        "(processed, not paid), over every bound user's newest activities. [b]Left[/]: the MITH capital less "
        "what is promised: what new rewards can still come out of. A reward Vault cannot pay when it "
        "processes it is REJECTED, so gmtui refuses one the capital does not cover."
    )

    def body(self) -> ComposeResult:
        yield self._tile("Capital", "balances")
        with Grid(id="figures"):
            yield self._tile("Promised, not paid yet", "pending")
            yield self._tile("Left for new rewards", "left")
        yield Static("Vault processes rewards every 10 minutes · ? explains each figure", id="note")
        yield Static(self.GUIDE, id="guide")  # said here too when the terminal has the room

    def on_resize(self, event: events.Resize) -> None:
        self.query_one("#guide").styles.visibility = "visible" if event.size.height >= 24 else "hidden"

    @staticmethod
    def _tile(title: str, name: str) -> Static:
        tile = Static("…", id=name, classes="tile")
        tile.border_title = title
        return tile

    async def fetch(self, user: str) -> Capital:
        client = self.app.vault
        balances = (await client.app_balance()).root
        users = len(client.bindings.users())
        fresh = cache.current()
        if fresh is not None and fresh.cache_only:
            return Capital(list(balances), None, [], users)  # the promised MITH is only ever read fresh
        pending, unread = await moves.pending(client)
        return Capital(list(balances), pending, unread, users)

    def show(self, data: Capital) -> None:
        hide = self.app.presenter

        def money(value: Decimal, unit: str = "MITH") -> str:
            return MASK if hide else f"{value:,f} {unit}"

        width = max((len(b.currency) for b in data.balances), default=4)
        values = {}
        for i, b in enumerate(data.balances):
            values[f"a{i}"] = money(b.balance, b.currency.ljust(width))
            values[f"t{i}"] = f"{b.updated_at.replace('T', ' ')} UTC" if b.updated_at else "(time not given)"
        template = "\n".join(f"[b]$a{i}[/]  [dim]updated $t{i}[/]" for i in range(len(data.balances)))
        self.query_one("#balances", Static).update(
            markup(template, **values) if data.balances else plain("Vault lists no balance for the application."))
        pending, left = self.query_one("#pending", Static), self.query_one("#left", Static)
        if data.pending is None:
            pending.update(plain("reading every bound user's activities…"))
            left.update(plain("…"))
            return
        whose = f"{data.users} bound user{'' if data.users == 1 else 's'}"
        unread = "\n[yellow]not read: $unread[/]" if data.unread else ""
        pending.update(markup("[b]$amount[/]\nPENDING or MINING, over the newest activities of $whose" + unread,
                              amount=money(data.pending), whose=whose, unread=", ".join(data.unread[:5])
                              + ("…" if len(data.unread) > 5 else "")))
        rest = data.mith - data.pending
        if rest < 0:
            left.update(markup("[b red]short by $short[/]\nVault REJECTS the rewards it cannot pay",
                               short=money(-rest)))
        else:
            left.update(markup("[b]$amount[/]\nthe MITH capital less what is promised$more", amount=money(rest),
                               more=" (more may be promised: some users not read)" if data.unread else ""))
