"""User JWTs: obtained on first use, refreshed before expiry and after a 401,
one refresh for many concurrent callers, and a spent refresh token never resent."""

from __future__ import annotations

import asyncio

from gmtui.api.tokens import jwt_expiry


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
