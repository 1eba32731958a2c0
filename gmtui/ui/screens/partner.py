"""Partner: every user of every profile the dashboard knows in one table, the totals per
unit, and the attention queue (most money at stake first); enter shows a user on its
profile (switched to as `u` does). Rows come from ``api/partner.gather``: cached ones
first with their age, then fresh ones, painted in batches (a timer), not one by one."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.strip import Strip
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from gmtui.api import partner
from gmtui.api.cache import describe_age
from gmtui.api.errors import GmtuiError
from gmtui.api.platforms import platform
from gmtui.api.text import clean
from gmtui.crash import report
from gmtui.ui.screens.section import MASK, Section
from gmtui.ui.screens.vault_activities import ColouredTable
from gmtui.ui.sections import title
from gmtui.ui.text import escaped, markup, plain
from gmtui.ui.widgets.vtable import Column

Key = tuple[str, str]  # (profile, user)
SHORT = {"unknown-move": "move?", "losing-miners": "losing", "no-wallet": "wallet", "rejected": "reject",
         "binding-lost": "unbound", "read-failed": "failed"}  # a flag's kind in the table
AMOUNT = re.compile(r"[-+]?\d[\d,]*\.\d+|\d{1,3}(?:,\d{3})+|\d+(?= ?(?:BTC|MITH|hashes|USD))")  # presenter: masked
MONEY = ("Holds", "BTC eq.", "Net/day")  # the columns presenter mode masks
QUEUE_MAX = 200  # queue lines listed (the rest counted)


def _amount(a: partner.Amount | None, unit: bool = True) -> str:
    return "" if a is None else f"{a.value:,f}" + (f" {a.unit}" if unit or a.unit != "BTC" else "")


def _by_amount(a: partner.Amount | None) -> tuple[str, Decimal]:
    return ("~", Decimal(0)) if a is None else (a.unit, a.value)  # by unit, then value: units never compared


def _flags(flags: tuple[partner.Flag, ...], width: int) -> str:
    kinds = [SHORT.get(f.kind, f.kind) for f in flags]
    return ",".join(kinds) if len(",".join(kinds)) <= width or len(kinds) < 2 else f"{kinds[0]}+{len(kinds) - 1}"


def columns(width: int) -> list[Column]:
    """The columns at a screen ``width`` wide: 76 at 80 (the border and the scroll bar);
    wider, more of the user and the profile, the platform's figures, then the error."""
    spare = max(0, width - 80)
    user, profile = 8 + min(2, spare // 30), 10 + min(6, spare // 5)
    spare -= user - 8 + profile - 10
    figures = min(32, spare - 1) if spare >= 21 else 0
    spare -= figures + 1 if figures else 0
    flags = 6 + min(4, spare // 4)
    age = 6 + spare - (flags - 6)
    return [
        Column("User", user), Column("Profile", profile),
        Column("Holds", 18, _amount, right=True, key=_by_amount),
        Column("BTC eq.", 10, lambda v: "" if v is None else f"{v:,.8f}", right=True,
               key=lambda v: Decimal(-1) if v is None else v),
        Column("Net/day", 11, lambda v: _amount(v, unit=False), right=True, key=_by_amount),  # BTC unless said
        *([Column("Figures", figures)] if figures else []),
        Column("Flags", flags, lambda v: _flags(v, flags), key=len),
        Column("Age/Error" if age >= 9 else "Age", age, lambda v: v[1] if age >= 16 or not v[2] else "error",
               key=lambda v: v[0]),  # (an age, errors after every age; its text; an error?)
    ]


class PartnerTable(ColouredTable):
    """Cells coloured by what their row says: an error red, cached figures dim, flags in
    the warning colour, a negative net per day red."""

    def render_line(self, y: int) -> Strip:
        index = y - 1 + self.scroll_offset.y
        if y == 0 or index >= len(self.rows) or index == self.cursor:
            return super(ColouredTable, self).render_line(y)
        values, base = self.rows[index], self.rich_style
        r: partner.Row = values[-1]
        paints = {"Age/Error": "error" if r.error else "dim" if r.cached else None, "Flags": "progress",
                  "Net/day": "error" if r.daily is not None and r.daily.value < 0 else None}
        paints["Age"] = paints["Age/Error"]
        segments = []
        for col, value in zip(self.columns, values, strict=False):
            text = clean(col.fmt(value), limit=col.width)
            paint = paints.get(col.title)
            style = base + self.get_component_rich_style(f"cell--{paint}", partial=True) if paint else base
            segments += [Segment(text.rjust(col.width) if col.right else text.ljust(col.width), style), Segment(" ", base)]
        width, x = self.scrollable_content_region.width, self.scroll_offset.x
        return Strip(segments[:-1]).crop(x, x + width).extend_cell_length(width, base or Style())


def matches(values: tuple[Any, ...], text: str) -> bool:
    r: partner.Row = values[-1]
    return any(text in s.lower() for s in (r.user, r.profile, r.platform, r.summary, r.error, *(f.kind for f in r.flags)))


def where(r: partner.Row, f: partner.Flag) -> tuple[str, str]:
    """The section where ``f`` is acted on, on ``r``'s profile, and its key ("4 Wallets");
    the platform's first section when the flag's is not one of its (a failed read)."""
    section, key = partner.where(r, f)
    return section, f"{key} {title(section)}"


class PartnerScreen(Section):
    CSS_PATH = "partner.tcss"
    TITLE = "Partner"
    GUIDE = (
        "Every user of every profile, in one table. [b]Holds[/]: the user's balance in its platform's unit "
        "(totals are per unit, never summed across units); [b]BTC eq.[/]: its worth in BTC where a rate "
        "exists; [b]Net/day[/]: at today's prices, in BTC unless a unit is shown (red: a loss); [b]Figures[/] "
        "(from 110 columns, else under the table); [b]Flags[/]: what needs a person; [b]Age/Error[/]: how "
        "old the figures are (dim: cached, a fresh read under way) or why they could not be read. The queue "
        "lists every flag, most money at stake first, with the key of the section to act in on that "
        "profile. Enter on a row or a queue line shows that user there; a goes to the queue and back."
    )
    BINDINGS = [Binding("enter", "open", "Open user", id="partner.open"),
                Binding("a", "attention", "Queue", id="partner.attention")]

    def body(self) -> ComposeResult:
        yield Static("listing every profile's users…", id="totals")
        yield PartnerTable(columns(80), 0, {}, id="rows")
        yield self.filter_box("user, profile, platform or flag")
        yield Static("", id="detail")
        yield OptionList(id="queue", markup=False)

    def on_mount(self) -> None:
        self.found: dict[Key, partner.Row] = {}
        self.said: set[str] = set()
        self.progress, self.profiles = partner.Progress(), 0
        self.items: list[tuple[partner.Row, partner.Flag]] = []
        self.painted: tuple[Any, ...] = ()  # what the queue shows
        self.order: Callable[[partner.Row], Any] = lambda r: 0
        self.set_interval(10, self._repaint)  # the rows' ages, as time passes
        super().on_mount()

    def _repaint(self) -> None:
        if getattr(self, "last", None) is not None and self.is_current:
            self.show(self.last)

    def on_resize(self) -> None:  # the bar follows the width too (Section._fit_bar)
        self.painted = ()  # the queue's lines are cut to the width
        self._repaint()

    def _bar(self) -> str:
        names = self.app.section_titles()
        me = "[reverse b] 0 Partner[/]"
        if sum(3 + len(n) for n in names) + 10 <= self.app.size.width:
            return "".join(f" [b]{i}[/] {n}" for i, n in enumerate(names, start=1)) + me
        return f"{me}  [b]1[/]–[b]{len(names)}[/]: {escaped(self.app.profile)}'s sections"

    def _title(self) -> None:
        marks = "".join(f" · {m}" for m, on in (("READ-ONLY", self.app.read_only), ("PRESENTER", self.app.presenter)) if on)
        self.app.sub_title = clean(f"every profile · data {self.age_text()}{marks}", limit=120)

    def _user_changed(self, user: str) -> None:
        """Every user of every profile is shown: another one selected changes nothing here."""

    # ---- loading
    def action_refresh(self) -> None:
        self.set_status(plain("opening the profiles…"))
        if self.app.client is not None:  # else the session is still opening: it shows its first section
            self.seen_moves = self.app.moves
            self.gather_rows()

    def sources(self) -> tuple[list[partner.Source], list[partner.Row]]:
        """A source per profile the app knows, opened through the switcher's sessions
        (once, shared with it); a failing row for one that cannot be opened."""
        app, failed = self.app, []
        active = partner.Source(app.profile, app.platform, app.client, list(app.users))
        out = [] if app.profile in [c.name for c in app.profiles()] else [active]  # given to the app, not listed
        for choice in app.profiles():
            if choice.name == app.profile:
                out.append(active)
                continue
            try:
                opened = app.sessions.get(choice.name) or choice.open()
                if not opened.users and opened.platform == "gomining":  # as the switcher refuses it
                    raise GmtuiError("it lists no partner users; add it again with --user")
                app.sessions[choice.name] = opened
                out.append(partner.Source(choice.name, opened.platform, opened.client, list(opened.users)))
            except Exception as exc:  # a bug too: that profile's row says so, the others show
                bug = not isinstance(exc, GmtuiError) and report(exc)
                why = f"cannot open the profile: {f'a bug, logged ({type(exc).__name__})' if bug else exc}"
                failed.append(partner.Row(choice.platform, choice.name, "", error=why,
                                          flags=(partner.Flag("read-failed", why, "overview"),)))
        return out, failed

    @work(exclusive=True, group="section")
    async def gather_rows(self) -> None:
        sources, failed = self.sources()
        sources, merged = partner.one_per_account(sources)  # one account's users are counted once
        for note in set(merged) - self.said:
            self.notify(note, title="Read once")  # once a session, not at each refresh
        self.said |= set(merged)
        self.profiles, self.progress = len(sources) + len(failed), partner.Progress()
        rank = {name: i for i, name in enumerate([self.app.profile, *(c.name for c in self.app.profiles())])}
        place = {(s.profile, u): i for s in sources for i, u in enumerate(s.users)}
        self.order = lambda r: (rank.get(r.profile, 0), place.get((r.profile, r.user), len(place)), r.user)
        rows: dict[Key, partner.Row] = {(r.profile, r.user): r for r in failed}
        shown = dict(self.found)  # kept on screen until this pass has them all
        timer = self.set_interval(0.15, lambda: self._flush({**shown, **rows}, final=False))
        try:
            async for row in partner.gather(sources, self.progress):
                if not row.cached and row.fetched_at is None and not row.error:
                    row = replace(row, fetched_at=self.app.clock())  # read now: its age counts from here
                rows[(row.profile, row.user)] = row
                await asyncio.sleep(0)  # a turn for the batch timer and the screen, even when answers come at once
        except Exception as exc:  # a bug: said, the rows so far stay
            self.set_status(markup("[b red]Could not read every profile:[/] $why (r to retry)", why=report(exc)))
            return
        finally:
            timer.stop()
        self._flush(rows, final=True)

    def _flush(self, rows: dict[Key, partner.Row], final: bool) -> None:
        """Paint what has arrived since the last batch."""
        p = self.progress
        if final or self.found.keys() != rows.keys() or any(self.found[k] is not r for k, r in rows.items()):
            self.found = dict(rows)
            self.last = partner.view(sorted(rows.values(), key=self.order))
            self.show(self.last)
        if not final:
            self.set_status(plain(f"loading: {p.done:,} of {p.total:,} users read…" if p.total else "listing the users…"))
            return
        self.data_at = self.app.clock()
        at = datetime.fromtimestamp(self.data_at, UTC).strftime("%H:%M:%S UTC")
        failed = sum(1 for r in rows.values() if r.error)
        self.set_status(markup("[b yellow]$n of $total rows could not be read in full[/] (their Age/Error says why; "
                               "r to retry) · $at", n=failed, total=len(rows), at=at) if failed
                        else plain(f"updated {at}"))
        self._arm()

    # ---- painting
    def show(self, data: partner.View) -> None:
        money: Callable[[Decimal], str] = (lambda _: MASK) if self.app.presenter else (lambda v: f"{v:,f}")
        now, p, table = self.app.clock(), self.progress, self.query_one(PartnerTable)
        cols = columns(self.size.width or 80)
        table.set_columns(cols, {i for i, c in enumerate(cols) if c.title in MONEY}, self.app.presenter)
        chosen = table.current[-1] if table.current and table.cursor else None  # moved to: it stays on its user
        rows = []
        for r in data.rows:
            age = r.age_s(now)
            state = (f"error: {r.error}" if r.error else "cached" if age is None and r.cached
                     else "" if age is None else describe_age(age))
            rows.append((r.user or "(profile)", r.profile, r.holds, r.btc, r.daily,
                         *((r.summary,) if len(cols) == 8 else ()),
                         r.flags, (1e12 if r.error else age or 0.0, state, bool(r.error)), r))
        table.set_rows(rows, matches)
        keys = [(v[-1].profile, v[-1].user) for v in table.rows]  # the cursor stays on its user, or on top
        table.cursor = keys.index((chosen.profile, chosen.user)) if chosen and (chosen.profile, chosen.user) in keys else 0
        users = sum(1 for r in data.rows if r.user)
        table.border_title = plain(f"{users:,} users · {self.profiles} profiles")
        table.border_subtitle = self.filter_note(table, "rows")
        units = " · ".join(f"{money(v)} {u}" for u, v in sorted(data.totals.items(), key=lambda t: t[0] != "BTC"))
        ages = [a for r in data.rows if (r.cached or r.error) and (a := r.age_s(now)) is not None]
        self.query_one("#totals", Static).update(markup(
            "[b]Holds[/] $units\n[b]≈ $btc BTC[/] in all · [b]net[/] $daily · $users$age",
            units=units or "nothing yet", btc=MASK if self.app.presenter else f"{data.btc:,.8f}",
            daily=" · ".join(f"{money(v)} {u}/day" for u, v in data.daily.items()) or "–",
            users=f"{p.done:,} of {p.total:,} users read" if p.done < p.total else f"{users:,} users",
            age=f" · cached figures up to {describe_age(max(ages))} old" if ages else ""))
        self._paint_queue(data)
        self._describe(table.current)

    def _paint_queue(self, data: partner.View) -> None:
        queue = self.query_one("#queue", OptionList)
        self.items, more = data.flags[:QUEUE_MAX], len(data.flags) - QUEUE_MAX
        queue.border_title = plain(f"Needs a person · {len(data.flags):,}" if data.flags else "Needs a person")
        queue.border_subtitle = plain(f"{more:,} more: / filters the table" if more > 0 else "enter: show it there")
        painted = (self.app.presenter, *((r.profile, r.user, f) for r, f in self.items))
        if painted == self.painted:
            return
        self.painted, highlighted = painted, queue.highlighted
        width = max(30, (queue.content_region.width or self.size.width - 2) - 3)
        queue.clear_options()
        queue.add_options([Option(self._line(r, f, width)) for r, f in self.items]
                          or [Option(plain("Nothing needs a person today"), disabled=True)])
        if self.items:
            queue.highlighted = min(highlighted or 0, len(self.items) - 1)

    def _line(self, r: partner.Row, f: partner.Flag, width: int) -> Any:
        why = AMOUNT.sub(MASK, f.why) if self.app.presenter else f.why
        head, act = f"{clean(r.user or '(profile)', limit=16)} · {clean(r.profile, limit=18)} · ", f" → {where(r, f)[1]}"
        return markup("[b]$head[/]$why[b $accent]$act[/]", head=head, act=act,
                      why=clean(why, limit=max(4, width - len(head) - len(act))))

    @on(PartnerTable.Highlighted)
    def highlighted(self, event: PartnerTable.Highlighted) -> None:
        event.table.border_subtitle = self.filter_note(event.table, "rows")
        self._describe(event.table.current)  # not event.row: a batch may have come since it was posted

    def _describe(self, values: tuple[Any, ...] | None) -> None:
        """The selected row under the table: its figures (cut from the table at 80 columns) or its error whole."""
        detail, r = self.query_one("#detail", Static), values[-1] if values else None
        if r is None:
            detail.update(plain("No row matches." if self.query_one(PartnerTable).filter_text else ""))
        elif r.error:
            detail.update(markup("[b]$who[/] · $profile: [red]$error[/]", who=r.user or "(profile)", profile=r.profile,
                                 error=r.error))
        else:
            btc = "" if r.btc is None else f" · ≈ {MASK if self.app.presenter else f'{r.btc:,f}'} BTC"
            detail.update(markup("[b]$who[/] · $profile ($title) · $summary$btc", who=r.user, profile=r.profile,
                                 title=platform(r.platform).title, summary=r.summary or "-", btc=btc))

    # ---- keys
    def action_attention(self) -> None:
        table = self.query_one(PartnerTable)
        (self.query_one("#queue") if table.has_focus else table).focus()

    def action_open(self) -> None:
        values = self.query_one(PartnerTable).current
        if values is None:
            self.notify("Pick a user first.", severity="warning")
            return
        self.go(values[-1].profile, values[-1].user, platform(values[-1].platform).sections[0])

    @on(OptionList.OptionSelected, "#queue")
    def act(self, event: OptionList.OptionSelected) -> None:
        if 0 <= event.option_index < len(self.items):
            r, f = self.items[event.option_index]
            self.go(r.profile, r.user, where(r, f)[0])

    def go(self, profile: str, user: str, section: str) -> None:
        """Show ``user`` of ``profile`` on ``section``, the switcher's way: the profile made
        the active one (its session, opened here already), then the user picked."""
        app = self.app
        if profile != app.profile:
            if profile not in app.sessions:  # it could not be opened: the switcher tries again and says why
                app.action_profile(profile)
                return
            app.switching.use(app.sessions[profile])
        if user:
            if user not in app.users:
                app.users.append(user)
            app.user = user
        app.action_section(section)
