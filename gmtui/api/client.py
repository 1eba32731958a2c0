"""The HTTP core every platform's client stands on: send, bound, retry, cache, journal.

One shared ``httpx.AsyncClient`` per client, redirects never followed. A platform's
client says how to name, check, build and parse its operations (``endpoint``,
``validate_request``, ``build``, ``parse_answer``) and which credential a call needs
(``_attempt``); everything else (the deadline, bounded bodies, retries of reads, the
cache, sharing reads in flight, journaling money moves and sending them once, the
server's clock) is here, once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import httpx
import pydantic

from gmtui import __version__
from gmtui.api import body, wire
from gmtui.api import cache as cache_mod
from gmtui.api.cache import Cache
from gmtui.api.errors import (
    ApiError,
    NetworkError,
    NotCached,
    RateLimitError,
    RequestValidationError,
    ServerError,
    TimestampError,
    UnexpectedResponse,
)
from gmtui.api.gate import Gate
from gmtui.api.shards import Shards
from gmtui.api.journal import Journal
from gmtui.api.retry import NO_RETRY, RetryPolicy

log = logging.getLogger("gmtui.api")


class Operation(Protocol):
    """What the core needs of a catalogue row, whatever the platform."""

    @property
    def name(self) -> str: ...
    @property
    def method(self) -> str: ...
    @property
    def moves_money(self) -> bool: ...
    @property
    def cacheable(self) -> bool: ...


def field_path(loc: tuple[Any, ...]) -> str:
    """A pydantic error location as a person reads it: ``data.array[2].name``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def json_body(content: bytes, status: int, operation: str) -> Any:
    """An answer's JSON (bounded, see wire.loads); None for an empty or unreadable error
    body; UnexpectedResponse for an unreadable success."""
    try:
        return wire.loads(content) if content else None
    except ValueError as exc:
        if status < 400:
            reason = str(exc) if isinstance(exc, wire.Unreadable) else "the body is not JSON"
            raise UnexpectedResponse(reason, operation=operation, status=status) from None
        return None


class Client:
    """One partner account on one platform's server; a platform subclasses it."""

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 20.0,
        deadline_s: float = 30.0,
        clock: Callable[[], float] = time.time,
        max_connections: int = 64,
        scope: str = "default",
        account: str | None = None,
        cache: Cache | None = None,
        journal: Journal | None = None,
        retry: RetryPolicy | None = None,
    ):
        """``scope`` names the profile in cache entries, ``account`` the partner account
        in journal entries (default: ``scope``; a profile passes a hash of its API key,
        so that every profile of one account shares the journal's guard); ``cache`` keeps
        read answers; ``journal`` records money moves; ``retry`` governs retries of
        reads. ``timeout`` bounds each network
        step (connect, each read); ``deadline_s`` bounds a whole exchange, so a body
        sent a byte a second ends too."""
        self.base_url = base_url.rstrip("/")
        self.deadline_s = deadline_s
        self.clock = clock
        # Server time minus local time, in ms (kept by the reliability layer).
        self.clock_offset_ms = 0
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport or Shards(max_connections),
            timeout=timeout,
            limits=httpx.Limits(max_connections=max_connections),
            headers={"User-Agent": f"gmtui/{__version__}", "Accept": "application/json",
                     "Accept-Encoding": body.ACCEPT_ENCODING},
            follow_redirects=False,
        )
        self.scope = scope
        self.account = account or scope
        self.cache = cache
        self.journal = journal
        self.retry = retry or RetryPolicy()
        self.gate = Gate(most=max_connections)
        self._inflight: dict[tuple[str, str], asyncio.Future[tuple[Any, float | None]]] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()  # the cache and journal belong to whoever passed them in

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Request:
        """A request for ``path`` (it starts with ``/``) under the base URL, given whole:
        httpx would parse a relative URL twice to merge it (a third of a request's cost)."""
        return self._http.build_request(method, self.base_url + path, **kwargs)

    # ---- what a platform says ------------------------------------------------------

    def secrets(self) -> list[str]:
        """Every secret this client holds, for scrubbing text that leaves it."""
        return []

    def endpoint(self, name: str) -> Any:
        """The catalogue row of operation ``name``."""
        raise NotImplementedError

    def validate_request(self, ep: Any, params: Mapping[str, Any] | None) -> dict[str, Any]:
        """``params`` checked against the operation's request model, in wire form."""
        raise NotImplementedError

    def needs_user(self, ep: Any) -> bool:
        """Whether ``ep`` acts as one partner user (``user=`` is then required)."""
        return False

    def build(self, ep: Any, params: dict[str, Any], credential: str | None = None) -> httpx.Request:
        """The exact request for ``ep`` (``credential``: the user's, when it needs one)."""
        raise NotImplementedError

    def resignable(self, ep: Any) -> bool:
        """Whether a refusal for the request's timestamp may be built again and resent
        (only where the server refuses it before anything runs)."""
        return False

    def parse_answer(
        self, ep: Any, status: int, content: bytes, retry_after: str | None, model: type[pydantic.BaseModel] | None
    ) -> Any:
        """The answer as the operation's model, or a typed error scrubbed of secrets."""
        raise NotImplementedError

    async def _attempt(
        self, ep: Any, params: dict[str, Any], user: str | None, model: type[pydantic.BaseModel] | None
    ) -> tuple[Any, bytes]:
        """One exchange with whatever credential ``ep`` needs (a platform may renew it)."""
        return await self._exchange(ep, params, None, model)

    # ---- the one entry point -------------------------------------------------

    async def call(
        self,
        operation: str | Operation,
        params: Mapping[str, Any] | None = None,
        *,
        user: str | None = None,
        model: type[pydantic.BaseModel] | None = None,
    ) -> Any:
        """Run one operation. ``user`` is the partner user id for user-JWT operations;
        ``model`` replaces the catalogue's response model for a variant of the operation.

        Reads are retried (see :mod:`gmtui.api.retry`), shared while in flight, cached,
        and answered from the cache when the server stays unreachable. Money moves are
        journaled and sent once."""
        ep = self.endpoint(operation) if isinstance(operation, str) else operation
        wire_params = self.validate_request(ep, params)
        if self.needs_user(ep) and not user:
            raise RequestValidationError("a partner user is required", operation=ep.name, field="user")
        fresh = cache_mod.current()
        if ep.moves_money:
            return await self._move(ep, wire_params, user, model)
        if self.cache is None or not ep.cacheable:
            if fresh is not None and fresh.cache_only:
                raise NetworkError("offline: only cached reads are available", operation=ep.name, sent=False)
            value, _ = await self.retry.run(lambda: self._attempt(ep, wire_params, user, model))
            return value
        key = Cache.key(self.scope, user, ep.name, wire_params)
        if fresh is not None and fresh.cache_only:
            hit = self.cache.get(key)
            if hit is None:
                raise NotCached(f"nothing cached for {ep.name}", )
            fresh.note(hit.fetched_at)
            return self.parse_body(ep, hit.body, model)
        flight = (key, model.__name__ if model else "")
        future = self._inflight.get(flight)
        if future is None:
            future = asyncio.ensure_future(self._read(ep, wire_params, user, model, key))
            self._inflight[flight] = future
            future.add_done_callback(lambda _: self._inflight.pop(flight, None))
        value, stale_since = await asyncio.shield(future)
        if stale_since is not None and fresh is not None:
            fresh.note(stale_since)
        return value

    async def _read(
        self, ep: Any, params: dict[str, Any], user: str | None, model: type[pydantic.BaseModel] | None, key: str
    ) -> tuple[Any, float | None]:
        """(value, None) fresh from the server, or (cached value, its fetch time) when
        the server stays unreachable after the retries."""
        assert self.cache is not None
        try:
            value, body = await self.retry.run(lambda: self._attempt(ep, params, user, model))
        except (ServerError, RateLimitError, NetworkError) as exc:
            hit = self.cache.get(key)
            if hit is None:
                raise
            log.info("%s failed (%s); answering from the cache", ep.name, type(exc).__name__)
            return self.parse_body(ep, hit.body, model), hit.fetched_at
        self.cache.put(key, ep.name, self.clock(), body)
        return value, None

    async def _move(self, ep: Any, params: dict[str, Any], user: str | None, model: type[pydantic.BaseModel] | None) -> Any:
        """A money move: sent exactly once, journaled before it leaves."""

        async def send() -> Any:
            value, _ = await self._attempt(ep, params, user, model)
            return value

        if self.journal is None:
            return await send()
        subject = self.subject(ep.name, params, user)
        before = await self.before_move(ep.name, params, subject)
        return await self.journal.run(self.account, subject, ep.name, params, send, before, aliases=(self.scope,))

    def subject(self, operation: str, params: dict[str, Any], user: str | None) -> str:
        """The user a money move concerns, for the journal (a platform says how)."""
        return user or ""

    async def before_move(self, operation: str, params: dict[str, Any], user: str) -> dict[str, Any]:
        """What to read just before a money move leaves, so that reconcile can tell
        afterwards (a platform says what)."""
        return {}

    async def read_fresh(
        self, operation: str, params: Mapping[str, Any] | None = None, *, user: str | None = None
    ) -> Any:
        """The server's answer now: no cache (and for a money operation, no retry)."""
        ep = self.endpoint(operation)
        wire_params = self.validate_request(ep, params)
        policy = NO_RETRY if ep.moves_money else self.retry
        value, _ = await policy.run(lambda: self._attempt(ep, wire_params, user, None))
        return value

    def now_ms(self) -> int:
        return int(self.clock() * 1000) + self.clock_offset_ms


    async def send(
        self,
        ep: Any,
        params: dict[str, Any],
        *,
        bearer: str | None = None,
        model: type[pydantic.BaseModel] | None = None,
    ) -> Any:
        """Send once and parse the answer. The one exception: a call refused for its
        timestamp before anything ran (see ``resignable``) is built again and sent once
        more after syncing the clock with the server's ``Date``."""
        value, _ = await self._exchange(ep, params, bearer, model)
        return value

    async def _exchange(
        self, ep: Any, params: dict[str, Any], bearer: str | None, model: type[pydantic.BaseModel] | None
    ) -> tuple[Any, bytes]:
        try:
            return await self._send_once(ep, params, bearer, model)
        except TimestampError:
            if not self.resignable(ep) or not self.resync():
                raise
            return await self._send_once(ep, params, bearer, model)

    async def _send_once(
        self, ep: Any, params: dict[str, Any], bearer: str | None, model: type[pydantic.BaseModel] | None
    ) -> tuple[Any, bytes]:
        await self.gate.enter()  # then sign: a wait in the queue must not age the timestamp
        try:
            value, content = await self._send_built(ep, self.build(ep, params, bearer), model)
        except RateLimitError as exc:
            self.gate.limited(exc.retry_after)
            raise
        except ApiError:
            self.gate.answered()
            raise
        finally:
            self.gate.leave()
        self.gate.answered()
        return value, content

    async def _send_built(
        self, ep: Any, request: httpx.Request, model: type[pydantic.BaseModel] | None
    ) -> tuple[Any, bytes]:
        started = time.perf_counter()
        sent: bool | None = False
        try:
            async with asyncio.timeout(self.deadline_s):
                response = await self._http.send(request, stream=True)
                sent = None  # an answer began: the request arrived, whatever the rest says
                try:
                    content = await body.read(response)
                finally:
                    await response.aclose()
        except body.TooBig as exc:
            raise UnexpectedResponse(str(exc), operation=ep.name, status=response.status_code) from None
        except TimeoutError:
            raise NetworkError(
                f"no complete answer within {self.deadline_s:g} s; gmtui stopped waiting", operation=ep.name, sent=None
            ) from None
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise NetworkError(f"cannot connect to {self.base_url}: {type(exc).__name__}", operation=ep.name, sent=sent) from None
        except httpx.TransportError as exc:
            raise NetworkError(f"connection failed: {type(exc).__name__}", operation=ep.name, sent=None) from None
        log.debug("%s %s -> %s in %.0f ms", ep.method, ep.name, response.status_code, (time.perf_counter() - started) * 1000)
        self.note_server_time(response)
        return self.parse_answer(ep, response.status_code, content, response.headers.get("Retry-After"), model), content

    def note_server_time(self, response: httpx.Response) -> None:
        """Remember the server's clock from its ``Date`` header (1 s resolution)."""
        value = response.headers.get("Date")
        if not value:
            return
        try:
            server_s = parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError):
            return
        self._server_seen = (server_s * 1000 + 500, self.clock() * 1000)  # mid-second estimate

    def resync(self) -> bool:
        """Set the clock offset from the last ``Date`` seen; False if there is none."""
        seen = getattr(self, "_server_seen", None)
        if seen is None:
            return False
        server_ms, local_ms = seen
        self.clock_offset_ms = int(server_ms - local_ms)
        log.info("clock offset set to %d ms from the server's Date header", self.clock_offset_ms)
        return True

    def parse_body(self, ep: Any, body: bytes, model: type[pydantic.BaseModel] | None = None) -> Any:
        """A stored 200 answer, parsed like a live one."""
        return self.parse_answer(ep, 200, body, None, model)
