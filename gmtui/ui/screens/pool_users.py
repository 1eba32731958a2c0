"""WebMinePool users: every user of gmtui's roster with its hashes and their value at
today's hash rate, whether it mined in the last 3 days, and how gmtui knows it. The
moves on users (withdraw hashes, reset, reset all, create, delete) are planned from
fresh figures and confirmed like every money move."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding

from gmtui.api import inputs
from gmtui.api.moves import Plan
from gmtui.api.webminepool import moves
from gmtui.api.webminepool.client import USERNAME
from gmtui.api.webminepool.views import Roster, roster
from gmtui.ui.screens.ask import AskText
from gmtui.ui.screens.confirm import run_move
from gmtui.ui.screens.section import Section
from gmtui.ui.text import markup
from gmtui.ui.widgets.vtable import Column, VirtualTable

_NONE = Decimal(-1)  # sorts a user whose hashes could not be read first
COLUMNS = [
    Column("User", 16),
    Column("Hashes", 14, lambda v: "?" if v is None else f"{v:,}", right=True, key=lambda v: -1 if v is None else v),
    Column("Value sat", 12, lambda v: "?" if v is None else f"{v:,.3f}", right=True,
           key=lambda v: _NONE if v is None else v),
    Column("Mined", 7, lambda v: "3 days" if v else "idle"),
    Column("Known", 7),
    Column("Problem", 15),
]


def _username(text: str) -> str:
    if not USERNAME.fullmatch(text):
        raise inputs.InputError("a username has 1 to 64 letters, digits or _ . @ -")
    return text


class PoolUsersScreen(Section):
    DEFAULT_CSS = """
    PoolUsersScreen {
        #users { height: 1fr; border: round $primary; border-title-color: $accent; }
    }
    """
    TITLE = "Users"
    GUIDE = (
        "The partner's WebMinePool users: those gmtui created, those you added with [b]a[/], and those "
        "the server listed as mining in the last 3 days (it lists no one else, so gmtui keeps this "
        "roster). [b]Hashes[/]: what the user holds now; [b]Value[/]: their worth in satoshi at today's "
        "web-mining rate; [b]Mined[/]: within the last 3 days, or idle. Every move is planned from "
        "fresh figures, confirmed with y, journaled first and sent once."
    )
    MOVES = frozenset({"withdraw", "reset", "reset_all", "add", "delete"})
    BINDINGS = [
        Binding("w", "withdraw", "Withdraw…", id="pool.withdraw"),
        Binding("x", "reset", "Reset", id="pool.reset"),
        Binding("X", "reset_all", "Reset all", id="pool.reset_all"),
        Binding("a", "add", "Add…", id="pool.add"),
        Binding("d", "delete", "Delete", id="pool.delete"),
    ]

    def body(self) -> ComposeResult:
        yield VirtualTable(COLUMNS, id="users")
        yield self.filter_box("user name")

    async def fetch(self, user: str) -> Roster:
        return await roster(self.app.pool)

    def show(self, data: Roster) -> None:
        table = self.query_one(VirtualTable)
        table.mask({1, 2}, self.app.presenter)
        table.set_rows([(m.name, m.hashes, m.sat(data.hash_rate_sat), m.active, m.known, m.error)
                        for m in data.members])
        active = sum(1 for m in data.members if m.active)
        problem = self.app.pool.roster.problem
        table.border_title = markup("$n users · $active mined in the last 3 days · $rate sat per 1M hashes$problem",
                                    n=len(data.members), active=active, rate=f"{data.hash_rate_sat:g}",
                                    problem=f" · {problem}" if problem else "")
        table.border_subtitle = self.filter_note(table, "users")
        table.focus()

    def _picked(self) -> str | None:
        row = self.query_one(VirtualTable).current
        if row is None:
            self.notify("Pick a user first.", severity="warning")
        return None if row is None else str(row[0])

    async def _move(self, planning: Awaitable[Plan]) -> None:
        if await run_move(self, planning) in ("ok", "unknown"):
            self.action_refresh()

    async def _ask(self, title: str, placeholder: str, hint: str, check: Callable[[str], Any]) -> str | None:
        answer: str | None = await self.app.push_screen_wait(AskText(title, placeholder, hint, check=check))
        return answer

    @work(exclusive=True, group="pool-move")
    async def action_withdraw(self) -> None:
        user = self._picked()
        if user is None:
            return
        amount = await self._ask(f"Withdraw hashes from {user}", "a whole number, e.g. 1000000",
                                 "at most what the user holds now · esc cancels",
                                 lambda t: inputs.whole(t, "a number of hashes", maximum=10**18))
        if amount:
            await self._move(moves.plan_withdraw(self.app.pool, user, int(amount)))

    @work(exclusive=True, group="pool-move")
    async def action_reset(self) -> None:
        user = self._picked()
        if user is not None:
            await self._move(moves.plan_reset(self.app.pool, user))

    @work(exclusive=True, group="pool-move")
    async def action_reset_all(self) -> None:
        await self._move(moves.plan_reset_all(self.app.pool))

    @work(exclusive=True, group="pool-move")
    async def action_add(self) -> None:
        name = await self._ask("Add a user", "a username", "created on the server; one it has already is only kept "
                               "in gmtui's roster · esc cancels", _username)
        if name:
            await run_move(self, moves.plan_add_user(self.app.pool, name))
            self.action_refresh()  # created, or kept in the roster

    @work(exclusive=True, group="pool-move")
    async def action_delete(self) -> None:
        user = self._picked()
        if user is not None:
            await self._move(moves.plan_delete_user(self.app.pool, user))

