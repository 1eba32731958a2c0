"""Faults a partner meets in the field, and what they see: refreshes shared, money moves
never sent twice, clocks resynced, reads that succeed or say how old they are."""

from __future__ import annotations

import asyncio
import stat
from decimal import Decimal

import pytest

from gmtui.api.cache import Cache, tracking
from gmtui.api.errors import ConfigError, OutcomeUnknown, PendingMoveError, RateLimitError
from gmtui.api.journal import FAILED, OK, UNKNOWN, Journal
from gmtui.api.gomining.reconcile import reconcile
from gmtui.api.retry import RetryPolicy
from gmtui.api.gomining.tokens import TokenStore
from gmtui.sandbox import Faults, Options, State, demo_client

from conftest import NOW

FAST = RetryPolicy(attempts=4, timeout_s=5, wait_initial_s=0.001, wait_max_s=0.005, wait_jitter_s=0)


def faulty_state(clock, **faults) -> State:
    return State(Options(seed=7, today=NOW.date()), clock=clock, faults=Faults(**faults))


# ---- tokens ---------------------------------------------------------------------------


async def test_100_concurrent_calls_on_an_expired_jwt_make_one_refresh(state, clock, tmp_path):
    store = TokenStore(tmp_path / "tokens.json")
    async with demo_client(state, token_store=store) as client:
        await client.miners_c2s("alice")
        clock.advance(state.options.jwt_lifetime_s + 1)
        results = await asyncio.gather(*(client.miners_c2s("alice", limit=2) for _ in range(100)))
    assert [len(r) for r in results] == [2] * 100
    assert state.calls["auth.refresh.s2s"] == 1
    assert state.calls["auth.init"] == 1
    assert state.spent_refresh_presented == 0


async def test_rotated_tokens_are_on_disk_0600_and_shared_with_another_process(state, clock, tmp_path):
    store = TokenStore(tmp_path / "tokens.json")
    async with demo_client(state, token_store=store) as cli:
        await cli.miners_c2s("alice")
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    # The TUI starts later and reuses the stored pair: no new login.
    async with demo_client(state, token_store=TokenStore(store.path)) as tui, demo_client(state, token_store=TokenStore(store.path)) as cli2:
        await tui.miners_c2s("alice")
        await cli2.miners_c2s("alice")
        assert state.calls["auth.init"] == 1
        clock.advance(state.options.jwt_lifetime_s + 1)
        await tui.miners_c2s("alice")  # rotates the pair and writes it first
        await cli2.miners_c2s("alice")  # holds the old pair in memory: must read the new one
    assert state.calls["auth.refresh.s2s"] == 1
    assert state.spent_refresh_presented == 0
    assert state.calls["auth.init"] == 1


async def test_a_token_file_readable_by_others_is_refused(state, tmp_path):
    store = TokenStore(tmp_path / "tokens.json")
    async with demo_client(state, token_store=store) as client:
        await client.miners_c2s("alice")
    store.path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        demo_client(state, token_store=TokenStore(store.path))


# ---- clock ----------------------------------------------------------------------------


@pytest.mark.parametrize("offset_s", [30, -30])
async def test_a_server_clock_off_by_30_s_costs_one_resync(clock, offset_s):
    from gmtui.api.gomining.client import GoMiningClient
    from gmtui.sandbox import BASE_URL, in_process

    state = faulty_state(clock, clock_offset_s=offset_s)
    opts = state.options
    async with GoMiningClient(BASE_URL, opts.api_key, opts.api_secret, transport=in_process(state), clock=clock) as client:
        for _ in range(3):
            await client.user_stats("alice")
    assert state.calls["user.stats"] == 4  # one rejection, then every call passes


# ---- money moves: journal, no resend, reconcile ---------------------------------------


def _address(state: State, user: str = "alice") -> str:
    return state.world.users[user].wallets[0].address


async def test_commit_then_drop_on_a_withdrawal_is_never_resent_and_reconcile_settles_it(clock):
    state = faulty_state(clock, drop_after_rate=1.0, ops=("withdraw.create",))
    journal = Journal(clock=clock)
    address = _address(state)
    async with demo_client(state, journal=journal, retry=FAST) as client:
        with pytest.raises(OutcomeUnknown, match="gmtui reconcile"):
            await client.withdraw("alice", address, Decimal("0.001"), fast=True)
        assert state.calls["withdraw.create_fast"] == 1 and len(state.withdrawals) == 1  # it happened
        [entry] = journal.entries()
        assert (entry.outcome, entry.operation, entry.amount) == (UNKNOWN, "withdraw.create_fast", "0.001")

        with pytest.raises(PendingMoveError, match=f"entry {entry.id}"):
            await client.withdraw("alice", address, Decimal("0.001"), fast=True)
        assert state.calls["withdraw.create_fast"] == 1  # 0 resends

        state.faults = None
        [settled] = await reconcile(client)
        assert settled.outcome == OK and journal.get(entry.id).outcome == OK
        assert await client.withdraw("alice", address, Decimal("0.001"), fast=True)
        assert journal.entries()[0].outcome == OK and len(state.withdrawals) == 2


async def test_a_drop_before_the_state_changed_reconciles_to_failed(clock):
    state = faulty_state(clock, drop_before_rate=1.0, ops=("withdraw.create",))
    journal = Journal(clock=clock)
    async with demo_client(state, journal=journal, retry=FAST) as client:
        with pytest.raises(OutcomeUnknown):
            await client.withdraw("alice", _address(state), Decimal("0.001"))
        state.faults = None
        [settled] = await reconcile(client)
    assert settled.outcome == FAILED and not state.withdrawals
    assert journal.entries()[0].outcome == FAILED


async def test_a_5xx_on_a_money_move_is_not_retried(clock):
    state = faulty_state(clock, error_rate=1.0, ops=("wallet.bind",))
    journal = Journal(clock=clock)
    async with demo_client(state, journal=journal, retry=FAST) as client:
        with pytest.raises(OutcomeUnknown):
            await client.bind_wallet("alice", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")
        assert state.calls["wallet.bind.s2s"] == 1
        state.faults = None
        [settled] = await reconcile(client)
    assert settled.outcome == FAILED  # the injected 503 came before anything ran


async def test_a_refused_move_is_journaled_as_failed_and_may_be_tried_again(clock, state):
    journal = Journal(clock=clock)
    async with demo_client(state, journal=journal) as client:
        with pytest.raises(Exception, match="not a wallet bound"):
            await client.withdraw("alice", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", Decimal("0.001"))
        assert journal.entries()[0].outcome == FAILED
        assert await client.withdraw("alice", _address(state), Decimal("0.001"))
    assert [e.outcome for e in journal.entries()] == [OK, FAILED]


async def test_the_journal_holds_no_secret_and_is_0600(clock, state, tmp_path):
    path = tmp_path / "journal.sqlite"
    async with demo_client(state, journal=Journal(path, clock)) as client:
        await client.withdraw("alice", _address(state), Decimal("0.001"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_bytes()
    assert state.options.api_secret.encode() not in raw and state.options.api_key.encode() not in raw
    assert b"eyJ" not in raw and b"signature" not in raw


# ---- reads under faults: retries, cache, stale answers -------------------------------


async def test_with_20_percent_faults_every_read_succeeds_or_says_how_old_it_is(clock):
    state = faulty_state(clock, error_rate=0.1, rate_limit_rate=0.05, retry_after_s=0, drop_before_rate=0.05, seed=3)
    faults, state.faults = state.faults, None
    reads = [("user_stats", ("alice",)), ("miners", ("alice",)), ("wallets", ("alice",)), ("income_totals", ("alice",))]
    async with demo_client(state, cache=Cache(), retry=FAST) as client:
        for name, args in reads:
            await getattr(client, name)(*args)  # warm the cache
        state.faults = faults
        clock.advance(60)
        fresh = cached = 0
        for _ in range(50):
            for name, args in reads:
                with tracking() as f:
                    assert await getattr(client, name)(*args)
                if f.from_cache:
                    assert f.age_s(clock()) is not None
                    cached += 1
                else:
                    fresh += 1
    assert fresh + cached == 200
    assert sum(faults.injected.values()) >= 20  # faults really happened
    assert fresh >= 190


async def test_429_waits_what_retry_after_asks_within_bounds(clock):
    state = faulty_state(clock, rate_limit_rate=0.5, retry_after_s=0.05, seed=1)
    policy = RetryPolicy(attempts=6, timeout_s=5, wait_initial_s=0.001, wait_max_s=0.001, wait_jitter_s=0)
    assert policy.backoff(RateLimitError("slow down", retry_after=0.05)) == 0.05  # what stamina then waits
    assert policy.backoff(RateLimitError("slow down", retry_after=29)) is False  # longer: given up, said
    async with demo_client(state, retry=policy) as client:
        for _ in range(6):
            await client.user_stats("alice")  # every one ends well after its 429s
    assert state.faults.injected["429"] >= 2


async def test_identical_reads_in_flight_share_one_request(state):
    async with demo_client(state, cache=Cache()) as client:
        results = await asyncio.gather(*(client.user_stats("alice") for _ in range(10)))
    assert len({r.user.partner_user_id for r in results}) == 1
    assert state.calls["user.stats"] == 1


async def test_offline_reads_come_from_the_cache_with_their_age(state, clock):
    from gmtui.api.errors import NotCached

    async with demo_client(state, cache=Cache()) as client:
        await client.user_stats("alice")
        clock.advance(300)
        with tracking(cache_only=True) as f:
            stats = await client.user_stats("alice")
            with pytest.raises(NotCached):
                await client.miners("alice")
    assert stats.user.partner_user_id == "alice" and f.age_s(clock()) == 300
    assert state.calls["user.stats"] == 1 and state.calls["nft.get_my.s2s"] == 0


@pytest.mark.parametrize("content", [b"not a database at all", b"SQLite format 3\x00" + b"\x00" * 200])
async def test_a_corrupt_cache_file_is_set_aside_and_rebuilt(state, tmp_path, content):
    path = tmp_path / "cache-v1.sqlite"
    path.write_bytes(content)
    async with demo_client(state, cache=Cache(path)) as client:
        assert (await client.user_stats("alice")).user.partner_user_id == "alice"
    reopened = Cache(path)
    assert len(list(reopened._db.execute("SELECT key FROM answers"))) == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_foreign_sqlite_cache_is_rebuilt(tmp_path):
    import sqlite3

    path = tmp_path / "cache-v1.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE answers (something_else TEXT)")
    db.commit()
    db.close()
    cache = Cache(path)
    cache.put("k", "op", 1.0, b"{}")
    assert cache.get("k").body == b"{}"
    assert (tmp_path / "cache-v1.sqlite.corrupt").exists()


async def test_stale_while_revalidate_gives_the_cached_answer_then_the_fresh_one(state, clock):
    from gmtui.api.cache import stale_while_revalidate

    async with demo_client(state, cache=Cache()) as client:
        first = [s async for s in stale_while_revalidate(lambda: client.user_stats("alice"), clock)]
        assert [(s.age_s, s.final) for s in first] == [(None, True)]  # nothing cached yet: one fresh answer
        clock.advance(90)
        snaps = [s async for s in stale_while_revalidate(lambda: client.user_stats("alice"), clock)]
        assert [(s.age_s, s.final) for s in snaps] == [(90, False), (None, True)]
        state.faults = Faults(error_rate=1.0)
        client.retry = FAST
        clock.advance(30)
        snaps = [s async for s in stale_while_revalidate(lambda: client.user_stats("alice"), clock)]
        assert [(s.age_s, s.final) for s in snaps] == [(30, False), (30, True)]  # the server is down: honest age
