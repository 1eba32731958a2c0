"""The earnings chart's own rules: date labels and thinning."""

from __future__ import annotations

from datetime import date

from gmtui.ui.widgets.chart import DateAxis, thin


def ordinals(*days: str) -> list[float]:
    return [float(date.fromisoformat(d).toordinal()) for d in days]


def test_date_labels_keep_the_year_once_ticks_are_months_apart():
    axis = DateAxis()
    assert axis.get_labels_for_ticks(ordinals("2026-10-26", "2026-10-31", "2026-11-05")) == ["10-26", "10-31", "11-05"]
    assert axis.get_labels_for_ticks(ordinals("2025-09-06", "2025-12-15", "2026-03-25")) == ["2025-09", "2025-12", "2026-03"]
    ticks = axis.get_ticks(date(2024, 11, 21).toordinal(), date(2026, 11, 20).toordinal())
    assert all(len(label) == 7 for label in axis.get_labels_for_ticks(ticks))  # two years: every label has its year


def test_thinning_keeps_each_buckets_peak_and_dip_in_order():
    xs = [float(i) for i in range(1000)]
    ys = [float(i % 97) for i in range(1000)]
    tx, ty = thin(xs, ys, 100)
    assert len(tx) <= 100 and tx == sorted(tx)
    assert max(ty) == 96 and min(ty) == 0
    assert thin(xs[:50], ys[:50], 100) == (xs[:50], ys[:50])  # short series are kept whole
