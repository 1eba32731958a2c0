"""User JWTs: obtained on first use, refreshed before expiry and after a 401,
one refresh for many concurrent callers, and a spent refresh token never resent."""

from __future__ import annotations

import asyncio

from gmtui.api.gomining.tokens import jwt_expiry


async def test_first_c2s_call_logs_the_user_in(client, state):
    await client.miners_c2s("alice")
    assert state.calls["auth.init"] == 1
    await client.miners_c2s("alice")
    assert state.calls["auth.init"] == 1


async def test_refresh_before_expiry(client, state, clock):
    await client.miners_c2s("alice")
    jwt = await client.tokens.jwt("alice")
    clock.advance(state.options.jwt_lifetime_s - 10)  # inside the leeway
    await client.miners_c2s("alice")
    assert state.calls["auth.refresh.s2s"] == 1
    assert await client.tokens.jwt("alice") != jwt
    assert jwt_expiry(await client.tokens.jwt("alice")) > clock()


async def test_renew_after_a_401(client, state, clock):
    await client.miners_c2s("alice")
    # The server forgets every key it signed (e.g. a restart): the JWT is refused.
    state._jwt_key = b"rotated"
    assert len(await client.miners_c2s("alice")) > 0
    assert state.calls["auth.refresh.s2s"] == 1  # refresh was tried (refused: JWT not valid)...
    assert state.calls["auth.init"] == 2  # ...then the user was logged in again


async def test_concurrent_callers_share_one_refresh(client, state, clock):
    await client.miners_c2s("alice")
    clock.advance(state.options.jwt_lifetime_s + 5)
    results = await asyncio.gather(*(client.miners_c2s("alice", limit=1) for _ in range(50)))
    assert all(len(r) == 1 for r in results)
    assert state.calls["auth.refresh.s2s"] == 1
    assert state.spent_refresh_presented == 0


async def test_tokens_are_not_in_reprs(client):
    await client.miners_c2s("alice")
    jwt = await client.tokens.jwt("alice")
    assert jwt not in repr(client.tokens) and jwt not in repr(client.tokens._pairs)


async def test_a_refresh_by_hand_is_remembered_so_the_spent_token_is_never_resent(client, state, clock):
    pair = await client.auth_init("alice")
    await client.refresh_s2s("alice", pair.refresh_token.get_secret_value())
    clock.advance(state.options.jwt_lifetime_s + 5)
    await client.miners_c2s("alice")  # needs a refresh: must use the new refresh token
    assert state.spent_refresh_presented == 0
    assert state.calls["auth.init"] == 1


# ---- tokens a hostile server could issue, and a token file another gmtui holds ---------

import base64  # noqa: E402
import fcntl  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402

import pytest  # noqa: E402

from gmtui.api.gomining import tokens as tokens_mod  # noqa: E402
from gmtui.api.errors import InUse, UnexpectedResponse  # noqa: E402
from gmtui.api.gomining.tokens import TokenStore  # noqa: E402


def jwt_with(claims: object) -> str:
    body = base64.urlsafe_b64encode(json.dumps(claims).encode() if not isinstance(claims, bytes) else claims)
    return "eyJhbGciOiJub25lIn0." + body.decode().rstrip("=") + ".sig"


@pytest.mark.parametrize("claims", [
    {"exp": int("1" + "0" * 400)}, {"exp": 1e308}, {"exp": -5}, {"exp": True}, {"exp": "soon"}, [1, 2],
    b"[" * 100_000 + b"]" * 100_000, b"\xff\xfe", {"exp": {"nested": 1}},
])
def test_a_jwt_whose_expiry_cannot_be_read_is_renewed_on_a_401_instead_of_crashing(claims):
    assert jwt_expiry(jwt_with(claims)) is None


@pytest.mark.parametrize("token", ["eyJ.a.b\r\nX-Injected: 1", "eyJ a.b.c", "eyJ.\x1b[2J.c", "", "é" * 10])
async def test_a_token_no_header_can_carry_is_refused_and_never_stored(state, tmp_path, monkeypatch, token):
    from gmtui.sandbox import demo_client
    from gmtui.sandbox.gomining import handlers

    real = handlers.HANDLERS["auth.init"]
    monkeypatch.setitem(handlers.HANDLERS, "auth.init", lambda st, call: {**real(st, call), "jwtToken": token})
    store = TokenStore(tmp_path / "tokens.json")
    async with demo_client(state, token_store=store) as client:
        with pytest.raises(UnexpectedResponse, match=r"auth\.init: unexpected response \(field data\.jwtToken\)") as raised:
            await client.rates("alice")
    assert (not token or token not in str(raised.value)) and not store.read()


def test_a_token_file_nested_deep_is_read_as_empty(tmp_path):
    path = tmp_path / "tokens.json"
    path.write_bytes(b'{"alice": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    path.chmod(0o600)
    assert TokenStore(path).read() == {}


async def test_a_token_file_held_by_another_gmtui_is_given_up_on_and_says_so(state, tmp_path, monkeypatch):
    from gmtui.sandbox import demo_client

    monkeypatch.setattr(tokens_mod, "WAIT_S", 0.2)
    store = TokenStore(tmp_path / "tokens.json")
    holder = os.open(tmp_path / "tokens.json.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        started = time.monotonic()
        async with demo_client(state, token_store=store) as client:
            with pytest.raises(InUse, match="in use by another gmtui"):
                await client.rates("alice")
        assert time.monotonic() - started < 2
    finally:
        os.close(holder)


async def test_logins_that_come_together_share_rewrites_and_every_pair_lands(tmp_path, monkeypatch):
    """A thousand users logging in at once used to rewrite the whole token file once
    each (O(users²)); logins that arrive together now share one rewrite, and each caller
    goes on only once its own pair is on disk."""
    import asyncio

    from gmtui.sandbox import Options, State, WorldSize, demo_client

    state = State(Options(size=WorldSize(60)))
    users = list(state.world.users)
    writes: list[int] = []
    real = TokenStore.update

    def counted(self, changes):
        writes.append(len(changes))
        real(self, changes)

    monkeypatch.setattr(TokenStore, "update", counted)
    store = TokenStore(tmp_path / "tokens.json")
    async with demo_client(state, token_store=store) as client:
        await asyncio.gather(*(client.income_totals(u) for u in users))
    on_disk = TokenStore(tmp_path / "tokens.json").read()
    assert set(on_disk) == set(users) and sum(writes) == len(users) and len(writes) <= len(users) // 3
    assert (tmp_path / "tokens.json").stat().st_mode & 0o777 == 0o600
    assert not any(tmp_path.glob(".tokens.json.*"))  # no temporary file left behind
