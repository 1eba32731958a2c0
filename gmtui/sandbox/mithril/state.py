"""The Mithril Vault sandbox's world: one OAuth application (the partner's), six Vault
accounts, their bindings to partner users, and the mining activities the partner
submits for them.

Deterministic from the seed and the clock. Activities are processed at every multiple
of ``TICK_S`` of the sandbox clock (the seed: "every 10 minutes"), caught up lazily
whenever a request arrives: PENDING (submitted before the tick) -> MINING; MINING ->
MINED, paying the account from the application's capital, or REJECTED when the
capital is short; a deterministic 2% is REJECTED at its first tick instead.
"""

from __future__ import annotations

import hashlib
import time
import uuid as uuidlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import urlencode

DEMO_CLIENT_ID = "5d1f0c2a9e8b47a3b6c4d2e1f0a9b8c7"
DEMO_CLIENT_KEY = ("9f2b7c4e1a6d3f8b0c5e2a7d4f1b8c3e6a9d2f5b0e7c4a1d8f3b6e9c2a5d0f7b"
                   "4e1c8a3f6d9b2e5c0a7f4d1b8e3c6a9f2d5b0e7c4a1f8d3b6e9c2a5f0d7b4e1c")
DEMO_MINING_KEY = "demo"
REDIRECT_URI = "http://127.0.0.1:8765/vault/callback"
CAPITAL = Decimal(50000)
NEW_USER_MITH = Decimal(500)
TICK_S = 600
WINDOW_S = 300
GRANT_LIFETIME_S = 600
PAGE = 20
ACCOUNT_NAMES = ("mika", "noor", "otto", "pia", "quinn", "rhea")
DEMO_USERS = ("alice", "bob", "carol")  # partner user ids bound at start (demo=True)
HISTORY_DAYS = 7
REJECT_SHARE = 0.02

PENDING, MINING, MINED, DELETED, REJECTED = "PENDING", "MINING", "MINED", "DELETED", "REJECTED"


class Refused(Exception):
    """An error answer: HTTP ``status``, Vault's ``code`` and words (and a 429's ``Retry-After``)."""

    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


def _draw(seed: int, *parts: object) -> float:
    """A deterministic number in [0, 1) from the seed and ``parts``."""
    digest = hashlib.sha256(":".join(str(p) for p in (seed, *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def vault_time(moment: float) -> str:
    """The documents' ``YYYY-MM-DDTHH:MM:SS`` (UTC, no Z)."""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S")


@dataclass
class Account:
    """A Vault user."""

    index: int
    name: str
    kyc_level: int
    stake_level: int
    amount: Decimal
    staked_amount: Decimal

    @property
    def balance(self) -> Decimal:
        return self.amount + self.staked_amount


@dataclass
class Binding:
    """A Vault account bound to the application for one partner user."""

    user_id: str
    account: int
    token: str
    since: float


@dataclass
class Grant:
    code: str
    client_id: str
    state: str
    user_id: str
    account: int | None  # None: a Vault account registered when the code is exchanged
    expires: float


@dataclass
class Activity:
    seq: int  # creation order: the list is newest first, the cursor is a seq
    uuid: str
    account: int
    reward: Decimal
    happened_at: str
    submitted: float
    status: str = PENDING
    updated: float = 0.0

    @property
    def amount(self) -> Decimal:
        """What was mined: the reward once processed (MINING, MINED), else 0."""
        return self.reward if self.status in (MINING, MINED) else Decimal(0)

    def to_api(self) -> dict[str, object]:
        return {"uuid": self.uuid, "reward": self.reward, "amount": self.amount, "status": self.status,
                "happened_at": self.happened_at, "updated_at": vault_time(self.updated)}


@dataclass
class State:
    seed: int = 7
    clock: Callable[[], float] = time.time
    faults: object | None = None
    client_id: str = DEMO_CLIENT_ID
    client_key: str = DEMO_CLIENT_KEY
    mining_key: str = DEMO_MINING_KEY
    redirect_uri: str = REDIRECT_URI
    demo: bool = True
    mining_limit: tuple[int, float] | None = (10, 10.0)
    accounts: list[Account] = field(default_factory=list)
    bindings: dict[str, Binding] = field(default_factory=dict)  # access token -> binding
    grants: dict[str, Grant] = field(default_factory=dict)
    activities: dict[str, Activity] = field(default_factory=dict)  # uuid -> activity (unique per app)
    capital: Decimal = CAPITAL
    capital_updated: float = 0.0
    processed_until: float = 0.0  # the last tick processed
    nonces: dict[str, float] = field(default_factory=dict)
    created: float = 0.0
    _counter: int = field(default=0, init=False, repr=False)
    _seq: int = field(default=0, init=False, repr=False)
    _listed: dict[str, deque[float]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        now = self.created = self.capital_updated = self.now()
        self.processed_until = now // TICK_S * TICK_S
        for i, name in enumerate(ACCOUNT_NAMES):
            stake = int(_draw(self.seed, name, "stake") * 4)
            staked = Decimal(int(_draw(self.seed, name, "staked") * 200_000)) / 1000 if stake else Decimal(0)
            earlier = Decimal(int(_draw(self.seed, name, "earlier") * 40_000)) / 100
            self.accounts.append(Account(i, name, int(_draw(self.seed, name, "kyc") * 3), stake,
                                         NEW_USER_MITH + earlier, staked))
        if self.demo:
            for i, user in enumerate(DEMO_USERS):
                token = self._secret("demo-token", user)
                self.bindings[token] = Binding(user, i, token, now - HISTORY_DAYS * 86_400)
                self._history(i)

    # ---- time and identifiers
    def now(self) -> float:
        """The server's clock: the sandbox clock, shifted by ``Faults.clock_offset_s``."""
        return self.clock() + float(getattr(self.faults, "clock_offset_s", 0) or 0)

    def _secret(self, *parts: object) -> str:
        """128 hex characters, deterministic from the seed, the client key and ``parts``."""
        self._counter += 1
        text = ":".join(str(p) for p in (self.seed, self.client_key, self._counter, *parts))
        return hashlib.sha512(text.encode()).hexdigest()

    def rejects(self, activity_uuid: str) -> bool:
        """The deterministic 2% Vault rejects when it processes them."""
        digest = hashlib.sha256(f"{self.seed}:{activity_uuid}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64 < REJECT_SHARE

    def _add(self, account: int, activity_uuid: str, reward: Decimal, happened_at: str, submitted: float) -> Activity:
        self._seq += 1
        found = self.activities[activity_uuid] = Activity(self._seq, activity_uuid, account, reward, happened_at,
                                                          submitted, PENDING, submitted)
        return found

    def _history(self, index: int) -> None:
        """A few dozen past activities for a demo account, and one or two still in flight."""
        now, seed, name = self.created, self.seed, self.accounts[index].name
        count = 24 + int(_draw(seed, name, "count") * 16)
        span = HISTORY_DAYS * 86_400
        for i in range(count):
            happened = now - span + i * span / count + _draw(seed, name, i, "at") * 3600
            submitted = happened + 30 + int(_draw(seed, name, i, "late") * 600)
            self._past(index, f"{name}:{i}", happened, submitted, _draw(seed, name, i, "fate"))
        last_tick = self.processed_until
        flight = ((MINING, PENDING), (MINING,), (PENDING,))[index % 3]
        for j, status in enumerate(flight):
            ahead = _draw(seed, name, "flight", j)
            submitted = (last_tick + (now - last_tick) * ahead) if status == PENDING else last_tick - 60 - ahead * 400
            item = self._add(index, self._uuid(f"{name}:flight:{j}"), self._reward(f"{name}:flight:{j}"),
                             vault_time(submitted - 20), submitted)
            if status == MINING:
                item.status, item.updated = (REJECTED if self.rejects(item.uuid) else MINING), last_tick

    def _uuid(self, key: str) -> str:
        return str(uuidlib.UUID(bytes=hashlib.sha256(f"{self.seed}:activity:{key}".encode()).digest()[:16], version=4))

    def _reward(self, key: str) -> Decimal:
        return Decimal(50 + int(_draw(self.seed, key, "reward") * 1150)) / 100

    def _past(self, index: int, key: str, happened: float, submitted: float, fate: float) -> None:
        item = self._add(index, self._uuid(key), self._reward(key), vault_time(happened), submitted)
        first = (submitted // TICK_S + 1) * TICK_S
        if fate < 0.05:
            item.status, item.updated = DELETED, submitted + 60
        elif fate < 0.10 or self.rejects(item.uuid):
            item.status, item.updated = REJECTED, first
        else:
            item.status, item.updated = MINED, first + TICK_S
            self.accounts[index].amount += item.reward
            self.capital -= item.reward

    # ---- processing
    def process(self) -> None:
        """Catch up every tick up to the sandbox clock's now."""
        last = self.now() // TICK_S * TICK_S
        tick = self.processed_until + TICK_S
        while tick <= last and any(a.status in (PENDING, MINING) for a in self.activities.values()):
            self._tick(tick)
            tick += TICK_S
        self.processed_until = max(self.processed_until, last)

    def _tick(self, tick: float) -> None:
        for item in sorted(self.activities.values(), key=lambda a: a.seq):
            if item.status == MINING:
                if self.capital >= item.reward:
                    self.capital -= item.reward
                    self.capital_updated = tick
                    self.accounts[item.account].amount += item.reward
                    item.status = MINED
                else:
                    item.status = REJECTED
                item.updated = tick
            elif item.status == PENDING and item.submitted < tick:
                item.status = REJECTED if self.rejects(item.uuid) else MINING
                item.updated = tick

    # ---- binding (what Vault's authorize page and /oauth/token do)
    def _bound(self, user_id: str, account: int | None) -> Binding | None:
        for binding in self.bindings.values():
            if (user_id and binding.user_id == user_id) or binding.account == account:
                return binding
        return None

    def approve(self, state_param: str, user_id: str, account: int | None = None) -> str:
        """The user approves on Vault's authorize page: the redirect URL with a fresh grant code."""
        if not state_param:
            raise Refused(400, "INPUT_FIELD_INVALID_ERROR", "state is required")
        if len(user_id) > 64:
            raise Refused(400, "INPUT_FIELD_INVALID_ERROR", "user_id is longer than 64 characters")
        if account is None:
            account = next((a.index for a in self.accounts if self._bound("", a.index) is None), len(self.accounts))
        elif not 0 <= account < len(self.accounts):
            raise Refused(400, "INPUT_FIELD_INVALID_ERROR", "no such Vault account")
        if self._bound(user_id, account) is not None:
            raise Refused(403, "OAUTH_ALREADY_BIND_ERROR", "this user is already bound to the application")
        code = self._secret("grant", user_id, state_param)
        self.grants[code] = Grant(code, self.client_id, state_param, user_id,
                                  account if account < len(self.accounts) else None, self.now() + GRANT_LIFETIME_S)
        return self._redirect({"grant_code": code, "state": state_param})

    def deny(self, state_param: str) -> str:
        return self._redirect({"error": "access_denied", "state": state_param})

    def _redirect(self, params: dict[str, str]) -> str:
        return self.redirect_uri + ("&" if "?" in self.redirect_uri else "?") + urlencode(params)

    def exchange(self, state_param: str, code: str) -> str:
        """POST /oauth/token: a grant code (once, within its lifetime, with its state) for an access token."""
        grant = self.grants.get(code)
        if grant is None or grant.state != state_param or grant.client_id != self.client_id:
            raise Refused(400, "BAD_REQUEST_ERROR", "unknown grant code or state")
        del self.grants[code]
        if self.now() > grant.expires:
            raise Refused(403, "FORBIDDEN_ERROR", "the grant code has expired")
        if grant.account is None:
            grant.account = len(self.accounts)
            self.accounts.append(Account(grant.account, f"user{grant.account + 1}", 0, 0, NEW_USER_MITH, Decimal(0)))
        if self._bound(grant.user_id, grant.account) is not None:
            raise Refused(403, "OAUTH_ALREADY_BIND_ERROR", "this user is already bound to the application")
        token = self._secret("token", grant.user_id, code)
        self.bindings[token] = Binding(grant.user_id, grant.account, token, self.now())
        return token

    def binding(self, token: str | None) -> Binding:
        found = self.bindings.get(token) if token else None
        if found is None:
            raise Refused(403, "FORBIDDEN_ERROR", "without authorization: unknown or missing access token")
        return found

    def unbind(self, token: str) -> None:
        del self.bindings[self.binding(token).token]
        self._listed.pop(token, None)

    def demo_tokens(self) -> dict[str, str]:
        """Partner user id -> access token of the users bound at start."""
        return {b.user_id: t for t, b in self.bindings.items() if b.user_id in DEMO_USERS}

    def unbound(self) -> list[Account]:
        return [a for a in self.accounts if self._bound("", a.index) is None]

    # ---- what the signed calls read and do
    def seen(self, nonce: str) -> bool:
        """Whether ``nonce`` was used within the window; records it otherwise."""
        now = self.now()
        if len(self.nonces) > 10_000:
            self.nonces = {n: t for n, t in self.nonces.items() if now - t <= 2 * WINDOW_S}
        if nonce in self.nonces and now - self.nonces[nonce] <= 2 * WINDOW_S:
            return True
        self.nonces[nonce] = now
        return False

    def throttle(self, token: str) -> float | None:
        """Seconds to wait when GET /mining is over ``mining_limit`` for ``token``; else counts the call."""
        if self.mining_limit is None:
            return None
        most, per = self.mining_limit
        now = self.now()
        calls = self._listed.setdefault(token, deque())
        while calls and now - calls[0] >= per:
            calls.popleft()
        if len(calls) >= most:
            return max(1.0, calls[0] + per - now)
        calls.append(now)
        return None

    def user_info(self, binding: Binding) -> dict[str, object]:
        account = self.accounts[binding.account]
        return {"kyc_level": account.kyc_level, "stake_level": account.stake_level, "balance": account.balance,
                "amount": account.amount, "staked_amount": account.staked_amount}

    def app_balance(self) -> list[dict[str, object]]:
        return [{"currency": "MITH", "balance": self.capital, "updated_at": vault_time(self.capital_updated)}]

    def listing(self, binding: Binding, activity_uuid: str | None, next_id: str | None) -> dict[str, object]:
        """GET /mining: the account's activities, newest first, in pages of ``PAGE``."""
        mine = sorted((a for a in self.activities.values() if a.account == binding.account),
                      key=lambda a: a.seq, reverse=True)
        if activity_uuid is not None:
            return {"results": [a.to_api() for a in mine if a.uuid == activity_uuid], "next_id": None}
        if next_id:
            if not next_id.isascii() or not next_id.isdigit():
                raise Refused(400, "INPUT_FIELD_INVALID_ERROR", "next_id is not a cursor this API gave")
            mine = [a for a in mine if a.seq <= int(next_id)]
        page = mine[:PAGE]
        return {"results": [a.to_api() for a in page], "next_id": str(mine[PAGE].seq) if len(mine) > PAGE else None}

    def submit(self, binding: Binding, activity_uuid: str, reward: Decimal, happened_at: str) -> Activity:
        if activity_uuid in self.activities:
            raise Refused(409, "CONFLICT_ERROR", "the uuid is duplicated")
        return self._add(binding.account, activity_uuid, reward, happened_at, self.now())

    def delete(self, activity_uuid: str, binding: Binding | None) -> None:
        item = self.activities.get(activity_uuid)
        if item is None or (binding is not None and item.account != binding.account):
            raise Refused(400, "INPUT_FIELD_INVALID_ERROR", "no such mining activity")
        if item.status != PENDING:
            raise Refused(400, "INPUT_FIELD_INVALID_ERROR", f"the mining activity is {item.status}, not PENDING")
        item.status, item.updated = DELETED, self.now()
