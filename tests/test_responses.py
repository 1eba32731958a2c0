"""Answers that do not match the documents become typed errors naming the operation
and the field; error bodies of any shape become errors a person can act on."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gmtui.api import errors as e
from gmtui.api.gomining.client import GoMiningClient


def client_answering(status: int, body, headers=None) -> GoMiningClient:
    def handler(request: httpx.Request) -> httpx.Response:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.Response(status, content=content, headers=headers or {})

    return GoMiningClient("http://api.test", "key", "secret", transport=httpx.MockTransport(handler))


STATS = {"user": {"id": 1, "partnerUserId": "u", "createdAt": "2023-01-15T10:30:00Z", "email": None},
         "stats": {"walletsCount": 3, "nftsCount": 10, "totalPowerTH": 1500.5, "avgEnergyEfficiency": 25.8,
                   "totalIncome": 0.00001593, "discount": 0.2}}


async def test_decimals_stay_exact_and_extra_fields_are_kept():
    async with client_answering(200, {"data": {**STATS, "newField": 1}}) as c:
        stats = await c.user_stats("u")
    assert stats.stats.total_income == Decimal("0.00001593")
    assert stats.to_api()["newField"] == 1


async def test_decimal_strings_and_empty_objects_in_balances():
    body = {"data": {"array": [{"id": 1, "gmtValueAtSyncDateNumeric": {}, "timeLockedValueAtSyncDateNumeric": {},
                                "flexibleStakingValueAtSyncDateNumeric": {}, "freezedValueNumericAtSyncDate": {},
                                "valueNumericAtSyncDate": "2000.85"}]}}
    async with client_answering(200, body) as c:
        [row] = await c.balances("u")
    assert row.value_numeric_at_sync_date == Decimal("2000.85") and row.gmt_value_at_sync_date_numeric is None


async def test_old_build_field_name_kwt_is_accepted():
    body = {"data": {"incomePerTh": 0.0000005, "btcRate": 90000, "gominingRate": 0.4, "kwt": 0.05, "serviceCost": 0.0089}}
    async with client_answering(200, body) as c:
        assert (await c.income_per_th()).kwh == Decimal("0.05")


@pytest.mark.parametrize(
    "body, field",
    [({"data": {"array": [{"id": 1, "createdAt": "2023-01-15T10:30:00Z", "name": "m", "energyEfficiency": 20}]}}, "data.array[0].power"),
     ({"data": {"array": [{"id": "x", "createdAt": "2023-01-15T10:30:00Z", "name": "m", "power": 1, "energyEfficiency": 20}]}}, "data.array[0].id"),
     ({"data": {"items": []}}, "data.array"),
     ({"result": []}, "data")],
)
async def test_missing_or_mistyped_fields_name_the_operation_and_field(body, field):
    async with client_answering(200, body) as c:
        with pytest.raises(e.UnexpectedResponse) as info:
            await c.miners("u")
    assert info.value.field == field and info.value.operation == "nft.get_my.s2s"
    assert "nft.get_my.s2s" in str(info.value) and field in str(info.value)


async def test_non_json_success_body():
    async with client_answering(200, b"<html>gateway</html>") as c:
        with pytest.raises(e.UnexpectedResponse, match="not JSON"):
            await c.collections()


async def test_false_on_a_money_move_is_an_error():
    async with client_answering(200, {"data": False}) as c:
        with pytest.raises(e.ApiError, match="nothing was done"):
            await c.transfer("u", 1, "v")


@pytest.mark.parametrize(
    "status, body, kind, text",
    [(400, {"statusCode": 400, "message": ["amount must not be less than 0"], "error": "Bad Request"}, e.RequestValidationError, "amount must not"),
     (401, {"message": "Invalid signature"}, e.SignatureError, "Invalid signature"),
     (400, {"message": "Timestamp for this request is outside of the recvWindow"}, e.TimestampError, "recvWindow"),
     (403, b"Forbidden", e.AuthError, "Forbidden"),
     (429, {"error": {"code": "RATE", "message": "slow down"}}, e.RateLimitError, "slow down"),
     (502, b"<html>bad gateway</html>", e.ServerError, "bad gateway"),
     (404, {}, e.NotFoundError, "no message"),
     (409, {"error": "duplicate"}, e.ConflictError, "duplicate")],
)
async def test_error_bodies_of_any_shape(status, body, kind, text):
    async with client_answering(status, body, {"Retry-After": "3"}) as c:
        with pytest.raises(kind) as info:
            await c.commission("u")  # a signed operation
    assert info.value.status == status and text in str(info.value)
    if kind is e.RateLimitError:
        assert info.value.retry_after == 3


async def test_signature_words_on_an_unsigned_call_are_an_auth_error():
    async with client_answering(401, {"message": "proof signature is invalid"}) as c:
        with pytest.raises(e.AuthError) as info:
            await c.collections()
    assert type(info.value) is e.AuthError


async def test_errors_never_echo_secrets():
    async with client_answering(401, {"message": "bad key 'key' for secret secret"}) as c:
        with pytest.raises(e.AuthError) as info:
            await c.collections()
    assert "secret secret" not in str(info.value) and "'key'" not in str(info.value)
    assert "secret" not in repr(c) and "key'" not in repr(c)


async def test_network_errors_say_whether_the_request_left():
    def refuse(request):
        raise httpx.ConnectError("refused")

    def drop(request):
        raise httpx.ReadTimeout("slow")

    for handler, sent in ((refuse, False), (drop, None)):
        async with GoMiningClient("http://api.test", "k", "s", transport=httpx.MockTransport(handler)) as c:
            with pytest.raises(e.NetworkError) as info:
                await c.collections()
        assert info.value.sent is sent


async def test_local_validation_happens_before_sending():
    calls = []
    c = GoMiningClient("http://api.test", "k", "s", transport=httpx.MockTransport(lambda r: calls.append(r)))
    with pytest.raises(e.RequestValidationError, match="partnerUserId") as info:
        await c.miners("x" * 256)
    assert calls == [] and info.value.status is None
    await c.aclose()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
    | st.integers(min_value=10**30, max_value=10**40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.one_of(
        json_values,
        st.fixed_dictionaries({"data": json_values}),
        st.fixed_dictionaries({"data": st.fixed_dictionaries({"array": st.lists(json_values, max_size=3)})}),
        st.fixed_dictionaries({"data": st.fixed_dictionaries(
            {k: json_values for k in ("user", "stats")})}),
    ),
    op=st.sampled_from(["miners", "stats", "totals", "transfer"]),
)
async def test_malformed_answers_never_crash(body, op):
    async with client_answering(200, body) as c:
        call = {"miners": lambda: c.miners("u"), "stats": lambda: c.user_stats("u"),
                "totals": lambda: c.income_totals("u"), "transfer": lambda: c.transfer("u", 1, "v")}[op]
        c.tokens._fresh = lambda user: "a.b.c"  # no auth/init round trip for c2s calls here
        try:
            await call()
        except (e.UnexpectedResponse, e.ApiError):
            pass


async def test_a_server_echoing_the_api_key_in_a_long_message_leaves_no_part_of_it():
    key = "k3y-" + "x" * 40
    message = "bad request " + "." * 280 + f" for key {key}"
    async with GoMiningClient("http://api.test", key, "secret", transport=httpx.MockTransport(
            lambda r: httpx.Response(400, json={"error": {"message": message}}))) as c:
        with pytest.raises(e.ApiError) as info:
            await c.commission("u")
    assert "k3y-" not in str(info.value)
