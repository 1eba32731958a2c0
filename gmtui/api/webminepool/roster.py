"""The partner's own list of WebMinePool users and tokens.

``/users`` lists only users who mined in the last 3 days, and no method lists tokens,
so gmtui remembers them: users it created, users added by hand, users seen in
``/users``, and tokens it set. One JSON file per account in the state dir, mode 0600,
replaced atomically; no secret in it (the account is named by a hash). A file that
cannot be read is kept aside under another name (nothing is lost) and a fresh one
started; ``problem`` says so. The demo keeps its roster in memory (``path`` None).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from gmtui.config import write_private

log = logging.getLogger("gmtui.roster")
MAX_ENTRIES = 100_000
_NAME = re.compile(r"[A-Za-z0-9_.@-]{1,64}")  # the client's username rule
_TOKEN = re.compile(r"[A-Za-z0-9_.~-]{1,128}")
HOW = ("created", "added", "seen")


class Roster:
    def __init__(self, path: Path | None = None, clock: Callable[[], float] = time.time):
        self.path, self.clock = path, clock
        self.problem = ""
        self.users: dict[str, str] = {}  # name -> how gmtui knows it
        self.tokens: dict[str, dict[str, Any]] = {}  # token id -> {hashes, user, at}
        if path is not None and path.exists():
            self._load(path)

    def __repr__(self) -> str:
        return f"Roster({str(self.path) if self.path else ':memory:'!r}, {len(self.users)} users)"

    def _load(self, path: Path) -> None:
        try:
            data = json.loads(path.read_bytes()[: 64 * 1024 * 1024])
            users, tokens = data["users"], data["tokens"]
            self.users = {str(n): str(h) for n, h in users.items() if _NAME.fullmatch(str(n)) and h in HOW}
            self.tokens = {str(t): {"hashes": int(v["hashes"]), "user": str(v.get("user") or ""), "at": float(v["at"])}
                           for t, v in tokens.items() if _TOKEN.fullmatch(str(t))}
        except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            aside = path.with_name(f"{path.name}.unreadable-{int(self.clock())}")
            try:
                path.rename(aside)
                self.problem = f"the roster {path} could not be read ({type(exc).__name__}); it was kept as {aside.name} and a new one started"
            except OSError:
                self.problem = f"the roster {path} could not be read ({type(exc).__name__}); users added now are not kept"
                self.path = None
            log.warning("%s", self.problem)
            self.users, self.tokens = {}, {}

    def _save(self) -> None:
        if self.path is None:
            return
        body = {"users": self.users, "tokens": self.tokens}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_private(self.path, json.dumps(body, sort_keys=True).encode())
        except OSError as exc:
            self.problem = f"the roster {self.path} could not be written ({exc.strerror or exc})"
            log.warning("%s", self.problem)

    def names(self) -> dict[str, str]:
        return dict(self.users)

    def add(self, name: str, how: str = "added") -> None:
        """Remember ``name`` (a name gmtui created stays "created")."""
        if not _NAME.fullmatch(name):
            raise ValueError("a username has 1 to 64 letters, digits or _ . @ -")
        if self.users.get(name) in (None, "seen") and len(self.users) < MAX_ENTRIES:
            self.users[name] = how
            self._save()

    def saw(self, names: Iterable[str]) -> None:
        """Users listed by ``/users``: kept, so they stay after 3 idle days."""
        new = [n for n in names if n not in self.users and _NAME.fullmatch(n)]
        if new and len(self.users) + len(new) <= MAX_ENTRIES:
            self.users.update({n: "seen" for n in new})
            self._save()

    def remove(self, name: str) -> None:
        if self.users.pop(name, None) is not None:
            self._save()

    def add_token(self, token_id: str, hashes: int, user: str | None) -> None:
        if _TOKEN.fullmatch(token_id) and len(self.tokens) < MAX_ENTRIES:
            self.tokens[token_id] = {"hashes": hashes, "user": user or "", "at": self.clock()}
            self._save()

    def drop_token(self, token_id: str) -> None:
        if self.tokens.pop(token_id, None) is not None:
            self._save()
