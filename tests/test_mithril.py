"""Mithril Vault end to end against the in-process sandbox: signed reads, the binding
flow in its three modes, rewards sent once with their uuid (and resent only with it),
cancellations while PENDING, unbinding, reconcile, the CLI and the profile."""

from __future__ import annotations

import asyncio
import json
import stat
from decimal import Decimal

import httpx
import pytest

from gmtui import config
from gmtui.api.errors import InputError, MoveRefused, OutcomeUnknown, PendingMoveError
from gmtui.api.journal import FAILED, OK, UNKNOWN, Journal
from gmtui.api.mithril import moves
from gmtui.api.mithril.bindings import Bindings
from gmtui.api.mithril.client import NotBound
from gmtui.api.mithril.reconcile import reconcile
from gmtui.api.moves import execute
from gmtui.cli import main
from gmtui.sandbox import Faults, vault_client
from gmtui.sandbox.mithril.state import DEMO_CLIENT_ID, DEMO_CLIENT_KEY, State, TICK_S


@pytest.fixture
def vault(clock) -> State:
    return State(clock=clock)


def client(vault: State, **kw):
    kw.setdefault("journal", Journal(clock=vault.clock))
    return vault_client(vault, scope="vault-test", **kw)


async def test_reads_answer_with_the_documents_fields(vault):
    async with client(vault) as c:
        [capital] = (await c.app_balance()).root
        info = await c.user_info("alice")
        page = await c.activities("alice")
        every = await c.all_activities("alice")
    assert capital.currency == "MITH" and 0 < capital.balance <= 50_000
    assert info.balance == info.amount + info.staked_amount
    assert len(page.items) == 20 and page.next_id
    assert len(every) > 20 and len({a.uuid for a in every}) == len(every)
    assert every[:20] == page.items


async def test_a_reward_is_sent_once_with_its_uuid_and_paid_at_the_ticks(vault, clock):
    async with client(vault) as c:
        before = (await c.user_info("alice")).amount
        plan = await moves.plan_reward(c, "alice", Decimal("0.00001"))
        uuid = dict(plan.lines)["Uuid"]
        await execute(plan)
        assert (await c.find("alice", uuid)).status == "PENDING"
        clock.advance(2 * TICK_S + 1)
        found = await c.find("alice", uuid, fresh=True)
        after = (await c.read_fresh("vault.oauth.user_info", user="alice")).amount
        [entry] = c.journal.entries()
    assert found.status in ("MINED", "REJECTED")
    if found.status == "MINED":
        assert after - before >= Decimal("0.00001")
    assert (entry.operation, entry.outcome, entry.amount, entry.currency, entry.destination) == (
        "vault.mining.submit", OK, "0.00001", "MITH", f"activity {uuid}")
    assert vault_calls(c) == 1


def vault_calls(c) -> int:
    return c._http._transport.sandbox.calls.get("vault.mining.submit", 0)


async def test_a_lost_answer_is_unknown_and_the_retry_resends_the_same_uuid_settled_by_409(vault):
    vault.faults = Faults(drop_after_rate=1, ops=("vault.mining.submit",))
    async with client(vault) as c:
        plan = await moves.plan_reward(c, "alice", Decimal("2.5"))
        with pytest.raises(OutcomeUnknown):
            await execute(plan)
        [entry] = c.journal.entries()
        assert entry.outcome == UNKNOWN
        vault.faults = None
        with pytest.raises(PendingMoveError):  # the journal's guard: not a second reward by accident
            await c.reward("alice", "another-uuid", Decimal("2.5"), "2026-11-21T10:00:00")
        retry = await moves.plan_reward(c, "alice", Decimal("2.5"))
        assert dict(retry.lines)["Uuid"] == entry.params["uuid"]
        assert "Retry of" in dict(retry.lines)
        await execute(retry)
        [settled] = c.journal.entries()
    assert settled.id == entry.id and settled.outcome == OK and "409" in settled.detail
    assert sum(1 for a in vault.activities.values() if a.uuid == entry.params["uuid"]) == 1


async def test_reconcile_finds_a_reward_by_uuid_or_says_it_failed(vault):
    vault.faults = Faults(drop_after_rate=1, ops=("vault.mining.submit",))
    async with client(vault) as c:
        for amount in ("1", "2"):
            with pytest.raises(OutcomeUnknown):
                await execute(await moves.plan_reward(c, "bob", Decimal(amount)))
        vault.faults = Faults(drop_before_rate=1, ops=("vault.mining.submit",))
        with pytest.raises(OutcomeUnknown):
            await execute(await moves.plan_reward(c, "bob", Decimal("3")))
        vault.faults = None
        settled = {str(s.entry.params["reward"]): s.outcome for s in await reconcile(c)}
    assert settled == {"1": OK, "2": OK, "3": FAILED}


async def test_capital_must_cover_the_reward_plus_what_is_pending(vault):
    async with client(vault) as c:
        with pytest.raises(MoveRefused, match="does not cover"):
            await moves.plan_reward(c, "alice", Decimal(60_000))
        with pytest.raises(MoveRefused, match="not bound"):
            await moves.plan_reward(c, "nobody", Decimal(1))
        with pytest.raises(MoveRefused, match="--at"):
            await moves.plan_reward(c, "alice", Decimal(1), at="2026-11-21 10:00:00")
        assert c.journal.entries() == []


async def test_a_reward_is_cancelled_only_while_pending(vault, clock):
    async with client(vault) as c:
        plan = await moves.plan_reward(c, "carol", Decimal(1))
        uuid = dict(plan.lines)["Uuid"]
        await execute(plan)
        await execute(await moves.plan_cancel(c, "carol", uuid))
        assert (await c.find("carol", uuid, fresh=True)).status == "DELETED"
        second = await moves.plan_reward(c, "carol", Decimal("1.5"))
        await execute(second)
        clock.advance(TICK_S + 1)
        with pytest.raises(MoveRefused, match="only a PENDING one"):
            await moves.plan_cancel(c, "carol", dict(second.lines)["Uuid"])
        with pytest.raises(MoveRefused, match="no activity"):
            await moves.plan_cancel(c, "carol", "nope")


async def test_binding_by_the_redirect_address_then_unbinding(vault):
    async with client(vault) as c:
        url = c.authorize_url("dave")
        assert url.startswith(c.web_url + "/#/oauth/authorize?") and "user_id=dave" in url and DEMO_CLIENT_KEY not in url
        [(state, user, _)] = c.bindings.pending("dave")
        got = moves.redirect(vault.approve(state, "dave"), [])
        assert await c.exchange(got.state, got.grant_code) == "dave"
        assert (await c.user_info("dave")).amount >= 500
        with pytest.raises(Exception, match="not one gmtui is waiting for"):
            await c.exchange(got.state, got.grant_code)  # a state works once
        await execute(await moves.plan_unbind(c, "dave"))
        assert c.bindings.token("dave") is None
        with pytest.raises(NotBound, match="gmtui vault bind dave"):
            await c.user_info("dave")


async def test_a_binding_gone_in_vault_says_how_to_bind_again(vault):
    async with client(vault) as c:
        vault.unbind(c.bindings.token("bob"))
        with pytest.raises(NotBound, match="bind it again: gmtui vault bind bob"):
            await c.user_info("bob")


def test_what_vault_redirected_is_read_from_a_url_a_query_or_a_bare_code():
    assert moves.redirect("https://p.example/cb?grant_code=abc&state=s1", []) == moves.Redirect("s1", "abc")
    assert moves.redirect("?state=s2&grant_code=def", []) == moves.Redirect("s2", "def")
    assert moves.redirect(" ghi ", ["s3"]) == moves.Redirect("s3", "ghi")
    with pytest.raises(InputError, match="refused"):
        moves.redirect("https://p.example/cb?error=access_denied&state=s1", [])
    with pytest.raises(InputError, match="whole address"):
        moves.redirect("ghi", ["s3", "s4"])


async def test_a_clock_far_off_is_resynced_from_date_and_signed_once_more(vault):
    vault.faults = Faults(clock_offset_s=900)
    async with client(vault) as c:
        await c.app_balance()
        assert abs(c.clock_offset_ms / 1000 - 900) < 2


async def test_tokens_are_kept_0600_and_a_broken_file_is_set_aside(tmp_path, clock):
    path = tmp_path / "b.json"
    kept = Bindings(path, clock)
    kept.bind("alice", "t" * 64)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Bindings(path, clock).token("alice") == "t" * 64
    path.write_text("{not json")
    fresh = Bindings(path, clock)
    assert fresh.users() == [] and "could not be read" in fresh.problem
    assert "t" * 64 not in repr(fresh) + repr(kept)


def test_a_donate_link_is_the_documented_page_and_at_least_20_mith(vault):
    c = client(vault)
    link = moves.donate_link(c, "alice", Decimal(25), "thanks")
    assert link.startswith(c.web_url + "/#/donate?app_id=demo&user_id=alice&amount=25&state=")
    with pytest.raises(InputError, match="at least 20"):
        moves.donate_link(c, "alice", Decimal(19))


# ---- the command line -------------------------------------------------------------


def test_cli_reward_and_reads_on_the_demo(capsys, clock):
    assert main(["vault", "reward", "alice", "1.25", "--demo", "--yes"], clock=clock) == 0
    out = capsys.readouterr().out
    assert "Reward    1.25 MITH" in out and "done: reward 1.25 MITH; uuid " in out
    assert main(["get", "app-balance", "--demo", "--format", "json"], clock=clock, **{}) in (0, 2)


@pytest.mark.parametrize(("amount", "why"), [("0.000000001", "at most 8 decimals"), ("1e3", "digits and at most one"),
                                             ("-1", "digits and at most one"), ("0", "more than 0")])
def test_cli_refuses_bad_amounts_before_anything(capsys, clock, amount, why):
    with pytest.raises(SystemExit) as exited:
        main(["vault", "reward", "alice", amount, "--demo", "--yes"], clock=clock)
    assert exited.value.code == 2 and why in capsys.readouterr().err
    assert main(["vault", "donate-link", "alice", "5", "--demo"], clock=clock) == 2
    assert "at least 20" in capsys.readouterr().err


def mithril_profile(tmp_path, **extra) -> None:
    body = {"platform": "mithril", "base_url": "http://sandbox.gmtui.invalid", "api_key": DEMO_CLIENT_ID,
            "api_secret": DEMO_CLIENT_KEY, "mining_key": "demo", "web_url": "https://vault.example", **extra}
    config.save(config.Config(active="v", profiles={"v": config.Profile(name="v", **body)}))


def test_a_mithril_profile_needs_its_fields_and_a_hex_key(tmp_path):
    with pytest.raises(Exception, match="Mining key: is required"):
        config.Profile(name="v", platform="mithril", base_url="http://x.example", api_key="id", api_secret="ab")
    with pytest.raises(Exception, match="hex"):
        config.Profile(name="v", platform="mithril", base_url="http://x.example", api_key="id", api_secret="xyz",
                       mining_key="m", web_url="https://w.example")
    mithril_profile(tmp_path)
    loaded = config.resolve()
    assert (loaded.platform, loaded.mining_key, loaded.web_url) == ("mithril", "demo", "https://vault.example")
    assert stat.S_IMODE(config.paths().config_file.stat().st_mode) == 0o600


@pytest.fixture
def profile_on(tmp_path, monkeypatch, clock):
    """A Mithril profile in the config whose client talks to ``vault`` in process."""
    from gmtui import session

    def use(vault: State, **extra) -> None:
        mithril_profile(tmp_path, **extra)
        real = session.open_profile

        def wired(name=None, clock=clock):
            opened = real(name, clock)
            opened.client._http._transport = vault_client(vault)._http._transport
            return opened

        monkeypatch.setattr(session, "open_profile", wired)

    return use


def waiting_states() -> list[str]:
    return list(json.loads(next(config.paths().state.glob("mithril-bindings-*.json")).read_text())["pending"])


def test_bind_without_a_terminal_waits_then_finishes_with_redirect(profile_on, capsys, clock, monkeypatch):
    vault = State(clock=clock)
    profile_on(vault)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["vault", "bind", "erin"], clock=clock) == 0
    out = capsys.readouterr().out
    assert "https://vault.example/#/oauth/authorize?client_id=" in out and "--redirect URL" in out
    [state] = waiting_states()
    assert main(["vault", "bind", "erin", "--redirect", vault.approve(state, "erin")], clock=clock) == 0
    assert "bound 'erin'" in capsys.readouterr().out
    files = list(config.paths().state.glob("mithril-bindings-*.json"))
    assert [stat.S_IMODE(f.stat().st_mode) for f in files] == [0o600]
    assert main(["get", "user-info", "--user", "erin", "--format", "json"], clock=clock) == 0
    assert json.loads(capsys.readouterr().out)["amount"] >= 500
    assert DEMO_CLIENT_KEY not in files[0].read_text()
    assert main(["vault", "bind", "erin", "--redirect", f"https://p.example/cb?grant_code=ab&state={state}"],
                clock=clock) == 2
    assert "not one gmtui is waiting for" in capsys.readouterr().err  # the state was spent


def test_bind_on_a_terminal_takes_the_pasted_redirect(profile_on, capsys, clock, monkeypatch):
    vault = State(clock=clock, demo=False)
    profile_on(vault)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: vault.approve(waiting_states()[0], "fay"))
    assert main(["vault", "bind", "fay"], clock=clock) == 0
    assert "bound 'fay'" in capsys.readouterr().out
    monkeypatch.setattr("builtins.input", lambda prompt: vault.deny(waiting_states()[0]))
    assert main(["vault", "bind", "gus"], clock=clock) == 2
    assert "Vault refused the binding: access_denied" in capsys.readouterr().err


def test_bind_listens_once_on_a_loopback_redirect_uri(profile_on, capsys, clock, unused_tcp_port):
    import threading
    import time
    import urllib.request

    vault = State(clock=clock, demo=False, redirect_uri=f"http://127.0.0.1:{unused_tcp_port}/cb")
    profile_on(vault, redirect_uri=vault.redirect_uri)
    done: list[int] = []
    worker = threading.Thread(target=lambda: done.append(main(["vault", "bind", "hal"], clock=clock)))
    worker.start()
    for _ in range(200):  # until the listener is up and the state is written
        try:
            states = waiting_states()
            page = urllib.request.urlopen(vault.approve(states[0], "hal"), timeout=5).read()
            break
        except (OSError, StopIteration, IndexError):
            time.sleep(0.02)
    worker.join(10)
    assert done == [0] and b"gmtui has the binding" in page
    assert "bound 'hal'" in capsys.readouterr().out


async def test_the_loopback_listener_waits_for_the_redirect_of_this_binding(unused_tcp_port):
    from gmtui.cli_vault import listen_once

    uri = f"http://127.0.0.1:{unused_tcp_port}/cb"
    waiting = asyncio.ensure_future(listen_once(uri, {"s1"}, timeout_s=5))
    await asyncio.sleep(0.05)

    async def ask(raw: bytes) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", unused_tcp_port)
        writer.write(raw)
        await writer.drain()
        answer = await reader.read()
        writer.close()
        return answer

    assert b"404" in await ask(b"GET /cb HTTP/1.1\r\n\r\n")  # a browser's favicon, a scanner: not it
    assert b"404" in await ask(b"GET /cb?grant_code=x&state=other HTTP/1.1\r\n\r\n")
    assert await ask(b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n") == b""  # junk: dropped, still listening
    assert b"200 OK" in await ask(b"GET /cb?grant_code=abc&state=s1 HTTP/1.1\r\nHost: x\r\n\r\n")
    assert moves.redirect(await waiting, []) == moves.Redirect("s1", "abc")


async def test_a_port_taken_leaves_the_binding_waiting(unused_tcp_port):
    from gmtui.cli_vault import listen_once

    taken = await asyncio.start_server(lambda r, w: None, "127.0.0.1", unused_tcp_port)
    async with taken:
        with pytest.raises(InputError, match="cannot listen .* --redirect URL"):
            await listen_once(f"http://127.0.0.1:{unused_tcp_port}/cb", {"s1"}, timeout_s=1)


def test_a_profile_switched_to_never_takes_the_starting_ones_environment(tmp_path, monkeypatch):
    from gmtui import session

    mithril_profile(tmp_path)
    monkeypatch.setenv("GMTUI_API_SECRET", "ab" * 16)  # the starting profile's, from the environment
    monkeypatch.setenv("GMTUI_WEB_URL", "https://elsewhere.example")
    assert config.resolve("v").api_secret.get_secret_value() == "ab" * 16  # the starting profile: overridden
    saved = config.resolve("v", overrides=False)
    assert saved.api_secret.get_secret_value() == DEMO_CLIENT_KEY and saved.web_url == "https://vault.example"
    [choice] = session.profile_choices()
    assert choice.open().client.web_url == "https://vault.example"


# ---- what an attack on the first version found ------------------------------------


async def test_a_uuid_proves_a_reward_only_if_vault_holds_that_reward(vault):
    vault.faults = Faults(drop_after_rate=1, ops=("vault.mining.submit",))
    async with client(vault) as c:
        with pytest.raises(OutcomeUnknown):
            await execute(await moves.plan_reward(c, "alice", Decimal(2), uuid="act-42"))
        vault.faults = None
        with pytest.raises(MoveRefused, match="uuid act-42 is that of journal entry 1"):
            await moves.plan_reward(c, "alice", Decimal(3), uuid="act-42")
        other = await moves.plan_reward(c, "alice", Decimal(3))  # another reward: sent, with a word on the unknown one
        assert "entry 1 (2 MITH to alice) has an unknown outcome" in dict(other.lines)["Unknown"]
        existing = next(a.uuid for a in (await c.activities("alice")).items if a.uuid != "act-42")
        with pytest.raises(MoveRefused, match="already has an activity"):
            await moves.plan_reward(c, "alice", Decimal(7), uuid=existing)
        [settled] = await reconcile(c)
    assert settled.outcome == OK  # its uuid holds 2 MITH: this reward


async def test_a_409_on_a_resend_proves_nothing_when_the_uuid_holds_another_reward(vault):
    vault.faults = Faults(drop_after_rate=1, ops=("vault.mining.submit",))
    async with client(vault) as c:
        with pytest.raises(OutcomeUnknown):
            await execute(await moves.plan_reward(c, "alice", Decimal(2), uuid="act-7"))
        vault.faults = None
        activity = next(a for a in vault.activities.values() if a.uuid == "act-7")
        activity.reward = Decimal(5)  # Vault's act-7 is another reward than the journal's
        with pytest.raises(Exception, match="409"):
            await execute(await moves.plan_reward(c, "alice", Decimal(2)))
        [entry] = c.journal.entries()
    assert entry.outcome == FAILED and "another reward" in entry.detail


async def test_a_redirect_answering_a_reward_leaves_it_unknown(vault):
    from gmtui.api.mithril.client import MithrilClient

    async with client(vault) as c:
        c._http._transport = httpx.MockTransport(lambda r: httpx.Response(303, headers={"Location": "/mining/x"}))
        assert isinstance(c, MithrilClient)
        with pytest.raises(OutcomeUnknown, match="redirect"):
            await c.reward("alice", "u-303", Decimal(1), "2026-11-21T10:00:00")
        [entry] = c.journal.entries()
    assert entry.outcome == UNKNOWN


def test_two_gmtui_binding_at_once_lose_no_token(tmp_path, clock):
    path = tmp_path / "b.json"
    cli, dash = Bindings(path, clock), Bindings(path, clock)
    cli.bind("bob", "b" * 64)
    dash.start("carol")
    dash.bind("dave", "d" * 64)
    assert {b.user for b in Bindings(path, clock).users()} == {"bob", "dave"}
    path.chmod(0o644)
    with pytest.raises(Exception, match="readable by others"):
        Bindings(path, clock)


async def test_a_proxys_403_does_not_settle_an_unbinding(vault):
    vault.faults = Faults(drop_after_rate=1, ops=("vault.oauth.unbind",))
    async with client(vault) as c:
        with pytest.raises(OutcomeUnknown):
            await execute(await moves.plan_unbind(c, "bob"))
        vault.faults = None
        real = c._http._transport
        c._http._transport = httpx.MockTransport(lambda r: httpx.Response(403, text="<html>blocked by WAF</html>"))
        [held] = await reconcile(c)
        assert held.outcome == UNKNOWN and c.bindings.token("bob") is not None
        c._http._transport = real
        [settled] = await reconcile(c)
    assert settled.outcome == OK and c.bindings.token("bob") is None


async def test_a_binding_vault_dropped_is_forgotten_without_a_move(vault):
    async with client(vault) as c:
        vault.unbind(c.bindings.token("carol"))
        with pytest.raises(moves.Forgotten, match="gmtui forgot the binding"):
            await moves.plan_unbind(c, "carol")
        assert c.bindings.token("carol") is None and c.journal.entries() == []


async def test_the_token_exchange_is_never_retried_and_a_mistyped_code_keeps_the_state(vault):
    async with client(vault) as c:
        c.authorize_url("ivy")
        [(state, _, _)] = c.bindings.pending("ivy")
        with pytest.raises(Exception, match="unknown grant code|BAD_REQUEST"):
            await c.exchange(state, "mistyped")
        vault.faults = Faults(error_rate=1, ops=("vault.oauth.token",))
        with pytest.raises(Exception, match="may have bound ivy"):
            await c.exchange(state, "whatever")
        assert c._http._transport.sandbox.calls["vault.oauth.token"] == 2  # once each, no retry
        vault.faults = None
        got = moves.redirect(vault.approve(state, "ivy"), [])
        assert await c.exchange(got.state, got.grant_code) == "ivy"


def test_redirects_with_the_query_after_a_hash_are_read():
    assert moves.redirect("https://p.example/#/cb?grant_code=abc&state=s1", []) == moves.Redirect("s1", "abc")
    with pytest.raises(InputError, match="no grant_code"):
        moves.redirect("https://p.example/cb", ["s1"])


@pytest.mark.parametrize(("amount", "at", "why"), [
    ("987654321.87654321", None, "15 significant digits"),
    ("1", "2026-02-30T10:00:00", "not a time in the calendar"),
    ("1", "2099-01-01T00:00:00", "in the future"),
])
async def test_amounts_and_times_vault_would_read_otherwise_are_refused(vault, amount, at, why):
    async with client(vault) as c:
        with pytest.raises((MoveRefused, Exception), match=why):
            await execute(await moves.plan_reward(c, "alice", Decimal(amount), at=at))
        assert c.journal.entries() == []


def test_gmtui_platform_never_turns_a_saved_profile_into_another_platform(tmp_path, monkeypatch):
    mithril_profile(tmp_path)
    monkeypatch.setenv("GMTUI_PLATFORM", "webminepool")
    with pytest.raises(Exception, match="is a mithril profile"):
        config.resolve()


def test_a_read_only_session_binds_nobody(capsys, clock):
    assert main(["--read-only", "vault", "bind", "dave", "--demo"], clock=clock) == 2
    assert "read-only" in capsys.readouterr().err
