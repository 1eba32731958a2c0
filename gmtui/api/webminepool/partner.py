"""A WebMinePool user's row in the partner-wide view (see api/partner.py).

One ``/users`` call per profile lists the users active in the last 3 days with their
hashes; ``user_hashes`` is read for the roster's other users (idle: flagged). The BTC
value of the hashes is at the web-mining rate (``hash_rate``, per 1,000,000 hashes).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from gmtui.api.partner import Amount, Flag, Row
from gmtui.api.text import clean
from gmtui.api.webminepool.client import WebMinePoolClient
from gmtui.api.webminepool.views import SAT_PER_BTC, hashes_sat


@dataclass(frozen=True)
class Context:
    active: dict[str, int]  # /users: name -> hashes (of the names it lists once)
    rate_sat: Decimal  # satoshi per 1,000,000 hashes
    doubled: frozenset[str] = frozenset()  # names /users lists more than once: which figure is right is unknown


async def context(client: WebMinePoolClient) -> Context:
    listed, rate = await asyncio.gather(client.users(), client.hash_rate())
    seen = Counter(u.name for u in listed.users)
    return Context({u.name: u.hashes for u in listed.users if seen[u.name] == 1}, rate,
                   frozenset(name for name, n in seen.items() if n > 1))


async def users(client: WebMinePoolClient, configured: list[str]) -> list[str]:
    """The roster kept locally and the users ``/users`` lists now, once each."""
    listed = await client.users()
    names = [u.name for u in listed.users]
    client.roster.saw(names)
    return list(dict.fromkeys([*client.roster.names(), *names, *configured]))


async def row(client: WebMinePoolClient, user: str, ctx: Context | Exception) -> Row:
    if isinstance(ctx, Exception):
        hashes, active, rate = await client.user_hashes(user), None, None
    else:
        active = user in ctx.active or user in ctx.doubled
        hashes = ctx.active[user] if user in ctx.active else await client.user_hashes(user)
        rate = ctx.rate_sat
    sat = None if rate is None else hashes_sat(hashes, rate)
    btc = None if sat is None else (sat / SAT_PER_BTC).quantize(Decimal("0.00000001"))  # an equivalent: to the satoshi
    flags: tuple[Flag, ...] = ()
    if active is False:
        flags = (Flag("idle", "not mining for more than 3 days (absent from /users)", "pool-users",
                      Amount(Decimal(hashes), "hashes"), btc),)
    summary = {True: "active (last 3 days)", False: "idle over 3 days", None: "activity unknown"}[active]
    figures = {"hashes": hashes, "value_sat": sat, "active": active}
    error = "" if rate is not None else f"no rate, so no BTC value: {clean(str(ctx), limit=120)}"
    if not isinstance(ctx, Exception) and user in ctx.doubled:
        error = "/users lists this user more than once: its hashes were read from /user on their own"
    return Row("webminepool", "", user, holds=Amount(Decimal(hashes), "hashes"), btc=btc, summary=summary,
               figures=figures, flags=flags, error=error)
