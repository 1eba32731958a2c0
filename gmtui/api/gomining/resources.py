"""The named read-only resources of ``gmtui get``, as the API's own JSON.

Each resource picks the documented operation that serves a partner best (signed
s2s calls where they exist, the user's c2s call otherwise) and returns plain data
with the API's field names: a list for list resources, a dict for single ones.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from gmtui.api.platforms import Query

if TYPE_CHECKING:  # kept out of the import: the CLI's parser and the dashboard's first frame need none of it
    from gmtui.api.gomining import models as m
    from gmtui.api.gomining.client import GoMiningClient


def _api(value: Any) -> Any:
    from gmtui.api.gomining.models import ApiModel

    if isinstance(value, (ApiModel, Overview)):
        return value.to_api()
    if isinstance(value, list):
        return [_api(v) for v in value]
    return value


async def _paged(client: GoMiningClient, op: str, q: Query, params: dict[str, Any] | None = None, *, c2s: bool = False) -> list[Any]:
    params = dict(params or {})
    if not c2s:
        params.setdefault("partnerUserId", q.user)
    user = q.user if c2s else None
    if q.all_pages:
        return await client.fetch_all(op, params, user=user)
    params["limit"] = str(q.limit) if q.limit is not None else None
    params["offset"] = str(q.offset) if q.offset is not None else None
    return await client.call(op, params, user=user)


@dataclass(frozen=True)
class Overview:
    """What an operator reads at a glance for one partner user."""

    stats: m.UserStats
    totals: m.IncomeTotals
    per_th: m.IncomePerTh
    rates: list[m.Rate]
    balances: list[m.WalletBalance]

    def to_api(self) -> dict[str, Any]:
        return {
            "stats": _api(self.stats),
            "totals": _api(self.totals),
            "incomePerTh": _api(self.per_th),
            "rates": _api(self.rates),
            "balances": _api(self.balances),
        }


async def overview(client: GoMiningClient, q: Query) -> Overview:
    """Stats, totals, income per TH, rates and balances, fetched concurrently."""
    stats, totals, per_th, rates, balances = await asyncio.gather(
        client.user_stats(q.user),
        client.income_totals(q.user),
        client.income_per_th_c2s(q.user),
        client.rates(q.user),
        client.balances(q.user),
    )
    return Overview(stats, totals, per_th, rates, balances)


async def daily(client: GoMiningClient, q: Query) -> list[Any]:
    start, end = q.range(datetime.fromtimestamp(client.clock(), UTC).date() - timedelta(days=1))
    if q.all_pages:
        from gmtui.api.gomining.client import instant

        params = {"partnerUserId": q.user, "startDate": instant(start), "endDate": instant(end, end=True)}
        return await client.fetch_all("income.by_dates", params)
    page = await client.income_by_dates(q.user, start, end, limit=q.limit or 100, offset=q.offset)
    return list(page.data)


async def _get(client: GoMiningClient, name: str, q: Query) -> Any:
    match name:
        case "overview":
            return await overview(client, q)
        case "stats":
            return await client.user_stats(q.user)
        case "miners":
            return await _paged(client, "nft.get_my.s2s", q)
        case "earnings":
            return await _paged(client, "income.list.s2s", q)
        case "daily":
            return await daily(client, q)
        case "totals":
            return await client.income_totals(q.user)
        case "wallets":
            return await _paged(client, "wallet.list.s2s", q)
        case "balances":
            return await _paged(client, "balances.s2s", q)
        case "collections":
            return await client.collections()
        case "income-per-th":
            return await client.income_per_th_c2s(q.user)
        case "rates":
            return await client.rates(q.user)
        case "commission":
            return await client.commission(q.user)
        case "incentives":
            return await client.incentives(q.user)
    raise KeyError(name)


async def get(client: GoMiningClient, name: str, q: Query) -> Any:
    """Fetch resource ``name`` as plain API-shaped data."""
    return _api(await _get(client, name, q))
