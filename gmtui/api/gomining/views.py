"""What each dashboard screen shows, fetched and shaped here so that screens never
build requests or parse anything: typed values in, widgets out."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from gmtui.api.gomining import models as m
from gmtui.api import wire
from gmtui.api.errors import UnexpectedResponse
from gmtui.api.gomining.client import GoMiningClient, instant

RANGES: dict[str, int | None] = {"7d": 7, "30d": 30, "90d": 90, "1y": 365, "all": None}


def today(client: GoMiningClient) -> date:
    return datetime.fromtimestamp(client.clock(), UTC).date()


def income_of(entry: object, nft: str) -> Decimal:
    """One miner's net in a day's ``incomes`` (shape assumed: ``{nftId: {value, ...}}``);
    nothing for a missing miner is 0, a value that is not a bounded number an error."""
    value = entry.get("value", 0) if isinstance(entry, dict) else (entry or 0)
    try:
        return wire.bounded_decimal(value if isinstance(value, (str, int, Decimal)) and not isinstance(value, bool) else "?")
    except wire.Unreadable as exc:
        raise UnexpectedResponse(str(exc), operation="income.by_dates", field=f"incomes.{nft}.value") from None


def miner_series(days: list[m.DailyIncome], top: int) -> dict[str, list[tuple[int, Decimal]]]:
    """The ``top`` miners by net over ``days``: "#id" -> (day ordinal, net BTC), best first."""
    series: dict[str, list[tuple[int, Decimal]]] = {}
    totals: dict[str, Decimal] = {}
    for d in days:
        for nft, entry in (d.incomes or {}).items() if isinstance(d.incomes, dict) else ():
            value = income_of(entry, nft)
            series.setdefault(nft, []).append((d.created_at.date().toordinal(), value))
            totals[nft] = totals.get(nft, Decimal(0)) + value
    best = sorted(totals, key=lambda n: totals[n], reverse=True)[:top]
    return {f"#{n}": series[n] for n in best}


@dataclass(frozen=True)
class Fleet:
    miners: list[m.Miner]
    lifetime: dict[int, Decimal]  # nft id -> BTC earned, from the totals
    recent: dict[int, list[Decimal]]  # nft id -> daily BTC, oldest first
    days: int


async def fleet(client: GoMiningClient, user: str, days: int = 30) -> Fleet:
    """Every miner of ``user`` with its lifetime earnings and its last ``days`` days."""
    end = today(client) - timedelta(days=1)
    miners, totals, page = await asyncio.gather(
        client.fetch_all("nft.get_my.s2s", {"partnerUserId": user}),
        client.income_totals(user),
        client.income_by_dates(user, end - timedelta(days=days - 1), end, limit=days, by_miner=True),
    )
    lifetime = {t.nft_id: t.total_value for t in totals.array}
    recent: dict[int, list[Decimal]] = {mi.id: [] for mi in miners}
    for day in reversed(page.data):
        incomes = day.incomes if isinstance(day.incomes, dict) else {}
        for nft in recent:
            recent[nft].append(income_of(incomes.get(str(nft)), str(nft)))
    return Fleet(miners, lifetime, recent, days)


async def earnings(client: GoMiningClient, user: str, start: date | None, end: date, by_miner: bool = False) -> list[m.DailyIncome]:
    """Daily income of ``user`` from ``start`` (None: the first day) to ``end``, oldest first."""
    params = {
        "partnerUserId": user,
        "startDate": instant(start or date(2009, 1, 3)),
        "endDate": instant(end, end=True),
        "includeIncomesByNfts": "true" if by_miner else None,
    }
    days = await client.fetch_all("income.by_dates", params)
    return sorted(days, key=lambda d: d.created_at)


def range_start(name: str, end: date) -> date | None:
    days = RANGES[name]
    return None if days is None else end - timedelta(days=days - 1)


@dataclass(frozen=True)
class Holdings:
    wallets: list[m.Wallet]
    balances: list[m.Balance]  # c2s shape: a currency each
    synced: list[m.WalletBalance]  # s2s shape: values at the sync date


async def holdings(client: GoMiningClient, user: str) -> Holdings:
    wallets, balances, synced = await asyncio.gather(
        client.fetch_all("wallet.list.s2s", {"partnerUserId": user}),
        client.fetch_all("balances.c2s", user=user),
        client.fetch_all("balances.s2s", {"partnerUserId": user}),
    )
    return Holdings(wallets, balances, synced)
