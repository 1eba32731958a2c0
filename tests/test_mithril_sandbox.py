"""The Mithril Vault sandbox (seed 003), driven over HTTP the way a partner's server
calls Vault: signatures, timestamps and nonces; the bind flow; mining activities
processed every 10 sandbox minutes; paging, the rate limit, unbinding; the served app
with its authorize page. Requests are signed with the client's signer (the sandbox has
its own), so each checks the other."""

from __future__ import annotations

import json
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from gmtui.api.mithril import models, signing
from gmtui.sandbox import _Transport
from gmtui.sandbox.faults import Faults
from gmtui.sandbox.mithril import state as vs
from gmtui.sandbox.mithril.server import ROUTES, VaultSandbox
from gmtui.sandbox.serve import VAULT_PREFIX, asgi

from tests.conftest import Clock

SEED_KEY = ("ba25da088600b74d608ea44a4cb03bd0c898432875be9eaa0ffaf273f03949707d58b6d9724bcdf94f33aeedfb9418d931ef8b"
            "ebf0e081251f16ce91b7e80730")
SEED_CLIENT = "3b6fdff04b7127e9a3bca33b7f2ec731"
SEED_SIGNATURE = ("e09d0997c3399b9575c7ad33b12903fbc0899a8812f1ad9de017f570404e165ab220a9ff0bdf36c276dc08452e9e03a6"
                  "49445dfe264a8db96a6b5768e1fa9641")


class Vault:
    """A partner's server talking to the sandbox: signs every call with a fresh nonce."""

    def __init__(self, state: vs.State, http: httpx.AsyncClient | None = None, prefix: str = ""):
        self.state, self.prefix, self.n = state, prefix, 0
        self.sandbox = VaultSandbox(state, prefix)
        self.http = http or httpx.AsyncClient(transport=_Transport(self.sandbox), base_url="http://vault.test")

    def base(self, **extra: Any) -> dict[str, Any]:
        self.n += 1
        return {"client_id": self.state.client_id, "timestamp": int(self.state.clock()), "nonce": f"n{self.n}",
                **extra}

    async def call(self, method: str, path: str, token: str | None = None, *, params: dict[str, Any] | None = None,
                   key: str | None = None, **extra: Any) -> httpx.Response:
        key = key or self.state.client_key
        headers = {"Authorization": token} if token else {}
        payload = params if params is not None else self.base(**extra)
        if method == "POST":
            raw, headers[signing.HEADER] = signing.signed_body(payload, key)
            return await self.http.post(self.prefix + path, content=raw, headers=headers)
        query, headers[signing.HEADER] = signing.signed_query(payload, key)
        return await self.http.request(method, self.prefix + path, params=query, headers=headers)

    async def submit(self, token: str, uuid: str, reward: Any = Decimal("1.5"), **extra: Any) -> httpx.Response:
        return await self.call("POST", "/mining", token, **{"mining_key": "demo", "uuid": uuid, "reward": reward,
                                                           "happened_at": "2026-11-21T11:00:00", **extra})

    async def one(self, token: str, uuid: str) -> dict[str, Any]:
        found = (await self.call("GET", "/mining", token, mining_key="demo", uuid=uuid)).json()["results"]
        assert len(found) == 1
        return found[0]

    async def bind(self, user: str, account: int | None = None) -> str:
        url = self.state.approve("st-" + user, user, account)
        code = parse_qs(urlsplit(url).query)["grant_code"][0]
        answer = await self.call("POST", "/oauth/token", state="st-" + user, grant_code=code)
        assert answer.status_code == 200, answer.text
        return models.Token.model_validate(answer.json()).token


@pytest.fixture
def vault(clock) -> Vault:
    return Vault(vs.State(clock=clock))


@pytest.fixture
def alice(vault) -> str:
    return vault.state.demo_tokens()["alice"]


def refused(answer: httpx.Response, status: int, code: str) -> str:
    assert (answer.status_code, answer.json()["error"]) == (status, code), answer.text
    assert answer.headers["Date"]
    return answer.json()["message"]


def fresh_uuid(state: vs.State, rejected: bool = False) -> str:
    return next(f"act-{i}" for i in range(1000) if state.rejects(f"act-{i}") == rejected)


# ---- signatures, timestamps, nonces


async def test_the_seeds_vector_is_accepted():
    clock = Clock(1543593600)
    vault = Vault(vs.State(clock=clock, client_id=SEED_CLIENT, client_key=SEED_KEY))
    params = {"client_id": SEED_CLIENT, "nonce": "2a4355be3210faeb9007111228132f3b", "timestamp": 1543593600}
    answer = await vault.http.get("/oauth/balance", params=params, headers={"X-Vault-Signature": SEED_SIGNATURE})
    assert answer.status_code == 200, answer.text
    balance = models.AppBalances.model_validate(answer.json()).root[0]
    assert balance.currency == "MITH" and Decimal(49000) < balance.balance <= vs.CAPITAL
    assert answer.headers["Date"] == "Fri, 30 Nov 2018 16:00:00 GMT"


async def test_a_bad_signature_a_stale_timestamp_or_a_replayed_nonce_is_forbidden(vault, clock):
    assert "signature" in refused(await vault.call("GET", "/oauth/balance", key="00" * 64), 403, "FORBIDDEN_ERROR")
    hex_text_key = signing.sign(vault.base(), vault.state.client_key.encode().hex())  # keyed with the text: wrong
    text = await vault.http.get("/oauth/balance", params=vault.base(), headers={"X-Vault-Signature": hex_text_key})
    refused(text, 403, "FORBIDDEN_ERROR")
    unsigned = await vault.http.get("/oauth/balance", params=vault.base())
    refused(unsigned, 403, "FORBIDDEN_ERROR")
    stranger = vault.base(client_id="0" * 32)
    refused(await vault.call("GET", "/oauth/balance", params=stranger), 403, "FORBIDDEN_ERROR")
    for skew in (-vs.WINDOW_S - 1, vs.WINDOW_S + 1):
        stale = vault.base(timestamp=int(clock()) + skew)
        assert "timestamp" in refused(await vault.call("GET", "/oauth/balance", params=stale), 403, "FORBIDDEN_ERROR")
    assert (await vault.call("GET", "/oauth/balance", params=vault.base(timestamp=int(clock()) - 299))).status_code == 200
    once = vault.base()
    assert (await vault.call("GET", "/oauth/balance", params=once)).status_code == 200
    assert "nonce" in refused(await vault.call("GET", "/oauth/balance", params=once), 403, "FORBIDDEN_ERROR")
    refused(await vault.call("GET", "/oauth/balance", params=vault.base(nonce="x" * 65)), 403, "FORBIDDEN_ERROR")


async def test_a_clock_offset_shifts_the_servers_clock(clock):
    vault = Vault(vs.State(clock=clock, faults=Faults(clock_offset_s=400)))
    late = await vault.call("GET", "/oauth/balance")
    assert "timestamp" in refused(late, 403, "FORBIDDEN_ERROR")
    server_now = int(parsedate_to_datetime(late.headers["Date"]).timestamp())  # resync from Date
    assert server_now == clock() + 400
    synced = await vault.call("GET", "/oauth/balance", params=vault.base(timestamp=server_now))
    assert synced.status_code == 200


async def test_a_post_signs_a_small_reward_as_python_parses_it(vault, alice):
    answer = await vault.submit(alice, "tiny", Decimal("0.00001"))
    assert (answer.status_code, answer.content) == (201, b"null")
    assert vault.state.activities["tiny"].reward == Decimal("0.00001")
    body = vault.base(mining_key="demo", uuid="as-text", reward=Decimal("0.00001"), happened_at="2026-11-21T11:00:00")
    raw = json.dumps({**body, "reward": 0.00001}).encode()
    as_text = signing.sign({**body, "reward": "0.00001"}, vault.state.client_key)  # not what the server parses
    wrong = await vault.http.post("/mining", content=raw, headers={"Authorization": alice, signing.HEADER: as_text})
    refused(wrong, 403, "FORBIDDEN_ERROR")


# ---- binding


async def test_the_bind_flow_from_approval_to_user_info(vault):
    url = vault.state.approve("st-1", "dave")
    parts = urlsplit(url)
    assert url.startswith(vs.REDIRECT_URI + "?")
    query = parse_qs(parts.query)
    code = query["grant_code"][0]
    assert query["state"] == ["st-1"] and len(code) == 128 and int(code, 16) >= 0
    answer = await vault.call("POST", "/oauth/token", state="st-1", grant_code=code)
    token = models.Token.model_validate(answer.json()).token
    assert len(token) == 128 and vault.state.bindings[token].user_id == "dave"
    info = models.UserInfo.model_validate((await vault.call("GET", "/oauth/user-info", token)).json())
    assert info.balance == info.amount + info.staked_amount and info.amount >= vs.NEW_USER_MITH
    assert 0 <= info.kyc_level <= 2 and 0 <= info.stake_level <= 3
    again = await vault.call("POST", "/oauth/token", state="st-1", grant_code=code)
    refused(again, 400, "BAD_REQUEST_ERROR")  # a code works once


async def test_a_grant_code_needs_its_state_and_expires(vault, clock):
    code = parse_qs(urlsplit(vault.state.approve("st-2", "erin")).query)["grant_code"][0]
    refused(await vault.call("POST", "/oauth/token", state="other", grant_code=code), 400, "BAD_REQUEST_ERROR")
    refused(await vault.call("POST", "/oauth/token", state="st-2", grant_code="ab" * 64), 400, "BAD_REQUEST_ERROR")
    clock.advance(601)
    assert "expired" in refused(await vault.call("POST", "/oauth/token", state="st-2", grant_code=code),
                                403, "FORBIDDEN_ERROR")


async def test_deny_and_binding_twice(vault):
    assert parse_qs(urlsplit(vault.state.deny("st-3")).query) == {"error": ["access_denied"], "state": ["st-3"]}
    for user, account in (("alice", None), ("zed", 0)):
        with pytest.raises(vs.Refused) as refusal:
            vault.state.approve("st-4", user, account)
        assert (refusal.value.status, refusal.value.code) == (403, "OAUTH_ALREADY_BIND_ERROR")
    assert vault.state.bindings[await vault.bind("zed")].account == 3  # the first unbound account
    with pytest.raises(vs.Refused, match="already bound"):
        vault.state.approve("st-5", "zed")


async def test_unbinding_ends_the_token_and_frees_the_user(vault, alice):
    refused(await vault.call("DELETE", "/oauth/token"), 400, "INPUT_FIELD_INVALID_ERROR")
    answer = await vault.call("DELETE", "/oauth/token", alice)
    assert (answer.status_code, answer.content) == (204, b"") and answer.headers["Date"]
    refused(await vault.call("GET", "/oauth/user-info", alice), 403, "FORBIDDEN_ERROR")
    refused(await vault.call("DELETE", "/oauth/token", alice), 400, "INPUT_FIELD_INVALID_ERROR")
    assert vault.state.bindings[await vault.bind("alice", 0)].account == 0  # bound again


async def test_user_calls_need_the_raw_token(vault, alice):
    refused(await vault.call("GET", "/oauth/user-info"), 403, "FORBIDDEN_ERROR")
    refused(await vault.call("GET", "/oauth/user-info", "Bearer " + alice), 403, "FORBIDDEN_ERROR")
    refused(await vault.call("GET", "/mining", "f" * 128, mining_key="demo"), 403, "FORBIDDEN_ERROR")
    assert (await vault.call("GET", "/oauth/user-info", alice)).status_code == 200


# ---- mining activities


async def test_a_reward_is_processed_at_ticks_and_paid_from_capital(vault, alice, clock):
    state, uuid = vault.state, fresh_uuid(vault.state)
    before = models.UserInfo.model_validate((await vault.call("GET", "/oauth/user-info", alice)).json())
    capital = state.capital
    assert (await vault.submit(alice, uuid, Decimal("12.5"))).status_code == 201
    flying = {a.uuid for a in state.activities.values() if a.status in ("PENDING", "MINING")}
    assert len(flying) > 1 and uuid in flying
    first = await vault.one(alice, uuid)
    assert (first["status"], Decimal(str(first["amount"])), first["happened_at"]) == ("PENDING", 0,
                                                                                      "2026-11-21T11:00:00")
    clock.advance(vs.TICK_S)
    assert (await vault.one(alice, uuid))["status"] == "MINING"
    clock.advance(vs.TICK_S)
    done = models.Activity.model_validate(await vault.one(alice, uuid))
    assert (done.status, done.amount, done.reward) == ("MINED", Decimal("12.5"), Decimal("12.5"))
    assert done.updated_at == "2026-11-21T12:20:00"
    mined = [a for a in state.activities.values() if a.uuid in flying and a.status == "MINED"]
    assert {a.uuid for a in mined} == flying  # the demo's rewards in flight were paid too
    after = models.UserInfo.model_validate((await vault.call("GET", "/oauth/user-info", alice)).json())
    assert after.amount - before.amount == sum(a.reward for a in mined if a.account == 0)
    assert after.balance == after.amount + after.staked_amount
    balance = models.AppBalances.model_validate((await vault.call("GET", "/oauth/balance")).json()).root[0]
    assert balance.balance == capital - sum(a.reward for a in mined) == state.capital
    assert balance.updated_at == "2026-11-21T12:20:00"


async def test_short_capital_and_the_deterministic_share_are_rejected(clock):
    vault = Vault(vs.State(clock=clock, demo=False))
    assert not vault.state.bindings and not vault.state.activities and vault.state.capital == vs.CAPITAL
    token = await vault.bind("dave")
    big, unlucky = fresh_uuid(vault.state), fresh_uuid(vault.state, rejected=True)
    assert (await vault.submit(token, big, 60000)).status_code == 201
    assert (await vault.submit(token, unlucky, 1)).status_code == 201
    clock.advance(vs.TICK_S)
    assert (await vault.one(token, unlucky))["status"] == "REJECTED"
    clock.advance(vs.TICK_S)
    assert (await vault.one(token, big))["status"] == "REJECTED"
    assert vault.state.capital == vs.CAPITAL
    info = (await vault.call("GET", "/oauth/user-info", token)).json()
    assert Decimal(str(info["amount"])) == vault.state.accounts[vault.state.bindings[token].account].amount


async def test_a_submission_is_validated(vault, alice):
    bad = [{"mining_key": "nope"}, {"reward": 0}, {"reward": -1}, {"reward": "1"}, {"reward": True},
           {"reward": Decimal("1.123456789")}, {"happened_at": "2026-11-21T11:00:00Z"},
           {"happened_at": "2026-13-41T11:00:00"}, {"happened_at": None}, {"uuid": ""}, {"uuid": "u" * 65},
           {"uuid": 7}]
    for change in bad:
        body = {"mining_key": "demo", "uuid": "v1", "reward": Decimal("1"), "happened_at": "2026-11-21T11:00:00",
                **change}
        answer = await vault.call("POST", "/mining", alice, **body)
        refused(answer, 400, "INPUT_FIELD_INVALID_ERROR")
    assert "v1" not in vault.state.activities
    assert (await vault.submit(alice, "v1", Decimal("0.12345678"))).status_code == 201
    assert "duplicated" in refused(await vault.submit(alice, "v1"), 409, "CONFLICT_ERROR")
    bob = vault.state.demo_tokens()["bob"]
    refused(await vault.submit(bob, "v1"), 409, "CONFLICT_ERROR")  # unique per application


async def test_only_a_pending_activity_can_be_deleted(vault, alice, clock):
    state = vault.state
    first, second = fresh_uuid(state), "x-" + fresh_uuid(state)
    await vault.submit(alice, first)
    await vault.submit(alice, second)
    bob = state.demo_tokens()["bob"]
    refused(await vault.call("DELETE", "/mining", bob, mining_key="demo", uuid=first), 400, "INPUT_FIELD_INVALID_ERROR")
    answer = await vault.call("DELETE", "/mining", mining_key="demo", uuid=first)  # Authorization optional
    assert (answer.status_code, answer.content) == (204, b"")
    assert (await vault.one(alice, first))["status"] == "DELETED"
    refused(await vault.call("DELETE", "/mining", mining_key="demo", uuid=first), 400, "INPUT_FIELD_INVALID_ERROR")
    refused(await vault.call("DELETE", "/mining", mining_key="demo", uuid="nobody"), 400, "INPUT_FIELD_INVALID_ERROR")
    refused(await vault.call("DELETE", "/mining", mining_key="bad", uuid=second), 400, "INPUT_FIELD_INVALID_ERROR")
    clock.advance(2 * vs.TICK_S)
    state.process()  # what any request does first
    assert state.activities[second].status in ("MINED", "REJECTED")
    assert "not PENDING" in refused(await vault.call("DELETE", "/mining", alice, mining_key="demo", uuid=second),
                                    400, "INPUT_FIELD_INVALID_ERROR")
    assert state.activities[first].status == "DELETED"  # never processed


async def test_the_list_pages_newest_first_and_filters_by_uuid(clock):
    vault = Vault(vs.State(clock=clock, mining_limit=None))
    alice, state = vault.state.demo_tokens()["alice"], vault.state
    for i in range(5):
        await vault.submit(alice, f"page-{i}")
    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        extra = {"next_id": cursor} if cursor else {}
        page = models.Activities.model_validate((await vault.call("GET", "/mining", alice, mining_key="demo",
                                                                  **extra)).json())
        assert len(page.items) <= vs.PAGE
        seen += [a.model_dump() for a in page.items]
        if page.next_id is None:
            break
        assert len(page.items) == vs.PAGE
        cursor = page.next_id
    mine = sorted((a for a in state.activities.values() if a.account == 0), key=lambda a: a.seq, reverse=True)
    assert len(mine) > 2 * vs.PAGE and [a["uuid"] for a in seen] == [a.uuid for a in mine]
    assert seen[0]["uuid"] == "page-4"
    assert {a["status"] for a in seen} >= {"MINED", "PENDING"}
    bob = state.demo_tokens()["bob"]
    assert (await vault.call("GET", "/mining", bob, mining_key="demo", uuid="page-1")).json() == {
        "results": [], "next_id": None}  # alice's activity is not bob's
    assert (await vault.one(alice, "page-1"))["uuid"] == "page-1"
    refused(await vault.call("GET", "/mining", alice, mining_key="demo", next_id="x"), 400, "INPUT_FIELD_INVALID_ERROR")
    refused(await vault.call("GET", "/mining", alice, mining_key="nope"), 400, "INPUT_FIELD_INVALID_ERROR")


async def test_the_list_is_rate_limited_per_token(vault, alice, clock):
    for _ in range(10):
        assert (await vault.call("GET", "/mining", alice, mining_key="demo")).status_code == 200
    limited = await vault.call("GET", "/mining", alice, mining_key="demo")
    refused(limited, 429, "TOO_MANY_REQUEST_ERROR")
    assert int(limited.headers["Retry-After"]) >= 1
    bob = vault.state.demo_tokens()["bob"]
    assert (await vault.call("GET", "/mining", bob, mining_key="demo")).status_code == 200
    clock.advance(10)
    assert (await vault.call("GET", "/mining", alice, mining_key="demo")).status_code == 200


# ---- routing, faults, determinism


async def test_routes_follow_the_catalogue_and_unknown_ones_are_refused(vault):
    from gmtui.api.mithril.catalogue import CATALOGUE

    assert {(m, p, op) for p, ms in ROUTES.items() for m, op in ms.items()} == {(o.method, o.path, o.name)
                                                                              for o in CATALOGUE}
    refused(await vault.http.get("/donate"), 404, "NOT_FOUND_ERROR")
    wrong = await vault.http.put("/mining")
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]
    refused(await vault.http.post("/mining", content=b"{not json"), 400, "INPUT_FIELD_INVALID_ERROR")


async def test_faults_apply_per_operation(clock):
    vault = Vault(vs.State(clock=clock, faults=Faults(error_rate=1.0, ops=("vault.oauth.balance",))))
    refused(await vault.call("GET", "/oauth/balance"), 503, "INTERNAL_SERVER_ERROR")
    alice = vault.state.demo_tokens()["alice"]
    assert (await vault.call("GET", "/oauth/user-info", alice)).status_code == 200
    limited = Vault(vs.State(clock=clock, faults=Faults(rate_limit_rate=1.0, retry_after_s=3)))
    answer = await limited.call("GET", "/oauth/balance")
    assert (answer.status_code, answer.headers["Retry-After"]) == (429, "3")
    dropping = Vault(vs.State(clock=clock, faults=Faults(drop_after_rate=1.0, ops=("vault.mining.submit",))))
    with pytest.raises(httpx.RemoteProtocolError):
        await dropping.submit(dropping.state.demo_tokens()["alice"], "dropped")
    assert dropping.state.activities["dropped"].status == "PENDING"  # committed, then the answer was lost
    assert dropping.sandbox.calls == {"vault.mining.submit": 1}


async def test_the_same_seed_and_clock_give_the_same_answers():
    async def run(seed: int) -> list[tuple[int, bytes]]:
        clock = Clock(1795262400)
        vault = Vault(vs.State(seed=seed, clock=clock))
        token = await vault.bind("dave")
        answers = [await vault.call("GET", "/oauth/user-info", token), await vault.submit(token, "d-1"),
                   await vault.call("GET", "/mining", vault.state.demo_tokens()["alice"], mining_key="demo"),
                   await vault.call("GET", "/oauth/balance")]
        clock.advance(3 * vs.TICK_S)
        answers.append(await vault.call("GET", "/mining", token, mining_key="demo"))
        return [(a.status_code, a.content) for a in answers] + [(0, token.encode())]

    assert await run(7) == await run(7)
    assert await run(7) != await run(8)


# ---- served: the ASGI app and the authorize page


async def test_the_served_app_and_its_authorize_page(clock):
    state = vs.State(clock=clock)
    app = asgi({VAULT_PREFIX: VaultSandbox(state, VAULT_PREFIX)})
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8787")
    vault = Vault(state, http, VAULT_PREFIX)
    assert (await vault.call("GET", "/oauth/balance")).status_code == 200
    page = await http.get("/vault/web/")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "location.hash" in page.text and "/vault/web/approve" in page.text and "/vault/web/deny" in page.text
    assert "src=" not in page.text and "href=" not in page.text  # self-contained
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    names = {a.name for a in state.unbound()}
    assert all(name in page.text for name in names) and "mika" not in page.text  # mika is alice's
    form = {"client_id": state.client_id, "state": "st<&>", "user_id": "dave", "account": ""}
    approved = await http.post("/vault/web/approve", data=form)
    assert approved.status_code == 302
    location = urlsplit(approved.headers["Location"])
    query = parse_qs(location.query)
    assert location._replace(query="").geturl() == vs.REDIRECT_URI and query["state"] == ["st<&>"]
    token = await vault.call("POST", "/oauth/token", state="st<&>", grant_code=query["grant_code"][0])
    assert token.status_code == 200
    taken = await http.post("/vault/web/approve", data={**form, "user_id": "alice"})
    assert taken.status_code == 403 and "OAUTH_ALREADY_BIND_ERROR" in taken.text
    stranger = await http.post("/vault/web/approve", data={**form, "client_id": "<b>x</b>"})
    assert stranger.status_code == 403 and "<b>" not in stranger.text
    denied = await http.post("/vault/web/deny", data=form)
    assert denied.status_code == 302 and "error=access_denied" in denied.headers["Location"]
    await http.aclose()


async def test_gmtui_sandbox_mounts_the_vault(monkeypatch, capsys):
    import uvicorn

    from gmtui.cli import main

    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(app=app, **kw))
    clock = Clock()
    assert main(["sandbox", "--users", "1", "--days", "3", "--today", "2026-11-21"], clock=clock) == 0
    out = capsys.readouterr().out
    state = vs.State(clock=clock)
    assert "GMTUI_PLATFORM=mithril GMTUI_BASE_URL=http://127.0.0.1:8787/vault " in out
    assert "GMTUI_WEB_URL=http://127.0.0.1:8787/vault/web/" in out
    assert f"GMTUI_API_KEY={state.client_id} GMTUI_API_SECRET={state.client_key} GMTUI_MINING_KEY=demo" in out
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=served["app"]), base_url="http://127.0.0.1:8787")
    answer = await Vault(state, http, VAULT_PREFIX).call("GET", "/oauth/balance")
    assert answer.status_code == 200 and Decimal(str(answer.json()[0]["balance"])) == state.capital
    await http.aclose()
