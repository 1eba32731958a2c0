"""Mithril Vault activities: the current user's mining activities, newest first (`a`:
every page), each with its reward, the amount mined, its status (coloured, explained
in help) and its times. `n` rewards the user, `x` cancels a PENDING activity, both
confirmed like every money move. While an activity is PENDING or MINING the section
refreshes more often (Vault processes them every 10 minutes)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.strip import Strip
from textual.widgets import Static

from gmtui.api import inputs
from gmtui.api.errors import GmtuiError
from gmtui.api.mithril import models as m
from gmtui.api.mithril import moves
from gmtui.api.mithril.client import HAPPENED_AT, NotBound
from gmtui.api.text import clean
from gmtui.ui.screens.ask import AskText
from gmtui.ui.screens.confirm import run_move
from gmtui.ui.screens.section import Section
from gmtui.ui.text import markup, plain
from gmtui.ui.widgets.vtable import Column, VirtualTable

LIVE_ACTIVITY_S = 20.0  # how often to refresh while an activity is PENDING or MINING
MEANING = {  # the seed's words (/mining, "Mining Status")
    "PENDING": "valid, not processed yet: x cancels it",
    "MINING": "processed, the mined amount calculated, not paid to the user yet",
    "MINED": "processed and paid to the user",
    "DELETED": "set invalid by you (cancelled): never paid",
    "REJECTED": "set invalid by Vault: never paid",
    "ERROR": "an error Vault did not handle: to be solved by hand, with Vault",
}
PAINT = {"PENDING": "progress", "MINING": "progress", "MINED": "success", "DELETED": "dim", "REJECTED": "error",
         "ERROR": "error"}
STATUS = 3  # the status's column


class ColouredTable(VirtualTable):
    """A VirtualTable whose cells in column ``paint_column`` are coloured by their value
    (``paint``: value -> progress, success, dim or error), and whose columns may change
    with the screen's width while presenter mode masks some (``set_columns``)."""

    DEFAULT_CSS = """
    ColouredTable > .cell--progress { color: $warning; }
    ColouredTable > .cell--success { color: $success; }
    ColouredTable > .cell--dim { color: $text-muted; }
    ColouredTable > .cell--error { color: $error; text-style: bold; }
    """
    COMPONENT_CLASSES = VirtualTable.COMPONENT_CLASSES | {"cell--progress", "cell--success", "cell--dim", "cell--error"}

    def __init__(self, columns: Sequence[Column], paint_column: int, paint: Mapping[str, str], **kw: Any):
        super().__init__(columns, **kw)
        self.paint_column, self.paint = paint_column, paint

    def set_columns(self, columns: Sequence[Column], masked: set[int], on: bool) -> None:
        """Show ``columns``, those at ``masked`` hidden when ``on`` (presenter mode)."""
        self.columns = list(columns)
        self._plain = list(columns)  # what `mask` shows again once presenter mode is off
        self.mask(masked, on)
        self.virtual_size = Size(self.total_width, len(self.rows) + 1)

    def render_line(self, y: int) -> Strip:
        index = y - 1 + self.scroll_offset.y
        if y == 0 or index >= len(self.rows) or index == self.cursor:
            return super().render_line(y)
        row, base = self.rows[index], self.rich_style
        segments = []
        for i, (col, value) in enumerate(zip(self.columns, row, strict=False)):
            text = clean(col.fmt(value), limit=col.width)
            text = text.rjust(col.width) if col.right else text.ljust(col.width)
            paint = self.paint.get(str(value)) if i == self.paint_column else None
            style = base + self.get_component_rich_style(f"cell--{paint}", partial=True) if paint else base
            segments += [Segment(text, style), Segment(" ", base)]
        width, x = self.scrollable_content_region.width, self.scroll_offset.x
        return Strip(segments[:-1]).crop(x, x + width).extend_cell_length(width, base or Style())


def when(text: str, wide: bool = False) -> str:
    """"11-21 06:51" ("11-21 06:51:24" when ``wide``) from Vault's time; other text as it is."""
    if not HAPPENED_AT.fullmatch(text):
        return text
    return text[5:19 if wide else 16].replace("T", " ")


def short_uuid(uuid: str) -> str:
    """"159ed44e…f0a1": the start and the end of a long uuid (in full under the table)."""
    return uuid if len(uuid) <= 13 else f"{uuid[:8]}…{uuid[-4:]}"


def amount(value: Decimal | None) -> str:
    return "-" if value is None else f"{value:,f}"


def columns(width: int) -> list[Column]:
    """76 wide for 80 columns; the whole uuid and the seconds once there is room."""
    wide = width >= 112
    at = 14 if wide else 11
    return [
        Column("UUID", 36 if wide else 13, str if wide else short_uuid),
        Column("Reward MITH", 13, amount, right=True, key=lambda v: Decimal(-1) if v is None else v),
        Column("Mined MITH", 13, amount, right=True, key=lambda v: Decimal(-1) if v is None else v),
        Column("Status", 8),
        Column("Happened (UTC)" if wide else "Happened", at, lambda v: when(v, wide)),
        Column("Updated (UTC)" if wide else "Updated", at, lambda v: when(v, wide)),
    ]


def _mith(text: str) -> Decimal:
    return inputs.decimal(text, "a MITH amount", places=8, maximum=Decimal(10**12), example="12.5")


@dataclass(frozen=True)
class Listing:
    items: list[m.Activity]
    more: bool  # Vault has older ones than those listed
    every: bool  # every page was read


class VaultActivitiesScreen(Section):
    DEFAULT_CSS = """
    VaultActivitiesScreen {
        #activities { height: 1fr; border: round $primary; border-title-color: $accent; }
        #detail { height: 2; padding: 0 1; color: $text-muted; }
    }
    """
    TITLE = "Activities"
    GUIDE = (
        "The current user's mining activities (u picks the user), newest first; a lists every page. "
        "[b]Reward[/]: the MITH you gave it; [b]Mined[/]: what Vault mined for it; times in UTC. Vault "
        "processes them every 10 minutes; each has a status:\n"
        + "\n".join(f"[b]{status:<9}[/]{means}" for status, means in MEANING.items())
        + f"\nWhile one is PENDING or MINING the list refreshes every {LIVE_ACTIVITY_S:.0f} s (when auto-refresh "
        "is on). n rewards the user from the application's capital, confirmed with y, journaled first and sent once."
    )
    MOVES = frozenset({"reward", "cancel"})
    BINDINGS = [
        Binding("n", "reward", "Reward…", id="vault.reward"),
        Binding("x", "cancel", "Cancel reward", id="vault.cancel"),
        Binding("a", "every", "All pages", id="vault.every"),
    ]
    everything = False  # every page, or the newest one
    in_flight = 0  # activities shown PENDING or MINING
    listed = False  # a listing is shown

    def body(self) -> ComposeResult:
        yield ColouredTable(columns(80), STATUS, PAINT, id="activities")
        yield self.filter_box("uuid or status")
        yield Static("", id="detail")

    @property
    def every(self) -> float:
        """The refresh interval: shorter while an activity is on its way (when auto-refresh is on)."""
        base = super().every
        return min(base, LIVE_ACTIVITY_S) if base and self.in_flight else base

    def on_resize(self, event: events.Resize) -> None:
        table = self.query_one(ColouredTable)
        if [c.width for c in columns(event.size.width)] != [c.width for c in table.columns]:
            table.set_columns(columns(event.size.width), {1, 2}, self.app.presenter)

    async def fetch(self, user: str) -> Listing:
        client = self.app.vault
        try:
            if self.everything:
                return Listing(await client.all_activities(user), False, True)
            page = await client.activities(user)
        except NotBound as exc:
            if client.bindings.token(user) is None:
                raise GmtuiError(f"{user} is not bound to Mithril Vault in this profile: Users (1), b binds it") from None
            raise GmtuiError(f"Vault refused {user}'s binding ({exc.server_message}): Users (1), b binds it again") from None
        return Listing(page.items, bool(page.next_id), False)

    def show(self, data: Listing) -> None:
        table = self.query_one(ColouredTable)
        table.set_columns(columns(self.size.width), {1, 2}, self.app.presenter)
        table.set_rows([(a.uuid, a.value, a.amount, a.status, a.happened_at, a.updated_at) for a in data.items])
        self.in_flight = sum(1 for a in data.items if a.status in moves.WAITING)
        self.listed = True
        n = len(data.items)
        listed = (f"all {n} activities" if data.every else f"newest {n} activities" if data.more
                  else f"{n} activit{'y' if n == 1 else 'ies'}")
        live = (f" · {self.in_flight} on the way, refreshed every {self.every:.0f} s" if self.in_flight and self.every
                else f" · {self.in_flight} on the way" if self.in_flight else "")
        table.border_title = markup("$user · $listed$live", user=self.app.user, listed=listed, live=live)
        more = "a: only the newest" if data.every else "a: every page" if data.more else ""
        note = self.filter_note(table, "activities") if table.filter_text else plain(more)
        table.border_subtitle = note
        self._describe(table.current)
        table.focus()

    @on(VirtualTable.Highlighted)
    def highlighted(self, event: VirtualTable.Highlighted) -> None:
        self._describe(event.row)

    def _describe(self, row: tuple[Any, ...] | None) -> None:
        """The selected activity in full under the table: its uuid, amounts, times, and
        what its status means."""
        detail = self.query_one("#detail", Static)
        if row is None:
            empty = self.query_one(ColouredTable).total == 0 and self.listed
            detail.update(plain(f"No activity for {self.app.user} yet: n rewards the user." if empty else ""))
            return
        uuid, _, _, status, happened, _ = row
        detail.update(markup(
            "[b]$status[/]: $means\nuuid $uuid · happened $happened",
            uuid=uuid, happened=f"{happened.replace('T', ' ')} UTC" if HAPPENED_AT.fullmatch(happened) else happened,
            status=status, means=MEANING.get(status, "a status the documents do not name")))

    async def _move(self, planning: Any) -> None:
        if await run_move(self, planning) in ("ok", "unknown"):
            self.action_refresh()

    @work(exclusive=True, group="vault-activity")
    async def action_reward(self) -> None:
        user = self.app.user
        text = await self.app.push_screen_wait(AskText(
            f"Reward {user} in MITH", "a MITH amount, e.g. 12.5",
            "from the application's capital; Vault pays it when it processes it (every 10 minutes) · esc cancels",
            check=_mith))
        if text:
            await self._move(moves.plan_reward(self.app.vault, user, _mith(text)))

    @work(exclusive=True, group="vault-activity")
    async def action_cancel(self) -> None:
        row = self.query_one(ColouredTable).current
        if row is None:
            self.notify("Pick an activity first.", severity="warning")
            return
        uuid, status = str(row[0]), str(row[STATUS])
        if status != "PENDING":
            self.notify(f"Only a PENDING activity can be cancelled: {short_uuid(uuid)} is {status} "
                        f"({MEANING.get(status, 'a status the documents do not name')}).",
                        title="Not cancelled: nothing was sent", severity="warning", timeout=8)
            return
        await self._move(moves.plan_cancel(self.app.vault, self.app.user, uuid))

    def action_every(self) -> None:
        self.everything = not self.everything
        self.notify("Every page of activities" if self.everything else "Only the newest activities", title="Activities")
        self.action_refresh()
