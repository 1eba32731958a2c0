"""--demo writes nothing outside its own folder (log, exports, screenshots), one folder
per process, so demos run side by side; exports never replace a file; in a browser an
export goes to the viewer, not to the server's disk."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from gmtui import places
from gmtui.ui.app import GmtuiApp, dashboard
from gmtui.ui.exports import deliver


@pytest.fixture
def private(tmp_path, monkeypatch) -> Path:
    """This test's temporary root (where the demo's folder is made), a working directory
    of its own, and no demo folder made yet."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.setattr(places, "_demo", None)
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    return tmp


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def notes(app: GmtuiApp) -> list[str]:
    return [n.message for n in app._notifications]


async def export_twice(clock) -> list[Path | None]:
    app = dashboard(demo=True, clock=clock, refresh_s=0)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.client is not None and app.demo
        csv = deliver(app, "gmtui-journal", ".csv", "a,b\n1,2\n", "2 money moves", "text/csv")
        shot = app.deliver_screenshot()
        await pilot.pause()
        assert any("2 money moves written to " + str(csv) + " (the demo's own folder" in n for n in notes(app))
    return [csv, Path(shot) if shot else None]


async def test_two_demos_export_to_their_own_files_and_nothing_lands_in_the_cwd_or_home(private, isolated_home, clock):
    first = await export_twice(clock)
    second = await export_twice(clock)
    folder = places.demo_dir()
    written = [*first, *second]
    assert all(p is not None and p.parent == folder for p in written)
    assert len(set(written)) == 4  # the second demo's export did not replace the first's
    assert [p.name for p in written if p] == ["gmtui-journal.csv", "gmtui-screenshot-2026-11-21T12_00_00Z.svg",
                                              "gmtui-journal-2.csv", "gmtui-screenshot-2026-11-21T12_00_00Z-2.svg"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and folder.parent == private
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in written if p)  # no log: nothing to log
    assert list(Path.cwd().iterdir()) == []
    assert not isolated_home.exists() or not [p for p in isolated_home.rglob("*") if p.is_file()]


async def test_outside_the_demo_an_export_never_replaces_a_file(private, state):
    from gmtui.sandbox import demo_client

    (Path.cwd() / "gmtui-journal.csv").write_text("mine\n")
    app = GmtuiApp(demo_client(state), list(state.world.users), profile="demo", clock=state.clock, refresh_s=0)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        path = deliver(app, "gmtui-journal", ".csv", "a\n", "1 row", "text/csv")
    assert path == Path.cwd() / "gmtui-journal-2.csv" and path.read_text() == "a\n"
    assert (Path.cwd() / "gmtui-journal.csv").read_text() == "mine\n"
    assert not list(private.iterdir())  # no demo folder: this is no demo


async def test_in_a_browser_an_export_goes_to_the_viewer(private, state, monkeypatch):
    from gmtui.sandbox import demo_client

    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(GmtuiApp, "is_web", property(lambda self: True))
    monkeypatch.setattr(GmtuiApp, "deliver_text", lambda self, f, **kw: sent.append((f.read(), kw)))
    app = GmtuiApp(demo_client(state), list(state.world.users), profile="demo", clock=state.clock, refresh_s=0, demo=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert deliver(app, "gmtui-journal/../x", ".csv", "a\n", "1 row", "text/csv") is None
        await pilot.pause()
        assert "1 row sent to your browser as gmtui-journal_.._x.csv" in notes(app)
    assert sent == [("a\n", {"save_filename": "gmtui-journal_.._x.csv", "mime_type": "text/csv", "name": "gmtui-export"})]
    assert list(Path.cwd().iterdir()) == [] and not list(private.iterdir())


PROCESS = """
import logging, os, stat, sys
from gmtui import places, session
session.start_logging(["s3cr3t-value"], demo=True)
if sys.argv[1] == "quiet":
    sys.exit(print(places._demo))  # nothing logged, nothing exported: no folder made
logging.getLogger("gmtui.test").info("signing with s3cr3t-value")
folder = places.demo_dir()
if sys.argv[1] == "export":
    places.write_new(folder, "gmtui-journal", ".csv", "a\\n")
print(folder, oct(stat.S_IMODE(folder.stat().st_mode)), (folder / "gmtui.log").read_text().strip().split(" ", 3)[3])
"""


def run_demo_process(what: str, tmp: Path, home: Path) -> list[str]:
    env = {**os.environ, "TMPDIR": str(tmp), "GMTUI_HOME": str(home)}
    done = subprocess.run([sys.executable, "-c", PROCESS, what], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().split(" ", 2)


def test_each_demo_process_has_its_own_folder_gone_at_exit_but_for_its_exports(tmp_path, isolated_home):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    assert run_demo_process("quiet", tmp, isolated_home) == ["None"] and list(tmp.iterdir()) == []
    one, mode, log = run_demo_process("log", tmp, isolated_home)
    two, _, _ = run_demo_process("log", tmp, isolated_home)
    assert one != two and mode == "0o700" and log == "gmtui.test: signing with ***"
    assert list(tmp.iterdir()) == []  # both removed at exit
    kept, _, _ = run_demo_process("export", tmp, isolated_home)
    assert [p.name for p in Path(kept).iterdir()] == ["gmtui-journal.csv"]  # the export stays, the log does not
    assert not isolated_home.exists()


def test_a_folder_in_the_way_is_an_error_not_another_name(tmp_path):
    (tmp_path / "x.csv").mkdir()
    with pytest.raises(IsADirectoryError):
        places.write_new(tmp_path, "x", ".csv", "a\n")
    (tmp_path / "y.csv").symlink_to(tmp_path / "elsewhere.csv")  # a link is never followed: another name
    assert places.write_new(tmp_path, "y", ".csv", "a\n").name == "y-2.csv" and not (tmp_path / "elsewhere.csv").exists()


def test_a_killed_demos_folder_is_tidied_by_the_next_demo(private):
    """A demo killed before it could tidy up (SIGKILL) leaves its folder; the next demo
    removes its log, and the folder when nothing the person asked for is in it. The
    folders of live processes, links and other names are left alone."""
    gone = 4194303  # above Linux's largest process id: no such process
    dead_empty = private / f"gmtui-demo-{gone}-a1"
    dead_kept = private / f"gmtui-demo-{gone}-b2"
    live = private / f"gmtui-demo-{os.getppid()}-c3"
    other = private / "gmtui-demo-notapid-d4"
    for folder in (dead_empty, dead_kept, live, other):
        folder.mkdir()
        (folder / "gmtui.log").write_text("a record\n")
    (dead_kept / "gmtui-journal.csv").write_text("a,b\n")
    target = private.parent / "elsewhere"
    target.mkdir()
    (target / "gmtui.log").write_text("not ours to touch\n")
    (private / f"gmtui-demo-{gone}-e5").symlink_to(target)

    mine = places.demo_dir()

    assert mine.name.startswith(f"gmtui-demo-{os.getpid()}-") and mine.is_dir()
    assert not dead_empty.exists()
    assert sorted(p.name for p in dead_kept.iterdir()) == ["gmtui-journal.csv"]
    assert (live / "gmtui.log").exists() and (other / "gmtui.log").exists()
    assert (target / "gmtui.log").exists()
    places.tidy(mine)


def test_a_private_folder_sweeps_its_prefix_of_gone_processes(private):
    gone = private / "gmtui-serve-4194303-x"
    (gone / "home").mkdir(parents=True)
    live = private / f"gmtui-serve-{os.getppid()}-y"
    live.mkdir()
    made = places.private_dir("gmtui-serve-")
    assert made.parent == private and stat.S_IMODE(made.stat().st_mode) == 0o700
    assert not gone.exists() and live.exists()
