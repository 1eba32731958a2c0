"""The resources of ``gmtui get`` for a WebMinePool profile, as the API's own JSON."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from gmtui.api.errors import ConfigError
from gmtui.api.platforms import Query

if TYPE_CHECKING:
    from gmtui.api.webminepool.client import WebMinePoolClient


async def get(client: WebMinePoolClient, name: str, q: Query) -> Any:
    match name:
        case "users":
            return (await client.users()).to_api()["users"]
        case "user-hashes":
            return {"name": q.user, "hashes": await client.user_hashes(q.user)}
        case "balance":
            return {"balance": await client.balance()}
        case "hashes":
            return {"hashes": await client.hashes()}
        case "rates":
            wmc, web, cli = await asyncio.gather(client.wmc_rate(1), client.hash_rate(), client.hash_rate_cli())
            return {"wmc_satoshi": wmc, "hash_rate_satoshi_per_1000000": web, "hash_rate_cli_satoshi_per_1000000": cli}
        case "token":
            if not q.id:
                raise ConfigError("which token? pass --id ID")
            return (await client.get_token(q.id)).to_api()
    raise KeyError(name)
