"""WebMinePool tokens: the tokens gmtui set (the API lists none, so gmtui keeps their
ids), each checked with the server: verified once its hashes are mined, with when.
`n` sets one, `c` checks any id, `D` deletes a verified token and its user, `f`
forgets one gone from the server."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding

from gmtui.api import inputs
from gmtui.api.errors import GmtuiError, InputError, NotFoundError
from gmtui.api.webminepool import moves
from gmtui.api.webminepool.client import USERNAME
from gmtui.ui.screens.ask import AskText
from gmtui.ui.screens.confirm import run_move
from gmtui.ui.screens.section import Section
from gmtui.ui.text import markup
from gmtui.ui.widgets.vtable import Column, VirtualTable

COLUMNS = [  # 80 columns wide with the borders
    Column("Token", 20),
    Column("Mined by", 9),
    Column("Hashes", 11, lambda v: f"{v:,}", right=True),
    Column("Set (UTC)", 11),
    Column("State", 8),
    Column("Done at", 11),
]


@dataclass(frozen=True)
class Token:
    id: str
    user: str
    hashes: int
    set_at: str
    state: str  # verified, pending, gone, or the error
    done_at: str


def _new_token(text: str) -> tuple[int, str | None]:
    """"HASHES" or "HASHES USER"."""
    parts = text.split()
    if not 1 <= len(parts) <= 2:
        raise InputError("write a number of hashes, then a username if one user mines them")
    hashes = inputs.whole(parts[0], "a number of hashes", maximum=10**18)
    if len(parts) == 2 and not USERNAME.fullmatch(parts[1]):
        raise InputError("a username has 1 to 64 letters, digits or _ . @ -")
    return hashes, parts[1] if len(parts) == 2 else None


class PoolTokensScreen(Section):
    DEFAULT_CSS = """
    PoolTokensScreen {
        #tokens { height: 1fr; border: round $primary; border-title-color: $accent; }
    }
    """
    TITLE = "Tokens"
    GUIDE = (
        "A token is verified once its hashes are mined (by one user, or by the whole account). The API "
        "cannot list tokens, so gmtui keeps the ids of those it set. [b]n[/] sets one, [b]c[/] checks any "
        "id, [b]D[/] deletes a verified token, and the documents say its user goes with it; [b]f[/] "
        "forgets a token the server no longer has."
    )
    MOVES = frozenset({"new", "unset"})
    BINDINGS = [
        Binding("n", "new", "New token…", id="tokens.new"),
        Binding("c", "check", "Check id…", id="tokens.check"),
        Binding("D", "unset", "Delete", id="tokens.unset"),
        Binding("f", "forget", "Forget", id="tokens.forget"),
    ]

    def body(self) -> ComposeResult:
        yield VirtualTable(COLUMNS, id="tokens")
        yield self.filter_box("token or user")

    async def fetch(self, user: str) -> list[Token]:
        client = self.app.pool
        gate = asyncio.Semaphore(8)

        async def one(token_id: str, kept: dict[str, Any]) -> Token:
            at = datetime.fromtimestamp(float(kept["at"]), UTC).strftime("%m-%d %H:%M")
            base = (token_id, str(kept["user"]) or "account", int(kept["hashes"]), at)
            async with gate:
                try:
                    state = await client.get_token(token_id)
                except NotFoundError:
                    return Token(*base, "gone", "")
                except GmtuiError as exc:
                    return Token(*base, f"? {exc.message}"[:60], "")
            done = state.done_at.date[5:16] if state.verified and state.done_at else ""  # "11-23 05:38", as Set
            return Token(*base, "verified" if state.verified else "pending", done)

        newest = sorted(client.roster.tokens.items(), key=lambda kv: float(kv[1]["at"]), reverse=True)
        return list(await asyncio.gather(*(one(t, v) for t, v in newest)))

    def show(self, tokens: list[Token]) -> None:
        table = self.query_one(VirtualTable)
        table.set_rows([(t.id, t.user, t.hashes, t.set_at, t.state, t.done_at) for t in tokens])
        verified = sum(1 for t in tokens if t.state == "verified")
        table.border_title = markup("$n kept by gmtui · $verified verified",
                                    n=f"{len(tokens)} token{'' if len(tokens) == 1 else 's'}", verified=verified)
        table.border_subtitle = self.filter_note(table, "tokens") if tokens else "n sets a token"
        table.focus()

    @work(exclusive=True, group="tokens")
    async def action_new(self) -> None:
        text = await self.app.push_screen_wait(AskText(
            "Set a token", "HASHES, or HASHES USER", "verified once that many more hashes are mined · esc cancels",
            check=_new_token))
        if text:
            hashes, user = _new_token(text)
            if await run_move(self, moves.plan_set_token(self.app.pool, hashes, user)) in ("ok", "unknown"):
                self.action_refresh()

    @work(exclusive=True, group="tokens")
    async def action_check(self) -> None:
        token_id = await self.app.push_screen_wait(AskText("Check a token", "its id", "nothing changes · esc cancels"))
        if not token_id:
            return
        try:
            state = await self.app.pool.get_token(token_id)
        except GmtuiError as exc:
            self.notify(str(exc), title=f"Token {token_id}", severity="error")
            return
        when = f", done at {state.done_at.date[:19]} {state.done_at.timezone}" if state.verified and state.done_at else ""
        self.notify(f"{'Verified' if state.verified else 'Not verified yet'} (end hashes {state.end_hashes:,}{when})",
                    title=f"Token {token_id}")

    @work(exclusive=True, group="tokens")
    async def action_unset(self) -> None:
        row = self.query_one(VirtualTable).current
        if row is None:
            self.notify("Pick a token first.", severity="warning")
            return
        if await run_move(self, moves.plan_unset_token(self.app.pool, str(row[0]))) in ("ok", "unknown"):
            self.action_refresh()

    def action_forget(self) -> None:
        row = self.query_one(VirtualTable).current
        if row is None or row[4] != "gone":
            self.notify("Only a token the server no longer has can be forgotten.", severity="warning")
            return
        self.app.pool.roster.drop_token(str(row[0]))
        self.notify(f"Token {row[0]} forgotten.", title="Tokens")
        self.action_refresh()
