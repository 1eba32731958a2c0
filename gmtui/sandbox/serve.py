"""Every platform's sandbox behind one ASGI app, for ``gmtui sandbox``: GoMining at
``/api/partner/...`` (its documented paths), WebMinePool under ``/wmp`` (so its base
URL is ``{host}/wmp``), Mithril Vault under ``/vault`` (base URL ``{host}/vault``, its
authorize page at ``{host}/vault/web/``). A dropped answer announces a body and closes
the connection before sending it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gmtui.sandbox.faults import Dropped

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from gmtui.sandbox import Answering

WMP_PREFIX = "/wmp"
VAULT_PREFIX = "/vault"


def asgi(mounts: dict[str, Answering], state: Any = None) -> Starlette:
    """One app answering ``{prefix}/...`` from each sandbox of ``mounts``;
    ``app.state.sandbox`` is ``state`` (the GoMining state, for tests)."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def truncated(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"64")]})
        # The server refuses to end a short body and drops the connection: as intended.
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    def handler(sandbox: Answering) -> Any:
        async def handle(request: Request) -> Any:
            query = request.scope.get("query_string", b"").decode("latin-1")
            path = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1").split("?")[0]
            try:
                answer = await sandbox.answer(request.method, path, query, request.headers, await request.body())
            except Dropped:
                return truncated
            return Response(answer.body, status_code=answer.status, headers=answer.headers)
        return handle

    routes = [Route(prefix + "/{path:path}", handler(sandbox), methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
              for prefix, sandbox in mounts.items()]
    app = Starlette(routes=routes)
    app.state.sandbox = state
    return app
