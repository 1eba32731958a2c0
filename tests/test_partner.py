"""The partner-wide view: rows and flags of every platform against the in-process
sandboxes, failing users, cached rows first, 429 back-off, the gate, the CLI."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import pytest

from gmtui.api import partner
from gmtui.api.cache import Cache
from gmtui.api.gate import Gate
from gmtui.api.gomining import partner as gm_partner
from gmtui.api.gomining.moves import miner_net
from gmtui.api.journal import Journal
from gmtui.cli import main
from gmtui.sandbox import Faults, Options, State, demo_client
from gmtui.session import open_demos

from conftest import NOW, Clock


async def rows_of(sources, **kw) -> list[partner.Row]:
    got = [r async for r in partner.gather(sources, **kw)]
    return [r for r in got if not r.cached]


def sources_of(sessions) -> list[partner.Source]:
    return [partner.Source(s.profile, s.platform, s.client, list(s.users)) for s in sessions]


async def test_every_platform_has_its_rows_flags_and_units(clock):
    sessions = open_demos(clock=clock)
    gm = next(s for s in sessions if s.platform == "gomining")
    rows = await rows_of(sources_of(sessions))
    by = {(r.platform, r.user): r for r in rows}
    assert {p for p, _ in by} == {"gomining", "webminepool", "mithril"}
    assert not [r for r in rows if r.error]
    # GoMining: the sandbox's own figures, exact
    world = gm.client._http._transport.sandbox.state  # the in-process sandbox behind the demo
    for user in gm.users:
        r = by[("gomining", user)]
        assert r.figures["miners"] == len(world.world.owned(user))
        assert r.holds == partner.Amount(r.figures["on_balance_btc"], "BTC") and r.btc == r.holds.value
        assert r.daily is not None and r.daily.unit == "BTC"
    # dave has a balance above the minimum and no wallet: flagged, with the balance at stake
    dave = by[("gomining", "dave")]
    assert [f.kind for f in dave.flags] == ["no-wallet"] and dave.flags[0].stake_btc == dave.holds.value
    # WebMinePool: the users /users omits are idle; amounts in hashes with a BTC value
    idle = {u for (p, u), r in by.items() if p == "webminepool" and any(f.kind == "idle" for f in r.flags)}
    assert idle == {"chen", "fatima", "ivo", "lev"}
    assert all(r.holds.unit == "hashes" and r.btc is not None for (p, _), r in by.items() if p == "webminepool")
    # Mithril: Vault balances in MITH, never converted; rejected rewards flagged
    vault = [r for (p, _), r in by.items() if p == "mithril"]
    assert {r.holds.unit for r in vault} == {"MITH"} and all(r.btc is None for r in vault)
    assert {r.user for r in vault if any(f.kind == "rejected" for f in r.flags)} == {"alice", "bob"}
    view = partner.view(rows)
    assert set(view.totals) == {"BTC", "hashes", "MITH"}
    assert view.totals["MITH"] == sum(r.holds.value for r in vault)
    assert view.btc == sum((r.btc for r in rows if r.btc is not None), Decimal(0))
    # the queue: BTC at stake first (dave's balance is the largest), MITH last
    first_row, first_flag = view.flags[0]
    assert (first_row.user, first_flag.kind) == ("dave", "no-wallet")
    assert view.flags[-1][1].stake.unit == "MITH"


async def test_miners_whose_fees_exceed_their_reward_are_flagged(state):
    async with demo_client(state) as client:
        per_th = await client.income_per_th()
        dear = per_th.model_copy(update={"kwh": per_th.kwh * 4})  # electricity four times as dear
        row = await gm_partner.row(client, "alice", dear)
        miners = await client.miners("alice")
    stats = row.figures
    discount = state.world.users["alice"].discount
    losing = [m for m in miners if miner_net(m.power, m.energy_efficiency, dear, discount)[0] < 0]
    assert len(miners) > 1 and losing and stats["losing_miners"] == len(losing)
    flag = next(f for f in row.flags if f.kind == "losing-miners")
    assert flag.section == "upgrades" and flag.stake_btc == stats["losing_btc_day"] > 0
    assert f"#{losing[0].id}" in flag.why


async def test_a_user_with_one_miner_is_judged_on_its_stats_without_reading_the_list(state):
    async with demo_client(state) as client:
        per_th = await client.income_per_th()
        dear = per_th.model_copy(update={"kwh": per_th.kwh * 40})
        before = state.calls.get("nft.get_my.s2s", 0)
        row = await gm_partner.row(client, "bob", dear)
        assert state.calls.get("nft.get_my.s2s", 0) == before  # one miner: the stats are its figures
        (miner,) = await client.miners("bob")
    flag = next(f for f in row.flags if f.kind == "losing-miners")
    net, _ = miner_net(miner.power, miner.energy_efficiency, dear, state.world.users["bob"].discount)
    assert net < 0 and row.figures["losing_btc_day"] == -net and "its one miner" in flag.why


async def test_a_failing_user_keeps_its_row_and_the_others_show(state):
    async with demo_client(state) as client:
        rows = await rows_of([partner.Source("p", "gomining", client, ["alice", "nobody", "bob"])])
    by = {r.user: r for r in rows}
    assert set(by) == {"alice", "nobody", "bob"}
    assert by["nobody"].error and [f.kind for f in by["nobody"].flags] == ["read-failed"]
    assert not by["alice"].error and not by["bob"].error and by["bob"].holds is not None


async def test_cached_rows_come_first_with_their_age(state, clock):
    async with demo_client(state, cache=Cache()) as client:
        source = partner.Source("p", "gomining", client, ["alice", "bob"])
        await rows_of([source])
        clock.advance(600)
        got = [r async for r in partner.gather([source])]
    cached = [r for r in got if r.cached]
    assert [r.user for r in cached] == ["alice", "bob"] and got[:2] == cached
    assert all(r.age_s(clock()) == pytest.approx(600) for r in cached)
    assert {r.user for r in got[2:]} == {"alice", "bob"} and all(r.fetched_at is None for r in got[2:])


async def test_offline_sends_nothing(state):
    async with demo_client(state, cache=Cache()) as client:
        source = partner.Source("p", "gomining", client, ["alice"])
        await rows_of([source])
        before = sum(state.calls.values())
        got = [r async for r in partner.gather([source], fresh=False)]
    assert [r.cached for r in got] == [True] and sum(state.calls.values()) == before


async def test_rate_limited_reads_back_off_and_complete(clock):
    faults = Faults(rate_limit_rate=0.15, retry_after_s=0, seed=5)  # each read is tried 4 times
    state = State(Options(seed=7, today=NOW.date()), clock=clock, faults=faults)
    users = list(state.world.users)
    async with demo_client(state) as client:
        progress = partner.Progress()
        rows = await rows_of([partner.Source("p", "gomining", client, users)], progress=progress)
        assert faults.injected["429"] > 0 and client.gate.cuts > 0
        assert progress.done == progress.total == len(users) and progress.failed == 0
        assert all(not r.error for r in rows)
        low = client.gate.limit
        state.faults = None  # the server calms down: the gate grows again
        await rows_of([partner.Source("p", "gomining", client, users)])
        assert client.gate.limit > low


async def test_an_unknown_money_move_goes_first_in_the_queue(clock):
    state = State(Options(seed=7, today=NOW.date()), clock=clock,
                  faults=Faults(drop_after_rate=1.0, ops=("withdraw.create",)))
    address = state.world.users["alice"].wallets[0].address
    async with demo_client(state, journal=Journal(clock=clock)) as client:
        with pytest.raises(Exception):
            await client.withdraw("alice", address, Decimal("0.001"), fast=False)
        rows = await rows_of([partner.Source("p", "gomining", client, ["alice", "dave"])])
    queue = partner.view(rows).flags
    (row, flag), rest = queue[0], queue[1:]  # a move of unknown outcome comes first, whatever its amount
    assert (row.user, flag.kind, flag.section) == ("alice", "unknown-move", "journal")
    assert flag.stake == partner.Amount(Decimal("0.001"), "BTC")
    stakes = [f.stake_btc for _, f in rest]
    assert stakes == sorted(stakes, reverse=True)  # then money at stake orders the queue


async def test_a_journal_that_cannot_be_read_leaves_the_rows_and_says_so(state, monkeypatch):
    from gmtui.api.errors import JournalUnavailable

    async with demo_client(state, journal=Journal()) as client:
        def broken(**_):
            raise JournalUnavailable("the journal is damaged")

        monkeypatch.setattr(client.journal, "entries", broken)
        rows = await rows_of([partner.Source("p", "gomining", client, ["alice", "bob"])])
    assert {r.user for r in rows} == {"", "alice", "bob"}
    profile_row = next(r for r in rows if r.user == "")
    assert "journal cannot be read" in profile_row.flags[0].why


async def test_a_defect_in_one_row_keeps_the_row_flagged(state, monkeypatch):
    async with demo_client(state) as client:
        real = gm_partner.row

        async def sometimes(client, user, ctx):
            if user == "bob":
                raise ZeroDivisionError("a figure the formula cannot take")
            return await real(client, user, ctx)

        monkeypatch.setattr(gm_partner, "row", sometimes)
        rows = await rows_of([partner.Source("p", "gomining", client, ["alice", "bob"])])
    bob = next(r for r in rows if r.user == "bob")
    assert "ZeroDivisionError" in bob.error and [f.kind for f in bob.flags] == ["read-failed"]
    assert any(r.user == "alice" and r.holds for r in rows)


# ---- the gate ---------------------------------------------------------------------------


async def test_gate_starts_small_grows_and_halves_once_per_retry_after():
    t = [0.0]
    gate = Gate(most=16, start=2, clock=lambda: t[0])
    for _ in range(6):
        await gate.enter()
        gate.leave()
        gate.answered()
    assert gate.limit == 8  # slow start: one more per answer
    gate.limited(2.0)
    gate.limited(2.0)  # the same moment's other 429: no second cut
    assert gate.limit == 4 and gate.cuts == 1
    t[0] = 2.5
    gate.limited(None)
    assert gate.limit == 2 and gate.cuts == 2
    for _ in range(4):
        gate.answered()
    assert 2 < gate.limit < 4  # after a cut, slowly: one per limit's worth of answers


async def test_gate_keeps_at_most_its_limit_in_flight_and_a_cancelled_wait_frees_nothing():
    gate = Gate(most=2, start=2)
    inside, peak = 0, 0

    async def one() -> None:
        nonlocal inside, peak
        await gate.enter()
        inside += 1
        peak = max(peak, inside)
        await asyncio.sleep(0)
        inside -= 1
        gate.leave()

    await gate.enter()
    await gate.enter()
    waiter = asyncio.ensure_future(gate.enter())
    await asyncio.sleep(0)
    waiter.cancel()
    await asyncio.gather(waiter, return_exceptions=True)
    gate.leave()
    gate.leave()
    assert gate.busy == 0
    await asyncio.gather(*(one() for _ in range(10)))
    assert peak == 2 and gate.busy == 0


# ---- the command line ---------------------------------------------------------------------


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv), clock=Clock())
    out, err = capsys.readouterr()
    return code, out, err


def test_get_partner_json_has_every_platform_and_totals_per_unit(capsys):
    code, out, err = run(capsys, "get", "partner", "--demo", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert {r["platform"] for r in data["rows"]} == {"gomining", "webminepool", "mithril"}
    assert set(data["totals_by_unit"]) == {"BTC", "hashes", "MITH"}
    dave = next(r for r in data["rows"] if r["user"] == "dave")
    assert dave["flags"] == ["no-wallet"] and dave["unit"] == "BTC" and Decimal(dave["holds"]) > 0


def test_get_partner_csv_and_table(capsys):
    code, out, _ = run(capsys, "get", "partner", "--demo", "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("platform,profile,user,holds,unit")
    assert len(out.splitlines()) == 1 + 5 + 12 + 3  # GoMining 5, WebMinePool 12, Mithril 3
    code, out, _ = run(capsys, "get", "partner", "--demo", "--format", "table")
    assert "totals:" in out and "MITH" in out and "BTC equivalent" in out


def test_get_attention_orders_by_money_at_stake_and_says_where_to_act(capsys):
    code, out, err = run(capsys, "get", "attention", "--demo", "--format", "json")
    assert code == 0, err
    items = json.loads(out)
    assert (items[0]["user"], items[0]["kind"], items[0]["act"]) == ("dave", "no-wallet", "Wallets (4)")
    assert {i["kind"] for i in items} == {"no-wallet", "idle", "rejected"}


def test_all_profiles_keeps_a_broken_profile_as_a_row(capsys, monkeypatch):
    from gmtui import config
    from gmtui.sandbox import BASE_URL

    cfg = config.Config(profiles={
        "good": config.Profile(name="good", base_url=BASE_URL, api_key="k", api_secret="s", users=["alice"]),
        "broken": config.Profile(name="broken", platform="webminepool", base_url="https://pool.invalid/api",
                                 api_secret="x", secret_store="keyring"),
    })
    config.save(cfg)
    import gmtui.cli_partner as cp

    real = cp._source

    def wired(s):  # the good profile's client talks to an in-process sandbox
        if s.profile == "good":
            s.client = demo_client(State(Options(seed=7, today=NOW.date()), clock=Clock()))
        return real(s)

    monkeypatch.setattr(cp, "_source", wired)
    code, out, err = run(capsys, "get", "partner", "--all-profiles", "--format", "json")
    assert code == 0, err
    rows = {r["profile"]: r for r in json.loads(out)["rows"]}
    assert rows["good"]["user"] == "alice" and rows["good"]["error"] is None
    assert "cannot open the profile" in rows["broken"]["error"]


def test_two_profiles_of_one_account_are_read_once_and_all_failing_exits_1(capsys, monkeypatch):
    from gmtui import config
    from gmtui.sandbox import BASE_URL

    cfg = config.Config(profiles={
        name: config.Profile(name=name, base_url=BASE_URL, api_key="gmtui-demo-key", api_secret="s", users=users)
        for name, users in (("ops", ["alice", "bob"]), ("ops-copy", ["bob", "carol"]))
    })
    config.save(cfg)
    import gmtui.cli_partner as cp

    real = cp._source
    world = State(Options(seed=7, today=NOW.date()), clock=Clock())

    def wired(s):  # both profiles' clients talk to one in-process sandbox, as one account
        s.client = demo_client(world, scope=s.profile, account=s.client.account)
        return real(s)

    monkeypatch.setattr(cp, "_source", wired)
    code, out, err = run(capsys, "get", "partner", "--all-profiles", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)["rows"]
    assert sorted((r["profile"], r["user"]) for r in rows) == [("ops", "alice"), ("ops", "bob"), ("ops", "carol")]
    assert "profiles ops and ops-copy are one account" in err

    world.faults = Faults(error_rate=1.0)  # every call fails: nothing could be read
    code, out, err = run(capsys, "get", "partner", "--all-profiles", "--format", "json")
    assert code == 1 and "3 of 3 users could not be read" in err


async def test_a_user_listed_twice_by_webminepool_is_read_on_its_own_and_says_why(monkeypatch):
    from gmtui.api.webminepool import partner as wmp_partner
    from gmtui.sandbox import pool_client

    async with pool_client() as client:
        listed = await client.users()
        first = listed.users[0]
        twice = listed.model_copy(update={"users": [*listed.users, first.model_copy(update={"hashes": first.hashes + 10**9})]})

        async def doubled():
            return twice

        monkeypatch.setattr(client, "users", doubled)
        ctx = await wmp_partner.context(client)
        row = await wmp_partner.row(client, first.name, ctx)
        own = await client.user_hashes(first.name)
    assert first.name in ctx.doubled and first.name not in ctx.active
    assert row.holds.value == own != first.hashes + 10**9  # neither listed figure is trusted
    assert "more than once" in row.error and not any(f.kind == "idle" for f in row.flags)


async def test_webminepool_cached_rows_come_before_any_request_and_all_say_their_age(clock, monkeypatch):
    """The cached rows are painted from the cache alone, the user list included (a slow
    server delays nothing), and a user whose figures came from the cached /users list
    (an active one) is as old as that list."""
    from gmtui.sandbox import pool_client
    from gmtui.sandbox.webminepool.server import PoolSandbox
    from gmtui.sandbox.webminepool.state import State as PoolState

    sent: list[str] = []
    real = PoolSandbox.answer

    async def counted(self, method, path, *rest):
        sent.append(path)
        return await real(self, method, path, *rest)

    monkeypatch.setattr(PoolSandbox, "answer", counted)
    async with pool_client(PoolState(clock=clock), cache=Cache()) as client:
        source = partner.Source("pool", "webminepool", client, [])
        first = await rows_of([source])
        clock.advance(600)
        sent.clear()
        got = []
        async for row in partner.gather([source]):
            if row.cached:
                assert sent == [], row.user  # nothing sent before every cached row is out
            got.append(row)
    cached = [r for r in got if r.cached]
    active = {r.user for r in first if r.figures.get("active")}
    assert active and {r.user for r in cached} == {r.user for r in first}
    assert all(r.age_s(clock()) == pytest.approx(600) for r in cached)
    assert sent and all(not r.cached and r.fetched_at is None for r in got[len(cached):])
