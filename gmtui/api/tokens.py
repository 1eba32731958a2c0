"""User JWTs for c2s calls: obtained with auth/init, refreshed when they expire.

Refresh rotates the pair: the refresh token that was sent is spent and is never sent
again. Concurrent callers for one user share a single refresh (one lock per user).
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import TYPE_CHECKING

from gmtui.api.catalogue import endpoint
from gmtui.api.errors import ApiError, AuthError
from gmtui.api.models import TokenPair

if TYPE_CHECKING:
    from gmtui.api.client import Client

# Refresh this many seconds before the JWT's `exp`.
LEEWAY_S = 30


def jwt_expiry(token: str) -> float | None:
    """The `exp` claim of a JWT (seconds since the epoch), read without verifying."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        exp = claims.get("exp")
        return float(exp) if isinstance(exp, (int, float)) else None
    except (IndexError, ValueError, AttributeError):
        return None


class TokenManager:
    """Keeps one token pair per partner user, in memory."""

    def __init__(self, client: Client):
        self._client = client
        self._pairs: dict[str, TokenPair] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def __repr__(self) -> str:
        return f"TokenManager(users={sorted(self._pairs)!r})"

    def secrets(self) -> list[str]:
        out = []
        for pair in self._pairs.values():
            out += [pair.jwt_token.get_secret_value(), pair.refresh_token.get_secret_value()]
        return out

    def set(self, user: str, pair: TokenPair) -> None:
        self._pairs[user] = pair

    def _lock(self, user: str) -> asyncio.Lock:
        return self._locks.setdefault(user, asyncio.Lock())

    def _fresh(self, user: str) -> str | None:
        pair = self._pairs.get(user)
        if pair is None:
            return None
        jwt = pair.jwt_token.get_secret_value()
        exp = jwt_expiry(jwt)
        if exp is not None and exp - LEEWAY_S <= self._client.clock():
            return None
        return jwt

    async def jwt(self, user: str) -> str:
        """A JWT for ``user`` that is not about to expire."""
        jwt = self._fresh(user)
        if jwt:
            return jwt
        async with self._lock(user):
            jwt = self._fresh(user)  # another caller may have renewed it meanwhile
            if jwt:
                return jwt
            return await self._renew_locked(user)

    async def renew(self, user: str, rejected: str) -> str:
        """A new JWT after the server refused ``rejected``."""
        async with self._lock(user):
            pair = self._pairs.get(user)
            if pair is not None and pair.jwt_token.get_secret_value() != rejected:
                return pair.jwt_token.get_secret_value()  # already renewed by another caller
            return await self._renew_locked(user)

    async def _renew_locked(self, user: str) -> str:
        pair = self._pairs.get(user)
        if pair is not None:
            old_jwt = pair.jwt_token.get_secret_value()
            refresh = pair.refresh_token.get_secret_value()
            # The refresh token is spent the moment it is sent: forget it first.
            del self._pairs[user]
            try:
                new = await self._client.send(
                    endpoint("auth.refresh.s2s"), {"refreshToken": refresh}, bearer=old_jwt
                )
                self._pairs[user] = new
                return new.jwt_token.get_secret_value()
            except ApiError:
                pass  # fall back to logging the user in again with the partner credentials
        try:
            new = await self._client.send(
                endpoint("auth.init"), self._client.validate_request(endpoint("auth.init"), {"partnerUserId": user})
            )
        except AuthError as exc:
            raise AuthError(
                f"cannot log user {user!r} in: {exc.server_message}", operation="auth.init", status=exc.status
            ) from None
        self._pairs[user] = new
        return new.jwt_token.get_secret_value()
