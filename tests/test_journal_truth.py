"""The journal tells only the truth: reconcile settles a move only on evidence nothing
else explains, a person can settle by hand (recorded as such), and the guard fails
closed when the journal is unreadable, damaged or in use."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest

from gmtui.api import journal as journal_mod
from gmtui.api.errors import JournalUnavailable, OutcomeUnknown
from gmtui.api.journal import DAMAGED, FAILED, OK, UNKNOWN, Journal
from gmtui.api.gomining.reconcile import reconcile
from gmtui.api.retry import RetryPolicy
from gmtui.cli import main
from gmtui.sandbox import Faults, State, demo_client

from conftest import NOW, Clock

FAST = RetryPolicy(attempts=1)
A, B = Decimal("0.001"), Decimal("0.002")


def address(state: State, user: str = "alice") -> str:
    return state.world.users[user].wallets[0].address


async def lost(client, state: State, amount: Decimal, *, committed: bool) -> None:
    """A withdrawal whose answer is lost, after (or before) the server committed it."""
    state.faults = Faults(**{"drop_after_rate" if committed else "drop_before_rate": 1.0}, ops=("withdraw.create",))
    with pytest.raises(OutcomeUnknown):
        await client.withdraw("alice", address(state), amount)
    state.faults = None


# ---- reconcile: withdrawals, where the API offers only totals ---------------------------


async def test_a_withdrawal_lost_before_commit_then_another_that_succeeded_is_failed_never_ok(state, clock):
    journal = Journal(clock=clock)
    async with demo_client(state, journal=journal, retry=FAST) as client:
        await lost(client, state, A, committed=False)
        clock.advance(60)
        assert await client.withdraw("alice", address(state), B)  # a different one, done
        [settled] = await reconcile(client)
    assert len(state.withdrawals) == 1  # only the second reached the server
    assert settled.outcome == FAILED and "exactly the journal's own later withdrawals" in settled.reason
    assert journal.entries()[1].outcome == FAILED


async def test_a_withdrawal_committed_then_dropped_is_ok(state, clock):
    journal = Journal(clock=clock)
    async with demo_client(state, journal=journal, retry=FAST) as client:
        await lost(client, state, A, committed=True)
        [settled] = await reconcile(client)
    assert settled.outcome == OK and journal.entries()[0].outcome == OK


async def test_growth_from_a_withdrawal_made_elsewhere_leaves_it_unknown(state, clock):
    journal = Journal(clock=clock)
    async with demo_client(state, journal=journal, retry=FAST) as client:
        await lost(client, state, A, committed=False)
        state.withdraw("alice", address(state), Decimal("0.0007"), False)  # the platform's own app, say
        [settled] = await reconcile(client)
    assert settled.outcome == UNKNOWN and "settle it by hand" in settled.reason
    assert "0.00070000" in settled.reason and journal.entries()[0].outcome == UNKNOWN


async def test_an_outside_withdrawal_of_the_same_amount_is_the_one_case_totals_cannot_see(state, clock):
    """Documented limit: growth equal to exactly the unknown amount settles it ok, so a
    withdrawal of the same amount made elsewhere in that window is indistinguishable."""
    journal = Journal(clock=clock)
    async with demo_client(state, journal=journal, retry=FAST) as client:
        await lost(client, state, A, committed=True)
        [settled] = await reconcile(client)
    assert settled.outcome == OK and f"exactly {A}" in settled.reason


async def test_two_unknown_withdrawals_are_settled_together_or_not_at_all(state, clock):
    journal = Journal(clock=clock)
    async with demo_client(state, journal=journal, retry=FAST) as client:
        await lost(client, state, A, committed=True)
        await lost(client, state, B, committed=False)
        settled = await reconcile(client)
    # The total grew by A: neither "both done" (A+B) nor "neither" (0) holds, and the
    # totals alone cannot say which one it was: both stay unknown.
    assert [s.outcome for s in settled] == [UNKNOWN, UNKNOWN] and len(state.withdrawals) == 1


async def test_two_unknown_withdrawals_both_committed_settle_ok_together(state, clock):
    journal = Journal(clock=clock)
    async with demo_client(state, journal=journal, retry=FAST) as client:
        await lost(client, state, A, committed=True)
        await lost(client, state, B, committed=True)
        settled = await reconcile(client)
    assert [s.outcome for s in settled] == [OK, OK] and "with #2" in settled[0].reason


async def test_an_upgrade_still_at_its_old_value_proves_nothing(state, clock):
    journal = Journal(clock=clock)
    async with demo_client(state, journal=journal, retry=FAST) as client:
        state.faults = Faults(drop_before_rate=1.0, ops=("upgrade.create",))
        with pytest.raises(OutcomeUnknown):
            await client.upgrade_create("efficiency", 10001, Decimal(30), Decimal(20), user="alice")
        state.faults = None
        [settled] = await reconcile(client)
    assert settled.outcome == UNKNOWN and "may be applied later" in settled.reason


# ---- by hand ---------------------------------------------------------------------------


async def test_a_person_settles_an_unknown_move_by_hand_and_it_says_so(state, clock):
    journal = Journal(clock=clock)
    async with demo_client(state, journal=journal, retry=FAST) as client:
        await lost(client, state, A, committed=False)
    entry = journal.settle_by_hand(1, FAILED, "support ticket 1234: never arrived")
    assert entry.outcome == FAILED and entry.detail == "settled by hand (was unknown): support ticket 1234: never arrived"
    with pytest.raises(Exception, match="already settled as failed"):
        journal.settle_by_hand(1, OK, "changed my mind")
    with pytest.raises(Exception, match="say how you know"):
        journal.settle_by_hand(1, OK, " ")


# ---- the guard fails closed ------------------------------------------------------------


async def unknown_withdrawal_in(path, state: State, clock) -> None:
    journal = Journal(path, clock)
    async with demo_client(state, journal=journal, retry=FAST) as client:
        await lost(client, state, A, committed=True)
    journal.close()


async def test_a_flipped_byte_in_an_outcome_refuses_every_move(state, clock, tmp_path):
    path = tmp_path / "journal.sqlite"
    await unknown_withdrawal_in(path, state, clock)
    raw = path.read_bytes()
    assert raw.count(b"unknown") >= 1
    path.write_bytes(raw.replace(b"unknown", b"unknowm"))
    journal = Journal(path, clock)
    [entry] = journal.entries()
    assert entry.outcome == DAMAGED and "checksum does not match" in entry.detail
    async with demo_client(state, journal=journal, retry=FAST) as client:
        with pytest.raises(JournalUnavailable, match=r"damaged entries \(#1\).*settles them by hand"):
            await client.withdraw("alice", address(state), A)  # the identical move: before, it went out again
        with pytest.raises(JournalUnavailable):
            await client.withdraw("alice", address(state), B)  # any move
        assert await client.user_stats("alice")  # reads go on
    assert len(state.withdrawals) == 1
    journal.settle_by_hand(1, OK, "the platform's history lists it")  # a person vouches...
    async with demo_client(state, journal=journal, retry=FAST) as client:
        assert await client.withdraw("alice", address(state), B)  # ...and moves go again


async def test_a_row_changed_behind_gmtuis_back_is_damaged_not_a_crash(state, clock, tmp_path):
    path = tmp_path / "journal.sqlite"
    await unknown_withdrawal_in(path, state, clock)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE moves SET params = 'not json', at = 'x'")
    journal = Journal(path, clock)
    [entry] = journal.entries()
    assert entry.outcome == DAMAGED
    assert "damaged entries (#1)" in (journal.trouble() or "")


def corrupt_a_page(path) -> None:
    raw = bytearray(path.read_bytes())
    assert len(raw) >= 3 * 4096, "the journal needs several pages"
    raw[4096 + 8: 4096 + 200] = b"\xff" * 192  # the second page's header and cell pointers
    path.write_bytes(bytes(raw))


def test_a_corrupted_page_refuses_moves_and_gmtui_journal_says_so(state, clock, tmp_path, monkeypatch, capsys):
    path = tmp_path / "journal.sqlite"
    journal = Journal(path, clock)
    for i in range(60):  # a journal of several pages
        entry = journal.begin("demo", "alice", "withdraw.create_24h", {"amount": Decimal(i + 1) / 10**4, "walletAddress": "x"})
        journal.settle(entry, OK, "done")
    journal.close()
    corrupt_a_page(path)
    monkeypatch.setattr("gmtui.session.Journal", lambda clock=None: Journal(path, clock))

    code = main(["--demo", "journal"], clock=Clock())
    out, err = capsys.readouterr()
    assert code == 2 and "could not be" in err and "money moves are refused" in err and "Traceback" not in err
    assert "move it away" not in err and "delete" not in err and "keep the file: it is the record" in err.lower()

    before = len(state.withdrawals)
    code = main(["--demo", "withdraw", "0.001", "--to", address(state), "--yes"], clock=Clock())
    out, err = capsys.readouterr()
    assert code == 2 and "refused, nothing was sent" in err and "journal" in err

    code = main(["--demo", "get", "stats", "--format", "json"], clock=Clock())
    assert code == 0 and '"nftsCount"' in capsys.readouterr().out  # reads go on
    assert len(state.withdrawals) == before


async def test_a_journal_in_use_says_so_waits_briefly_and_never_advises_moving_it(state, clock, tmp_path, monkeypatch):
    monkeypatch.setattr(journal_mod, "WAIT_S", 0.2)
    path = tmp_path / "journal.sqlite"
    Journal(path, clock).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another gmtui in the middle of writing
    journal = Journal(path, clock)
    async with demo_client(state, journal=journal, retry=FAST) as client:
        with pytest.raises(JournalUnavailable, match="in use by another gmtui") as refused:
            await client.withdraw("alice", address(state), A)
        assert "move" not in str(refused.value).replace("money moves", "") and "delete" not in str(refused.value)
        other.execute("ROLLBACK")
        assert await client.withdraw("alice", address(state), A)  # once it is free, it works
    assert len(state.withdrawals) == 1


def test_a_refused_identical_move_exits_2(capsys, monkeypatch, tmp_path):
    path = tmp_path / "journal.sqlite"
    monkeypatch.setattr("gmtui.session.Journal", lambda clock=None: Journal(path, clock))
    argv = ["--demo", "--faults", "drop-after=1,ops=withdraw.create", "withdraw", "0.001", "--to", "1NeTVrZEZvx9niuKrFRMQsdF3YSnhkyaCB", "--yes"]
    assert main(argv, clock=Clock()) == 3
    capsys.readouterr()
    assert main(argv, clock=Clock()) == 2
    err = capsys.readouterr().err
    assert "refused, nothing was sent" in err and "entry 1" in err
    assert main(["--demo", "journal", "settle", "1", "ok", "--note", "seen on the platform"], clock=Clock()) == 0
    assert "settled by hand (was unknown): seen on the platform" in capsys.readouterr().out
    assert main(["--demo", "journal", "settle", "1", "failed", "--note", "x"], clock=Clock()) == 2
    assert "already settled as ok" in capsys.readouterr().err


def test_an_old_journal_gets_checksums_once_and_keeps_its_entries(tmp_path, clock):
    path = tmp_path / "journal.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("""CREATE TABLE moves (id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, scope TEXT NOT NULL,
            user TEXT NOT NULL, operation TEXT NOT NULL, params TEXT NOT NULL, fingerprint TEXT NOT NULL,
            outcome TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '', before TEXT NOT NULL DEFAULT '{}', settled_at REAL)""")
        db.execute("INSERT INTO moves (at, scope, user, operation, params, fingerprint, outcome, detail, settled_at) "
                   "VALUES (?, 'demo', 'alice', 'withdraw.create_24h', '{\"amount\":0.001}', 'x', 'ok', 'done', ?)",
                   (NOW.timestamp(), NOW.timestamp()))
    journal = Journal(path, clock)
    [entry] = journal.entries()
    assert (entry.outcome, entry.amount) == (OK, "0.001") and journal.trouble() is None


async def test_profiles_of_one_account_share_the_guard_and_reconcile(state, clock):
    from gmtui.api.errors import PendingMoveError
    from gmtui.session import account_of

    journal = Journal(clock=clock)
    account = account_of(state.options.api_key)
    first = demo_client(state, journal=journal, retry=FAST, scope="h@http://127.0.0.1:8787", account=account)
    second = demo_client(state, journal=journal, retry=FAST, scope="h2@http://localhost:8787", account=account)
    async with first, second:
        await lost(first, state, A, committed=False)
        with pytest.raises(PendingMoveError):  # the same move through another spelling of the same account
            await second.withdraw("alice", address(state), A)
        assert await second.withdraw("alice", address(state), B)  # a different one, done
        [settled] = await reconcile(first)
    assert settled.outcome == FAILED and len(state.withdrawals) == 1
    assert account not in (state.options.api_key,) and state.options.api_key not in account


@pytest.mark.parametrize("at", ["1e300", "-1", "nan", "x"])
def test_a_row_with_a_time_out_of_range_is_listed_not_a_crash(state, clock, tmp_path, at, capsys, monkeypatch):
    import asyncio

    path = tmp_path / "journal.sqlite"
    asyncio.run(unknown_withdrawal_in(path, state, clock))
    with sqlite3.connect(path) as db:
        db.execute(f"UPDATE moves SET at = '{at}'")
    journal = Journal(path, clock)
    [entry] = journal.entries()
    assert entry.outcome == DAMAGED and entry.row()["at"].startswith("1970")
    journal.settle_by_hand(entry.id, FAILED, "checked on the platform")
    assert journal.entries()[0].row()["outcome"] == FAILED  # listed, settled, no crash after either
    monkeypatch.setattr("gmtui.session.Journal", lambda clock=None: Journal(path, clock))
    assert main(["--demo", "journal"], clock=Clock()) == 0
