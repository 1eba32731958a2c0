"""TUI performance figures, printed against the targets of the dashboard issue.

    python benchmarks/tui.py

- startup: spawn of `gmtui --demo` on a PTY until the first real figure is on
  screen, against a bare Textual hello-world app in the same run (target <= 1.5x);
- miners table with 100,000 rows: first frame (<= 500 ms) and a sort (<= 300 ms);
- earnings chart with 3,650 days x 4 series: re-render (<= 150 ms);
- RSS of the process holding the 100,000-row table (<= 250 MB).
"""

from __future__ import annotations

import asyncio
import os
import pty
import random
import resource
import select
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, UTC
from decimal import Decimal

HELLO = """
from textual.app import App
from textual.widgets import Static
class Hello(App):
    def compose(self):
        yield Static("hello world")
Hello().run()
"""


def time_to_text(argv: list[str], needle: bytes, timeout: float = 30.0, env: dict[str, str] | None = None) -> float:
    """Seconds from spawn until ``needle`` appears on the PTY."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, {**os.environ, **(env or {}), "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"})
    started = time.perf_counter()
    seen = b""
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
                if needle in seen:
                    return time.perf_counter() - started
        raise TimeoutError(f"{needle!r} never appeared")
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)


def startup() -> None:
    with tempfile.TemporaryDirectory() as home:
        env = {"GMTUI_HOME": home}
        hello = min(time_to_text([sys.executable, "-c", HELLO], b"hello world") for _ in range(3))
        gm = min(time_to_text([sys.executable, "-m", "gmtui", "--demo"], b"TH/s", env=env) for _ in range(3))
    print(f"startup: hello-world {hello * 1000:.0f} ms, gmtui --demo to first figures {gm * 1000:.0f} ms "
          f"= {gm / hello:.2f}x (target <= 1.5x)")


async def table_and_chart() -> None:
    from textual.app import App

    from gmtui.ui.screens.miners import COLUMNS
    from gmtui.ui.widgets.chart import Chart
    from gmtui.ui.widgets.vtable import VirtualTable

    rng = random.Random(1)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    rows = [
        (10_000 + i, f"Miner #{10_000 + i}", Decimal(rng.randint(1, 500)), Decimal(rng.randint(15, 35)),
         base + timedelta(days=rng.randint(0, 700)), Decimal(rng.randint(0, 10**8)) / Decimal(10**8))
        for i in range(100_000)
    ]

    class Bench(App):
        def compose(self):
            yield VirtualTable(COLUMNS, id="t")

    app = Bench()
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(VirtualTable)
        started = time.perf_counter()
        table.set_rows(rows)
        await pilot.pause()
        app.screen._compositor.render_update(full=True)  # noqa: SLF001 - force a whole frame
        first = time.perf_counter() - started
        started = time.perf_counter()
        table.sort_by(2, descending=True)
        await pilot.pause()
        sort = time.perf_counter() - started
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"miners table, 100,000 rows: first frame {first * 1000:.0f} ms (target <= 500), "
          f"sort {sort * 1000:.0f} ms (target <= 300), peak RSS {rss:.0f} MB (target <= 250)")

    class ChartApp(App):
        def compose(self):
            yield Chart(id="c")

    days = [date(2016, 1, 1) + timedelta(days=i) for i in range(3650)]
    xs = [d.toordinal() for d in days]
    series = [[rng.random() * (k + 1) for _ in days] for k in range(4)]
    app2 = ChartApp()
    async with app2.run_test(size=(120, 40)) as pilot:
        chart = app2.query_one(Chart)
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            chart.clear()
            for ys in series:
                chart.plot_series(xs, ys, "green", "series")
            await pilot.pause()
            chart.refresh(layout=True)
            app2.screen._compositor.render_update(full=True)  # noqa: SLF001
            await pilot.pause()
            timings.append(time.perf_counter() - started)
    print(f"earnings chart, 3,650 days x 4 series: re-render {min(timings) * 1000:.0f} ms best, "
          f"{sorted(timings)[len(timings) // 2] * 1000:.0f} ms median (target <= 150)")


def main() -> None:
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    startup()
    asyncio.run(table_and_chart())


if __name__ == "__main__":
    main()
