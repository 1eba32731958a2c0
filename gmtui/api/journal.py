"""The operation journal: every money move, written down BEFORE it is sent.

A move is inserted as ``unknown`` ("sending") in the same transaction that checks
for an identical move still unknown, then settled: ``ok``, ``failed`` (the server
said no, or the request never left), or left ``unknown`` when the answer was lost
after the request may have arrived. A crash while sending leaves it unknown too,
which is the truth. Moves are never resent automatically; ``gmtui reconcile``
settles unknown entries by looking at the server's state.

sqlite in the state dir, mode 0600. It holds operations, amounts, addresses and
outcomes; never a key, a secret, a token or a signature.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from gmtui.api import wire
from gmtui.api.errors import (
    ApiError,
    NetworkError,
    OutcomeUnknown,
    PendingMoveError,
    ServerError,
    UnexpectedResponse,
)

T = TypeVar("T")

FILE_NAME = "journal-v1.sqlite"
OK, FAILED, UNKNOWN = "ok", "failed", "unknown"
_SCHEMA = """CREATE TABLE IF NOT EXISTS moves (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    scope TEXT NOT NULL,
    user TEXT NOT NULL,
    operation TEXT NOT NULL,
    params TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    before TEXT NOT NULL DEFAULT '{}',
    settled_at REAL
)"""
# Parameters that differ between two attempts at the same move.
_VOLATILE = frozenset({"externalId"})


@dataclass(frozen=True)
class Entry:
    id: int
    at: float
    scope: str
    user: str
    operation: str
    params: dict[str, Any]
    outcome: str
    detail: str
    before: dict[str, Any]
    settled_at: float | None

    def row(self) -> dict[str, Any]:
        """The entry as printed by `gmtui journal` and exported by the dashboard."""
        return {
            "id": self.id,
            "at": datetime.fromtimestamp(self.at, UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "user": self.user,
            "operation": self.operation,
            "amount": self.amount,
            "destination": self.destination,
            "outcome": self.outcome,
            "detail": self.detail,
        }

    @property
    def amount(self) -> str:
        return str(self.params.get("amount", ""))

    @property
    def destination(self) -> str:
        p = self.params
        value = p.get("walletAddress") or p.get("address") or p.get("toPartnerUserId") or p.get("nftId")
        if value is None and p.get("externalId"):
            value = f"payment {p['externalId']}"
        if value is None and isinstance(p.get("data"), dict):
            value = p["data"].get("nftId")
        return str(value or "")


def fingerprint(scope: str, user: str, operation: str, params: dict[str, Any]) -> str:
    same = {k: v for k, v in params.items() if k not in _VOLATILE}
    return hashlib.sha256(wire.dumps([scope, user, operation, same]).encode()).hexdigest()


class Journal:
    def __init__(self, path: Path | None = None, clock: Callable[[], float] = time.time):
        self.path = path
        self.clock = clock
        target = ":memory:"
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            path.touch(mode=0o600, exist_ok=True)
            path.chmod(0o600)
            target = str(path)
        self._db = sqlite3.connect(target, timeout=5.0, isolation_level=None, check_same_thread=False)
        try:
            self._db.execute(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            # The journal is the record of money moves: never set it aside silently.
            raise ApiError(f"the operation journal {path} cannot be read ({exc}); move it away to start a new one") from None

    def __repr__(self) -> str:
        return f"Journal({str(self.path) if self.path else ':memory:'!r})"

    def close(self) -> None:
        self._db.close()

    def begin(self, scope: str, user: str, operation: str, params: dict[str, Any], before: dict[str, Any] | None = None) -> int:
        """Record the intent; refuse while an identical move is unknown."""
        fp = fingerprint(scope, user, operation, params)
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute(
                "SELECT id FROM moves WHERE fingerprint = ? AND outcome = ? ORDER BY id LIMIT 1", (fp, UNKNOWN)
            ).fetchone()
            if row:
                raise PendingMoveError(
                    f"{operation} for {user!r} with the same parameters is already in the journal (entry {row[0]}) "
                    "with an unknown outcome; it may have happened, so it is not sent again",
                    entry=row[0],
                )
            cur = db.execute(
                "INSERT INTO moves (at, scope, user, operation, params, fingerprint, outcome, detail, before) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'sending', ?)",
                (self.clock(), scope, user, operation, wire.dumps(params), fp, UNKNOWN, wire.dumps(before or {})),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        assert cur.lastrowid is not None
        return cur.lastrowid

    def settle(self, entry: int, outcome: str, detail: str = "") -> None:
        self._db.execute(
            "UPDATE moves SET outcome = ?, detail = ?, settled_at = ? WHERE id = ?",
            (outcome, detail[:500], self.clock(), entry),
        )

    def entries(self, *, outcome: str | None = None, entry: int | None = None, limit: int = 1000) -> list[Entry]:
        """Newest first."""
        query = "SELECT id, at, scope, user, operation, params, outcome, detail, before, settled_at FROM moves WHERE 1"
        args: tuple[Any, ...] = ()
        if outcome:
            query, args = query + " AND outcome = ?", (*args, outcome)
        if entry is not None:
            query, args = query + " AND id = ?", (*args, entry)
        rows = self._db.execute(query + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
        return [
            Entry(r[0], r[1], r[2], r[3], r[4], wire.loads(r[5]), r[6], r[7], wire.loads(r[8] or "{}"), r[9])
            for r in rows
        ]

    def get(self, entry: int) -> Entry | None:
        found = self.entries(entry=entry, limit=1)
        return found[0] if found else None

    async def run(
        self, scope: str, user: str, operation: str, params: dict[str, Any],
        send: Callable[[], Awaitable[T]], before: dict[str, Any] | None = None,
    ) -> T:
        """Journal the move, send it once, and settle the entry from what happened."""
        entry = self.begin(scope, user, operation, params, before)
        try:
            result = await send()
        except NetworkError as exc:
            if exc.sent is False:
                self.settle(entry, FAILED, f"not sent: {exc}")
                raise
            self.settle(entry, UNKNOWN, f"answer lost: {exc}")
            raise OutcomeUnknown(f"the connection broke after the request left: {exc}", operation=operation, entry=entry) from exc
        except (ServerError, UnexpectedResponse) as exc:
            self.settle(entry, UNKNOWN, f"unclear answer: {exc}")
            raise OutcomeUnknown(f"the server's answer does not say whether it was done: {exc}", operation=operation, entry=entry) from exc
        except ApiError as exc:
            self.settle(entry, FAILED, str(exc))
            raise
        except BaseException:
            self.settle(entry, UNKNOWN, "interrupted while waiting for the answer")
            raise
        self.settle(entry, OK, "done")
        return result
