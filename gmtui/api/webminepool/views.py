"""What the dashboard and ``gmtui get`` show of a WebMinePool account, computed once:
the account's figures with their satoshi value, and the partner's users (the local
roster joined with ``/users``, ``user_hashes`` read for the users it omits).

Values in satoshi stay exact decimals; a BTC figure is satoshi / 10^8. The hash rate
is quoted per 1,000,000 hashes (``RATE_UNIT``), as the rate methods answer it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from gmtui.api.errors import GmtuiError
from gmtui.api.webminepool.client import RATE_UNIT

if TYPE_CHECKING:
    from gmtui.api.webminepool.client import WebMinePoolClient

SAT_PER_BTC = Decimal(100_000_000)


def hashes_sat(hashes: int, rate_per_unit: Decimal) -> Decimal:
    """Satoshi for ``hashes`` at a rate quoted per ``RATE_UNIT`` hashes (to 1/1000 sat)."""
    return (Decimal(hashes) * rate_per_unit / RATE_UNIT).quantize(Decimal("0.001"))


@dataclass(frozen=True)
class Account:
    balance_wmc: Decimal
    wmc_sat: Decimal  # satoshi for 1 WMC
    unpaid_hashes: int
    hash_rate_sat: Decimal  # satoshi per 1,000,000 hashes of web mining
    hash_rate_cli_sat: Decimal  # the same for CLI mining

    @property
    def balance_sat(self) -> Decimal:
        return (self.balance_wmc * self.wmc_sat).quantize(Decimal("0.001"))

    @property
    def unpaid_sat(self) -> Decimal:
        return hashes_sat(self.unpaid_hashes, self.hash_rate_sat)


async def account(client: WebMinePoolClient) -> Account:
    balance, wmc, unpaid, web, cli = await asyncio.gather(
        client.balance(), client.wmc_rate(1), client.hashes(), client.hash_rate(), client.hash_rate_cli()
    )
    return Account(balance, wmc, unpaid, web, cli)


@dataclass(frozen=True)
class Member:
    """One user of the partner's: hashes (None when its read failed: ``error`` says why)."""

    name: str
    hashes: int | None
    active: bool  # listed by /users: mined within the last 3 days
    known: str  # how gmtui knows it: "created", "added", "seen"
    error: str = ""

    def sat(self, rate: Decimal) -> Decimal | None:
        return None if self.hashes is None else hashes_sat(self.hashes, rate)


@dataclass(frozen=True)
class Roster:
    members: list[Member]
    hash_rate_sat: Decimal  # per 1,000,000 hashes (web mining)


async def roster(client: WebMinePoolClient, concurrency: int = 8) -> Roster:
    """Every user of the partner's: those ``/users`` lists (active), then the rest of
    the local roster with their ``user_hashes``; a user whose read fails keeps its row."""
    listed, rate = await asyncio.gather(client.users(), client.hash_rate())
    active = {u.name: u.hashes for u in listed.users}
    kept = client.roster.names()
    client.roster.saw(list(active))
    gate = asyncio.Semaphore(concurrency)

    async def one(name: str, known: str) -> Member:
        if name in active:
            return Member(name, active[name], True, known)
        async with gate:
            try:
                return Member(name, await client.user_hashes(name), False, known)
            except GmtuiError as exc:
                return Member(name, None, False, known, str(exc))

    names = {**{n: "seen" for n in active}, **kept}
    members = await asyncio.gather(*(one(n, how) for n, how in names.items()))
    return Roster(sorted(members, key=lambda m: m.name.lower()), rate)
