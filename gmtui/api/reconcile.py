"""What each money move leaves on the server, to settle journal entries whose outcome
is unknown: read before the move what will tell afterwards, then compare.

- wallet binding: is the address in the user's wallets?
- withdrawal: has the user's withdrawn total grown by the amount since just before?
- upgrade: does the miner have the target power / efficiency, or still the old one?
- transfer: is the miner with the new owner, or still with the old one?
- purchase (payment init / success): the API keys payments by ``externalId``, so the
  same request is sent again with the same id and its answer settles the entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from gmtui.api.errors import ApiError, GmtuiError
from gmtui.api.journal import FAILED, OK, UNKNOWN, Entry

if TYPE_CHECKING:
    from gmtui.api.client import Client


def who(operation: str, params: dict[str, Any], user: str | None) -> str:
    """The partner user a move concerns."""
    return str(params.get("partnerUserId") or user or params.get("userId") or "")


async def snapshot(client: Client, operation: str, params: dict[str, Any], user: str) -> dict[str, Any]:
    """What to remember before sending ``operation`` so that reconcile can tell."""
    if operation.startswith("withdraw.create"):
        try:
            totals = await client.read_fresh("income.total.c2s", user=user)
        except GmtuiError as exc:
            raise ApiError(
                f"cannot read the withdrawn total before withdrawing, so nothing was sent: {exc}", operation=operation
            ) from None
        return {"withdrawn": totals.withdrawn_amount}
    return {}


@dataclass(frozen=True)
class Settled:
    entry: Entry
    outcome: str  # ok, failed, or unknown when the server could not tell
    reason: str


async def _miners(client: Client, user: str) -> dict[int, Any]:
    return {m.id: m for m in await client.read_fresh_all("nft.get_my.s2s", {"partnerUserId": user})}


async def check(client: Client, entry: Entry) -> tuple[str, str]:
    """(outcome, reason) for one unknown entry, from the server's current state."""
    op, p = entry.operation, entry.params
    if op.startswith("wallet.bind"):
        wallets = await client.read_fresh_all("wallet.list.s2s", {"partnerUserId": entry.user})
        if any(w.address == p["address"] for w in wallets):
            return OK, "the address is among the user's wallets"
        return FAILED, "the address is not among the user's wallets"
    if op.startswith("withdraw.create"):
        before = entry.before.get("withdrawn")
        if before is None:
            return UNKNOWN, "no withdrawn total was recorded before the move; check with the platform"
        totals = await client.read_fresh("income.total.c2s", user=entry.user)
        grown = totals.withdrawn_amount - Decimal(before)
        if grown >= Decimal(str(p["amount"])):
            return OK, f"the withdrawn total grew by {grown} since the request"
        return FAILED, f"the withdrawn total grew by {grown}, less than {p['amount']}"
    if op == "upgrade.create":
        data = p["data"]
        field = "power" if data["type"] == "nftPowerUpgrade" else "energy_efficiency"
        start, target = (data["fromPower"], data["toPower"]) if field == "power" else (
            data["fromEnergyEfficiency"], data["toEnergyEfficiency"])
        miner = (await _miners(client, entry.user)).get(int(data["nftId"]))
        if miner is None:
            return UNKNOWN, f"miner {data['nftId']} is not among {entry.user!r}'s miners"
        now = getattr(miner, field)
        if now == Decimal(str(target)):
            return OK, f"the miner now has {now}"
        if now == Decimal(str(start)):
            return FAILED, f"the miner still has {now}"
        return UNKNOWN, f"the miner has {now}, neither {start} nor {target}"
    if op == "nft.transfer":
        nft = int(p["nftId"])
        if nft in await _miners(client, p["toPartnerUserId"]):
            return OK, f"miner {nft} is with {p['toPartnerUserId']!r}"
        if nft in await _miners(client, p["partnerUserId"]):
            return FAILED, f"miner {nft} is still with {p['partnerUserId']!r}"
        return UNKNOWN, f"miner {nft} is with neither user"
    if op.startswith("payment."):
        try:
            await client.read_fresh(op, p, user=entry.user or None)
        except ApiError as exc:
            return FAILED, f"sent again with the same externalId: {exc}"
        return OK, "sent again with the same externalId (the same payment): accepted"
    return UNKNOWN, "no rule to check this operation"


async def reconcile(client: Client) -> list[Settled]:
    """Settle every unknown entry of this client's profile that the server can tell."""
    journal = client.journal
    if journal is None:
        return []
    out = []
    for entry in reversed(journal.entries(outcome=UNKNOWN)):
        if entry.scope != client.scope:
            continue
        try:
            outcome, reason = await check(client, entry)
        except GmtuiError as exc:
            outcome, reason = UNKNOWN, f"the server could not be asked: {exc}"
        if outcome != UNKNOWN:
            journal.settle(entry.id, outcome, f"reconciled: {reason}")
        out.append(Settled(entry, outcome, reason))
    return out
