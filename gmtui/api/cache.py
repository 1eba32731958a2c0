"""Application-level cache of read answers, for stale-while-revalidate and --offline.

One sqlite file in the cache dir (``cache-v1.sqlite``; a new format gets a new name).
An entry is keyed by profile scope, partner user, operation and parameters (never the
timestamp, recvWindow or signature, which are added when the request is built) and
holds the answer body of a read and when it was fetched. Only read operations are
stored: no headers, no tokens, no secrets. A corrupt or foreign file is set aside and
rebuilt; a cache that cannot be used turns into no cache, never into a crash.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from gmtui.api import wire

log = logging.getLogger("gmtui.cache")

FILE_NAME = "cache-v1.sqlite"
_SCHEMA = "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, operation TEXT NOT NULL, fetched_at REAL NOT NULL, body BLOB NOT NULL)"


@dataclass(frozen=True)
class Hit:
    fetched_at: float
    body: bytes


class Cache:
    """A key -> (fetched_at, body) store; ``path=None`` keeps it in memory."""

    def __init__(self, path: Path | None = None):
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._open()

    def __repr__(self) -> str:
        return f"Cache({str(self.path) if self.path else ':memory:'!r})"

    def _open(self) -> None:
        target = ":memory:"
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            target = str(self.path)
        try:
            self._db = self._connect(target)
            if self.path is not None:
                self.path.chmod(0o600)
        except sqlite3.DatabaseError as exc:
            if self.path is None:
                raise
            log.warning("cache file %s is unreadable (%s); starting a new one", self.path, exc)
            self.path.replace(self.path.with_name(self.path.name + ".corrupt"))
            try:
                self._db = self._connect(target)
            except sqlite3.DatabaseError:
                self._db = None

    @staticmethod
    def _connect(target: str) -> sqlite3.Connection:
        db = sqlite3.connect(target, timeout=2.0, isolation_level=None, check_same_thread=False)
        try:
            db.execute(_SCHEMA)
            db.execute("SELECT key, operation, fetched_at, body FROM answers LIMIT 1").fetchall()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    @staticmethod
    def key(scope: str, user: str | None, operation: str, params: dict[str, Any]) -> str:
        material = wire.dumps([scope, user or "", operation, params])
        return hashlib.sha256(material.encode()).hexdigest()

    def get(self, key: str) -> Hit | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT fetched_at, body FROM answers WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError as exc:
            log.warning("cache read failed: %s", exc)
            return None
        if row is None or not isinstance(row[0], int | float) or not isinstance(row[1], bytes):
            return None
        return Hit(float(row[0]), row[1])

    def put(self, key: str, operation: str, fetched_at: float, body: bytes) -> None:
        if self._db is None:
            return
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO answers (key, operation, fetched_at, body) VALUES (?, ?, ?, ?)",
                (key, operation, fetched_at, body),
            )
        except sqlite3.DatabaseError as exc:
            log.warning("cache write failed: %s", exc)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


# ---- what a caller learns about the age of what it got ---------------------------------


@dataclass
class Freshness:
    """Collects, for one unit of work, the fetch time of any cached answer it used."""

    cache_only: bool = False
    oldest: float | None = None

    def note(self, fetched_at: float) -> None:
        self.oldest = fetched_at if self.oldest is None else min(self.oldest, fetched_at)

    @property
    def from_cache(self) -> bool:
        return self.oldest is not None

    def age_s(self, now: float | None = None) -> float | None:
        """Seconds since the oldest cached answer used was fetched; None if all fresh."""
        if self.oldest is None:
            return None
        return max(0.0, (time.time() if now is None else now) - self.oldest)


_current: ContextVar[Freshness | None] = ContextVar("gmtui_freshness", default=None)


@contextmanager
def tracking(cache_only: bool = False) -> Iterator[Freshness]:
    """Within the block, reads report cached answers to the yielded Freshness; with
    ``cache_only`` they are answered from the cache alone (NotCached when absent)."""
    fresh = Freshness(cache_only)
    token = _current.set(fresh)
    try:
        yield fresh
    finally:
        _current.reset(token)


def current() -> Freshness | None:
    return _current.get()


T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot(Generic[T]):
    value: T
    age_s: float | None  # None: fresh from the server
    final: bool  # False for the cached answer shown while the fresh one is on its way


async def stale_while_revalidate(fetch: Callable[[], Awaitable[T]], now: Callable[[], float]) -> AsyncIterator[Snapshot[T]]:
    """The cached answer of ``fetch`` at once (when every read it makes is cached), then
    the server's. If the server does not answer, the last snapshot is the cached one
    again with its age; errors other than that propagate."""
    from gmtui.api.errors import GmtuiError

    with tracking(cache_only=True) as cached:
        try:
            value = await fetch()
        except GmtuiError:
            pass
        else:
            yield Snapshot(value, cached.age_s(now()), final=False)
    with tracking() as fresh:
        value = await fetch()
    yield Snapshot(value, fresh.age_s(now()), final=True)


def describe_age(seconds: float) -> str:
    """'12 s', '5 min', '3 h', '2 d'."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} d"
