"""The sandbox's mutable state: ledgers, tokens, payments, and the money moves."""

from __future__ import annotations

import base64
import bisect
import hashlib
import hmac
import itertools
import json
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, UTC
from decimal import Decimal

from gmtui.api.gomining import btc
from gmtui.sandbox.faults import Faults
from gmtui.sandbox.gomining.world import (
    KWH_USD,
    SAT,
    SERIES,
    SERVICE_USD_PER_TH,
    Holding,
    Miner,
    Spec,
    User,
    World,
    WorldSize,
)

DEMO_API_KEY = "gmtui-demo-key"
DEMO_API_SECRET = "gmtui-demo-secret-0f3b9c2e"
DEMO_PARTNER_ID = "gmtui-demo-partner"
FAST_MIN = Decimal("0.0005")
FAST_COMMISSION = Decimal("0.02")
MIN_EFFICIENCY = Decimal(15)
MAX_POWER = Decimal(10_000)


class Rejected(Exception):
    """A request the sandbox refuses: becomes an HTTP error with a JSON body."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


@dataclass
class Ledger:
    """A user's income, computed once per state version."""

    holdings: list[tuple[Miner, Holding]]
    days: list[int]  # days with income, newest first
    cumulative: list[int]  # records up to and including days[i]
    per_miner: dict[int, int]  # nft id -> sats
    total: int
    last: tuple[int, int] | None  # (day, sats) of the newest day

    def active(self, day: int) -> list[Miner]:
        return sorted(
            (m for m, h in self.holdings if h.start <= day and (h.end is None or day < h.end)),
            key=lambda m: m.id,
        )


@dataclass
class Payment:
    user_id: int
    collection_id: int
    value: Decimal
    paid: bool = False
    miner_id: int | None = None


@dataclass
class Options:
    seed: int = 7
    size: WorldSize = field(default_factory=WorldSize)
    today: date | None = None
    jwt_lifetime_s: int = 900
    api_key: str = DEMO_API_KEY
    api_secret: str = DEMO_API_SECRET
    partner_id: str = DEMO_PARTNER_ID


class State:
    def __init__(
        self, options: Options | None = None, clock: Callable[[], float] = time.time, faults: Faults | None = None
    ):
        self.options = options or Options()
        self.faults = faults
        if faults and faults.jwt_lifetime_s:
            self.options = replace(self.options, jwt_lifetime_s=faults.jwt_lifetime_s)
        if faults and faults.clock_offset_s:
            offset = faults.clock_offset_s
            self.clock = lambda: clock() + offset
        else:
            self.clock = clock
        today = self.options.today or datetime.fromtimestamp(clock(), UTC).date()
        self.world = World(self.options.seed, today, self.options.size)
        self.market = self.world.market
        self.version = 0
        self._ledgers: dict[str, tuple[int, Ledger]] = {}
        self.payments: dict[str, Payment] = {}
        self.withdrawals: list[dict[str, object]] = []
        self.upgrades: list[dict[str, object]] = []
        self.calls: Counter[str] = Counter()
        self.spent_refresh_presented = 0
        self._jwt_key = hashlib.sha256(f"jwt:{self.options.seed}:{secrets.token_hex(8)}".encode()).digest()
        self._refresh: dict[str, str] = {}  # live refresh token -> partner user id
        self._spent: set[str] = set()
        self._payloads: dict[str, float] = {}

    # ---- time
    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    @property
    def yesterday(self) -> int:
        return self.world.today_index - 1

    def changed(self) -> None:
        self.version += 1

    # ---- users
    def user(self, partner_id: str) -> User:
        try:
            return self.world.users[partner_id]
        except KeyError:
            raise Rejected(404, "USER_NOT_FOUND", f"user {partner_id!r} not found") from None

    def user_by_id(self, user_id: int) -> User:
        for user in self.world.users.values():
            if user.id == user_id:
                return user
        raise Rejected(404, "USER_NOT_FOUND", f"user id {user_id} not found")

    def login(self, partner_id: str, email: str | None = None) -> tuple[str, str]:
        if partner_id not in self.world.users:
            self.world.users[partner_id] = User(
                id=1_000 + len(self.world.users), partner_id=partner_id, email=email,
                created=self.now(), discount=Decimal(0),
            )
            self.changed()
        elif email:
            self.world.users[partner_id].email = email
        return self.issue_tokens(partner_id)

    # ---- tokens
    def issue_tokens(self, partner_id: str) -> tuple[str, str]:
        now = int(self.clock())
        claims = {"sub": partner_id, "iat": now, "exp": now + self.options.jwt_lifetime_s, "jti": secrets.token_hex(8)}
        head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
        body = _b64(json.dumps(claims, separators=(",", ":")).encode())
        sig = _b64(hmac.new(self._jwt_key, f"{head}.{body}".encode(), hashlib.sha256).digest())
        refresh = "rt_" + secrets.token_urlsafe(24)
        self._refresh[refresh] = partner_id
        return f"{head}.{body}.{sig}", refresh

    def verify_jwt(self, token: str, *, allow_expired: bool = False) -> str:
        try:
            head, body, sig = token.split(".")
            expected = _b64(hmac.new(self._jwt_key, f"{head}.{body}".encode(), hashlib.sha256).digest())
            if not hmac.compare_digest(expected, sig):
                raise ValueError
            claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        except ValueError:
            raise Rejected(401, "INVALID_TOKEN", "the user token is not valid") from None
        if not allow_expired and claims["exp"] <= self.clock():
            raise Rejected(401, "TOKEN_EXPIRED", "the user token has expired")
        return self.user(claims["sub"]).partner_id

    def refresh(self, token: str) -> tuple[str, str]:
        if token in self._spent:
            self.spent_refresh_presented += 1
            raise Rejected(401, "REFRESH_TOKEN_SPENT", "the refresh token was already used")
        partner_id = self._refresh.pop(token, None)
        if partner_id is None:
            raise Rejected(401, "INVALID_REFRESH_TOKEN", "the refresh token is not valid")
        self._spent.add(token)
        return self.issue_tokens(partner_id)

    def new_payload(self) -> str:
        payload = secrets.token_hex(16)
        self._payloads[payload] = self.clock() + 900
        return payload

    def use_payload(self, payload: str) -> None:
        expiry = self._payloads.pop(payload, None)
        if expiry is None or expiry < self.clock():
            raise Rejected(401, "INVALID_PROOF", "the proof payload is unknown or expired")

    # ---- income
    def ledger(self, partner_id: str) -> Ledger:
        cached = self._ledgers.get(partner_id)
        if cached and cached[0] == self.version:
            return cached[1]
        user = self.user(partner_id)
        first, last = self.world.first_day, self.yesterday
        holdings = [(m, h) for m in self.world.held.get(partner_id, ()) for h in m.holdings if h.user == partner_id]
        counts = [0] * (last - first + 2)
        per_miner: dict[int, int] = {}
        spans: list[tuple[int, int, list[int]]] = []  # (first, end, running totals) of every span earned
        for miner, h in holdings:
            start, end = max(h.start, first), min(h.end if h.end is not None else last + 1, last + 1)
            if start >= end:
                continue
            counts[start - first] += 1
            counts[end - first] -= 1
            total = 0
            for lo, hi, spec in miner.spans(start, end):
                running = self.world.running(spec.power, spec.efficiency, user.discount)
                total += running[hi - first] - running[lo - first]
                spans.append((lo, hi, running))
            per_miner[miner.id] = per_miner.get(miner.id, 0) + total
        per_day = list(itertools.accumulate(counts[:-1]))  # miners earning on each day
        days = [first + i for i in range(len(per_day) - 1, -1, -1) if per_day[i]]  # newest first
        cumulative = list(itertools.accumulate(per_day[d - first] for d in days))
        total = sum(per_miner.values())
        newest = None
        if days:
            i = days[0] - first
            newest = (days[0], sum(run[i + 1] - run[i] for lo, hi, run in spans if lo <= days[0] < hi))
        ledger = Ledger(holdings, days, cumulative, per_miner, total, newest)
        self._ledgers[partner_id] = (self.version, ledger)
        return ledger

    def records(self, partner_id: str, offset: int, limit: int) -> list[tuple[int, Miner]]:
        """(day, miner) pairs of a user's income records, newest day first."""
        ledger = self.ledger(partner_id)
        out: list[tuple[int, Miner]] = []
        i = bisect.bisect_right(ledger.cumulative, offset)
        skip = offset - (ledger.cumulative[i - 1] if i else 0)
        while i < len(ledger.days) and len(out) < limit:
            day = ledger.days[i]
            active = ledger.active(day)[skip:]
            out.extend((day, m) for m in active[: limit - len(out)])
            skip = 0
            i += 1
        return out

    def withdrawn(self, user: User) -> int:
        ledger = self.ledger(user.partner_id)
        return int(max(0, ledger.total) * user.withdrawn_share) + user.withdrawn_sats

    def on_balance(self, user: User) -> int:
        """What can be withdrawn. Days whose fees exceed the reward lower it, but the
        platform never takes it below zero: a shortfall beyond it is waived."""
        return max(0, self.ledger(user.partner_id).total - self.withdrawn(user))

    # ---- money moves
    def withdraw(self, partner_id: str, address: str, amount: Decimal, fast: bool) -> None:
        user = self.user(partner_id)
        if amount != amount.quantize(SAT):
            raise Rejected(400, "VALIDATION_ERROR", "amount has more than 8 decimals", "amount")
        if amount < FAST_MIN:
            raise Rejected(400, "AMOUNT_TOO_SMALL", f"amount is below the minimum of {FAST_MIN} BTC", "amount")
        if address not in {w.address for w in user.wallets}:
            raise Rejected(400, "WALLET_NOT_BOUND", "walletAddress is not a wallet bound to this user", "walletAddress")
        amount_sats = int(amount / SAT)
        if amount_sats > self.on_balance(user):
            raise Rejected(409, "INSUFFICIENT_BALANCE", "amount exceeds the balance available to withdraw", "amount")
        fee = (amount * FAST_COMMISSION).quantize(SAT) if fast else Decimal(0)
        user.withdrawn_sats += amount_sats
        self.withdrawals.append(
            {"user": partner_id, "address": address, "amount": amount, "fee": fee, "fast": fast,
             "status": "processing" if fast else "pending", "at": self.now()}
        )
        self.changed()

    def bind_wallet(self, partner_id: str, address: str) -> None:
        user = self.user(partner_id)
        if any(btc.canonical(w.address) == btc.canonical(address) for w in user.wallets):
            raise Rejected(409, "WALLET_EXISTS", "this wallet is already bound to the user", "address")
        self.world.add_wallet(partner_id, address, self.now())
        self.changed()

    def transfer(self, partner_id: str, nft_id: int, to_partner_id: str) -> None:
        self.user(partner_id)
        if to_partner_id == partner_id:
            raise Rejected(400, "VALIDATION_ERROR", "toPartnerUserId must differ from partnerUserId", "toPartnerUserId")
        self.user(to_partner_id)
        miner = self.world.miners.get(nft_id)
        if miner is None or miner.owner != partner_id:
            raise Rejected(404, "NFT_NOT_FOUND", f"miner {nft_id} is not owned by {partner_id!r}", "nftId")
        today = self.world.today_index
        self.world.hand_over(miner, to_partner_id, today)
        self.changed()

    def upgrade(self, nft_id: int, kind: str, current: Decimal, target: Decimal) -> dict[str, object]:
        miner = self.world.miners.get(nft_id)
        if miner is None:
            raise Rejected(404, "NFT_NOT_FOUND", f"miner {nft_id} not found", "nftId")
        spec = miner.spec
        if kind == "nftPowerUpgrade":
            if current != spec.power:
                raise Rejected(409, "STALE_VALUE", f"the miner's power is {spec.power} TH/s, not {current}", "fromPower")
            if not spec.power < target <= MAX_POWER:
                raise Rejected(400, "VALIDATION_ERROR", f"target power must be above {spec.power} and at most {MAX_POWER}", "toPower")
            new = Spec(self.world.today_index, target, spec.efficiency)
        else:
            if current != spec.efficiency:
                raise Rejected(409, "STALE_VALUE", f"the miner's efficiency is {spec.efficiency} W/TH, not {current}", "fromEnergyEfficiency")
            if not MIN_EFFICIENCY <= target < spec.efficiency:
                raise Rejected(400, "VALIDATION_ERROR", f"target efficiency must be below {spec.efficiency} and at least {MIN_EFFICIENCY}", "toEnergyEfficiency")
            new = Spec(self.world.today_index, spec.power, target)
        price = self.upgrade_price(kind, spec, target)
        miner.specs = [s for s in miner.specs if s.since < new.since] + [new]
        request = {"id": f"upg_{len(self.upgrades) + 1:06d}", "nftId": nft_id, "type": kind, "price": price}
        self.upgrades.append(request)
        self.changed()
        return request

    @staticmethod
    def upgrade_price(kind: str, spec: Spec, target: Decimal) -> Decimal:
        if kind == "nftPowerUpgrade":
            per_th = Decimal("14.50") + (Decimal(30) - spec.efficiency) * Decimal("0.35")
            return ((target - spec.power) * per_th).quantize(Decimal("0.01"))
        return ((spec.efficiency - target) * spec.power * Decimal("0.62")).quantize(Decimal("0.01"))

    def collections(self, discount: Decimal = Decimal(0)) -> list[dict[str, object]]:
        day = self.yesterday
        pool = self.market.pool_reward(day)
        price = self.market.btc_usd(day)
        out = []
        for i, (power, eff, usd_per_th) in enumerate(
            ((1, 20, "20.99"), (5, 20, "20.49"), (10, 18, "22.90"), (25, 16, "25.40"), (50, 15, "27.80"), (100, 20, "19.90")),
            start=1,
        ):
            elec = Decimal(eff) * 24 / 1000 * KWH_USD
            net_usd_day = Decimal(power) * (pool * price - (elec + SERVICE_USD_PER_TH) * (1 - discount))
            value = Decimal(power) * Decimal(usd_per_th)
            out.append({
                "id": i, "power": Decimal(power), "energyEfficiency": Decimal(eff), "value": value,
                "annualROI": (net_usd_day * 365 / value * 100).quantize(Decimal("0.1")),
                "poolReward": pool, "electricityCost": elec, "serviceCost": SERVICE_USD_PER_TH,
                "levelDiscount": discount,
            })
        return out

    def pay(self, user_id: int, external_id: str) -> None:
        payment = self.payments.get(external_id)
        if payment is None or payment.user_id != user_id:
            raise Rejected(404, "PAYMENT_NOT_FOUND", f"no payment {external_id!r} for user {user_id}", "externalId")
        if payment.paid:
            return  # confirming twice is harmless: one miner per payment
        collection = next(c for c in self.collections() if c["id"] == payment.collection_id)
        user = self.user_by_id(user_id)
        miner = self.world.add_miner(
            user.partner_id, self.world.today_index, collection["power"], collection["energyEfficiency"],  # type: ignore[arg-type]
            created=self.now(), name=SERIES[payment.collection_id % len(SERIES)],
        )
        payment.paid, payment.miner_id = True, miner.id
        self.changed()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def day_start(world: World, index: int) -> datetime:
    return datetime.combine(world.market.date(index), datetime.min.time(), tzinfo=UTC)


