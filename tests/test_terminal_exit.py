"""Never spin, never linger: the dashboard refuses to start without a terminal, and
ends within seconds when its terminal goes away (the pty closed, SIGHUP, or a wrapper
that ignores SIGHUP outliving its terminal), leaving no demo folder behind."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

FIGURES = re.compile(rb"\d TH/s")  # the overview's first figure: the demo is open
PROMPT_S = 3.0  # "promptly": the terminal gone, the process ends within this


def environment(home: Path, tmp: Path) -> dict[str, str]:
    tmp.mkdir(exist_ok=True)
    return {**os.environ, "GMTUI_HOME": str(home), "TMPDIR": str(tmp), "TERM": "xterm-256color",
            "TEXTUAL_ANIMATIONS": "none", "COLUMNS": "100", "LINES": "30"}


def spawn(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[int, int]:
    """``argv`` on a new pty that is its controlling terminal (as a login's is)."""
    pid, leader = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.chdir(cwd)
        os.execvpe(argv[0], argv, env)
    return pid, leader


def read_until(leader: int, pattern: re.Pattern[bytes], seconds: float = 60) -> bytes:
    seen = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not pattern.search(seen):
        ready, _, _ = select.select([leader], [], [], 0.1)
        if ready:
            try:
                seen += os.read(leader, 65536)
            except OSError:
                break
    assert pattern.search(seen), seen[-2000:]
    return seen


def drain(leader: int, seconds: float) -> None:
    """Keep reading what the app draws (a terminal would) for ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.05)
        if ready:
            try:
                os.read(leader, 65536)
            except OSError:
                return


def wait_exit(pid: int, seconds: float, leader: int | None = None) -> tuple[float, int]:
    """(seconds until ``pid`` exited, its exit code); killed and failed past ``seconds``."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return time.monotonic() - started, os.waitstatus_to_exitcode(status)
        if leader is not None:
            drain(leader, 0.05)
        else:
            time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail(f"still running {seconds} s after its terminal went away")


def demo_folders(tmp: Path) -> list[Path]:
    return list(tmp.glob("gmtui-demo-*"))


def test_closing_the_terminal_ends_the_dashboard_at_once(isolated_home, tmp_path):
    tmp = tmp_path / "tmp"
    pid, leader = spawn([sys.executable, "-m", "gmtui", "--demo"], environment(isolated_home, tmp), tmp_path)
    read_until(leader, FIGURES)
    drain(leader, 0.3)
    os.close(leader)  # the terminal window is closed: the kernel hangs the pty up (SIGHUP, SIGCONT)
    took, code = wait_exit(pid, PROMPT_S)
    assert code == 129 and took < PROMPT_S
    assert not demo_folders(tmp) and not (isolated_home / "state").exists()


def test_sighup_ends_the_dashboard(isolated_home, tmp_path):
    tmp = tmp_path / "tmp"
    pid, leader = spawn([sys.executable, "-m", "gmtui", "--demo"], environment(isolated_home, tmp), tmp_path)
    try:
        read_until(leader, FIGURES)
        os.kill(pid, signal.SIGHUP)
        took, code = wait_exit(pid, PROMPT_S, leader)
    finally:
        os.close(leader)
    assert code == 129 and not demo_folders(tmp)


WRAPPER = """
import signal, subprocess, sys
signal.signal(signal.SIGHUP, signal.SIG_IGN)  # like `nohup` or `trap '' HUP`: the child inherits it
child = subprocess.Popen([sys.executable, "-m", "gmtui", "--demo"])
open(sys.argv[1], "w").write(str(child.pid))
sys.exit(child.wait())
"""


def test_a_dashboard_that_outlives_its_terminal_ends_without_spinning(isolated_home, tmp_path):
    """A wrapper that does not exec (and ignores SIGHUP, as its child then does): the
    kernel's SIGHUP goes to the wrapper alone, and the dashboard reads the end of its
    input. Before, it spun a CPU core forever; now it ends."""
    tmp, pid_file = tmp_path / "tmp", tmp_path / "child.pid"
    wrapper, leader = spawn([sys.executable, "-c", WRAPPER, str(pid_file)], environment(isolated_home, tmp), tmp_path)
    read_until(leader, FIGURES)
    child = int(pid_file.read_text())
    os.close(leader)
    started = time.monotonic()
    while Path(f"/proc/{child}").exists() and time.monotonic() - started < PROMPT_S:
        time.sleep(0.05)
    lingering = Path(f"/proc/{child}").exists()
    if lingering:
        os.kill(child, signal.SIGKILL)
    _, code = wait_exit(wrapper, 10)
    assert not lingering and code == 129 and not demo_folders(tmp)


def run_refused(stdin: object, stdout: object, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "gmtui", "--demo"], stdin=stdin, stdout=stdout,
                          stderr=subprocess.PIPE, env=env, cwd=cwd, timeout=30)


def test_without_a_terminal_on_stdin_the_dashboard_refuses(isolated_home, tmp_path):
    done = run_refused(subprocess.DEVNULL, subprocess.PIPE, environment(isolated_home, tmp_path / "tmp"), tmp_path)
    assert done.returncode == 2 and done.stdout == b""
    assert done.stderr.decode() == ("gmtui: the dashboard needs a terminal (stdin is not a terminal); "
                                    "use `gmtui get ...` for scripts\n")
    assert not demo_folders(tmp_path / "tmp") and not isolated_home.exists()


def test_with_stdout_to_a_pipe_the_dashboard_refuses(isolated_home, tmp_path):
    leader, follower = pty.openpty()
    try:
        done = run_refused(follower, subprocess.PIPE, environment(isolated_home, tmp_path / "tmp"), tmp_path)
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 2 and done.stdout == b""
    assert b"needs a terminal (stdout is not a terminal)" in done.stderr and done.stderr.count(b"\n") == 1


def test_scripts_still_work_through_pipes(isolated_home, tmp_path):
    done = subprocess.run([sys.executable, "-m", "gmtui", "--demo", "get", "rates", "--format", "json"],
                          stdin=subprocess.DEVNULL, capture_output=True, env=environment(isolated_home, tmp_path / "tmp"),
                          cwd=tmp_path, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith((b"{", b"[")), done.stderr
    assert not demo_folders(tmp_path / "tmp")  # the demo's log went with it
