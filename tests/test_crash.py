"""A bug in gmtui (an exception nobody expected) with secrets in scope: the CLI and
the dashboard exit 70, say where the log is, and print no traceback, no variable and
no secret; the log has the traceback, redacted."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

from gmtui.cli import main
from gmtui.sandbox import DEMO_API_KEY, DEMO_API_SECRET

from conftest import Clock

SECRETS = [DEMO_API_SECRET, DEMO_API_KEY, "eyJ", "rt_"]


def test_a_cli_crash_says_where_the_log_is_and_nothing_else(capsys, monkeypatch, isolated_home):
    def sign(secret: str, message: object) -> str:
        api_secret = secret  # noqa: F841 (a local a traceback with locals would print)
        raise RuntimeError(f"cannot sign with {secret}")

    monkeypatch.setattr("gmtui.api.wire.sign", sign)
    code = main(["--demo", "get", "stats"], clock=Clock())
    out, err = capsys.readouterr()
    log = reported_log(err)  # a demo's report stays in its own folder, nothing in GMTUI_HOME
    assert code == 70 and out == "" and log.name == "crash.log" and log.parent.name.startswith("gmtui-demo-")
    assert not (isolated_home / "state" / "gmtui.log").exists()
    assert "internal error (RuntimeError)" in err and "Traceback" not in err
    assert not any(s in out + err for s in SECRETS)
    text = log.read_text()
    assert "Traceback" in text and "cannot sign with ***" in text and DEMO_API_SECRET not in text
    shutil.rmtree(log.parent)


CRASHING_TUI = """
import sys
from gmtui.sandbox import DEMO_API_SECRET
from gmtui.ui.screens.section import Section

def age_text(self):
    secret = DEMO_API_SECRET
    client = self.app.client
    if client is not None and self.data_at is not None:
        raise RuntimeError("a bug while showing the overview")
    return "…"

Section.age_text = age_text
from gmtui.cli import main
sys.exit(main(["--demo"]))
"""


def reported_log(said: str) -> Path:
    """The log file named in the crash line."""
    found = re.search(r"The details are in (\S+?); please report it", " ".join(said.split()))
    assert found, said[-2000:]
    return Path(found.group(1))


def run_in_a_terminal(script: str, home: Path, seconds: float = 60) -> tuple[int, bytes]:
    """Run ``script`` with a pseudo-terminal as its terminal; (exit status, all it wrote)."""
    env = {**os.environ, "GMTUI_HOME": str(home), "TERM": "xterm-256color", "TEXTUAL_ANIMATIONS": "none",
           "COLUMNS": "100", "LINES": "30"}
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", script], stdin=follower, stdout=follower, stderr=follower,
                            env=env, close_fds=True)
    os.close(follower)
    out = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    if proc.poll() is None:
        proc.kill()
    os.close(leader)
    return proc.wait(timeout=10), out


def test_a_dashboard_crash_exits_70_with_no_traceback_and_no_secret(isolated_home):
    code, out = run_in_a_terminal(CRASHING_TUI, isolated_home)
    text = out.decode("utf-8", "replace")
    assert code == 70, text[-2000:]
    log = reported_log(text)
    assert "internal error (RuntimeError)" in text and log.name == "crash.log"
    assert "Traceback" not in text and "secret =" not in text and "locals" not in text
    assert not any(s in text for s in SECRETS)
    assert "a bug while showing the overview" in log.read_text() and DEMO_API_SECRET not in log.read_text()
    shutil.rmtree(log.parent)
