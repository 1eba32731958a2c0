"""TUI performance figures, printed against the targets of the dashboard issue.

    python benchmarks/tui.py

- startup: spawn of `gmtui --demo` on a PTY until its first frame and until the first
  real figure is on screen, against a bare Textual hello-world app in the same run
  (targets: first frame <= 1.3x, first figures <= 2.2x), and the floor: the hello-world
  importing httpx and pydantic first;
- miners table with 100,000 rows: first frame (<= 500 ms) and a sort (<= 300 ms);
- earnings chart with 3,650 days x 4 series: re-render (<= 150 ms);
- RSS of the process holding the 100,000-row table (<= 250 MB).
"""

from __future__ import annotations

import asyncio
import os
import pty
import random
import re
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

# The hello-world with the libraries the first figures cannot do without (pydantic for
# the models, httpx for the client) imported first: the floor for any design that
# shows real data through the service.
FLOOR = """
import sys
import os
sys.modules.setdefault("httpx._main", None)  # as gmtui does (see gmtui/cli.py)
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
import httpx, pydantic
class M(pydantic.BaseModel):
    x: int
""" + HELLO


def time_to_marks(argv: list[str], needles: list[bytes], timeout: float = 30.0, env: dict[str, str] | None = None) -> list[float]:
    """Seconds from spawn until each of ``needles`` (regular expressions) is on the PTY."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, {**os.environ, **(env or {}), "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"})
    started = time.perf_counter()
    seen, found = b"", [0.0] * len(needles)
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([fd], [], [], 0.01)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
                for i, needle in enumerate(needles):
                    if not found[i] and re.search(needle, seen):
                        found[i] = time.perf_counter() - started
                if all(found):
                    return found
        raise TimeoutError(f"{[n for n, f in zip(needles, found, strict=True) if not f]!r} never appeared")
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)


def startup(runs: int = 5) -> None:
    """Best of ``runs`` of each, interleaved so that the machine's load hits them alike
    (the median beside it says how noisy the run was)."""
    import compileall
    import statistics

    import gmtui

    # gmtui's bytecode as an installed copy has it (Textual's is in site-packages): with
    # PYTHONDONTWRITEBYTECODE set, every module edited since its .pyc was written would
    # be compiled again at each start, and counted as startup time.
    compileall.compile_dir(os.path.dirname(gmtui.__file__), quiet=1)
    hello, floor, frame, figures = [], [], [], []
    with tempfile.TemporaryDirectory() as home:
        for _ in range(runs):
            hello += time_to_marks([sys.executable, "-c", HELLO], [b"hello world"])
            floor += time_to_marks([sys.executable, "-c", FLOOR], [b"hello world"])
            f, g = time_to_marks([sys.executable, "-m", "gmtui", "--demo"], [b"starting the embedded sandbox", rb"\d TH/s"],
                                 env={"GMTUI_HOME": home})
            frame.append(f)
            figures.append(g)
    h = min(hello)

    def ms(times: list[float]) -> str:
        return f"{min(times) * 1000:.0f} ms (median {statistics.median(times) * 1000:.0f})"

    print(f"startup: hello-world {ms(hello)}; gmtui --demo first frame {ms(frame)} = {min(frame) / h:.2f}x "
          f"(target <= 1.3x), first figures {ms(figures)} = {min(figures) / h:.2f}x (target <= 2.2x); "
          f"floor (hello-world + import httpx, pydantic) {ms(floor)} = {min(floor) / h:.2f}x")


async def table_and_chart() -> None:
    from textual.app import App

    from gmtui.ui.screens.miners import COLUMNS
    from gmtui.ui.widgets.chart import Chart
    from gmtui.ui.widgets.vtable import VirtualTable

    rng = random.Random(1)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    rows = [
        (10_000 + i, f"Miner #{10_000 + i}", Decimal(rng.randint(1, 500)), Decimal(rng.randint(15, 35)),
         base + timedelta(days=rng.randint(0, 700)), Decimal(rng.randint(0, 10**8)) / Decimal(10**8),
         Decimal(rng.randint(-5_000, 20_000)) / Decimal(10**8))
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
