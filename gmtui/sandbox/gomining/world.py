"""The sandbox's deterministic world: market history, users, miners, wallets.

Everything derives from a seed. The market series (BTC price, pool reward per TH,
GOMINING price) are indexed by calendar date from a fixed epoch, so a given date has
the same figures whatever day the sandbox runs. Each user draws from its own random
stream, so adding users does not change the ones before.

Income follows GoMining's formula, per miner and day, in integer satoshis:
  gross (c1)       = TH x pool reward per TH
  electricity (c2) = W/TH x TH x 24 / 1000 x $/kWh, converted at that day's BTC price
  service (c3)     = TH x service $/TH/day, converted likewise
  discount (c4)    = (electricity + service) x user's discount
  net (value)      = gross - (electricity + service) x (1 - discount)
A day's net is negative when the fees exceed the reward: that is shown as such.

The market follows ANCHORS (history and a near forecast), then, so that the demo
stays realistic for years, a documented model (``Market``): BTC +25% a year and
GOMINING +10% a year (log-linear); revenue per TH per day in USD ("hashprice") held at
its level of the last anchor (the network's difficulty follows the price, so hashprice
tends to miners' costs), dropping 30% at each halving (2028-04-17, 2032-04-12,
estimated from the block schedule) and recovering over the next 270 days as the
difficulty adjusts. The pool reward per TH is hashprice / BTC price.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, UTC
from decimal import Decimal

from gmtui.api.gomining import btc

EPOCH = date(2020, 1, 1)
ANCHOR = date(2026, 1, 1)  # pool reward per TH is ~5.5e-7 BTC here
HALVING = date(2024, 4, 20)
NEXT_HALVINGS = (date(2028, 4, 17), date(2032, 4, 12))  # estimated from the block schedule
BTC_GROWTH, GMT_GROWTH = 0.25, 0.10  # a year, after the last anchor
HALVING_DROP, HALVING_RECOVERY_DAYS = 0.30, 270
KWH_USD = Decimal("0.05")
SERVICE_USD_PER_TH = Decimal("0.0089")
SAT = Decimal("0.00000001")
DISCOUNTS = (0, 0, 0.03, 0.05, 0.08, 0.10, 0.15, 0.20)
NAMES = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy")
SERIES = ("Ice Maker", "Snow Bunny", "Gold Rush", "Deep Freeze", "Night Owl", "Blue Whale")
POWERS = (1, 2, 4, 8, 10, 16, 20, 32, 50, 64, 100, 128, 200)
EFFICIENCIES = (15, 16, 18, 20, 20, 20, 22, 25, 28, 30)


def sats(value: int) -> Decimal:
    return Decimal(value) * SAT


@dataclass
class Spec:
    since: int  # day index the spec applies from
    power: Decimal  # TH/s
    efficiency: Decimal  # W/TH


@dataclass
class Holding:
    user: str
    start: int  # first day index of ownership
    end: int | None = None  # first day index no longer owned


@dataclass
class Miner:
    id: int
    name: str
    created: datetime
    specs: list[Spec]
    holdings: list[Holding]

    @property
    def spec(self) -> Spec:
        return self.specs[-1]

    def spans(self, start: int, end: int) -> list[tuple[int, int, Spec]]:
        """The days ``start`` to ``end - 1`` cut where ```spec_on``` changes:
        (first, end, spec) triples."""
        specs = self.specs
        if any(a.since > b.since for a, b in itertools.pairwise(specs)):  # not in order: day by day
            return [(day, day + 1, self.spec_on(day)) for day in range(start, end)]
        spans = []
        for i, spec in enumerate(specs):  # spec_on: the last spec since that day, else the first
            lo = start if i == 0 else max(start, spec.since)
            hi = end if i + 1 == len(specs) else min(end, specs[i + 1].since)
            if lo < hi:
                spans.append((lo, hi, spec))
        return spans

    def spec_on(self, day: int) -> Spec:
        current = self.specs[0]
        for spec in self.specs:
            if spec.since <= day:
                current = spec
        return current

    @property
    def owner(self) -> str:
        return self.holdings[-1].user


@dataclass
class WalletRow:
    id: int
    created: datetime
    address: str
    type: str = "BTC"


@dataclass
class User:
    id: int
    partner_id: str
    email: str | None
    created: datetime
    discount: Decimal
    wallets: list[WalletRow] = field(default_factory=list)
    withdrawn_sats: int = 0
    withdrawn_share: float = 0.0  # of the income before the sandbox started
    gmt_balance: Decimal = Decimal(0)
    gmt_locked: Decimal = Decimal(0)
    gmt_staked: Decimal = Decimal(0)


# (date, BTC USD, GOMINING USD): the shape of the market the series follows.
ANCHORS = (
    (date(2020, 1, 1), 7_200, 0.010), (date(2021, 4, 14), 63_000, 0.020), (date(2021, 7, 20), 29_800, 0.020),
    (date(2021, 11, 10), 67_000, 0.030), (date(2022, 11, 21), 15_800, 0.040), (date(2023, 12, 31), 42_300, 0.180),
    (date(2024, 3, 14), 73_000, 0.420), (date(2024, 9, 6), 54_000, 0.330), (date(2025, 1, 20), 106_000, 0.480),
    (date(2025, 4, 8), 76_000, 0.360), (date(2025, 10, 6), 124_000, 0.410), (date(2026, 4, 1), 88_000, 0.320),
    (date(2027, 1, 1), 97_000, 0.350),
)


def _anchored(days: int) -> Iterator[tuple[float, float]]:
    """BTC and GOMINING prices of the ``days`` days from EPOCH: log-linear between
    ANCHORS, then growing at BTC_GROWTH and GMT_GROWTH a year."""
    seg = 0
    for i in range(days):
        day = EPOCH + timedelta(days=i)
        while seg < len(ANCHORS) - 1 and day > ANCHORS[seg + 1][0]:
            seg += 1
        if seg == len(ANCHORS) - 1:
            years = (day - ANCHORS[-1][0]).days / 365.25
            yield ANCHORS[-1][1] * (1 + BTC_GROWTH) ** years, ANCHORS[-1][2] * (1 + GMT_GROWTH) ** years
            continue
        (d0, *v0), (d1, *v1) = ANCHORS[seg], ANCHORS[seg + 1]
        t = max(0.0, (day - d0).days / (d1 - d0).days)
        yield (math.exp(math.log(v0[0]) * (1 - t) + math.log(v1[0]) * t),
               math.exp(math.log(v0[1]) * (1 - t) + math.log(v1[1]) * t))


def _reward(day: date, btc_usd: float) -> float:
    """Pool reward per TH per day (BTC) before noise: the anchored trend (network growth,
    the 2024 halving) up to the last anchor, then the hashprice model."""
    last = ANCHORS[-1][0]
    if day <= last:
        reward = 5.5e-7 * math.exp(0.0008 * (ANCHOR - day).days)
        return reward * 2 if day < HALVING else reward
    hashprice = _reward(last, ANCHORS[-1][1]) * ANCHORS[-1][1]
    for halving in NEXT_HALVINGS:
        if day >= halving:
            hashprice *= 1 - HALVING_DROP * max(0.0, 1 - (day - halving).days / HALVING_RECOVERY_DAYS)
    return hashprice / btc_usd


class Market:
    """Daily BTC price (USD), GOMINING price (USD) and pool reward per TH (sats).

    Each series follows ANCHORS with seeded mean-reverting noise (about 8%)."""

    def __init__(self, seed: int, today: date):
        rng = random.Random(f"market:{seed}")
        self.today = today
        n = (today - EPOCH).days + 1
        self.btc: list[float] = []
        self.gmt: list[float] = []
        self.pool_sats_per_th: list[float] = []
        noise_btc = noise_gmt = 0.0
        for i, (btc_usd, gmt_usd) in enumerate(_anchored(n)):
            day = EPOCH + timedelta(days=i)
            noise_btc = 0.94 * noise_btc + rng.gauss(0, 0.02)
            noise_gmt = 0.94 * noise_gmt + rng.gauss(0, 0.03)
            reward = _reward(day, btc_usd) * (1 + rng.gauss(0, 0.03))
            self.btc.append(btc_usd * math.exp(noise_btc))
            self.gmt.append(gmt_usd * math.exp(noise_gmt))
            self.pool_sats_per_th.append(reward * 1e8)

    def index(self, day: date) -> int:
        return (day - EPOCH).days

    def date(self, index: int) -> date:
        return EPOCH + timedelta(days=index)

    def btc_usd(self, index: int) -> Decimal:
        return Decimal(f"{self.btc[index]:.2f}")

    def gmt_usd(self, index: int) -> Decimal:
        return Decimal(f"{self.gmt[index]:.4f}")

    def pool_reward(self, index: int) -> Decimal:
        return sats(round(self.pool_sats_per_th[index]))


def income_sats(market: Market, spec: Spec, day: int, discount: Decimal) -> tuple[int, int, int, int, int]:
    """(net, gross, electricity, service, discount) for one miner and day, in sats."""
    power = float(spec.power)
    price = market.btc[day]
    gross = round(power * market.pool_sats_per_th[day])
    elec = round(float(spec.efficiency) * power * 24 / 1000 * float(KWH_USD) / price * 1e8)
    service = round(power * float(SERVICE_USD_PER_TH) / price * 1e8)
    disc = round((elec + service) * float(discount))
    return gross - elec - service + disc, gross, elec, service, disc


@dataclass
class WorldSize:
    users: int = 5
    miners: int | None = None  # per user; None draws 1..50
    days: int = 730  # history length


class World:
    """The initial state of a seeded sandbox."""

    def __init__(self, seed: int, today: date, size: WorldSize):
        self.seed = seed
        self.today = today
        self.market = Market(seed, today)
        self.today_index = self.market.index(today)
        self.first_day = self.today_index - size.days
        self.users: dict[str, User] = {}
        self.miners: dict[int, Miner] = {}
        self.held: dict[str, list[Miner]] = {}  # user -> every miner it ever held (an index)
        self._runs: dict[tuple[Decimal, Decimal, Decimal], list[int]] = {}  # see running
        self._days: tuple[list[float], list[float]] | None = None  # pool sats/TH and BTC price, first_day..yesterday
        self.next_miner_id = 10_001
        self.next_wallet_id = 501
        for i in range(size.users):
            self._make_user(i, size)

    def running(self, power: Decimal, efficiency: Decimal, discount: Decimal) -> list[int]:
        """Running totals of one miner's net income (sats) with this spec and discount
        over the world's days: entry ``i`` is the sum of ``income_sats(...)[0]`` of the
        days ``first_day`` to ``first_day + i - 1``. Computed once per (power, efficiency,
        discount): the market never changes, so any span of days is then a difference.

        The loop is ``income_sats``'s arithmetic, in the same order (so the same floats
        and roundings), with what does not depend on the day taken out of it;
        tests/test_users_at_scale.py checks it against ``income_sats`` day by day."""
        key = (power, efficiency, discount)
        running = self._runs.get(key)
        if running is not None:
            return running
        if self._days is None:  # indexed one by one, as income_sats does (a day before EPOCH too)
            days = range(self.first_day, self.today_index)  # to yesterday
            self._days = ([self.market.pool_sats_per_th[d] for d in days], [self.market.btc[d] for d in days])
        pools, prices = self._days
        th, share = float(power), float(discount)
        elec_usd = float(efficiency) * th * 24 / 1000 * float(KWH_USD)  # income_sats: ... / price * 1e8
        service_usd = th * float(SERVICE_USD_PER_TH)
        running = [0]
        total = 0
        for pool, price in zip(pools, prices):
            fees = round(elec_usd / price * 1e8) + round(service_usd / price * 1e8)
            total += round(th * pool) - fees + round(fees * share)
            running.append(total)
        self._runs[key] = running
        return running

    def partner_id(self, i: int) -> str:
        return NAMES[i] if i < len(NAMES) else f"user-{i + 1:04d}"

    def _make_user(self, i: int, size: WorldSize) -> None:
        rng = random.Random(f"user:{self.seed}:{i}")
        pid = self.partner_id(i)
        joined = self.first_day + rng.randrange(0, max(1, (self.today_index - self.first_day) // 3))
        user = User(
            id=1_000 + i,
            partner_id=pid,
            email=f"{pid}@example.com",
            created=self.at(joined, rng),
            discount=Decimal(str(rng.choice(DISCOUNTS))),
            withdrawn_share=rng.choice((0.0, 0.2, 0.35, 0.5, 0.6)),
            gmt_balance=Decimal(rng.randrange(0, 500_000)) / 100,
            gmt_locked=Decimal(rng.randrange(0, 200_000)) / 100,
            gmt_staked=Decimal(rng.randrange(0, 100_000)) / 100,
        )
        self.users[pid] = user
        count = size.miners if size.miners is not None else min(50, max(1, int(rng.paretovariate(0.9))))
        for _ in range(count):
            bought = rng.randrange(joined, self.today_index)
            self.add_miner(
                pid,
                bought,
                Decimal(rng.choice(POWERS)),
                Decimal(rng.choice(EFFICIENCIES)),
                created=self.at(bought, rng),
                name=rng.choice(SERIES),
            )
        for _ in range(rng.choice((0, 1, 1, 2, 3)) if i else 2):
            self.add_wallet(pid, self.make_address(rng), self.at(rng.randrange(joined, self.today_index), rng))

    def at(self, index: int, rng: random.Random) -> datetime:
        moment = datetime.combine(self.market.date(index), datetime.min.time(), tzinfo=UTC)
        return moment + timedelta(seconds=rng.randrange(0, 86_400))

    @staticmethod
    def make_address(rng: random.Random) -> str:
        kind = rng.choice(("p2wpkh", "p2wpkh", "p2tr", "p2pkh"))
        if kind == "p2wpkh":
            return btc.encode_segwit(0, rng.randbytes(20))
        if kind == "p2tr":
            return btc.encode_segwit(1, rng.randbytes(32))
        return btc.encode_p2pkh(rng.randbytes(20))

    def add_miner(
        self, owner: str, day: int, power: Decimal, efficiency: Decimal, *, created: datetime, name: str
    ) -> Miner:
        miner_id = self.next_miner_id
        self.next_miner_id += 1
        miner = Miner(
            id=miner_id,
            name=f"{name} #{miner_id}",
            created=created,
            specs=[Spec(day, power, efficiency)],
            holdings=[Holding(owner, day + 1)],  # income starts the day after purchase
        )
        self.miners[miner_id] = miner
        self.held.setdefault(owner, []).append(miner)
        return miner

    def hand_over(self, miner: Miner, to: str, day: int) -> None:
        """``miner`` passes to user ``to`` from day ``day``."""
        miner.holdings[-1].end = day
        miner.holdings.append(Holding(to, day))
        if miner not in self.held.setdefault(to, []):
            self.held[to].append(miner)

    def owned(self, user: str) -> list[Miner]:
        """The miners ``user`` holds now, by id."""
        return sorted((m for m in self.held.get(user, ()) if m.owner == user), key=lambda m: m.id)

    def add_wallet(self, user: str, address: str, created: datetime) -> WalletRow:
        row = WalletRow(self.next_wallet_id, created, address)
        self.next_wallet_id += 1
        self.users[user].wallets.append(row)
        return row
