"""The Overview's figures at a glance, beyond its tiles: a series as a line of bars, the
top miners of a fleet by net per day, and the balances with their value in USD.

Amounts reach these through a formatter given by the screen (so that presenter mode
masks them); names and currencies from a server are shown as plain text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from gmtui.api.gomining.figures import count
from gmtui.ui.text import plain

if TYPE_CHECKING:
    from gmtui.api.gomining.models import IncomePerTh, Rate
    from gmtui.api.gomining.views import Fleet, Holdings

Fmt = Callable[[Decimal], str]
BARS = "▁▂▃▄▅▆▇█"


class Tile(Static):
    """A titled box of figures."""

    def __init__(self, title: str, **kw: Any):
        super().__init__("…", **kw)
        self.border_title = title


def bars(values: Sequence[Decimal]) -> str:
    """Each value as a bar from ▁ (the lowest) to █ (the highest); all alike: ▄."""
    if not values:
        return ""
    lo, hi = min(values), max(values)
    if hi == lo:
        return BARS[3] * len(values)
    return "".join(BARS[int((v - lo) / (hi - lo) * (len(BARS) - 1))] for v in values)


EIGHTHS = " ▏▎▍▌▋▊▉"


def meter(fraction: Decimal, width: int) -> str:
    """A bar ``width`` cells long at 1, to the eighth of a cell."""
    eighths = int(max(Decimal(0), min(Decimal(1), fraction)) * width * 8)
    return ("█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")).ljust(width)


@dataclass(frozen=True)
class Ranked:
    id: int
    name: str
    power: Decimal
    per_day: Decimal  # net BTC per day over the fleet's days
    share: Decimal | None  # of the whole fleet's net per day (None when the fleet makes none)


def ranked(fleet: Fleet, top: int) -> list[Ranked]:
    """The ``top`` miners by net BTC per day over the fleet's days (a miner younger than
    them counts its days before it as nothing), best first; ties keep the fleet's order."""
    def mean(days: list[Decimal]) -> Decimal:
        return sum(days, Decimal(0)) / len(days) if days else Decimal(0)

    per_day = {m.id: mean(fleet.recent.get(m.id, [])) for m in fleet.miners}
    whole = sum(per_day.values(), Decimal(0))
    rows = [Ranked(m.id, m.name, m.power, per_day[m.id], per_day[m.id] / whole if whole > 0 else None) for m in fleet.miners]
    return sorted(rows, key=lambda r: r.per_day, reverse=True)[:top]


def share_text(r: Ranked) -> str:
    """A miner's share of the fleet's net per day: "58%", "loss" (its fees exceeded its
    reward) or "-" (the fleet made nothing)."""
    return "loss" if r.per_day < 0 else "-" if r.share is None else f"{r.share:.0%}"


class TopMiners(Widget):
    """The best miners, a line each, in columns as wide as their figures, fitted to the
    width it is given: name, net BTC per day and its share of the fleet's; then, when
    there is room, TH/s and a bar of the share."""

    DEFAULT_CSS = "TopMiners { height: auto; }"
    NAME = 24  # at most, in cells

    def __init__(self, **kw: Any):
        super().__init__(**kw)
        self.rows: list[Ranked] = []
        self.fmt: Fmt = str
        self.note = Content("…")  # shown instead of rows: loading, or why there are none

    def set_rows(self, rows: list[Ranked], fmt: Fmt) -> None:
        self.rows, self.fmt, self.note = rows, fmt, Content("")
        self.refresh(layout=True)

    def set_note(self, note: Content) -> None:
        self.rows, self.note = [], note
        self.refresh(layout=True)

    def render(self) -> Content:
        if not self.rows:
            return self.note
        names = [plain(r.name, limit=200) for r in self.rows]
        amounts = [self.fmt(r.per_day) for r in self.rows]
        shares = [share_text(r) for r in self.rows]
        powers = [f"{r.power:,}" for r in self.rows]
        aw, sw, pw = (max(len(x) for x in [head, *col]) for head, col in (("BTC/day", amounts), ("Share", shares),
                                                                          ("TH/s", powers)))
        width = self.size.width or 80
        name_w = max(8, min(self.NAME, width - aw - sw - 2, max(n.cell_length for n in names)))
        rest = width - name_w - aw - sw - 2
        power = rest > pw
        rest -= pw + 1 if power else 0
        bar = min(rest - 1, 20) if rest >= 7 else 0
        lines = [Content.styled(f"{'Miner':<{name_w}} {'BTC/day':>{aw}} {'Share':>{sw}}"
                                + (f" {'TH/s':>{pw}}" if power else ""), "dim")]
        for r, name, amount, share, watts in zip(self.rows, names, amounts, shares, powers, strict=True):
            lines.append(Content.assemble(
                name.truncate(name_w, ellipsis=True, pad=True), f" {amount:>{aw}} ",
                (f"{share:>{sw}}", "red" if share == "loss" else ""), f" {watts:>{pw}}" if power else "",
                (f" {meter(r.share or Decimal(0), bar)}" if bar else "", "green"),
            ))
        return Content("\n").join(lines)


def balances(data: Holdings, per_th: IncomePerTh | None, rates: list[Rate], fmt: Fmt) -> Content:
    """Each currency's balance and its value in USD at the overview's prices, GOMINING's
    free, locked and staked parts (the synced values), the total, and the bound wallets."""
    price = {r.symbol: r.price for r in rates}
    if per_th is not None:
        price["BTC"] = per_th.btc_rate
    lines = [Content.styled(f"{'':<9}{'Balance':>13} {'USD':>11}", "dim")]
    total, unpriced = Decimal(0), 0
    for b in data.balances:
        rate = price.get(b.currency)
        value = None if rate is None else (b.balance * rate).quantize(Decimal("0.01"))
        total += value or 0
        unpriced += value is None
        lines.append(Content.assemble(plain(b.currency, limit=40).truncate(9, ellipsis=True, pad=True),
                                      f"{fmt(b.balance):>13} {'-' if value is None else fmt(value):>11}"))
    for s in data.synced:
        if s.gmt_value_at_sync_date_numeric is None:
            continue  # a record of another currency: its value is the balance above
        for name, value in (("free", s.gmt_value_at_sync_date_numeric), ("locked", s.time_locked_value_at_sync_date_numeric),
                            ("staked", s.flexible_staking_value_at_sync_date_numeric)):
            if value is not None:
                lines.append(Content(f"  {name:<7}{fmt(value):>13}"))
    note = f" ({unpriced} unpriced)" if unpriced else ""
    lines.append(Content.styled(f"{'Total' + note:<23}{fmt(total):>11}", "bold"))
    lines.append(Content.styled(count(len(data.wallets), "wallet") + " bound" if data.wallets else "no wallet bound",
                                "dim"))
    return Content("\n").join(lines)

