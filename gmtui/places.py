"""Where gmtui puts the files it writes for a person (exports, screenshots), and the
demo's own folder.

A demo (--demo) writes nothing among the person's files: its log, exports and
screenshots go to one private folder per process, made when the first of them is
written (``tempfile.mkdtemp``: a fresh name, mode 0700), so any number of demos run
side by side. At exit the log is deleted, and the folder too unless it holds what the person
asked for (exports, screenshots): those stay where the dashboard said they went. A demo
that could not tidy up (killed) is tidied by the next one (``sweep``): its folder's name
holds its process id.
Outside the demo, exports and screenshots go to the working directory. A file is never
replaced: a name already taken gets -2, -3, …
"""

from __future__ import annotations

import atexit
import itertools
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gmtui.api import logs

APP = "gmtui"
SHARED = "GMTUI_SHARED"  # set in a shared session's environment: SHARED_SSH under `gmtui ssh-demo`
SHARED_SSH = "ssh"


@dataclass(frozen=True)
class Paths:
    config: Path
    cache: Path
    state: Path

    @property
    def config_file(self) -> Path:
        return self.config / "config.toml"


def paths() -> Paths:
    """The config, cache and state folders: platformdirs', or all three under
    ``$GMTUI_HOME`` when it is set."""
    import platformdirs  # only when no GMTUI_HOME says where

    home = os.environ.get("GMTUI_HOME")
    if home:
        root = Path(home).expanduser()
        return Paths(root / "config", root / "cache", root / "state")
    return Paths(
        Path(platformdirs.user_config_dir(APP)),
        Path(platformdirs.user_cache_dir(APP)),
        Path(platformdirs.user_state_dir(APP)),
    )


_demo: Path | None = None


DEMO_PREFIX = "gmtui-demo-"


def demo_dir() -> Path:
    """This process's demo folder (made now, the first time)."""
    global _demo
    if _demo is None:
        sweep(DEMO_PREFIX, tidy)
        _demo = Path(tempfile.mkdtemp(prefix=f"{DEMO_PREFIX}{os.getpid()}-"))
        atexit.register(tidy, _demo)
    return _demo


def private_dir(prefix: str) -> Path:
    """A new 0700 folder named ``prefix`` + this process's id + a fresh suffix, for
    what this process removes when done; those a killed process of the same prefix
    left behind are removed first (``sweep``)."""
    sweep(prefix, lambda folder: shutil.rmtree(folder, ignore_errors=True))
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))


def sweep(prefix: str, clear: Callable[[Path], None]) -> None:
    """``clear`` each folder of the temporary directory named ``prefix`` + a process id
    + ``-``, when it is this user's, not a link, and that process is gone.
    A process id in use again keeps its folder (never another live process's)."""
    pattern = re.compile(re.escape(prefix) + r"(\d{1,10})-[^/]*\Z")
    try:
        entries = list(os.scandir(tempfile.gettempdir()))
    except OSError:
        return
    for entry in entries:
        found = pattern.match(entry.name)
        if found is None or entry.is_symlink() or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_uid != os.getuid() or _alive(int(found.group(1))):
                continue
        except OSError:
            continue
        clear(Path(entry.path))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # gone, or no process has such an id
        return False
    except PermissionError:  # another user's: alive
        pass
    return True


def demo_log() -> Path:
    """The demo's log file: ``logs.start`` asks for it when the first record comes, so
    a demo that logs nothing and exports nothing makes no folder at all."""
    return demo_dir() / logs.LOG_FILE


def kept(folder: Path | None = None) -> list[Path]:
    """The files the person asked for in the demo folder (all but the log)."""
    folder = folder or _demo
    if folder is None or not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name != logs.LOG_FILE)


def tidy(folder: Path) -> None:
    """At exit (or at a later demo's start, for a killed one): the demo's log goes, and
    its folder if nothing else is in it."""
    if folder == _demo:
        logs.stop(demo_log)
    try:
        (folder / logs.LOG_FILE).unlink(missing_ok=True)
        if not kept(folder):
            folder.rmdir()
    except OSError:  # already gone, or not ours to remove any more
        pass


def write_new(folder: Path, stem: str, suffix: str, text: str) -> Path:
    """Write ``text`` to a new file of ``folder``: ``stem`` + ``suffix``, or when a file
    (or link) has that name, ``stem``-2, -3, … Each is created exclusively, so two
    writers never share one. A folder in the way is an error (IsADirectoryError), not
    a reason to pick another name."""
    for n in itertools.count(1):
        path = folder / f"{stem}{'' if n == 1 else f'-{n}'}{suffix}"
        try:
            handle = path.open("x", encoding="utf-8")
        except FileExistsError:
            if path.is_dir() and not path.is_symlink():
                raise IsADirectoryError(21, "Is a directory", str(path)) from None
            continue
        try:
            with handle:
                handle.write(text)
        except BaseException:
            path.unlink(missing_ok=True)  # no half-written export left behind
            raise
        return path
    raise AssertionError("unreachable")
