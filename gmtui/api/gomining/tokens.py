"""User JWTs for c2s calls: obtained with auth/init, refreshed when they expire.

Refresh rotates the pair: the refresh token that was sent is spent and is never sent
again. Concurrent callers for one user share a single refresh (one lock per user).
With a :class:`TokenStore`, pairs live in a 0600 file shared by every gmtui process of
the profile (the CLI and the TUI may run at once): a renewal holds that user's lock
(a lock file per user, so that a thousand users renew side by side), re-reads the
user's pair (another process may have renewed already), forgets the spent refresh
token on disk before sending it, and writes the new pair before using it. Each rewrite
changes only its users' entries under the file's own lock, held only while it is
rewritten; writes that arrive together share one rewrite (a thousand logins make a few
dozen rewrites, not a thousand), each caller resuming only once its entry is on disk.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from gmtui.api import wire
from gmtui.api.gomining.catalogue import endpoint
from gmtui.api.errors import ApiError, AuthError, InUse
from gmtui.api.gomining.models import TokenPair
from gmtui.config import check_private, write_private

if TYPE_CHECKING:
    from gmtui.api.gomining.client import GoMiningClient as Client

# Refresh this many seconds before the JWT's `exp`.
LEEWAY_S = 30
MAX_EXP_S = 1e11  # an `exp` beyond the year 5000 is not a date
WAIT_S = 3.0  # how long to wait for another gmtui holding the token file


def jwt_expiry(token: str) -> float | None:
    """The `exp` claim of a JWT (seconds since the epoch), read without verifying; None
    when there is none gmtui can use (then the server's 401 says when to renew)."""
    try:
        payload = token.split(".")[1]
        claims = wire.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        exp = claims.get("exp") if isinstance(claims, dict) else None
        if isinstance(exp, bool) or not isinstance(exp, (int, Decimal)):
            return None
        value = float(exp)
        return value if 0 < value < MAX_EXP_S else None
    except (IndexError, ValueError, OverflowError):
        return None


class TokenStore:
    """Token pairs of one profile in ``path`` (JSON, mode 0600), guarded by ``path.lock``."""

    def __init__(self, path: Path):
        self.path = path
        self._lock_path = path.with_name(path.name + ".lock")
        self._seen: tuple[tuple[int, int, int], dict[str, object]] | None = None  # (the file's stat, its content)
        self._texts: dict[str, str] = {}  # each entry of _seen as JSON text: a rewrite encodes only what changed
        self._pending: dict[str, TokenPair | None] = {}
        self._batch: asyncio.Future[None] | None = None  # the rewrite that will carry _pending
        self._writing: asyncio.Lock | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"TokenStore({str(self.path)!r})"

    def _raw(self) -> dict[str, object]:
        """The file's content, parsed again only when the file has changed since it was
        last read or written here (another process replaces it: a new inode)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return {}
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        if self._seen is not None and self._seen[0] == stamp:
            return dict(self._seen[1])
        check_private(self.path)
        try:
            raw = json.loads(self.path.read_bytes())  # our own 0600 file: token strings only
        except (ValueError, OSError, RecursionError):
            return {}  # unreadable: the users log in again, nothing else is lost
        raw = raw if isinstance(raw, dict) else {}
        self._seen, self._texts = (stamp, raw), {}
        return dict(raw)

    @staticmethod
    def _pair(entry: object) -> TokenPair | None:
        try:
            return TokenPair.model_validate(entry)
        except (ValueError, TypeError):
            return None

    def read(self) -> dict[str, TokenPair]:
        return {str(user): pair for user, entry in self._raw().items() if (pair := self._pair(entry)) is not None}

    def read_one(self, user: str) -> TokenPair | None:
        """``user``'s pair as the file holds it now (another process may have renewed it)."""
        return self._pair(self._raw().get(user))

    def _take(self, fd: int, waited: float) -> bool:
        """Try ``fd``'s lock once; InUse once ``waited`` has reached ``WAIT_S``."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if waited >= WAIT_S:
                raise InUse(f"the token file {self.path} is in use by another gmtui (waited {WAIT_S:g} s); "
                            "try again when that one has finished") from None
            return False

    def update(self, changes: dict[str, TokenPair | None]) -> None:
        """Set (None: remove) the pairs of ``changes``' users in the file, leaving the
        others as they are."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            waited = 0.0
            while not self._take(fd, waited):  # held for a rewrite only, never across a network call
                time.sleep(0.01)
                waited += 0.01
            raw = self._raw()
            for user, pair in changes.items():
                self._texts.pop(user, None)
                if pair is None:
                    raw.pop(user, None)
                else:
                    raw[user] = {"jwtToken": pair.jwt_token.get_secret_value(),
                                 "refreshToken": pair.refresh_token.get_secret_value()}
            texts = self._texts
            body = ",".join(texts.get(u) or texts.setdefault(u, f"{json.dumps(u)}:{json.dumps(e)}") for u, e in raw.items())
            write_private(self.path, ("{" + body + "}").encode())
            st = os.stat(self.path)
            self._seen = ((st.st_ino, st.st_mtime_ns, st.st_size), raw)
        finally:
            os.close(fd)

    async def put(self, user: str, pair: TokenPair | None) -> None:
        """``update`` for one user, returning once the entry is on disk. Calls made while
        a rewrite is under way are gathered into the next one (group commit)."""
        self._pending[user] = pair
        batch = self._batch
        if batch is None:
            batch = self._batch = asyncio.get_running_loop().create_future()
            task = asyncio.ensure_future(self._commit(batch))
            self._tasks.add(task)  # held: the loop keeps only a weak reference to a task
            task.add_done_callback(self._tasks.discard)
        await asyncio.shield(batch)

    async def _commit(self, batch: asyncio.Future[None]) -> None:
        self._writing = self._writing or asyncio.Lock()
        async with self._writing:  # one rewrite at a time; the next batch gathers meanwhile
            self._batch = None if self._batch is batch else self._batch
            changes, self._pending = self._pending, {}
            try:
                await asyncio.to_thread(self.update, changes)
            except BaseException as exc:  # every caller of the batch learns it (InUse, OSError)
                batch.set_exception(exc)
                batch.exception()  # retrieved: a caller that was cancelled leaves no warning behind
                return
            batch.set_result(None)

    @contextlib.asynccontextmanager
    async def locked(self, user: str) -> AsyncIterator[None]:
        """``user``'s token lock, across processes: tried without blocking (so that
        Ctrl+C and `q` work while waiting), given up after ``WAIT_S``."""
        folder = self.path.with_name(self.path.name + ".locks")
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        name = hashlib.sha256(user.encode()).hexdigest()[:32]  # any user id makes a safe file name
        fd = os.open(folder / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            waited = 0.0
            while not self._take(fd, waited):
                await asyncio.sleep(0.05)
                waited += 0.05
            yield
        finally:
            os.close(fd)  # closing releases the lock


class TokenManager:
    """Keeps one token pair per partner user, in memory and in the optional store."""

    def __init__(self, client: Client, store: TokenStore | None = None):
        self._client = client
        self._store = store
        self._pairs: dict[str, TokenPair] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        if store is not None:
            self._pairs.update(store.read())  # a 0644 file is refused (ConfigError)

    def __repr__(self) -> str:
        return f"TokenManager(users={sorted(self._pairs)!r})"

    def secrets(self) -> list[str]:
        """Every token held (asked for when an error is scrubbed)."""
        return [t.get_secret_value() for pair in self._pairs.values() for t in (pair.jwt_token, pair.refresh_token)]

    async def set(self, user: str, pair: TokenPair) -> None:
        await self._put(user, pair)

    async def _put(self, user: str, pair: TokenPair | None) -> None:
        """Record ``pair`` for ``user`` (None forgets it): on disk first, then in memory."""
        if self._store is not None:
            await self._store.put(user, pair)
        if pair is None:
            self._pairs.pop(user, None)
        else:
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
        return await self._renew(user, rejected=None)

    async def renew(self, user: str, rejected: str) -> str:
        """A new JWT after the server refused ``rejected``."""
        return await self._renew(user, rejected)

    async def _renew(self, user: str, rejected: str | None) -> str:
        async with self._lock(user), self._store.locked(user) if self._store else contextlib.nullcontext():
            if self._store is not None:
                stored = self._store.read_one(user)  # another process may have renewed it
                if stored is not None:
                    self._pairs[user] = stored
                else:
                    self._pairs.pop(user, None)
            pair = self._pairs.get(user)
            if pair is not None:
                jwt = pair.jwt_token.get_secret_value()
                if (rejected is None and self._fresh(user)) or (rejected is not None and jwt != rejected):
                    return jwt  # already renewed by another caller
            return await self._renew_locked(user)

    async def _renew_locked(self, user: str) -> str:
        pair = self._pairs.get(user)
        if pair is not None:
            old_jwt = pair.jwt_token.get_secret_value()
            refresh = pair.refresh_token.get_secret_value()
            # The refresh token is spent the moment it is sent: forget it first, on disk too.
            await self._put(user, None)
            try:
                new = await self._client.send(
                    endpoint("auth.refresh.s2s"), {"refreshToken": refresh}, bearer=old_jwt
                )
                await self._put(user, new)  # persisted before it is used
                return new.jwt_token.get_secret_value()
            except ApiError:
                pass  # fall back to logging the user in again with the partner credentials
        ep = endpoint("auth.init")
        params = self._client.validate_request(ep, {"partnerUserId": user})
        try:
            new = await self._client.retry.run(lambda: self._client.send(ep, params))
        except AuthError as exc:
            raise AuthError(
                f"cannot log user {user!r} in: {exc.server_message}; log in again "
                "(check the profile's API key and secret)", operation="auth.init", status=exc.status
            ) from None
        await self._put(user, new)
        return new.jwt_token.get_secret_value()
