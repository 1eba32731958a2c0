"""The CLI's date-sensitive paths on days years apart: the figures come from the state
the run is on (never recorded on the day a test was written), the demo world stays
realistic (the 2028 halving included), balances never go negative, and a day whose
fees exceed the reward is shown as a negative net."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from gmtui.cli import main
from gmtui.sandbox import Options, State
from gmtui.sandbox.gomining.world import sats

from conftest import Clock

DAYS = [datetime(2026, 11, 21, 12, tzinfo=UTC), datetime(2028, 6, 1, 12, tzinfo=UTC), datetime(2031, 1, 1, 12, tzinfo=UTC)]


def get(capsys, when: datetime, *argv: str) -> object:
    assert main(["--demo", "get", *argv, "--format", "json"], clock=Clock(when.timestamp())) == 0
    return json.loads(capsys.readouterr().out)


def world(when: datetime) -> State:
    return State(Options(), clock=Clock(when.timestamp()))  # what `--demo` builds for that day


@pytest.mark.parametrize("when", DAYS, ids=lambda d: d.date().isoformat())
def test_totals_and_days_follow_the_state_of_that_day(capsys, when):
    state = world(when)
    alice = state.world.users["alice"]
    totals = get(capsys, when, "totals")
    assert Decimal(str(totals["onBalanceAmount"])) == sats(state.on_balance(alice)) >= 0
    assert Decimal(str(totals["withdrawnAmount"])) == sats(state.withdrawn(alice))
    days = get(capsys, when, "daily", "--all")
    assert len(days) == 30  # the 30 whole days to yesterday, as the dashboard's 30d
    stamps = sorted(d["createdAt"][:10] for d in days)
    yesterday = when.date() - timedelta(days=1)
    assert (stamps[0], stamps[-1]) == ((yesterday - timedelta(days=29)).isoformat(), yesterday.isoformat())


@pytest.mark.parametrize("when", DAYS, ids=lambda d: d.date().isoformat())
def test_moves_work_on_any_day(capsys, when):
    clock = Clock(when.timestamp())
    address = world(when).world.users["alice"].wallets[0].address
    assert main(["--demo", "withdraw", "0.0006", "--to", address, "--yes"], clock=clock) == 0
    assert main(["--demo", "upgrade", "price", "--miner", "10001", "--efficiency", "15"], clock=clock) == 0
    out = capsys.readouterr().out
    assert "done: withdraw 0.00060000 BTC" in out and "Payback" in out and "Break-even BTC price" in out


def test_after_the_2028_halving_some_days_cost_more_than_they_earn(capsys):
    when = DAYS[1]
    state = world(when)
    losing = [u for u in state.world.users if any(d["reward"] < 0 for d in get(capsys, when, "daily", "--user", u))]
    assert losing, "a post-halving squeeze shows as negative net days"
    for user in state.world.users.values():
        assert state.on_balance(user) >= 0
