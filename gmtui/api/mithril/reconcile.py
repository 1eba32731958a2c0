"""What each Mithril Vault move leaves on the server, to settle journal entries whose
outcome is unknown. Activities are found by their uuid, so the evidence is direct:

- reward: Vault has an activity with the entry's uuid that is this reward, its amount
  and time (ok, whatever its status now: the reward arrived); one that is another
  reward (failed: Vault takes a uuid once, so this one was refused); none (failed).
- cancellation: the activity is DELETED (ok); it is in another status (failed: it was
  processed or is still PENDING); Vault has none (unknown: nothing to tell by).
- unbinding: Vault refuses the user's token now with its own error code (ok, and gmtui
  forgets it; a proxy's bare 403 proves nothing); it still answers with it (failed).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from gmtui.api.journal import FAILED, OK, UNKNOWN, Entry, Settled, reconcile_each

if TYPE_CHECKING:
    from gmtui.api.mithril.client import MithrilClient

BY_HAND = "settle it by hand (gmtui journal settle ID ok|failed)"


async def check(client: MithrilClient, entry: Entry) -> tuple[str, str]:
    from gmtui.api.mithril.client import NotBound, verdict

    op, uuid = entry.operation, str(entry.params.get("uuid") or "")
    if op == "vault.oauth.unbind":
        if client.bindings.token(entry.user) is None:
            return UNKNOWN, f"gmtui no longer holds the user's token to ask Vault with; {BY_HAND}"
        try:
            await client.read_fresh("vault.oauth.user_info", user=entry.user)
        except NotBound as exc:
            if not exc.from_vault:  # a proxy's 403 proves nothing about Vault's binding
                return UNKNOWN, f"the refusal did not come with Vault's own error code ({exc}); {BY_HAND}"
            client.bindings.forget(entry.user)
            return OK, f"Vault refuses the user's token now ({exc.code})"
        return FAILED, "Vault still answers with the user's token"
    if op not in ("vault.mining.submit", "vault.mining.delete") or not uuid:
        return UNKNOWN, BY_HAND
    found = await client.find(entry.user, uuid, fresh=True)
    if op == "vault.mining.submit":
        try:
            reward = Decimal(str(entry.params.get("reward")))
        except ArithmeticError:
            return UNKNOWN, f"the entry's reward cannot be read; {BY_HAND}"
        return verdict(found, reward, str(entry.params.get("happened_at") or ""), uuid)
    if found is None:
        return UNKNOWN, f"Vault has no activity {uuid} to tell by; {BY_HAND}"
    if found.status == "DELETED":
        return OK, f"activity {uuid} is DELETED"
    return FAILED, f"activity {uuid} is {found.status}, not DELETED"


async def reconcile(client: MithrilClient) -> list[Settled]:
    """Settle every unknown Mithril Vault entry of this client's account that Vault can tell."""
    return await reconcile_each(client, "vault.", lambda entry, _history: check(client, entry))
