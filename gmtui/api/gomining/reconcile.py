"""What each money move leaves on the server, to settle journal entries whose outcome
is unknown. An entry is settled only on evidence nothing else could explain;
otherwise it stays unknown with the reason, for a person to settle by hand
(`gmtui journal settle`).

- wallet binding: the address is among the user's wallets (ok) or not (failed).
- withdrawal: the API gives only the user's withdrawn total, read just before each
  withdrawal is sent. The total's growth since then, less the journal's own later
  withdrawals that are known to be done, must be 0 (the unknown ones failed) or
  exactly the unknown amounts (they were done). Anything else, or another withdrawal
  in flight when this one was sent, leaves it unknown. Assumed: the total grows when
  a withdrawal is created (the documents do not say), and never shrinks.
- upgrade: the miner has the target (ok). Still the old value proves nothing: the
  API creates an upgrade *request*, which may be applied later.
- transfer: the miner is with the new owner (ok) or still with the old one (failed).
- purchase (payment init / success): the API keys payments by ``externalId``, so the
  same request is sent again with the same id; only its acceptance settles (ok).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from gmtui.api import wire
from gmtui.api.gomining.btc import canonical
from gmtui.api.errors import ApiError, GmtuiError
from gmtui.api.journal import DAMAGED, FAILED, OK, UNKNOWN, Entry, Settled

if TYPE_CHECKING:
    from gmtui.api.gomining.client import GoMiningClient as Client

WITHDRAW = "withdraw.create"


def who(operation: str, params: dict[str, Any], user: str | None) -> str:
    """The partner user a move concerns."""
    return str(params.get("partnerUserId") or user or params.get("userId") or "")


async def snapshot(client: Client, operation: str, params: dict[str, Any], user: str) -> dict[str, Any]:
    """What to remember before sending ``operation``: what reconcile needs to tell (the
    withdrawn total), and what the journal shows as the move's amount (the price of a
    purchase or an upgrade, USD, as the platform states it just before)."""
    if operation in ("payment.init", "upgrade.create"):
        price = await _price(client, operation, params)
        return {"price": price} if price is not None else {}
    if operation.startswith(WITHDRAW):
        try:
            totals = await client.read_fresh("income.total.c2s", user=user)
        except GmtuiError as exc:
            raise ApiError(
                f"cannot read the withdrawn total before withdrawing, so nothing was sent: {exc}", operation=operation
            ) from None
        return {"withdrawn": totals.withdrawn_amount}
    return {}


async def _price(client: Client, operation: str, params: dict[str, Any]) -> Decimal | None:
    """The price the platform states now (None if it does not answer: the move still
    goes, only the journal lacks its amount)."""
    try:
        if operation == "payment.init":
            found = [c.value for c in await client.read_fresh("collections.s2s") if c.id == params["nftCollectionId"]]
            return found[0] if found else None
        data = params["data"]
        start, target = (data["fromPower"], data["toPower"]) if data["type"] == "nftPowerUpgrade" else (
            data["fromEnergyEfficiency"], data["toEnergyEfficiency"])
        query = {"type": data["type"], "nftId": str(data["nftId"]), "from": wire.decimal_literal(Decimal(str(start))),
                 "to": wire.decimal_literal(Decimal(str(target)))}
        return (await client.read_fresh("upgrade.price", query)).price
    except (GmtuiError, KeyError, ArithmeticError):
        return None


async def _miners(client: Client, user: str) -> dict[int, Any]:
    return {m.id: m for m in await client.read_fresh_all("nft.get_my.s2s", {"partnerUserId": user})}


def _withdrawals(journal_entries: list[Entry], entry: Entry, scopes: tuple[str, ...]) -> list[Entry]:
    return [e for e in journal_entries if e.scope in scopes and e.user == entry.user and e.operation.startswith(WITHDRAW)]


async def check_withdrawal(client: Client, entry: Entry, history: list[Entry]) -> tuple[str, str, list[Entry]]:
    """(outcome, reason, the unknown entries it settles together) for an unknown
    withdrawal, from the growth of the withdrawn total since just before it."""
    before = entry.before.get("withdrawn")
    if before is None:
        return UNKNOWN, "no withdrawn total was recorded before it was sent; settle it by hand", [entry]
    moves = _withdrawals(history, entry, (client.account, client.scope))
    # An earlier withdrawal whose effect may have reached the total after this one's
    # snapshot: one still unsettled (a server may commit after gmtui stopped waiting),
    # or one answered only after this one was sent (another gmtui at the same time).
    earlier = [e for e in moves if e.id < entry.id and e.outcome != FAILED
               and (e.outcome != OK or e.answered_at is None or e.answered_at > entry.at)]
    if earlier:
        return UNKNOWN, (f"withdrawal #{earlier[-1].id} may have reached the total after this one was sent, so the "
                         "total cannot tell them apart; it is settled with that one, or by hand"), [entry]
    later = [e for e in moves if e.id > entry.id]
    done = sum((Decimal(str(e.params.get("amount", 0))) for e in later if e.outcome == OK), Decimal(0))
    unsettled = [entry, *(e for e in later if e.outcome in (UNKNOWN, DAMAGED))]
    asked = sum((Decimal(str(e.params.get("amount", 0))) for e in unsettled), Decimal(0))
    totals = await client.read_fresh("income.total.c2s", user=entry.user)
    grown = totals.withdrawn_amount - Decimal(str(before))
    rest = grown - done
    together = f" with #{', #'.join(str(e.id) for e in unsettled[1:])}" if len(unsettled) > 1 else ""
    damaged = [e.id for e in unsettled if e.outcome == DAMAGED]
    if damaged:
        return UNKNOWN, (f"the damaged entry #{damaged[0]} may be one of the withdrawals since; settle them by hand"), [entry]
    if rest == 0:
        return FAILED, (f"the withdrawn total grew by {grown} since it was sent, exactly the journal's own later "
                        f"withdrawals ({done}); it is not in it"), unsettled
    if rest == asked:
        return OK, (f"the withdrawn total grew by {grown} since it was sent: {done} of the journal's done withdrawals "
                    f"and exactly {asked}, this one{together}"), unsettled
    return UNKNOWN, (f"the withdrawn total grew by {grown} since it was sent; the journal's done withdrawals explain "
                     f"{done}, and the {rest} left is not the {asked} of the unknown ones (a withdrawal made elsewhere?); "
                     "settle it by hand"), [entry]


async def check(client: Client, entry: Entry) -> tuple[str, str]:
    """(outcome, reason) for one unknown entry other than a withdrawal."""
    op, p = entry.operation, entry.params
    if op.startswith("wallet.bind"):
        wallets = await client.read_fresh_all("wallet.list.s2s", {"partnerUserId": entry.user})
        if any(canonical(w.address) == canonical(p["address"]) for w in wallets):
            return OK, "the address is among the user's wallets"
        return FAILED, "the address is not among the user's wallets"
    if op == "upgrade.create":
        data = p["data"]
        field = "power" if data["type"] == "nftPowerUpgrade" else "energy_efficiency"
        start, target = (data["fromPower"], data["toPower"]) if field == "power" else (
            data["fromEnergyEfficiency"], data["toEnergyEfficiency"])
        miner = (await _miners(client, entry.user)).get(int(data["nftId"]))
        if miner is None:
            return UNKNOWN, f"miner {data['nftId']} is not among {entry.user!r}'s miners; settle it by hand"
        now = getattr(miner, field)
        if now == Decimal(str(target)):
            return OK, f"the miner now has {now}"
        if now == Decimal(str(start)):
            return UNKNOWN, (f"the miner still has {now}; an upgrade request may be applied later, so this proves "
                             "nothing; settle it by hand once the platform says")
        return UNKNOWN, f"the miner has {now}, neither {start} nor {target}; settle it by hand"
    if op == "nft.transfer":
        nft = int(p["nftId"])
        if nft in await _miners(client, p["toPartnerUserId"]):
            return OK, f"miner {nft} is with {p['toPartnerUserId']!r}"
        if nft in await _miners(client, p["partnerUserId"]):
            return FAILED, f"miner {nft} is still with {p['partnerUserId']!r}"
        return UNKNOWN, f"miner {nft} is with neither user; settle it by hand"
    if op.startswith("payment."):
        try:
            await client.read_fresh(op, p, user=entry.user or None)
        except ApiError as exc:
            return UNKNOWN, f"sent again with the same externalId, the server refused ({exc}); settle it by hand"
        return OK, "sent again with the same externalId (the same payment): accepted"
    return UNKNOWN, "no rule to check this operation; settle it by hand"


async def reconcile(client: Client) -> list[Settled]:
    """Settle every unknown entry of this client's profile that the server can tell,
    newest first (a later withdrawal's tighter window helps settle an earlier one)."""
    journal = client.journal
    if journal is None:
        return []
    out: dict[int, Settled] = {}
    for entry in journal.entries(outcome=UNKNOWN, limit=1_000_000):
        if entry.scope not in (client.account, client.scope) or (entry.id in out and out[entry.id].outcome != UNKNOWN):
            continue
        if entry.outcome == DAMAGED:
            out[entry.id] = Settled(entry, UNKNOWN, f"damaged: {entry.detail}")
            continue
        together = [entry]
        try:
            if entry.operation.startswith(WITHDRAW):
                history = journal.entries(limit=1_000_000)
                outcome, reason, together = await check_withdrawal(client, entry, history)
            else:
                outcome, reason = await check(client, entry)
        except GmtuiError as exc:
            outcome, reason = UNKNOWN, f"the server could not be asked: {exc}"
        for settled in together:
            if outcome != UNKNOWN:
                journal.settle(settled.id, outcome, f"reconciled: {reason}")
            out[settled.id] = Settled(settled, outcome, reason)
    return [out[i] for i in sorted(out)]
