"""Mithril Vault users: every partner user bound in this profile with its Vault balance
(amount on hand plus staked), KYC and stake levels and when it was bound, and the
bindings still waiting for Vault's redirect. `b` binds a user (Vault's authorize page,
then its redirect pasted: vault_bind.py), enter shows a user's activities or finishes
a waiting binding, `U` unbinds, confirmed like every money move."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from gmtui.api import cache
from gmtui.api.errors import GmtuiError, InputError
from gmtui.api.mithril import models as m
from gmtui.api.mithril import moves
from gmtui.api.mithril.bindings import USER
from gmtui.api.mithril.client import NotBound
from gmtui.ui.screens.ask import AskText
from gmtui.ui.screens.confirm import run_move
from gmtui.ui.screens.section import MASK, Section
from gmtui.ui.screens.vault_activities import ColouredTable
from gmtui.ui.screens.vault_bind import VaultBindScreen
from gmtui.ui.text import markup, plain
from gmtui.ui.widgets.vtable import Column, VirtualTable

BOUND, WAITING, GONE, FAILED = "bound", "waiting", "gone", "error"
PAINT = {WAITING: "progress", GONE: "error", FAILED: "error"}
_NONE = Decimal(-1)  # sorts a user whose figures could not be read first


def mith(value: Decimal | str | None) -> str:
    """"1,234.5": MITH exactly as Vault gives it ("?" when not read, "" when not bound yet)."""
    return "?" if value is None else value if isinstance(value, str) else f"{value:,f}"


def _amount(width: int, title: str) -> Column:
    return Column(title, width, mith, right=True, key=lambda v: v if isinstance(v, Decimal) else _NONE)


def _level(title: str) -> Column:
    return Column(title, len(title), lambda v: "?" if v is None else str(v), right=True,
                  key=lambda v: v if isinstance(v, int) else -1)


COLUMNS = [  # 76 wide: fits 80 columns with the border and the scroll bar
    Column("User", 11),
    _amount(11, "Balance"),
    _amount(11, "Amount"),
    _amount(9, "Staked"),
    _level("KYC"),
    _level("Stake"),
    Column("Bound (UTC)", 11),
    Column("State", 7),
]
PROBLEM, STATE = 8, 9  # a row's problem, then (waiting) its OAuth state: after the columns


def columns(width: int) -> list[Column]:
    """The columns for a screen ``width`` wide: the problem too when it has room (it is
    always in the line under the table)."""
    spare = width - 84  # the 76 above, the border, the scroll bar and the problem's gap
    if spare < 12:
        return COLUMNS
    user = min(24, 11 + (spare - 12) // 2)  # longer ids, then the problem
    return [Column("User", user), *COLUMNS[1:], Column("Problem", spare - (user - 11))]


@dataclass(frozen=True)
class Member:
    user: str
    state: str  # bound, waiting, gone, error
    at: float  # bound at; for a waiting binding, when it expires
    info: m.UserInfo | None = None
    problem: str = ""
    oauth_state: str = ""  # a waiting binding's


def state_of(url: str) -> str:
    """The OAuth state in an authorize URL (its query sits in the fragment)."""
    parts = urlsplit(url)
    query = parts.fragment.partition("?")[2] or parts.query
    return (parse_qs(query).get("state") or [""])[0]


class VaultUsersScreen(Section):
    DEFAULT_CSS = """
    VaultUsersScreen {
        #users { height: 1fr; border: round $primary; border-title-color: $accent; }
        #detail { height: 2; padding: 0 1; color: $text-muted; }
    }
    """
    TITLE = "Users"
    GUIDE = (
        "The partner users bound to Mithril Vault in this profile (Vault lists none, so gmtui keeps "
        "them), each with its Vault account: [b]Balance[/] = [b]Amount[/] (MITH on hand) + [b]Staked[/], "
        "its [b]KYC[/] and [b]stake[/] levels, and when it was bound. [b]waiting[/]: a binding started "
        "with b whose redirect has not come back yet (its address is valid 10 minutes; enter pastes it). "
        "[b]gone[/]: Vault refused the binding (unbound in Vault, or its token no longer works): b binds "
        "it again, U forgets it. Unbinding (U) is confirmed with y, journaled first and sent once."
    )
    MOVES = frozenset({"bind", "unbind"})
    BINDINGS = [
        Binding("b", "bind", "Bind…", id="vault.bind"),
        Binding("U", "unbind", "Unbind", id="vault.unbind"),
        Binding("enter", "open", "Activities", id="vault.open"),
    ]

    def body(self) -> ComposeResult:
        yield ColouredTable(COLUMNS, 7, PAINT, id="users")
        yield self.filter_box("user id or state")
        yield Static("", id="detail")

    def on_resize(self, event: events.Resize) -> None:
        table, wanted = self.query_one(ColouredTable), columns(event.size.width)
        if [c.width for c in wanted] != [c.width for c in table.columns]:
            table.set_columns(wanted, {1, 2, 3}, self.app.presenter)

    async def fetch(self, user: str) -> list[Member]:
        client = self.app.vault
        gate = asyncio.Semaphore(2)  # one call at a time per user, two users at once

        async def one(user: str, at: float) -> Member:
            async with gate:
                try:
                    return Member(user, BOUND, at, await client.user_info(user))
                except GmtuiError as exc:
                    if _cached_only():
                        raise  # the cached figures are not all there: the server's follow
                    if isinstance(exc, NotBound):
                        return Member(user, GONE, at, problem="Vault refused its binding (unbound in Vault, or its "
                                                              "token no longer works): b binds it again, U forgets it")
                    return Member(user, FAILED, at, problem=f"could not read it: {exc.message}")

        bound = list(await asyncio.gather(*(one(b.user, b.at) for b in client.bindings.users())))
        waiting = [Member(u, WAITING, expires, oauth_state=s) for s, u, expires in client.bindings.pending()]
        return bound + waiting

    def show(self, members: list[Member]) -> None:
        table = self.query_one(ColouredTable)
        table.set_columns(columns(self.size.width), {1, 2, 3}, self.app.presenter)
        now = self.app.clock()
        rows = []
        for s in members:
            info = s.info
            when = (f"{max(1, math.ceil((s.at - now) / 60))} min left" if s.state == WAITING
                    else datetime.fromtimestamp(s.at, UTC).strftime("%m-%d %H:%M"))
            figures = ((info.balance, info.amount, info.staked_amount, info.kyc_level, info.stake_level) if info
                       else ("",) * 5 if s.state == WAITING else (None,) * 5)
            rows.append((s.user, *figures, when, s.state, s.problem, s.oauth_state))
        table.set_rows(rows)
        bound = sum(1 for s in members if s.state != WAITING)
        waiting = len(members) - bound
        gone = sum(1 for s in members if s.state in (GONE, FAILED))
        problem = self.app.vault.bindings.problem
        table.border_title = markup(
            "$bound bound$waiting$gone · amounts in MITH$problem",
            bound=f"{bound} user{'' if bound == 1 else 's'}",
            waiting=f" · {waiting} waiting for Vault's redirect" if waiting else "",
            gone=f" · {gone} not read" if gone else "", problem=f" · {problem}" if problem else "")
        table.border_subtitle = self.filter_note(table, "users") if members else plain("b binds a user")
        self._describe(table.current)
        table.focus()

    @on(VirtualTable.Highlighted)
    def highlighted(self, event: VirtualTable.Highlighted) -> None:
        self._describe(event.row)

    def _describe(self, row: tuple[Any, ...] | None) -> None:
        """The selected user in full, under the table (the problem whole, the amounts exact)."""
        detail = self.query_one("#detail", Static)
        if row is None:
            detail.update(plain("No bound user yet: b binds one." if not self.query_one(VirtualTable).total else ""))
            return
        user, balance, amount, staked, kyc, stake, when, state = row[:8]
        if state == WAITING:
            detail.update(markup("[b]$user[/] waits for Vault's redirect, $when: enter pastes it, b starts again",
                                 user=user, when=when))
        elif state != BOUND:
            detail.update(markup("[b]$user[/] [red]$problem[/]", user=user, problem=row[PROBLEM]))
        else:
            money: Callable[[Any], str] = (lambda _: MASK) if self.app.presenter else (lambda v: f"{mith(v)} MITH")
            detail.update(markup(
                "[b]$user[/]: $balance = $amount on hand + $staked staked · KYC level $kyc · stake level $stake · "
                "bound $when UTC · enter: its activities",
                user=user, balance=money(balance), amount=money(amount), staked=money(staked), kyc=kyc, stake=stake,
                when=when))

    def _picked(self) -> tuple[Any, ...] | None:
        row = self.query_one(VirtualTable).current
        if row is None:
            self.notify("Pick a user first.", severity="warning")
        return row

    # ---- keys
    def action_open(self) -> None:
        """A bound user: its activities (it becomes the current user). A waiting
        binding: the field to paste Vault's redirect in."""
        row = self._picked()
        if row is None:
            return
        if row[7] == WAITING:
            self.finish(str(row[0]), str(row[STATE]))
            return
        if row[0] not in self.app.users:
            self.app.users.append(row[0])
        self.app.user = row[0]
        self.app.action_section("vault-activities")

    @work(exclusive=True, group="vault-bind")
    async def action_bind(self) -> None:
        shown = {r[0]: r[7] for r in self.query_one(VirtualTable).rows}

        def check(text: str) -> str:
            if not USER.fullmatch(text):
                raise InputError("a user id has 1 to 64 letters, digits or _ . @ : -")
            if shown.get(text) == BOUND:
                raise InputError(f"{text} is bound already (U unbinds it)")
            return text

        user = await self.app.push_screen_wait(AskText(
            "Bind a partner user to Mithril Vault", "your id for the user, e.g. dave",
            "at most 64 letters, digits or _ . @ : - · then the Vault user approves · esc cancels", check=check))
        if not user:
            return
        try:
            url = self.app.vault.authorize_url(user)
        except ValueError as exc:
            self.notify(str(exc), title="Not started", severity="error")
            return
        self.action_refresh()  # the waiting binding, listed
        await self._bind(user, state_of(url), url)

    @work(exclusive=True, group="vault-bind")
    async def finish(self, user: str, oauth_state: str) -> None:
        await self._bind(user, oauth_state, None)

    async def _bind(self, user: str, oauth_state: str, url: str | None) -> None:
        session = self.app.sessions.get(self.app.profile)
        approve = session.approve if session is not None else None
        bound = await self.app.push_screen_wait(VaultBindScreen(user, oauth_state, url, approve))
        if bound:
            if bound not in self.app.users:
                self.app.users.append(bound)
            self.notify(f"{bound} is bound to Mithril Vault: it can be rewarded now.", title="Bound")
        self.action_refresh()

    @work(exclusive=True, group="vault-bind")
    async def action_unbind(self) -> None:
        row = self._picked()
        if row is None:
            return
        if row[7] == WAITING:
            self.notify("That binding is not done yet: it lapses by itself 10 minutes after it started.",
                        severity="warning")
            return
        user = str(row[0])
        outcome = await run_move(self, moves.plan_unbind(self.app.vault, user))
        gone = self.app.vault.bindings.token(user) is None  # unbound, or forgotten (Vault had dropped it)
        if gone and user in self.app.users and len(self.app.users) > 1:
            self.app.users.remove(user)
            if self.app.user == user:
                self.app.user = self.app.users[0]
        if gone or outcome in ("ok", "unknown"):
            self.action_refresh()


def _cached_only() -> bool:
    """Whether this read is the cache-only pass (its failures skip the cached figures)."""
    fresh = cache.current()
    return fresh is not None and fresh.cache_only
