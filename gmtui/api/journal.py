"""The operation journal: every money move, written down BEFORE it is sent.

A move is inserted as ``unknown`` ("sending") in the same transaction that checks
for an identical move still unknown, then settled: ``ok``, ``failed`` (the server
said no, or the request never left), or left ``unknown`` when the answer was lost
after the request may have arrived. A crash while sending leaves it unknown too,
which is the truth. Moves are never resent automatically; ``gmtui reconcile``
settles unknown entries from the server's state, and a person can settle one by hand
(recorded as such).

The guard fails closed. Every row carries a checksum of what it says; the file is
checked with ``PRAGMA integrity_check`` when opened. A file that cannot be read, a
row whose checksum or fields do not hold, or an outcome gmtui does not know makes the
journal untrusted: money moves are refused (``JournalUnavailable``) while reads go
on, and ``entries`` still lists what can be read, the damaged rows marked as such.
A journal held by another gmtui is waited for briefly, then reported as in use.

sqlite in the state dir, mode 0600. It holds operations, amounts, addresses and
outcomes; never a key, a secret, a token or a signature.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from gmtui.api import wire
from gmtui.api.platforms import label
from gmtui.api.entries import (  # noqa: F401 (the journal's words, for its users)
    COLUMNS, DAMAGED, FAILED, OK, OUTCOMES, UNKNOWN, Entry, Settled, checksum, fingerprint, read,
)
from gmtui.api.errors import (
    ApiError,
    GmtuiError,
    InputError,
    JournalUnavailable,
    NetworkError,
    OutcomeUnknown,
    PendingMoveError,
    ServerError,
    UnexpectedResponse,
)

T = TypeVar("T")
log = logging.getLogger("gmtui.journal")

FILE_NAME = "journal-v1.sqlite"
WAIT_S = 3.0  # how long to wait for another gmtui that holds the journal
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
    settled_at REAL,
    answered_at REAL,
    checksum TEXT
)"""
# answered_at: when the send ended (the first settling), kept when a later one changes
# the outcome; reconcile needs it to know which moves were in flight at the same time.
_KEEP = "keep the file: it is the record of money moves"


class Journal:
    def __init__(self, path: Path | None = None, clock: Callable[[], float] = time.time):
        self.path = path
        self.clock = clock
        self.problem: str | None = None  # why the file cannot be used, if it cannot
        self._db: sqlite3.Connection | None = None
        try:
            self._connection()
        except JournalUnavailable as exc:
            log.warning("journal unusable: %s", exc)

    def __repr__(self) -> str:
        return f"Journal({str(self.path) if self.path else ':memory:'!r})"

    @property
    def where(self) -> str:
        return str(self.path) if self.path else "the in-memory journal"

    def _connection(self) -> sqlite3.Connection:
        """The open database; opened now if it could not be before (it was in use)."""
        if self._db is None:
            if self.problem:
                raise JournalUnavailable(self.problem)
            try:
                self._db = self._open()
            except sqlite3.Error as exc:
                raise JournalUnavailable(self._note(exc, "opened")) from None
        return self._db

    def _open(self) -> sqlite3.Connection:
        target = ":memory:"
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.path.touch(mode=0o600, exist_ok=True)
            self.path.chmod(0o600)
            target = str(self.path)
        db = sqlite3.connect(target, timeout=WAIT_S, isolation_level=None, check_same_thread=False)
        try:
            verdict = db.execute("PRAGMA integrity_check").fetchone()
            if not verdict or verdict[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check: {str(verdict[0] if verdict else 'no answer')[:120]}")
            db.execute(_SCHEMA)
            columns = {r[1] for r in db.execute("PRAGMA table_info(moves)")}
            if "checksum" not in columns:  # a journal from before checksums: vouch for its rows once
                db.execute("BEGIN IMMEDIATE")
                db.execute("ALTER TABLE moves ADD COLUMN answered_at REAL")
                db.execute("ALTER TABLE moves ADD COLUMN checksum TEXT")
                db.execute("UPDATE moves SET answered_at = settled_at")
                for row in db.execute(f"SELECT {COLUMNS} FROM moves").fetchall():
                    db.execute("UPDATE moves SET checksum = ? WHERE id = ?", (checksum(row), row[0]))
                db.execute("COMMIT")
        except BaseException:
            db.close()
            raise
        return db

    def _note(self, exc: sqlite3.Error, doing: str) -> str:
        """What a person should know of ``exc``; a damaged file is remembered (moves
        stay refused), a journal in use by another gmtui is not (the next try may work)."""
        if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
            return (f"the journal {self.where} is in use by another gmtui (waited {WAIT_S:g} s); "
                    "try again when that one has finished")
        self.problem = (f"the journal {self.where} could not be {doing} ({exc}); money moves are refused until it "
                        f"can. Reads go on. {_KEEP.capitalize()}; restore it from a backup, or repair it with "
                        "sqlite3's .recover")
        return self.problem

    def close(self) -> None:
        if self._db is not None:
            self._db.close()

    # ---- reading
    def entries(self, *, outcome: str | None = None, entry: int | None = None, limit: int = 1000) -> list[Entry]:
        """Newest first; rows that do not hold come as ``damaged`` with the reason in
        ``detail``. ``outcome`` filters (unknown includes damaged rows: neither is
        settled). Raises JournalUnavailable when the file cannot be read."""
        where, args = "WHERE 1", tuple[Any, ...]()
        if entry is not None:
            where, args = where + " AND id = ?", (entry,)
        try:
            rows = self._connection().execute(
                f"SELECT {COLUMNS} FROM moves {where} ORDER BY id DESC LIMIT ?",
                (*args, limit if outcome is None else -1)).fetchall()
        except sqlite3.Error as exc:
            raise JournalUnavailable(self._note(exc, "read")) from None
        out = [found for found, _ in map(read, rows)]
        if outcome is not None:
            out = [e for e in out if e.outcome == outcome or (outcome == UNKNOWN and e.outcome == DAMAGED)]
        return out[:limit]

    def get(self, entry: int) -> Entry | None:
        found = self.entries(entry=entry, limit=1)
        return found[0] if found else None

    def trouble(self) -> str | None:
        """Why money moves are refused now, or None: the file, or damaged entries."""
        try:
            damaged = [e.id for e in self.entries(outcome=DAMAGED, limit=1_000_000)]
        except JournalUnavailable as exc:
            return str(exc)
        return self._damaged(damaged) if damaged else None

    def _damaged(self, ids: list[int]) -> str:
        return (f"the journal {self.where} has damaged entries ({', '.join(f'#{i}' for i in ids[:10])}): money moves "
                f"are refused until a person settles them by hand (gmtui journal settle ID ok|failed). {_KEEP.capitalize()}")

    # ---- writing
    def begin(self, scope: str, user: str, operation: str, params: dict[str, Any], before: dict[str, Any] | None = None,
              aliases: tuple[str, ...] = ()) -> int:
        """Record the intent; refuse while an identical move is unknown (recorded under
        ``scope`` or an older name of it in ``aliases``), or while the journal cannot be
        trusted (every row is checked first)."""
        db = self._connection()
        fp = fingerprint(scope, user, operation, params)
        same = {fingerprint(s, user, operation, params) for s in (scope, *aliases)}
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise JournalUnavailable(self._note(exc, "written")) from None
        try:
            damaged, pending = [], None
            for row in db.execute(f"SELECT {COLUMNS} FROM moves ORDER BY id").fetchall():
                found, problem = read(row)
                if problem:
                    damaged.append(found.id)
                elif pending is None and found.outcome == UNKNOWN and fingerprint(
                        found.scope, found.user, found.operation, found.params) in same:
                    pending = found.id
            if damaged:
                raise JournalUnavailable(self._damaged(damaged))
            if pending is not None:
                raise PendingMoveError(
                    f"{label(operation)} for {user!r} with the same parameters is already in the journal (entry {pending}) "
                    "with an unknown outcome; it may have happened, so it is not sent again",
                    entry=pending,
                )
            cur = db.execute(
                "INSERT INTO moves (at, scope, user, operation, params, fingerprint, outcome, detail, before) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'sending', ?)",
                (self.clock(), scope, user, operation, wire.dumps(params), fp, UNKNOWN, wire.dumps(before or {})),
            )
            assert cur.lastrowid is not None
            self._seal(cur.lastrowid)
            db.execute("COMMIT")
        except BaseException as exc:
            db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise JournalUnavailable(self._note(exc, "written")) from None
            raise
        return cur.lastrowid

    def _seal(self, entry: int) -> None:
        db = self._connection()
        row = db.execute(f"SELECT {COLUMNS} FROM moves WHERE id = ?", (entry,)).fetchone()
        db.execute("UPDATE moves SET checksum = ? WHERE id = ?", (checksum(row), entry))

    def settle(self, entry: int, outcome: str, detail: str = "") -> bool:
        """Record an outcome; False when the journal could not take it (the entry then
        stays unknown, the truth as far as the journal can tell; logged)."""
        if outcome not in OUTCOMES:
            raise ValueError(f"cannot settle entry {entry} as {outcome!r}")
        try:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
            try:
                now = self.clock()
                db.execute("UPDATE moves SET outcome = ?, detail = ?, settled_at = ?, "
                           "answered_at = COALESCE(answered_at, ?) WHERE id = ?", (outcome, detail[:500], now, now, entry))
                self._seal(entry)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except (sqlite3.Error, JournalUnavailable) as exc:
            log.error("entry %d could not be settled as %s: %s", entry, outcome, exc)
            return False
        return True

    def settle_by_hand(self, entry: int, outcome: str, note: str) -> Entry:
        """A person's verdict on an unknown (or damaged) entry, recorded as theirs."""
        if outcome not in (OK, FAILED):
            raise InputError(f"settle as ok or failed, not {outcome!r}")
        if not note.strip():
            raise InputError("say how you know (--note), for whoever reads the journal next")
        found = self.get(entry)
        if found is None:
            raise InputError(f"no journal entry #{entry}")
        if found.outcome not in (UNKNOWN, DAMAGED):
            raise InputError(f"entry #{entry} is already settled as {found.outcome}")
        was = "damaged" if found.outcome == DAMAGED else "unknown"
        if not self.settle(entry, outcome, f"settled by hand (was {was}): {note.strip()}"):
            raise JournalUnavailable(f"entry #{entry} could not be settled: the journal {self.where} did not take it")
        settled = self.get(entry)
        assert settled is not None
        return settled

    async def run(
        self, scope: str, user: str, operation: str, params: dict[str, Any],
        send: Callable[[], Awaitable[T]], before: dict[str, Any] | None = None, aliases: tuple[str, ...] = (),
    ) -> T:
        """Journal the move, send it once, and settle the entry from what happened."""
        entry = self.begin(scope, user, operation, params, before, aliases)
        return await self._send(entry, operation, send)

    async def resend(self, entry: int, send: Callable[[], Awaitable[T]],
                     judge: Callable[[ApiError], Awaitable[tuple[str, str] | None]]) -> T | None:
        """Send an unknown entry's move again, deliberately: only for a move the server
        takes once whatever the number of attempts (a reward's uuid), so that resending
        cannot move money twice. A refusal is given to ``judge``, which says what it
        proves of the first attempt: (outcome, detail) to settle the entry by (None is
        then returned), or None when it proves nothing (raised; the entry stays unknown)."""
        found = self.get(entry)
        if found is None or found.outcome != UNKNOWN:
            raise InputError(f"entry #{entry} is not unknown any more: nothing to retry")
        if self.problem or (trouble := self.trouble()):
            raise JournalUnavailable(self.problem or trouble or "")
        try:
            return await self._send(entry, found.operation, send, resent=True)
        except ApiError as exc:
            verdict = await judge(exc)
            if verdict is None:
                raise
            self.settle(entry, verdict[0], verdict[1])
            if verdict[0] != OK:
                raise
            return None

    async def _send(self, entry: int, operation: str, send: Callable[[], Awaitable[T]], resent: bool = False) -> T:
        again = "resent; " if resent else ""
        try:
            result = await send()
        except NetworkError as exc:
            if exc.sent is False:
                if not resent:  # a resend that never left leaves the first attempt as unknown as it was
                    self.settle(entry, FAILED, f"not sent: {exc}")
                raise
            self.settle(entry, UNKNOWN, f"{again}answer lost: {exc}")
            raise OutcomeUnknown(f"the connection broke after the request left: {exc}", operation=label(operation),
                                 entry=entry) from exc
        except (ServerError, UnexpectedResponse) as exc:
            self.settle(entry, UNKNOWN, f"{again}unclear answer: {exc}")
            raise OutcomeUnknown(f"the server's answer does not say whether it was done: {exc}", operation=label(operation),
                                 entry=entry) from exc
        except ApiError as exc:
            if not resent:
                self.settle(entry, FAILED, str(exc))
            raise
        except BaseException:
            self.settle(entry, UNKNOWN, f"{again}interrupted while waiting for the answer")
            raise
        self.settle(entry, OK, f"{again}done")
        return result


async def reconcile_each(client: Any, prefix: str, check: Callable[[Entry, list[Entry]], Awaitable[tuple[str, str]]]
                         ) -> list[Settled]:
    """Settle every unknown entry of ``client``'s account whose operation starts with
    ``prefix``, oldest first, by ``check(entry, history)`` -> (outcome, reason); an
    entry the server could not be asked about stays unknown, with the reason."""
    journal: Journal | None = client.journal
    if journal is None:
        return []
    history = journal.entries(limit=1_000_000)
    out = []
    for entry in sorted(journal.entries(outcome=UNKNOWN, limit=1_000_000), key=lambda e: e.id):
        if entry.scope not in (client.account, client.scope) or not entry.operation.startswith(prefix):
            continue
        if entry.outcome == DAMAGED:
            out.append(Settled(entry, UNKNOWN, f"damaged: {entry.detail}"))
            continue
        try:
            outcome, reason = await check(entry, history)
        except GmtuiError as exc:
            outcome, reason = UNKNOWN, f"the server could not be asked: {exc}"
        if outcome != UNKNOWN:
            journal.settle(entry.id, outcome, f"reconciled: {reason}")
        out.append(Settled(entry, outcome, reason))
    return out
