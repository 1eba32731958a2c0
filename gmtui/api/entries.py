"""What one journal row says, and whether it holds: the entry a row reads as, its
checksum (of every stored value, so that a flipped byte shows), and the fingerprint
that makes two moves identical."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gmtui.api import wire
from gmtui.api.platforms import label, owner, unit

OK, FAILED, UNKNOWN = "ok", "failed", "unknown"
DAMAGED = "damaged"  # shown for a row that does not hold; never stored
OUTCOMES = (OK, FAILED, UNKNOWN)
# The stored columns, in order; the checksum covers all but itself.
COLUMNS = "id, at, scope, user, operation, params, outcome, detail, before, settled_at, answered_at, checksum"
SEALED = 11
# Parameters that differ between two attempts at the same move (and, per operation, a
# catalogue row's ``volatile``: a reward's uuid and time).
_VOLATILE = frozenset({"externalId"})


@dataclass(frozen=True)
class Entry:
    id: int
    at: float
    scope: str
    user: str
    operation: str
    params: dict[str, Any]
    outcome: str  # ok, failed, unknown; or damaged when the row does not hold
    detail: str
    before: dict[str, Any]
    settled_at: float | None
    answered_at: float | None = None

    def row(self) -> dict[str, Any]:
        """The entry as printed by `gmtui journal` and exported by the dashboard."""
        return {
            "id": self.id,
            "at": datetime.fromtimestamp(self.at, UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "user": self.user,
            "operation": self.operation,
            "move": label(self.operation),
            "amount": self.amount,
            "currency": self.currency,
            "destination": self.destination,
            "outcome": self.outcome,
            "detail": self.detail,
        }

    @property
    def amount(self) -> str:
        """What moved: a withdrawal's amount (in its operation's unit: BTC, hashes), or
        the price recorded just before a purchase or an upgrade was sent (USD)."""
        for name in ("amount", "hashes", "reward"):
            if name in self.params:
                return str(self.params[name])
        price = self.before.get("price")
        return str(price) if price is not None else ""

    @property
    def currency(self) -> str:
        if any(name in self.params for name in ("amount", "hashes", "reward")):
            return unit(self.operation)
        return "USD" if self.before.get("price") is not None else ""

    @property
    def destination(self) -> str:
        p = self.params
        value = (p.get("walletAddress") or p.get("address") or p.get("toPartnerUserId") or p.get("nftId")
                 or p.get("token_id"))
        if value is None and p.get("externalId"):
            value = f"payment {p['externalId']}"
        if value is None and p.get("uuid"):
            value = f"activity {p['uuid']}"
        if value is None and isinstance(p.get("data"), dict):
            value = p["data"].get("nftId")
        return str(value or "")


@dataclass(frozen=True)
class Settled:
    """What reconcile found of an unknown entry."""

    entry: Entry
    outcome: str  # ok, failed, or unknown when the server could not tell
    reason: str


def fingerprint(scope: str, user: str, operation: str, params: dict[str, Any]) -> str:
    found = owner(operation)
    volatile = _VOLATILE | frozenset(getattr(found[1], "volatile", ()) if found else ())
    same = {k: v for k, v in params.items() if k not in volatile}
    return hashlib.sha256(wire.dumps([scope, user, operation, same]).encode()).hexdigest()


def checksum(row: tuple[Any, ...]) -> str:
    """Of a row's stored values (all but the checksum), exactly as stored."""
    return hashlib.sha256(repr(tuple(row[:SEALED])).encode()).hexdigest()


def _moment(value: Any) -> float:
    """A stored time, refused (ValueError) unless it is one between 1970 and 2100."""
    moment = float(value)
    if not 0 <= moment <= 4_102_444_800:
        raise ValueError(f"the time {str(value)[:20]} is out of range")
    return moment


def read(row: tuple[Any, ...]) -> tuple[Entry, str | None]:
    """The entry a stored row says, and what is wrong with it (None if it holds).
    A row settled by hand after it was damaged holds even if its fields cannot be
    read: a person vouched for its outcome."""
    rid = row[0] if isinstance(row[0], int) else -1
    problem = None
    if row[SEALED] != checksum(row):
        problem = "its checksum does not match what it says (changed outside gmtui, or the disk is damaged)"
    elif row[6] not in OUTCOMES:
        problem = f"its outcome {str(row[6])[:20]!r} is not one gmtui writes"
    try:
        at = _moment(row[1])
        params, before = wire.loads(row[5]), wire.loads(row[8] or "{}")
        if not isinstance(params, dict) or not isinstance(before, dict):
            raise ValueError("not an object")
        settled = None if row[9] is None else _moment(row[9])
        answered = None if row[10] is None else _moment(row[10])
    except (TypeError, ValueError) as exc:
        if problem is None and row[6] == UNKNOWN:
            problem = f"its fields cannot be read ({exc})"
        outcome = DAMAGED if problem else str(row[6])
        detail = problem or f"{row[7]} (its fields cannot be read)"
        return Entry(rid, 0.0, str(row[2]), str(row[3]), str(row[4]), {}, outcome, detail, {}, None), problem
    outcome = DAMAGED if problem else str(row[6])
    return Entry(rid, at, str(row[2]), str(row[3]), str(row[4]), params, outcome, problem or str(row[7]), before,
                 settled, answered), problem
