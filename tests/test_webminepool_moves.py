"""WebMinePool moves: planned from fresh figures, confirmed, journaled before they
leave, sent once; reconcile settles only on evidence (users keep mining); the local
roster of users and tokens."""

from __future__ import annotations

import json
import stat

import pytest

from gmtui.api.errors import MoveRefused, OutcomeUnknown, PendingMoveError
from gmtui.api.journal import FAILED, OK, UNKNOWN, Journal
from gmtui.api.moves import execute
from gmtui.api.webminepool import moves
from gmtui.api.webminepool.reconcile import reconcile
from gmtui.api.webminepool.roster import Roster
from gmtui.cli import main
from gmtui.sandbox import Faults, pool_client
from gmtui.sandbox.webminepool.state import DAY_S, State


@pytest.fixture
def pool(clock) -> State:
    return State(clock=clock)


def client(pool: State, **kw):
    return pool_client(pool, journal=Journal(clock=pool.clock), scope="pool-test", **kw)


async def test_a_withdrawal_takes_exactly_the_hashes_and_is_journaled_in_hashes(pool):
    async with client(pool) as c:
        held = pool.users["ada"].hashes(pool.now())
        plan = await moves.plan_withdraw(c, "ada", 1_000)
        assert dict(plan.lines)["Hashes after"].startswith(f"{held - 1_000:,}")
        await execute(plan)
        assert pool.users["ada"].hashes(pool.now()) == held - 1_000
        [entry] = c.journal.entries()
    assert (entry.operation, entry.user, entry.outcome, entry.amount, entry.currency) == (
        "wmp.withdraw", "ada", OK, "1000", "hashes")
    assert entry.before == {"hashes": held}


@pytest.mark.parametrize(("make", "why"), [
    (lambda c: moves.plan_withdraw(c, "ada", 10**17), "more than the"),
    (lambda c: moves.plan_withdraw(c, "nobody", 5), "has no hashes for 'nobody'"),
    (lambda c: moves.plan_withdraw(c, "a/b", 5), "is not a username"),
    (lambda c: moves.plan_reset(c, "nobody"), "has no hashes"),
    (lambda c: moves.plan_delete_user(c, "nobody"), "has no hashes"),
    (lambda c: moves.plan_set_token(c, 10, "nobody"), "has no hashes"),
])
async def test_checks_before_sending_refuse_and_send_nothing(pool, make, why):
    async with client(pool) as c:
        with pytest.raises(MoveRefused, match=why):
            await make(c)
        assert c.journal.entries() == []


async def test_a_lost_answer_is_unknown_never_resent_and_reconciled_from_the_hashes(pool):
    faults = Faults(drop_after_rate=1, ops=("wmp.withdraw",))
    pool.faults = faults
    async with client(pool) as c:
        held = pool.users["ada"].hashes(pool.now())
        with pytest.raises(OutcomeUnknown):
            await execute(await moves.plan_withdraw(c, "ada", 500))
        with pytest.raises(PendingMoveError):
            await execute(await moves.plan_withdraw(c, "ada", 500))
        assert pool.users["ada"].hashes(pool.now()) == held - 500  # committed once, never sent again
        assert faults.injected == {"drop-after": 1}
        [settled] = await reconcile(c)
        assert settled.outcome == OK and "fell" in settled.reason
        assert c.journal.entries()[0].outcome == OK


async def test_hashes_that_kept_growing_prove_nothing(pool, clock):
    pool.faults = Faults(drop_after_rate=1, ops=("wmp.withdraw",))
    async with client(pool) as c:
        with pytest.raises(OutcomeUnknown):
            await execute(await moves.plan_withdraw(c, "ada", 500))
        clock.advance(3600)  # ada mined far more than 500 since
        [settled] = await reconcile(c)
    assert settled.outcome == UNKNOWN and "keeps mining" in settled.reason


async def test_an_internal_error_on_a_move_is_unknown(pool, monkeypatch):
    from gmtui.sandbox.webminepool.state import Refused

    def broken(name, amount):
        raise Refused("internal error")

    monkeypatch.setattr(pool, "withdraw", broken)
    async with client(pool) as c:
        with pytest.raises(OutcomeUnknown):
            await execute(await moves.plan_withdraw(c, "ada", 5))
        assert c.journal.entries()[0].outcome == UNKNOWN


async def test_another_refusal_is_failed(pool, monkeypatch):
    from gmtui.api.errors import ApiError
    from gmtui.sandbox.webminepool.state import Refused

    def refused(name):
        raise Refused("not allowed today")

    monkeypatch.setattr(pool, "reset", refused)
    async with client(pool) as c:
        with pytest.raises(ApiError, match="not allowed today"):
            await execute(await moves.plan_reset(c, "ada"))
        assert c.journal.entries()[0].outcome == FAILED


async def test_reset_all_asks_for_its_word_and_reconciles_when_every_user_fell(pool):
    pool.faults = Faults(drop_after_rate=1, ops=("wmp.reset_all",))
    async with client(pool) as c:
        plan = await moves.plan_reset_all(c)
        assert plan.word == moves.RESET_ALL_WORD
        with pytest.raises(OutcomeUnknown):
            await execute(plan)
        assert all(u.hashes(pool.now()) == 0 for u in pool.users.values())
        [settled] = await reconcile(c)
    assert settled.outcome == OK


async def test_users_created_and_deleted_go_in_and_out_of_the_roster(pool, tmp_path):
    roster = Roster(tmp_path / "roster.json")
    async with client(pool, roster=roster) as c:
        await execute(await moves.plan_add_user(c, "zed", "friend"))
        assert pool.users["zed"].referral == "friend" and roster.names()["zed"] == "created"
        with pytest.raises(moves.AlreadyThere):
            await moves.plan_add_user(c, "chen")  # idle, unlisted by /users, known to the server
        assert roster.names()["chen"] == "added"
        await execute(await moves.plan_delete_user(c, "zed"))
        assert "zed" not in pool.users and "zed" not in Roster(tmp_path / "roster.json").names()
    assert stat.S_IMODE((tmp_path / "roster.json").stat().st_mode) == 0o600


async def test_a_lost_deletion_is_reconciled_from_the_users_absence(pool):
    pool.faults = Faults(drop_after_rate=1, ops=("wmp.delete_user",))
    async with client(pool) as c:
        with pytest.raises(OutcomeUnknown):
            await execute(await moves.plan_delete_user(c, "bram"))
        [settled] = await reconcile(c)
    assert settled.outcome == OK and "no longer knows" in settled.reason


async def test_a_token_is_kept_checked_and_deleted_with_its_user_once_verified(pool, clock):
    async with client(pool) as c:
        await execute(await moves.plan_set_token(c, 1_000, "ada"))
        [token] = c.roster.tokens
        with pytest.raises(MoveRefused, match="not verified yet"):
            await moves.plan_unset_token(c, token)
        clock.advance(DAY_S / 24)
        plan = await moves.plan_unset_token(c, token)
        assert dict(plan.lines)["And its user"] == "ada"
        await execute(plan)
        assert token not in pool.tokens and "ada" not in pool.users and c.roster.tokens == {}


async def test_the_roster_lists_idle_users_with_their_hashes(pool):
    from gmtui.api.webminepool.views import roster

    async with client(pool) as c:
        c.roster.add("chen")
        found = {m.name: m for m in (await roster(c)).members}
    assert found["chen"].active is False and found["chen"].hashes == pool.users["chen"].hashes(pool.now())
    assert found["ada"].active is True and found["ada"].known == "seen"
    assert "fatima" not in found  # idle and never seen: gmtui cannot know it


def test_a_corrupt_roster_is_kept_aside_and_a_new_one_started(tmp_path):
    path = tmp_path / "roster.json"
    path.write_text("{not json")
    roster = Roster(path, clock=lambda: 1_700_000_000)
    assert "kept as roster.json.unreadable-1700000000" in roster.problem
    assert (tmp_path / "roster.json.unreadable-1700000000").read_text() == "{not json"
    roster.add("ada")
    assert json.loads(path.read_text())["users"] == {"ada": "added"}


# ---- the command line


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["--demo", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_withdraw_lost_answer_exits_3(capsys):
    code, out, err = run(capsys, "--faults", "drop-after=1,ops=wmp.withdraw", "pool", "withdraw", "ada", "500", "--yes")
    assert code == 3 and "Hash withdrawal" in err and "gmtui reconcile" in err


def test_cli_read_only_and_refusals_send_nothing(capsys):
    code, _, err = run(capsys, "--read-only", "pool", "reset", "ada", "--yes")
    assert code == 2 and "read-only" in err
    with pytest.raises(SystemExit) as exited:
        run(capsys, "pool", "withdraw", "ada", "0", "--yes")
    assert exited.value.code == 2 and "between 1 and" in capsys.readouterr().err


def test_cli_reset_all_wants_the_word_typed(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    code, out, _ = run(capsys, "pool", "reset-all")
    assert code == 0 and "Type reset-all" not in out and "cancelled: nothing was sent" in out
    monkeypatch.setattr("builtins.input", lambda prompt: "reset-all")
    code, out, _ = run(capsys, "pool", "reset-all")
    assert code == 0 and "done: reset every user's hashes" in out.lower()


def test_cli_pool_refuses_a_gomining_profile(capsys, monkeypatch):
    from gmtui import config

    cfg = config.Config(active="gm", profiles={"gm": config.Profile(name="gm", base_url="https://x.example", api_key="k",
                                                                       api_secret="s", users=["u"])})
    config.save(cfg)
    code = main(["pool", "reset", "ada", "--yes"])
    _, err = capsys.readouterr()
    assert code == 2 and "is a gomining profile" in err


def test_cli_token_check_reads_without_moving(capsys):
    code, out, err = run(capsys, "pool", "token", "check", "nope")
    assert code != 0 and "nonexistent token" in err
