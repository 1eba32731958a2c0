"""The sandbox's data: deterministic, consistent, sized by knobs, changed by money moves."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from conftest import NOW, small_state

from gmtui.sandbox import Options, State
from gmtui.sandbox.gomining.world import KWH_USD, SERVICE_USD_PER_TH, income_sats


def test_same_seed_same_world(clock):
    a, b = small_state(clock), small_state(clock)
    assert [(m.id, m.spec.power, m.owner) for m in a.world.miners.values()] == \
           [(m.id, m.spec.power, m.owner) for m in b.world.miners.values()]
    assert a.ledger("alice").total == b.ledger("alice").total
    other = State(Options(seed=12, today=NOW.date()), clock=clock)
    assert other.ledger("alice").total != a.ledger("alice").total


def test_history_does_not_depend_on_the_day_it_is_generated(clock):
    early = State(Options(seed=7, today=date(2026, 6, 1)), clock=clock)
    late = State(Options(seed=7, today=NOW.date()), clock=clock)
    day = early.market.index(date(2026, 5, 1))
    assert early.market.btc[day] == late.market.btc[day]
    assert early.market.pool_sats_per_th[day] == late.market.pool_sats_per_th[day]


def test_size_knobs(clock):
    state = small_state(clock, users=1000, miners=2, days=30)
    assert len(state.world.users) == 1000 and len(state.world.miners) == 2000
    assert list(state.world.users)[:2] == ["alice", "bob"] and "user-1000" in state.world.users
    big = small_state(clock, users=1, miners=400, days=730)
    assert big.ledger("alice").cumulative[-1] >= 100_000  # 100k income rows for benchmarks


def test_every_user_has_1_to_50_miners_and_two_years_of_history(state):
    for user in state.world.users:
        owned = [m for m in state.world.miners.values() if m.owner == user]
        assert 1 <= len(owned) <= 50
    assert state.world.today_index - state.world.first_day >= 730


def test_income_follows_the_formula(state):
    miner = state.world.miners[10001]
    user = state.world.users["alice"]
    day = state.yesterday
    spec = miner.spec_on(day)
    net, gross, elec, service, disc = income_sats(state.market, spec, day, user.discount)
    price = Decimal(str(state.market.btc[day]))
    expected_elec_usd = spec.efficiency * spec.power * 24 / 1000 * KWH_USD
    assert abs(Decimal(elec) / Decimal(1e8) * price - expected_elec_usd) < Decimal("0.0001") * spec.power
    assert abs(Decimal(service) / Decimal(1e8) * price - spec.power * SERVICE_USD_PER_TH) < Decimal("0.0001") * spec.power
    assert disc == round((elec + service) * float(user.discount))
    assert net == gross - (elec + service) + disc


def test_records_add_up_to_the_totals(clock):
    state = small_state(clock, users=2, miners=3, days=60)
    ledger = state.ledger("alice")
    rows = state.records("alice", 0, 10_000)
    assert len(rows) == ledger.cumulative[-1]
    total = sum(income_sats(state.market, m.spec_on(d), d, state.world.users["alice"].discount)[0] for d, m in rows)
    assert total == ledger.total
    # Pages tile the list exactly.
    assert state.records("alice", 0, 7) + state.records("alice", 7, 7) == rows[:14]


def test_an_upgrade_changes_income_from_today_only(state):
    before = state.ledger("alice").total
    miner = state.world.miners[10001]
    state.upgrade(10001, "nftEnergyEfficiencyUpgrade", miner.spec.efficiency, Decimal(15))
    assert miner.spec.efficiency == 15 and state.ledger("alice").total == before


def test_a_transfer_moves_future_income_only(state):
    before_alice = state.ledger("alice").total
    state.transfer("alice", 10001, "bob")
    assert state.world.miners[10001].owner == "bob"
    assert state.ledger("alice").total == before_alice  # past income stays earned
