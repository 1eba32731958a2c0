"""The sandbox's checks at the HTTP level, with requests built by hand the way a
partner following the seeds would build them."""

from __future__ import annotations

import httpx
import pytest

from gmtui.api import wire
from gmtui.sandbox import BASE_URL, DEMO_API_KEY, DEMO_API_SECRET, in_process

P = "/api/partner"


@pytest.fixture
async def http(state):
    async with httpx.AsyncClient(base_url=BASE_URL, transport=in_process(state)) as client:
        yield client


def signed_get(path: str, query: str, secret: str = DEMO_API_SECRET, key: str | None = DEMO_API_KEY, sig_case=str.lower):
    headers = {"X-PARTNER-API-KEY": key} if key else {}
    return path + "?" + query + "&signature=" + sig_case(wire.sign(secret, query)), headers


def ms(clock) -> int:
    return int(clock() * 1000)


async def get(http, path, query, **kw):
    url, headers = signed_get(P + path, query, **kw)
    return await http.get(url, headers=headers)


async def post(http, path, body: dict, *, secret=DEMO_API_SECRET, extra: dict | None = None):
    signed = {**body, "signature": wire.sign(secret, wire.dumps(body)), **(extra or {})}
    return await http.post(P + path, content=wire.dumps(signed), headers={"X-PARTNER-API-KEY": DEMO_API_KEY})


def error(response) -> dict:
    return response.json()["error"]


async def test_signed_get_and_uppercase_signature(http, clock):
    r = await get(http, "/s2s/nft/get-my", f"partnerUserId=alice&timestamp={ms(clock)}&limit=2&offset=0", sig_case=str.upper)
    assert r.status_code == 200 and len(r.json()["data"]["array"]) == 2
    assert r.headers["Date"].endswith("GMT")


async def test_signed_post_follows_the_seed_recipe(http, clock):
    r = await post(http, "/s2s/auth/init", {"partnerUserId": "123", "timestamp": ms(clock)})
    assert r.status_code == 200 and set(r.json()["data"]) == {"jwtToken", "refreshToken"}


@pytest.mark.parametrize(
    "kw, status, code",
    [({"key": None}, 401, "MISSING_API_KEY"), ({"key": "wrong"}, 401, "INVALID_API_KEY"),
     ({"secret": "wrong"}, 401, "INVALID_SIGNATURE")],
)
async def test_key_and_signature_rejections(http, clock, kw, status, code):
    r = await get(http, "/s2s/user/get-stats", f"partnerUserId=alice&timestamp={ms(clock)}", **kw)
    assert (r.status_code, error(r)["code"]) == (status, code)


async def test_a_tampered_query_is_rejected(http, clock):
    url, headers = signed_get(P + "/s2s/nft/get-my", f"partnerUserId=alice&timestamp={ms(clock)}&limit=2")
    r = await http.get(url.replace("limit=2", "limit=3"), headers=headers)
    assert error(r)["code"] == "INVALID_SIGNATURE"


async def test_a_tampered_body_is_rejected(http, clock):
    body = {"partnerUserId": "alice", "walletAddress": "x", "amount": 1, "timestamp": ms(clock)}
    r = await post(http, "/s2s/income-withdraw/create-24h", body, extra={"amount": 2})
    assert error(r)["code"] == "INVALID_SIGNATURE"


@pytest.mark.parametrize(
    "offset_ms, window, code",
    [(-5_001, None, "TIMESTAMP_EXPIRED"), (-4_000, None, None), (-20_000, 30_000, None),
     (1_500, None, "TIMESTAMP_AHEAD"), (900, None, None), (0, 60_001, "INVALID_RECV_WINDOW")],
)
async def test_timestamp_window(http, clock, offset_ms, window, code):
    query = f"partnerUserId=alice&timestamp={ms(clock) + offset_ms}" + (f"&recvWindow={window}" if window else "")
    r = await get(http, "/s2s/user/get-stats", query)
    assert (error(r)["code"] if r.status_code != 200 else None) == code


@pytest.mark.parametrize(
    "query, field",
    [("partnerUserId=alice", "timestamp"), ("partnerUserId=alice&timestamp=12ab", "timestamp"),
     ("timestamp={ts}", "partnerUserId"), ("partnerUserId=alice&timestamp={ts}&limit=1000", "limit"),
     ("partnerUserId=alice&timestamp={ts}&offset=123456", "offset"),
     ("partnerUserId=alice&timestamp={ts}&colour=blue", "colour")],
)
async def test_parameter_rules(http, clock, query, field):
    r = await get(http, "/s2s/nft/get-my", query.format(ts=ms(clock)))
    assert r.status_code == 400 and error(r)["field"] == field


async def test_post_types_are_checked(http, clock):
    r = await post(http, "/s2s/nft/transfer", {"partnerUserId": "alice", "nftId": 0, "toPartnerUserId": "bob", "timestamp": ms(clock)})
    assert r.status_code == 400 and error(r)["field"] == "nftId"
    r = await post(http, "/s2s/auth/init", {"partnerUserId": "alice", "timestamp": str(ms(clock))})
    assert r.status_code == 400 and error(r)["field"] == "timestamp"


async def test_missing_signature_and_bad_json(http, clock):
    r = await http.get(P + f"/s2s/user/get-stats?partnerUserId=alice&timestamp={ms(clock)}", headers={"X-PARTNER-API-KEY": DEMO_API_KEY})
    assert error(r)["code"] == "MISSING_SIGNATURE"
    r = await http.post(P + "/s2s/auth/init", content=b"{not json", headers={"X-PARTNER-API-KEY": DEMO_API_KEY})
    assert (r.status_code, error(r)["code"]) == (400, "INVALID_JSON")


async def test_unknown_path_and_wrong_method(http):
    assert (await http.get(P + "/s2s/nope")).status_code == 404
    assert (await http.get(P + "/s2s/auth/init")).status_code == 405


async def test_jwt_rules_and_refresh_rotation(http, state, clock):
    r = await post(http, "/s2s/auth/init", {"partnerUserId": "alice", "timestamp": ms(clock)})
    pair = r.json()["data"]
    bearer = {"Authorization": f"Bearer {pair['jwtToken']}"}
    assert (await http.get(P + "/c2s/nft/get-my", headers=bearer)).status_code == 200
    assert (await http.get(P + "/c2s/nft/get-my")).status_code == 401
    clock.advance(state.options.jwt_lifetime_s + 1)
    r = await http.get(P + "/c2s/nft/get-my", headers=bearer)
    assert (r.status_code, error(r)["code"]) == (401, "TOKEN_EXPIRED")
    # Refresh works with the expired JWT and rotates the pair.
    r = await http.post(P + "/c2s/auth/refresh", json={"refreshToken": pair["refreshToken"]}, headers=bearer)
    new = r.json()["data"]
    assert new["refreshToken"] != pair["refreshToken"]
    assert (await http.get(P + "/c2s/nft/get-my", headers={"Authorization": f"Bearer {new['jwtToken']}"})).status_code == 200
    r = await http.post(P + "/c2s/auth/refresh", json={"refreshToken": pair["refreshToken"]})
    assert error(r)["code"] == "REFRESH_TOKEN_SPENT" and state.spent_refresh_presented == 1


async def test_a_forged_jwt_is_rejected(http, state):
    jwt, _ = state.issue_tokens("alice")
    head, body, sig = jwt.split(".")
    forged = f"{head}.{body[:-2]}xx.{sig}"
    r = await http.get(P + "/c2s/nft/get-my", headers={"Authorization": f"Bearer {forged}"})
    assert error(r)["code"] == "INVALID_TOKEN"


async def test_the_client_sends_exactly_the_bytes_it_signed(state):
    """Capture what goes on the wire and re-check the signature over it."""
    from gmtui.sandbox import demo_client

    seen: list[httpx.Request] = []
    inner = in_process(state)

    class Spy(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request):
            seen.append(request)
            return await inner.handle_async_request(request)

    async with demo_client(state) as client:
        client._http._transport = Spy()
        await client.miners("alice", limit=2, offset=0)
        await client.withdraw("alice", state.world.users["alice"].wallets[0].address, wire.loads("0.0007"))
    get_req, post_req = seen
    query = get_req.url.query.decode()
    unsigned, _, sig = query.rpartition("&signature=")
    assert unsigned.startswith("partnerUserId=alice&limit=2&offset=0&timestamp=")
    assert sig == wire.sign(DEMO_API_SECRET, unsigned)
    body = wire.loads(post_req.content)
    sig = body.pop("signature")
    assert post_req.content.decode() == wire.dumps({**body, "signature": sig})
    assert sig == wire.sign(DEMO_API_SECRET, wire.dumps(body))
    assert b'"amount":0.0007' in post_req.content  # an exact number, never a float repr
