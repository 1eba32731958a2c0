"""The WebMinePool sandbox's world: users mining in browsers, tokens, rates.

Deterministic from the seed and the clock: users mine at a steady rate (hashes per
second) from their start; idle users stopped some days ago (``/users`` omits anyone
idle for more than 3 days, as the documents say). Rates move per day. Tokens reach
``state`` 1 when their user (or the account) has mined up to ``end_hashes``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

DEMO_SECRET = "wmp-demo-secret-7f3c1a9e5b2d"
SITE_KEYS = ("site-key-alpha", "site-key-beta")
NAMES = ("ada", "bram", "chen", "dana", "emil", "fatima", "gus", "hana", "ivo", "jun", "kira", "lev")
DAY_S = 86_400
IDLE_AFTER_S = 3 * DAY_S
HASHES_PER_WMC = 10**9


class Refused(Exception):
    """An answer with ``success: false`` and these words (HTTP 200, as the documents show)."""


def _draw(seed: int, *parts: object) -> float:
    """A deterministic number in [0, 1) from the seed and ``parts``."""
    digest = hashlib.sha256(":".join(str(p) for p in (seed, *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass
class Miner:
    """One user of the partner's site: what it mined, and what was taken off."""

    name: str
    api_key: str
    rate: int  # hashes per second while mining
    since: float  # when it started mining
    until: float | None = None  # when it stopped (None: still mining)
    referral: str = ""
    taken: int = 0  # hashes withdrawn or reset away

    def mined(self, now: float) -> int:
        """Every hash mined so far (never falls)."""
        end = now if self.until is None else min(now, self.until)
        return max(0, int((end - self.since) * self.rate))

    def hashes(self, now: float) -> int:
        return self.mined(now) - self.taken

    def active(self, now: float) -> bool:
        last = now if self.until is None else min(now, self.until)
        return now - last <= IDLE_AFTER_S and self.mined(now) > 0


@dataclass
class Token:
    id: str
    user: str | None
    end_hashes: int
    created: float
    verified: float | None = None


@dataclass
class State:
    seed: int = 7
    secret: str = DEMO_SECRET
    clock: Callable[[], float] = time.time
    faults: object | None = None
    users: dict[str, Miner] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    paid_out: int = 0  # hashes of users deleted or reset, still unpaid to the account
    created: float = 0.0

    def __post_init__(self) -> None:
        now = self.created = self.clock()
        for i, name in enumerate(NAMES):
            started = now - (10 + int(_draw(self.seed, name, "start") * 50)) * DAY_S
            stopped = now - (4 + int(_draw(self.seed, name, "idle") * 20)) * DAY_S if i % 3 == 2 else None
            rate = 20 + int(_draw(self.seed, name, "rate") * 180)
            self.users[name] = Miner(name, SITE_KEYS[i % 2], rate, started, stopped)

    # ---- what the documents' operations read and do
    def now(self) -> float:
        return self.clock()

    def user(self, name: str) -> Miner:
        found = self.users.get(name)
        if found is None:
            raise Refused("user not found")
        return found

    def account_hashes(self) -> int:
        """Unpaid hashes of the account: what its users hold now."""
        now = self.now()
        return sum(u.hashes(now) for u in self.users.values())

    def account_mined(self) -> int:
        now = self.now()
        return sum(u.mined(now) for u in self.users.values()) + self.paid_out

    def balance(self) -> Decimal:
        """The account's WMC: one per 10^9 hashes its users ever mined."""
        return (Decimal(self.account_mined()) / HASHES_PER_WMC).quantize(Decimal("0.00000001"))

    def day(self) -> int:
        return int(self.now() // DAY_S)

    def wmc_satoshi(self) -> Decimal:
        """Satoshi for one WMC today (moves per day, 150 to 250)."""
        return Decimal(150 + int(_draw(self.seed, "wmc", self.day()) * 100))

    def hash_satoshi(self, cli: bool) -> Decimal:
        """Satoshi for 1,000,000 hashes today (web: 0.40 to 0.60; CLI mining pays 20% more)."""
        web = Decimal(40 + int(_draw(self.seed, "hash", self.day()) * 20)) / 100
        return web * Decimal("1.2") if cli else web

    def create_user(self, name: str, referral: str) -> None:
        if name in self.users:
            raise Refused("user already exists")
        self.users[name] = Miner(name, SITE_KEYS[0], 0, self.now(), referral=referral)

    def delete_user(self, name: str) -> None:
        gone = self.users.pop(self.user(name).name)
        self.paid_out += gone.mined(self.now())

    def withdraw(self, name: str, amount: int) -> None:
        user = self.user(name)
        if amount > user.hashes(self.now()):
            raise Refused("not enough hashes")
        user.taken += amount

    def reset(self, name: str) -> None:
        user = self.user(name)
        user.taken += user.hashes(self.now())

    def reset_all(self) -> None:
        for user in self.users.values():
            user.taken += user.hashes(self.now())

    def set_token(self, hashes: int, name: str | None) -> Token:
        start = self.user(name).mined(self.now()) if name else self.account_mined()
        token_id = hashlib.sha256(f"{self.seed}:token:{len(self.tokens)}:{self.now()}".encode()).hexdigest()[:20]
        token = self.tokens[token_id] = Token(token_id, name, start + hashes, self.now())
        return token

    def token(self, token_id: str) -> Token:
        token = self.tokens.get(token_id)
        if token is None:
            raise Refused("nonexistent token")
        if token.verified is None:
            user = self.users.get(token.user) if token.user else None
            reached = user.mined(self.now()) if user else (self.account_mined() if token.user is None else 0)
            if reached >= token.end_hashes:
                token.verified = self.now()
        return token

    def unset(self, token: Token) -> None:
        """Delete a verified token and its user (the documents: "as well as user")."""
        del self.tokens[token.id]
        if token.user and token.user in self.users:
            self.delete_user(token.user)


def done_at(moment: float) -> dict[str, object]:
    """PHP's DateTime as JSON, as the documents print ``done_at``."""
    text = datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return {"date": text, "timezone_type": 3, "timezone": "UTC"}
