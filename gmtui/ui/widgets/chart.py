"""The earnings chart: textual-plot with a date axis and keys that do not clash with
the dashboard's (`r` stays refresh; `0` resets the zoom)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from textual.binding import Binding
from textual_plot import PlotWidget
from textual_plot.axis_formatter import AxisFormatter, NumericAxisFormatter


class DateAxis(AxisFormatter):
    """Ticks on whole days (x values are date ordinals), labelled as dates."""

    def __init__(self) -> None:
        self._numbers = NumericAxisFormatter()

    def get_ticks(self, min_: float, max_: float, max_ticks: int = 8) -> list[float]:
        ticks = self._numbers.get_ticks(min_, max_, max_ticks=min(max_ticks, 6))
        return sorted({float(round(t)) for t in ticks if min_ <= round(t) <= max_})

    def get_labels_for_ticks(self, ticks: Sequence[float]) -> list[str]:
        if not ticks:
            return []
        span = ticks[-1] - ticks[0]
        fmt = "%Y-%m" if span > 400 else "%m-%d"
        return [date.fromordinal(max(1, int(t))).strftime(fmt) for t in ticks]


class Chart(PlotWidget, inherit_bindings=False):
    BINDINGS = [
        Binding("plus,equals_sign", "zoom_x_in", "Zoom in", id="chart.zoom_in"),
        Binding("minus", "zoom_x_out", "Zoom out", id="chart.zoom_out"),
        Binding("left,h", "pan_left", "Pan left", show=False),
        Binding("right,l", "pan_right", "Pan right", show=False),
        Binding("0", "reset_scales", "Reset zoom", id="chart.reset"),
    ]

    def on_mount(self) -> None:
        self.set_x_formatter(DateAxis())
