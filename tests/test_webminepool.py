"""WebMinePool (seed 004): every method against the in-process sandbox, how calls are
built, how answers are read, where the secret key (it travels in the URL path) may go."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from gmtui.api.errors import ApiError, AuthError, NotFoundError, RequestValidationError, ServerError, UnexpectedResponse
from gmtui.api.webminepool.catalogue import CATALOGUE
from gmtui.api.webminepool.client import WebMinePoolClient
from gmtui.cli import main
from gmtui.sandbox import pool_client
from gmtui.sandbox.webminepool.state import DEMO_SECRET, IDLE_AFTER_S, State

from tests.conftest import Clock


@pytest.fixture
def pool(clock) -> State:
    return State(clock=clock)


@pytest.fixture
async def wmp(pool):
    async with pool_client(pool) as c:
        yield c


def recording(answers: list[tuple[int, dict | bytes, dict]]):
    """A transport that answers in turn and records every request's URL."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        status, body, headers = answers[min(len(seen), len(answers)) - 1]
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.Response(status, content=content, headers=headers)

    return httpx.MockTransport(handle), seen


SECRET = "s3cr3t/key with space"


def test_every_method_of_the_seed_is_catalogued_once():
    paths = {o.path for o in CATALOGUE}
    assert paths == {"set_token", "get_token", "users", "create_user", "delete_user", "user_hashes", "withdraw",
                     "reset_user_hashes", "reset_all_user_hashes", "balance", "hashes", "wmc_rate", "hash_rate",
                     "hash_rate_cli"}
    assert {o.name for o in CATALOGUE if o.moves_money} == {
        "wmp.withdraw", "wmp.reset_user_hashes", "wmp.reset_all_user_hashes", "wmp.delete_user", "wmp.get_token.unset",
        "wmp.set_token", "wmp.create_user"}  # every call that changes the server: journaled, sent once
    assert all(o.label for o in CATALOGUE if o.moves_money)


async def test_reads_of_the_account_and_its_users(wmp, pool, clock):
    active = {u["name"] for u in (await wmp.users()).to_api()["users"]}
    idle = {n for n, u in pool.users.items() if u.until is not None}
    assert idle and active and not active & idle  # /users omits users idle for more than 3 days
    name = sorted(idle)[0]
    assert await wmp.user_hashes(name) == pool.users[name].hashes(clock())  # read one by one instead
    before = await wmp.user_hashes("ada")
    clock.advance(60)
    assert await wmp.user_hashes("ada") == before + 60 * pool.users["ada"].rate  # hashes grow with the clock
    assert await wmp.hashes() == pool.account_hashes()
    assert await wmp.balance() == pool.balance()
    assert await wmp.wmc_rate(2) == pool.wmc_satoshi() * 2
    assert await wmp.hash_rate() == pool.hash_satoshi(cli=False)
    assert await wmp.hash_rate_cli() > await wmp.hash_rate()


async def test_users_are_created_withdrawn_from_reset_and_deleted(wmp, pool, clock):
    assert (await wmp.create_user("new.user@site", referral="from the spring campaign")).message
    assert pool.users["new.user@site"].referral == "from the spring campaign"
    with pytest.raises(ApiError, match="already exists"):
        await wmp.create_user("new.user@site")
    have = await wmp.user_hashes("ada")
    await wmp.withdraw("ada", 1000)
    assert await wmp.user_hashes("ada") == have - 1000
    with pytest.raises(ApiError, match="not enough hashes"):
        await wmp.withdraw("ada", have * 10)
    await wmp.reset_user_hashes("bram")
    assert await wmp.user_hashes("bram") == 0
    await wmp.delete_user("bram")
    with pytest.raises(ApiError, match="user not found"):
        await wmp.user_hashes("bram")
    await wmp.reset_all_user_hashes()
    assert await wmp.hashes() == 0


async def test_a_token_is_verified_at_its_end_hashes_and_unset_deletes_it_and_its_user(wmp, pool, clock):
    token = await wmp.set_token(500, "ada")
    state = await wmp.get_token(token.token_id)
    assert state.state == 0 and state.end_hashes == pool.users["ada"].mined(clock()) + 500
    assert state.done_at is not None and state.done_at.timezone == "UTC"
    unverified = await wmp.get_token_unset(token.token_id)
    assert unverified.state == 0 and token.token_id in pool.tokens  # unset deletes only a verified token
    clock.advance(500 / pool.users["ada"].rate + 1)
    assert (await wmp.get_token_unset(token.token_id)).state == 1
    assert token.token_id not in pool.tokens and "ada" not in pool.users
    with pytest.raises(NotFoundError, match="nonexistent token"):
        await wmp.get_token(token.token_id)
    account = await wmp.set_token(10)  # a goal for the whole account
    assert (await wmp.get_token(account.token_id)).end_hashes == pool.account_mined() + 10


async def test_a_wrong_secret_key_is_an_auth_error_that_names_the_secret_key(pool):
    async with WebMinePoolClient("http://sandbox.gmtui.invalid", "wrong-secret",
                                 transport=pool_client(pool)._http._transport) as c:
        with pytest.raises(AuthError) as refused:
            await c.balance()
    assert "secret key" in str(refused.value) and "wrong-secret" not in str(refused.value)


@pytest.mark.parametrize("call, message", [
    (lambda c: c.withdraw("ada", 0), "amount"),
    (lambda c: c.withdraw("ada", -5), "amount"),
    (lambda c: c.withdraw("ada", "1e3"), "amount"),
    (lambda c: c.withdraw("a/b", 5), "username"),
    (lambda c: c.user_hashes(""), "username"),
    (lambda c: c.create_user("ok", referral="line\nbreak"), "referral"),
    (lambda c: c.get_token("../balance"), "token id"),
])
async def test_parameters_are_checked_before_anything_is_sent(call, message):
    transport, seen = recording([(200, {"success": True}, {})])
    async with WebMinePoolClient("https://pool.example", SECRET, transport=transport) as c:
        with pytest.raises(RequestValidationError, match=message):
            await call(c)
    assert seen == []


async def test_calls_are_gets_with_percent_encoded_segments_and_optional_ones_dropped():
    transport, seen = recording([(200, {"success": True, "message": "ok", "token_id": "t1"}, {})])
    async with WebMinePoolClient("https://pool.example/base/", SECRET, transport=transport) as c:
        await c.create_user("ann@site.io", referral="a/b c?d")
        await c.create_user("bob")
        await c.set_token(100)
    raw = [r.url.raw_path.decode() for r in seen]
    secret = "s3cr3t%2Fkey%20with%20space"
    assert raw == [f"/base/api/{secret}/create_user/ann%40site.io/a%2Fb%20c%3Fd",
                   f"/base/api/{secret}/create_user/bob", f"/base/api/{secret}/set_token/100"]
    assert all(r.method == "GET" for r in seen)


@pytest.mark.parametrize("status", [200, 400, 500])
@pytest.mark.parametrize("message, error", [
    ("invalid api key", AuthError), ("nonexistent token", NotFoundError), ("internal error", ServerError),
    ("user not found", ApiError),
])
async def test_success_false_decides_whatever_the_http_status(status, message, error):
    transport, _ = recording([(status, {"success": False, "message": message}, {})])
    async with WebMinePoolClient("https://pool.example", SECRET, transport=transport, retry=None) as c:
        with pytest.raises(error) as refused:
            await c.get_token("abc")
    assert type(refused.value) is error or error is ApiError


async def test_redirects_are_never_followed_so_the_secret_never_goes_elsewhere():
    transport, seen = recording([(302, b"", {"Location": "https://elsewhere.example/steal"})])
    async with WebMinePoolClient("https://pool.example", SECRET, transport=transport) as c:
        with pytest.raises(UnexpectedResponse):
            await c.balance()
    assert len(seen) == 1 and seen[0].url.host == "pool.example"


async def test_the_secret_key_is_scrubbed_from_what_a_server_says(caplog):
    caplog.set_level(logging.DEBUG)
    echoed = f"invalid api key: /api/{SECRET}/balance and s3cr3t%2Fkey%20with%20space"
    transport, _ = recording([(200, {"success": False, "message": echoed}, {})])
    async with WebMinePoolClient("https://pool.example", SECRET, transport=transport) as c:
        with pytest.raises(AuthError) as refused:
            await c.balance()
        shown = f"{refused.value} {refused.value!r} {c!r}"
    assert "s3cr3t" not in shown and "***" in shown
    assert "s3cr3t" not in caplog.text


def wmp_cli(capsys, monkeypatch, *argv) -> tuple[int, str, str]:
    monkeypatch.setenv("GMTUI_PLATFORM", "webminepool")
    code = main(["--demo", *argv], clock=Clock())
    out, err = capsys.readouterr()
    return code, out, err


def test_get_users_prints_the_apis_own_array(capsys, monkeypatch):
    code, out, _ = wmp_cli(capsys, monkeypatch, "get", "users", "--format", "json")
    users = json.loads(out)
    assert code == 0 and users and set(users[0]) == {"api_key", "name", "hashes"}


@pytest.mark.parametrize("argv, key", [
    (["get", "balance"], "balance"), (["get", "hashes"], "hashes"), (["get", "rates"], "wmc_satoshi"),
    (["get", "user-hashes", "--user", "chen"], "hashes"),
])
def test_get_every_resource(capsys, monkeypatch, argv, key):
    code, out, _ = wmp_cli(capsys, monkeypatch, *argv, "--format", "json")
    assert code == 0 and key in json.loads(out)


def test_a_resource_the_platform_lacks_is_refused_with_its_list(capsys, monkeypatch):
    code, _, err = wmp_cli(capsys, monkeypatch, "get", "miners")
    assert code == 2 and "WebMinePool has no resource 'miners'" in err and "user-hashes" in err
    monkeypatch.setenv("GMTUI_PLATFORM", "gomining")
    assert main(["--demo", "get", "users"], clock=Clock()) == 2
    assert "GoMining has no resource 'users'" in capsys.readouterr().err
    monkeypatch.delenv("GMTUI_PLATFORM")  # without it, --demo opens the demo of the platform that has the resource
    assert main(["--demo", "get", "users", "--format", "json"], clock=Clock()) == 0
    assert "api_key" in capsys.readouterr().out


def test_an_unknown_token_exits_with_the_servers_words(capsys, monkeypatch):
    code, _, err = wmp_cli(capsys, monkeypatch, "get", "token", "--id", "nope")
    assert code != 0 and "nonexistent token" in err


def test_idle_users_fall_out_of_users_after_three_days(pool, clock):
    ada = pool.users["ada"]
    ada.until = clock() - IDLE_AFTER_S - 1
    assert not ada.active(clock())
    ada.until = clock() - IDLE_AFTER_S + 1
    assert ada.active(clock())
    assert pool.secret == DEMO_SECRET


# ---- profiles -----------------------------------------------------------------------


def test_an_old_config_file_loads_as_gomining_and_a_webminepool_profile_needs_no_api_key(isolated_home):
    from gmtui import config

    path = config.paths().config_file
    path.parent.mkdir(parents=True)
    config.write_private(path, b'[profiles.old]\nbase_url = "https://api.example"\napi_key = "k-123456"\n'
                               b'api_secret = "s-123456"\n\n[profiles.pool]\nplatform = "webminepool"\n'
                               b'base_url = "https://pool.example"\napi_secret = "wmp-secret-1"\n')
    loaded = config.load()
    assert loaded.profiles["old"].platform == "gomining" and loaded.profiles["pool"].platform == "webminepool"
    assert "api_key" not in loaded.profiles["pool"].to_toml()
    assert loaded.profiles["pool"].to_toml()["platform"] == "webminepool"


def test_gmtui_platform_overrides_and_a_gomining_profile_still_needs_its_key(monkeypatch):
    from gmtui import config
    from gmtui.api.errors import ConfigError

    monkeypatch.setenv("GMTUI_BASE_URL", "https://pool.example")
    monkeypatch.setenv("GMTUI_API_SECRET", "wmp-secret-1")
    with pytest.raises(ConfigError):
        config.resolve()  # GoMining: the API key is missing
    monkeypatch.setenv("GMTUI_PLATFORM", "webminepool")
    assert config.resolve().platform == "webminepool"
    monkeypatch.setenv("GMTUI_PLATFORM", "elsewhere")
    with pytest.raises(ConfigError, match="Platform"):
        config.resolve()


def test_profile_add_checks_a_webminepool_secret_key_against_the_server(capsys, monkeypatch, clock):
    from gmtui import session

    pool = State(clock=clock)
    real_check = session.check_profile

    async def check(profile, transport=None, clock=None):
        return await real_check(profile, transport=pool_client(pool)._http._transport)

    monkeypatch.setattr(session, "check_profile", check)
    monkeypatch.setenv("GMTUI_API_SECRET", "not-the-key")
    code = main(["profile", "add", "pool", "--platform", "webminepool", "--base-url", "https://pool.example",
                 "--no-keyring"])
    assert code == 2 and "does not accept this secret key" in capsys.readouterr().err
    monkeypatch.setenv("GMTUI_API_SECRET", DEMO_SECRET)
    assert main(["profile", "add", "pool", "--platform", "webminepool", "--base-url", "https://pool.example",
                 "--no-keyring"]) == 0
    assert main(["profile", "list"]) == 0
    out = capsys.readouterr().out
    assert "webminepool" in out and DEMO_SECRET not in out
