"""The earnings chart: textual-plot with a date axis and keys that do not clash with
the dashboard's (`r` stays refresh; `0` resets the zoom)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from textual.binding import Binding
from textual_plot import HiResMode, PlotWidget
from textual_plot.axis_formatter import AxisFormatter, NumericAxisFormatter


class DateAxis(AxisFormatter):
    """Ticks on whole days (x values are date ordinals), labelled as dates."""

    def __init__(self) -> None:
        self._numbers = NumericAxisFormatter()

    def get_ticks(self, min_: float, max_: float, max_ticks: int = 8) -> list[float]:
        ticks = self._numbers.get_ticks(min_, max_, max_ticks=min(max_ticks, 6))
        return sorted({float(round(t)) for t in ticks if min_ <= round(t) <= max_})

    def get_labels_for_ticks(self, ticks: Sequence[float]) -> list[str]:
        """Month and day while ticks are weeks apart; year and month once they are
        months apart (so a range over a year never shows a date without its year)."""
        if not ticks:
            return []
        days = [date.fromordinal(max(1, int(t))) for t in ticks]
        fmt = "%Y-%m" if len(days) > 1 and (days[1] - days[0]).days > 45 else "%m-%d"
        return [d.strftime(fmt) for d in days]


class MaskedAxis(NumericAxisFormatter):
    """Ticks where the numbers would be, each labelled with a mask (presenter mode)."""

    def __init__(self, mask: str) -> None:
        self.mask = mask

    def get_labels_for_ticks(self, ticks: Sequence[float]) -> list[str]:
        return [self.mask] * len(ticks)


def thin(xs: Sequence[float], ys: Sequence[float], limit: int) -> tuple[list[float], list[float]]:
    """At most ``limit`` points: per bucket, its lowest and highest point in x order."""
    if len(xs) <= limit:
        return list(xs), list(ys)
    size = -(-len(xs) * 2 // limit)
    out_x: list[float] = []
    out_y: list[float] = []
    for start in range(0, len(xs), size):
        idx = range(start, min(start + size, len(xs)))
        lo = min(idx, key=ys.__getitem__)
        hi = max(idx, key=ys.__getitem__)
        for i in sorted({lo, hi}):
            out_x.append(xs[i])
            out_y.append(ys[i])
    return out_x, out_y


GLYPHS: list[HiResMode | None] = [None, HiResMode.HALFBLOCK, HiResMode.QUADRANT, HiResMode.BRAILLE]
GLYPH_TEXT = {None: "██", HiResMode.HALFBLOCK: "▀▀", HiResMode.QUADRANT: "▚▚", HiResMode.BRAILLE: "⠒⠒"}


class Chart(PlotWidget, inherit_bindings=False):
    BINDINGS = [
        Binding("plus,equals_sign", "zoom_x_in", "Zoom in", id="chart.zoom_in", show=False),  # in `?`; the footer
        Binding("minus", "zoom_x_out", "Zoom out", id="chart.zoom_out", show=False),  # keeps the screen's keys
        Binding("left,h", "pan_left", "Pan left", show=False),
        Binding("right,l", "pan_right", "Pan right", show=False),
        Binding("z", "reset_scales", "Reset zoom", id="chart.reset", show=False),  # not 0: the Partner section
    ]

    MAX_POINTS = 240  # per series: about what a 120-column braille plot can show

    def on_mount(self) -> None:
        self.set_x_formatter(DateAxis())
        self.margin_top, self.margin_bottom = 0, 1  # no axis titles: the rows go to the plot

    def mask(self, mask: str | None) -> None:
        """Hide the values on the y axis behind ``mask`` (None shows them)."""
        self.set_y_formatter(MaskedAxis(mask) if mask else NumericAxisFormatter())
        self.refresh()

    FINE_POINTS = 120  # up to this many, lines are drawn in braille (finer, but slow)

    def plot_series(self, xs: Sequence[float], ys: Sequence[float], color: str, label: str, index: int = 0) -> str:
        """Plot a series thinned to MAX_POINTS, keeping each bucket's low and high so
        that peaks and dips stay visible; returns the glyph that draws it, for a legend.
        The first series is braille while short, block lines when long (textual-plot
        draws braille about 4x slower); the others cycle through glyphs of their own,
        so that series differ without colour too."""
        tx, ty = thin(xs, ys, self.MAX_POINTS)
        mode = (HiResMode.BRAILLE if len(tx) <= self.FINE_POINTS else None) if index == 0 else GLYPHS[index % len(GLYPHS)]
        self.plot(tx, ty, line_style=color, label=label, hires_mode=mode)
        return GLYPH_TEXT[mode]
