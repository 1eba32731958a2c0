"""What each WebMinePool move leaves on the server, to settle journal entries whose
outcome is unknown. Users keep mining, so hashes that did not fall prove nothing:
such entries stay unknown, with the reason, for a person to settle by hand.

- withdrawal: the user's hashes fell by at least the amount since just before it was
  sent (ok). Hashes fall only by withdrawals and resets, so another move on the same
  user since then (or one still unsettled) leaves it unknown.
- reset of a user: the hashes are now below what they were just before (ok), or were
  0 then (nothing to take: ok). The same caution about other moves on the user.
- reset of every user: every user listed before is now lower, or was at 0 (ok).
- user deletion: the server no longer knows the user, or it holds fewer hashes than
  before (mining under the name creates it again) (ok).
- user creation: the server knows the user now (ok); it refused the plan's check
  before, so the name was free when it was sent.
- token deletion: the server says "nonexistent token" (ok); still there (failed:
  nothing was deleted).
- token creation: the API lists no tokens, so its id cannot be found: by hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gmtui.api.errors import ApiError, AuthError, NotFoundError, RateLimitError, ServerError
from gmtui.api.journal import DAMAGED, FAILED, OK, UNKNOWN, Entry, Settled, reconcile_each
from gmtui.api.platforms import label

if TYPE_CHECKING:
    from gmtui.api.webminepool.client import WebMinePoolClient as Client

_FALLS = ("wmp.withdraw", "wmp.reset_user_hashes", "wmp.reset_all_user_hashes", "wmp.delete_user", "wmp.get_token.unset")
BY_HAND = "settle it by hand (gmtui journal settle ID ok|failed)"


async def _known(client: Client, username: str) -> int | None:
    """The user's hashes now, or None when the server says no about the user."""
    try:
        return await client.fresh_hashes(username)
    except (AuthError, ServerError, RateLimitError):
        raise
    except ApiError:
        return None


def _others(history: list[Entry], entry: Entry) -> list[Entry]:
    """Other moves that lower hashes of the same user (or of everyone) since this one
    was sent, or still unsettled from before it."""
    out = []
    for e in history:
        if e.id == entry.id or e.scope != entry.scope or e.operation not in _FALLS or e.outcome == FAILED:
            continue
        if e.user not in (entry.user, "") and entry.user != "":
            continue
        if e.id > entry.id or e.outcome in (UNKNOWN, DAMAGED) or (e.answered_at or 0) > entry.at:
            out.append(e)
    return out


async def check(client: Client, entry: Entry, history: list[Entry]) -> tuple[str, str]:
    op, p, before = entry.operation, entry.params, entry.before
    if op in ("wmp.withdraw", "wmp.reset_user_hashes", "wmp.reset_all_user_hashes"):
        others = _others(history, entry)
        if others:
            return UNKNOWN, (f"{label(others[0].operation)} #{others[0].id} also lowers these hashes, so they cannot "
                             f"tell the two apart; {BY_HAND}")
    if op == "wmp.withdraw":
        if "hashes" not in before:
            return UNKNOWN, f"no hashes were recorded before it was sent; {BY_HAND}"
        now, was, amount = await _known(client, entry.user), int(before["hashes"]), int(p["amount"])
        if now is None:
            return UNKNOWN, f"the server no longer knows {entry.user!r}; {BY_HAND}"
        if now <= was - amount:
            return OK, f"the hashes fell from {was:,} to {now:,}, by at least the {amount:,} withdrawn"
        return UNKNOWN, (f"the hashes went from {was:,} to {now:,}; the user keeps mining, so this does not prove the "
                         f"withdrawal of {amount:,} failed; {BY_HAND}")
    if op == "wmp.reset_user_hashes":
        if "hashes" not in before:
            return UNKNOWN, f"no hashes were recorded before it was sent; {BY_HAND}"
        now, was = await _known(client, entry.user), int(before["hashes"])
        if was == 0:
            return OK, "the user had no hashes to reset"
        if now is not None and now < was:
            return OK, f"the hashes fell from {was:,} to {now:,}"
        return UNKNOWN, f"the hashes went from {was:,} to {now if now is not None else 'unknown'}; {BY_HAND}"
    if op == "wmp.reset_all_user_hashes":
        was_all: dict[str, Any] = before.get("users") or {}
        if not was_all:
            return UNKNOWN, f"no users were listed before it was sent; {BY_HAND}"
        listed = {u.name: u.hashes for u in (await client.read_fresh("wmp.users")).users}
        higher = [n for n, h in was_all.items() if int(h) > 0 and listed.get(n, -1) >= int(h)]
        if not higher:
            return OK, f"every one of the {len(was_all)} users listed before is lower now (or idle and unlisted)"
        return UNKNOWN, f"{len(higher)} users are not lower (e.g. {higher[0]!r}); {BY_HAND}"
    if op == "wmp.delete_user":
        now = await _known(client, entry.user)
        if now is None:
            return OK, f"the server no longer knows {entry.user!r}"
        if "hashes" in before and now < int(before["hashes"]):
            return OK, f"{entry.user!r} holds {now:,} hashes, fewer than the {int(before['hashes']):,} before: created again"
        return UNKNOWN, f"{entry.user!r} is still there with {now:,} hashes; {BY_HAND}"
    if op == "wmp.create_user":
        if await _known(client, entry.user) is not None:
            client.roster.add(entry.user, "created")
            return OK, f"the server knows {entry.user!r} now"
        return FAILED, f"the server does not know {entry.user!r}"
    if op == "wmp.get_token.unset":
        try:
            state = await client.get_token(str(p["token_id"]))
        except NotFoundError:
            client.roster.drop_token(str(p["token_id"]))
            return OK, "the server says the token no longer exists"
        return FAILED, f"the token is still there (state {state.state})"
    return UNKNOWN, f"the API cannot list what this move made; {BY_HAND}"


async def reconcile(client: Client) -> list[Settled]:
    """Settle every unknown WebMinePool entry of this client's account that the server
    can tell, oldest first."""
    return await reconcile_each(client, "wmp.", lambda entry, history: check(client, entry, history))
