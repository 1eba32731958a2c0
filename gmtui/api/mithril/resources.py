"""The resources of ``gmtui get`` for a Mithril Vault profile, as the API's own JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gmtui.api.errors import ConfigError
from gmtui.api.platforms import Query

if TYPE_CHECKING:
    from gmtui.api.mithril.client import MithrilClient


def _stamp(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def get(client: MithrilClient, name: str, q: Query) -> Any:
    match name:
        case "user-info":
            return (await client.user_info(q.user)).model_dump()
        case "app-balance":
            return (await client.app_balance()).model_dump()
        case "activities":  # one row per activity: the newest page, or with --all every page
            items = await client.all_activities(q.user) if q.all_pages and not q.id else \
                (await client.activities(q.user, uuid=q.id)).items
            return [a.model_dump(exclude_none=True) for a in items]
        case "bindings":
            if client.bindings.problem:
                raise ConfigError(client.bindings.problem)
            return {"bound": [{"user": b.user, "bound_at": _stamp(b.at)} for b in client.bindings.users()],
                    "waiting": [{"user": u, "expires_at": _stamp(e)} for _, u, e in client.bindings.pending()]}
    raise KeyError(name)
