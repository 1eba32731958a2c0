"""Faithful local implementations of the platforms' APIs: GoMining's Partner API 2.0
(``gomining/``), WebMinePool's HTTP API (``webminepool/``) and Mithril Vault's API
(``mithril/``).

Stateful and deterministic from a seed; GoMining's verifies API keys, signatures,
timestamps and user JWTs, WebMinePool's the secret key in the path. Runs in-process (``in_process``) for the demo and the tests, or over
loopback with ``gmtui sandbox``. Imports nothing from the UI.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import httpx

from gmtui.sandbox.faults import Dropped, Faults
from gmtui.sandbox.gomining.server import Sandbox, create_app
from gmtui.sandbox.gomining.state import DEMO_API_KEY, DEMO_API_SECRET, DEMO_PARTNER_ID, Options, State
from gmtui.sandbox.gomining.world import WorldSize

BASE_URL = "http://sandbox.gmtui.invalid"

__all__ = [
    "BASE_URL", "DEMO_API_KEY", "DEMO_API_SECRET", "DEMO_PARTNER_ID",
    "Faults", "Options", "State", "WorldSize", "create_app", "in_process", "demo_client", "pool_client", "vault_client",
]


class Answering(Protocol):
    async def answer(self, method: str, path: str, query: str, headers: Mapping[str, str], raw: bytes) -> Any: ...


class _Transport(httpx.AsyncBaseTransport):
    def __init__(self, sandbox: Answering):
        self.sandbox = sandbox

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raw = await request.aread()
        try:
            answer = await self.sandbox.answer(request.method, request.url.path, request.url.query.decode("latin-1"),
                                               request.headers, raw)
        except Dropped:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request) from None
        return httpx.Response(answer.status, headers=answer.headers, content=answer.body)


def in_process(state: State) -> httpx.AsyncBaseTransport:
    """An httpx transport that serves requests from ``state`` without any socket."""
    return _Transport(Sandbox(state))


def demo_client(state: State | None = None, clock: Callable[[], float] = time.time, **kwargs: object):
    """A GoMining client wired to an in-process sandbox with the demo credentials."""
    from gmtui.api.gomining.client import GoMiningClient

    state = state or State(clock=clock)
    return GoMiningClient(
        BASE_URL, state.options.api_key, state.options.api_secret,
        transport=in_process(state), clock=state.clock, **kwargs,  # type: ignore[arg-type]
    )


def pool_client(state: Any = None, clock: Callable[[], float] = time.time, **kwargs: Any) -> Any:
    """A WebMinePool client wired to an in-process WebMinePool sandbox (its demo secret)."""
    from gmtui.api.webminepool.client import WebMinePoolClient
    from gmtui.sandbox.webminepool.server import PoolSandbox
    from gmtui.sandbox.webminepool.state import State as PoolState

    state = state or PoolState(clock=clock)
    return WebMinePoolClient(BASE_URL, state.secret, transport=_Transport(PoolSandbox(state)), clock=state.clock,
                             **kwargs)


def vault_client(state: Any = None, clock: Callable[[], float] = time.time, **kwargs: Any) -> Any:
    """A Mithril Vault client wired to an in-process Vault sandbox (its demo application),
    holding the tokens of the users bound at start."""
    from gmtui.api.mithril.client import MithrilClient
    from gmtui.sandbox.mithril.server import VaultSandbox
    from gmtui.sandbox.mithril.state import State as VaultState

    state = state or VaultState(clock=clock)
    client = MithrilClient(BASE_URL, state.client_id, state.client_key, state.mining_key,
                           transport=_Transport(VaultSandbox(state)), clock=state.clock,
                           web_url=BASE_URL + "/web", redirect_uri=state.redirect_uri, **kwargs)
    for user, token in state.demo_tokens().items():
        client.bindings.bind(user, token)
    return client
