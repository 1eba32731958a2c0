"""Which partner users are bound to Mithril Vault, with their access tokens, and the
bindings still waiting for Vault's redirect.

Vault lists no bindings, so gmtui keeps them: one JSON file per account in the state
dir, mode 0600 (the tokens are secrets; a file others may read is refused), replaced
atomically under a lock after reading it again, so that two gmtui binding at once
lose nothing; the account is named by a hash. A binding starts with a single-use
``state`` kept for 10 minutes; the grant code that comes back with it is exchanged at
once for the user's token. A file that cannot be read is kept aside under another name
to be restored, and nothing is written meanwhile (``problem`` says so; moves are
refused). The demo keeps its bindings in memory (``path`` None).
"""

from __future__ import annotations

import fcntl
import json
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gmtui.config import check_private, write_private

log = logging.getLogger("gmtui.bindings")
STATE_TTL_S = 600
MAX_ENTRIES = 10_000
USER = re.compile(r"[A-Za-z0-9_.@:-]{1,64}")  # the seed: a user_id of at most 64 characters
_TOKEN = re.compile(r"[\x21-\x7e]{1,1024}")
_STATE = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Binding:
    user: str
    at: float  # when it was bound

    def __repr__(self) -> str:
        return f"Binding({self.user!r})"


class Bindings:
    def __init__(self, path: Path | None = None, clock: Callable[[], float] = time.time):
        self.path, self.clock = path, clock
        self.problem = ""
        self._tokens: dict[str, dict[str, Any]] = {}  # user -> {token, at}
        self._pending: dict[str, dict[str, Any]] = {}  # state -> {user, expires}
        if path is not None and path.exists():
            self._load(path)

    def __repr__(self) -> str:
        return f"Bindings({str(self.path) if self.path else ':memory:'!r}, {len(self._tokens)} users)"

    def _read(self, path: Path) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
        check_private(path)  # it holds tokens: refused while others may read it
        data = json.loads(path.read_bytes()[: 16 * 1024 * 1024])
        tokens = {str(u): {"token": str(v["token"]), "at": float(v["at"])} for u, v in data["tokens"].items()
                  if USER.fullmatch(str(u)) and _TOKEN.fullmatch(str(v["token"]))}
        pending = {str(s): {"user": str(v["user"]), "expires": float(v["expires"])}
                   for s, v in data["pending"].items() if _STATE.fullmatch(str(s)) and USER.fullmatch(str(v["user"]))}
        return tokens, pending

    def _load(self, path: Path) -> None:
        try:
            self._tokens, self._pending = self._read(path)
        except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            aside = path.with_name(f"{path.name}.unreadable-{int(self.clock())}")
            try:
                path.rename(aside)
                self.problem = (f"the bindings file {path} could not be read ({type(exc).__name__}); it was kept as "
                                f"{aside.name}: restore it (its tokens are needed: Vault binds a user only once)")
            except OSError:
                self.problem = f"the bindings file {path} could not be read ({type(exc).__name__}); new bindings are not kept"
            self.path = None  # nothing is written over what may still be restored
            log.warning("%s", self.problem)
            self._tokens, self._pending = {}, {}

    def _update(self, change: Callable[[], Any]) -> None:
        """Apply ``change`` to the file's current content, under a lock, so that another
        gmtui binding at the same time loses nothing (the file is read again first)."""
        if self.path is None:
            change()
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if self.path.exists():
                    self._tokens, self._pending = self._read(self.path)
                change()
                now = self.clock()
                self._pending = {s: v for s, v in self._pending.items() if v["expires"] > now}
                write_private(self.path, json.dumps({"tokens": self._tokens, "pending": self._pending},
                                                    sort_keys=True).encode())
        except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            self.problem = f"the bindings file {self.path} could not be written ({type(exc).__name__}: {exc})"
            log.warning("%s", self.problem)
            raise OSError(self.problem) from None

    # ---- bound users
    def users(self) -> list[Binding]:
        return [Binding(u, v["at"]) for u, v in sorted(self._tokens.items())]

    def token(self, user: str) -> str | None:
        found = self._tokens.get(user)
        return None if found is None else str(found["token"])

    def secrets(self) -> list[str]:
        return [str(v["token"]) for v in self._tokens.values()]

    def bind(self, user: str, token: str) -> None:
        if not USER.fullmatch(user) or not _TOKEN.fullmatch(token):
            raise ValueError("not a user id and token gmtui can keep")
        if user not in self._tokens and len(self._tokens) >= MAX_ENTRIES:
            raise ValueError(f"at most {MAX_ENTRIES:,} bound users per profile")
        self._update(lambda: self._tokens.__setitem__(user, {"token": token, "at": self.clock()}))

    def forget(self, user: str) -> None:
        if user in self._tokens:
            self._update(lambda: self._tokens.pop(user, None))

    # ---- bindings waiting for Vault's redirect
    def start(self, user: str) -> str:
        """A new single-use state for binding ``user``, valid for 10 minutes."""
        if not USER.fullmatch(user):
            raise ValueError("a user id has 1 to 64 letters, digits or _ . @ : -")
        state = secrets.token_hex(32)
        self._update(lambda: self._pending.__setitem__(state, {"user": user, "expires": self.clock() + STATE_TTL_S}))
        return state

    def pending(self, user: str | None = None) -> list[tuple[str, str, float]]:
        """(state, user, expires) of the bindings still waiting (of ``user``), newest first."""
        now = self.clock()
        found = [(s, v["user"], v["expires"]) for s, v in self._pending.items()
                 if v["expires"] > now and (user is None or v["user"] == user)]
        return sorted(found, key=lambda f: -f[2])

    def waiting(self, state: str) -> str | None:
        """The user a state was made for, if it is still waiting (not spent)."""
        found = self._pending.get(state)
        return str(found["user"]) if found is not None and found["expires"] > self.clock() else None

    def take(self, state: str) -> str | None:
        """The user a state was made for, spending it; None if unknown, used or expired."""
        found = self._pending.get(state)
        if found is None:
            return None
        self._update(lambda: self._pending.pop(state, None))
        return str(found["user"]) if found["expires"] > self.clock() else None
