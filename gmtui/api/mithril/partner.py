"""A Mithril Vault user's row in the partner-wide view (see api/partner.py).

Per bound user: ``user-info`` (Vault balance) and the newest page of ``/mining``
(rewards pending, mined, rejected or in error on it). A user whose token Vault refuses
is flagged "binding lost"; a configured user not bound here shows as such. MITH has no
BTC rate: its amounts are never converted.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

from gmtui.api.mithril.client import MithrilClient, NotBound
from gmtui.api.mithril.moves import WAITING
from gmtui.api.partner import Amount, Flag, Row


async def context(client: MithrilClient) -> None:
    return None


async def users(client: MithrilClient, configured: list[str]) -> list[str]:
    return list(dict.fromkeys([*(b.user for b in client.bindings.users()), *configured]))


async def row(client: MithrilClient, user: str, ctx: object) -> Row:
    if client.bindings.token(user) is None:
        return Row("mithril", "", user, summary="not bound here", figures={"bound": False})
    try:
        info, page = await asyncio.gather(client.user_info(user), client.activities(user))
    except NotBound as exc:
        if not exc.from_vault:
            raise  # not Vault's word (a proxy's 403, say): a failed read, not a lost binding
        return Row("mithril", "", user, summary="binding lost", figures={"bound": False},
                   flags=(Flag("binding-lost", "Vault refused its binding (unbound in Vault, or its token no longer "
                               "works): bind it again", "vault-users"),))
    sums: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    for a in page.items:
        kind = "pending" if a.status in WAITING else a.status.lower()
        sums[kind] = sums.get(kind, Decimal(0)) + (a.value or 0)
        counts[kind] = counts.get(kind, 0) + 1
    failed = sums.get("rejected", Decimal(0)) + sums.get("error", Decimal(0))
    failed_n = counts.get("rejected", 0) + counts.get("error", 0)
    flags: tuple[Flag, ...] = ()
    if failed_n:
        flags = (Flag("rejected", f"{failed_n} reward{'s' if failed_n != 1 else ''} REJECTED or ERROR on the newest "
                      f"page ({failed:,f} MITH): see why, and reward again", "vault-activities",
                      Amount(failed, "MITH")),)
    figures = {
        "bound": True, "balance_mith": info.balance, "pending_mith": sums.get("pending", Decimal(0)),
        "mined_mith": sums.get("mined", Decimal(0)), "rejected_mith": failed, "newest_page": len(page.items),
    }
    summary = f"bound · {counts.get('pending', 0)} pending · {counts.get('mined', 0)} mined"
    return Row("mithril", "", user, holds=Amount(info.balance, "MITH"), summary=summary, figures=figures, flags=flags)
