"""Earnings: daily rewards over a range, gross against net (or per miner), with the
same days in a table beneath and a CSV export of what is shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Input

from gmtui.api.errors import InputError
from gmtui.api.gomining.figures import btc, count
from gmtui.api.inputs import day_range
from gmtui.api.gomining.models import DailyIncome
from gmtui.api.text import clean, csv_cell
from gmtui.api.gomining.views import RANGES, earnings, miner_series, range_start, today
from gmtui.ui.screens.section import MASK, Section, masked
from gmtui.ui.widgets.chart import Chart
from gmtui.ui.widgets.vtable import Column, VirtualTable

COLUMNS = [
    Column("Day", 10, lambda v: v.strftime("%Y-%m-%d")),
    Column("Gross BTC", 11, btc, right=True),
    Column("Fees BTC", 11, btc, right=True),  # after the discount, as on Overview
    Column("Net BTC", 11, btc, right=True),
    Column("TH/s", 8, lambda v: f"{v:,}", right=True),
]
PALETTE = ["green", "cyan", "magenta", "yellow", "blue", "red"]


def rows_of(days: list[DailyIncome]) -> list[tuple[Any, ...]]:
    return [
        (d.created_at.date(), d.pool_reward, d.service_fee - d.total_discount, d.reward, d.total_power)
        for d in days
    ]


@dataclass(frozen=True)
class Shown:
    days: list[DailyIncome]
    series: dict[str, list[tuple[int, Decimal]]]  # per miner (m), else empty


class EarningsScreen(Section):
    CSS_PATH = "earnings.tcss"
    TITLE = "Earnings"
    GUIDE = (
        "[b]Gross[/] is the pool reward per day; [b]fees[/] are the electricity and service fees "
        "after the discount (as on Overview); [b]net[/] = gross − fees. Per miner (m) plots the net of the 6 biggest "
        "earners. The table lists the same days with the fleet's TH/s; e writes them to CSV."
    )
    BINDINGS = [
        Binding("left_square_bracket", "range(-1)", "Shorter", id="range.shorter"),
        Binding("right_square_bracket", "range(1)", "Longer", id="range.longer"),
        Binding("d", "custom", "Dates", id="range.custom", priority=True),
        Binding("m", "by_miner", "Per miner", id="by_miner"),
        Binding("e", "export", "Export CSV", id="export"),
    ]

    def body(self) -> ComposeResult:
        yield Chart(id="chart")
        yield Input(placeholder="from..to, e.g. 2026-01-01..2026-03-31 (enter to apply, esc to close)", id="dates")
        yield VirtualTable(COLUMNS, id="days")

    def on_mount(self) -> None:
        self.range_name = "30d"
        self.custom: tuple[date, date] | None = None
        self.by_miner = False
        self.days: list[DailyIncome] = []
        self.query_one("#dates").display = False
        super().on_mount()

    def span(self) -> tuple[date | None, date]:
        if self.custom:
            return self.custom
        end = today(self.app.service) - timedelta(days=1)
        return range_start(self.range_name, end), end

    def label(self) -> str:
        start, end = self.span()
        name = "custom" if self.custom else self.range_name
        return f"{name}: {start or 'first day'} to {end}"

    async def fetch(self, user: str) -> Shown:
        start, end = self.span()
        days = await earnings(self.app.service, user, start, end, by_miner=self.by_miner)
        return Shown(days, miner_series(days, len(PALETTE)) if self.by_miner else {})

    def show(self, shown: Shown) -> None:
        days = self.days = shown.days
        chart = self.query_one(Chart)
        chart.clear()
        chart.mask(MASK if self.app.presenter else None)
        series: list[tuple[str, list[int], list[float], str]] = []  # name, days, values, colour
        if self.by_miner:
            for color, (name, points) in zip(PALETTE, shown.series.items(), strict=False):
                series.append((clean(name, limit=12), [p[0] for p in points], [float(p[1]) for p in points], color))
        elif days:
            xs = [d.created_at.date().toordinal() for d in days]
            series = [("gross", xs, [float(d.pool_reward) for d in days], "cyan"),
                      ("net", xs, [float(d.reward) for d in days], "green")]
        legend: list[tuple[str, str] | str] = []
        for i, (name, xs, ys, color) in enumerate(series):
            glyph = chart.plot_series(xs, ys, color, name, i)
            legend += [(glyph, color), f" {name}  "]
        chart.border_subtitle = Content.assemble(*legend) if legend else Content("")  # beside the plot, never on it
        what = "Net per miner (top 6)" if self.by_miner else "Gross and net"
        empty = "" if days else " · no income in this range"
        chart.border_title = f"{what} BTC/day · {self.label()}{empty}"
        table = self.query_one("#days", VirtualTable)
        table.mask({1, 2, 3}, self.app.presenter)
        table.set_rows(rows_of(days))
        table.sort_by(0, descending=True)
        net = sum((d.reward for d in days), Decimal(0))
        table.border_title = (f"{count(len(days), 'day')} · net {masked(self.app, btc)(net)} BTC · fees after the discount"
                              if days else "no income in this range")

    # ---- range and mode
    def action_range(self, step: int) -> None:
        names = list(RANGES)
        current = names.index(self.range_name)
        self.range_name = names[max(0, min(len(names) - 1, current + step))]
        self.custom = None
        self.action_refresh()

    def action_custom(self) -> None:
        box = self.query_one("#dates", Input)
        box.display = True
        self.set_focus(box)  # at once, so that keys typed right after "d" land in the box

    @on(Input.Submitted, "#dates")
    def dates_given(self, event: Input.Submitted) -> None:
        try:
            self.custom = day_range(event.value)
        except InputError as exc:
            self.notify(str(exc), severity="error")
            return
        event.input.display = False
        self.query_one("#days").focus()
        self.action_refresh()

    def key_escape(self) -> None:
        box = self.query_one("#dates", Input)
        if box.display:
            box.display = False
            self.query_one("#days").focus()

    def action_by_miner(self) -> None:
        self.by_miner = not self.by_miner
        self.action_refresh()

    def action_export(self) -> None:
        if not self.days:
            self.notify("Nothing to export yet.", severity="warning")
            return
        start, end = self.days[0].created_at.date(), self.days[-1].created_at.date()
        rows = [[row[0].isoformat(), *(format(v, "f") for v in row[1:])] for row in rows_of(self.days)]
        self.export_csv(f"gmtui-earnings-{self.app.user}-{start}-{end}",
                        ["day", "gross_btc", "fees_after_discount_btc", "net_btc", "power_th"],
                        [[csv_cell(v) for v in row] for row in rows], f"{len(self.days)} days")
