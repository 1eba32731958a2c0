"""What each dashboard screen shows, fetched and shaped here so that screens never
build requests or parse anything: typed values in, widgets out."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from gmtui.api import models as m
from gmtui.api.gomining import GoMiningClient, instant

RANGES: dict[str, int | None] = {"7d": 7, "30d": 30, "90d": 90, "1y": 365, "all": None}


def today(client: GoMiningClient) -> date:
    return datetime.fromtimestamp(client.clock(), UTC).date()


def _value(entry: object) -> Decimal:
    if isinstance(entry, dict):
        return Decimal(str(entry.get("value", 0)))
    return Decimal(str(entry or 0))


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
            recent[nft].append(_value(incomes.get(str(nft))))
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
