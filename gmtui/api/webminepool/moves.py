"""WebMinePool's moves, planned before they are sent (the shared rules: api/moves.py).

Each plan reads what it checks fresh from the server (never the cache), says what
will happen with the hashes' value at today's rate, and is sent once through the
journal. A reset of every user is confirmed only by typing its word. No UI here.
"""

from __future__ import annotations

import asyncio
import functools
from decimal import Decimal

from gmtui.api.errors import ApiError, AuthError, MoveRefused, NetworkError, RateLimitError, ServerError
from gmtui.api.moves import Plan, planned
from gmtui.api.text import clean
from gmtui.api.webminepool import models as m
from gmtui.api.webminepool.client import USERNAME, WebMinePoolClient
from gmtui.api.webminepool.views import hashes_sat

RESET_ALL_WORD = "reset-all"


class AlreadyThere(MoveRefused):
    """A user to create that the server has already: kept in the roster, nothing sent."""

    title = "Kept in the roster: nothing was sent"
    severity = "information"


def sat(hashes: int, rate: Decimal) -> str:
    return f"{hashes_sat(hashes, rate):,} sat at today's web rate"


def _name(username: str) -> str:
    if not USERNAME.fullmatch(username):
        raise MoveRefused(f"{clean(username, limit=70)!r} is not a username (1 to 64 letters, digits or _ . @ -)")
    return username


async def _hashes(client: WebMinePoolClient, username: str) -> int:
    """The user's hashes now; MoveRefused if the server does not know the user."""
    try:
        return await client.fresh_hashes(username)
    except (AuthError, ServerError, RateLimitError, NetworkError):
        raise
    except ApiError as exc:
        raise MoveRefused(f"the server has no hashes for {username!r} ({exc.server_message or exc})") from None


async def _rate(client: WebMinePoolClient) -> Decimal:
    satoshi: m.Satoshi = await client.read_fresh("wmp.hash_rate", {"amount": 1_000_000})
    return satoshi.satoshi


@planned
async def plan_withdraw(client: WebMinePoolClient, username: str, amount: int) -> Plan:
    _name(username)
    if amount <= 0:
        raise MoveRefused("withdraw a whole number of hashes above 0")
    held, rate = await asyncio.gather(_hashes(client, username), _rate(client))
    if amount > held:
        raise MoveRefused(f"{amount:,} hashes is more than the {held:,} {username!r} holds now")
    lines = [
        ("Withdraw", f"{amount:,} hashes"),
        ("From", username),
        ("Worth", sat(amount, rate)),
        ("Hashes after", f"{held - amount:,} (the user keeps mining)"),
    ]
    return Plan("wmp.withdraw", username, lines, functools.partial(client.withdraw, username, amount),
                frozenset({"Withdraw", "Worth", "Hashes after"}))


@planned
async def plan_reset(client: WebMinePoolClient, username: str) -> Plan:
    _name(username)
    held, rate = await asyncio.gather(_hashes(client, username), _rate(client))
    lines = [
        ("Reset", f"{username}'s hashes to 0"),
        ("Hashes now", f"{held:,}"),
        ("Worth", sat(held, rate)),
        ("Note", "the hashes are taken off the user, not paid out by gmtui"),
    ]
    return Plan("wmp.reset_user_hashes", username, lines, functools.partial(client.reset_user_hashes, username),
                frozenset({"Hashes now", "Worth"}))


@planned
async def plan_reset_all(client: WebMinePoolClient) -> Plan:
    listed, rate = await asyncio.gather(client.read_fresh("wmp.users"), _rate(client))
    total = sum(u.hashes for u in listed.users)
    lines = [
        ("Reset", "EVERY user's hashes to 0"),
        ("Listed users", f"{len(listed.users):,} active in the last 3 days, {total:,} hashes"),
        ("Worth", sat(total, rate)),
        ("Also", "users idle for more than 3 days, whom the server does not list"),
        ("Confirm", f"by typing {RESET_ALL_WORD}"),
    ]
    return Plan("wmp.reset_all_user_hashes", "", lines, client.reset_all_user_hashes,
                frozenset({"Listed users", "Worth"}), word=RESET_ALL_WORD)


@planned
async def plan_add_user(client: WebMinePoolClient, username: str, referral: str | None = None) -> Plan:
    _name(username)
    try:
        held = await client.fresh_hashes(username)
    except (AuthError, ServerError, RateLimitError, NetworkError):
        raise
    except ApiError:
        held = None  # unknown to the server: the name is free
    if held is not None:
        client.roster.add(username, "added")
        raise AlreadyThere(f"the server already has {username!r} ({held:,} hashes): nothing was sent, and it is in "
                           "gmtui's roster now")
    lines = [("Create user", username), ("Referral", referral or "none")]
    return Plan("wmp.create_user", username, lines, functools.partial(client.create_user, username, referral))


@planned
async def plan_delete_user(client: WebMinePoolClient, username: str) -> Plan:
    _name(username)
    held, rate = await asyncio.gather(_hashes(client, username), _rate(client))
    lines = [
        ("Delete user", username),
        ("Hashes now", f"{held:,} ({sat(held, rate)})"),
        ("Note", "mining under this name again creates the user again"),
    ]
    return Plan("wmp.delete_user", username, lines, functools.partial(client.delete_user, username),
                frozenset({"Hashes now"}))


@planned
async def plan_set_token(client: WebMinePoolClient, hashes: int, username: str | None = None) -> Plan:
    if hashes <= 0:
        raise MoveRefused("a token is for a whole number of hashes above 0")
    whose = "the whole account"
    if username:
        _name(username)
        whose = f"{username} (has {await _hashes(client, username):,} hashes now)"
    lines = [
        ("Set token", f"verified after {hashes:,} more hashes"),
        ("Mined by", whose),
        ("Note", "gmtui keeps the token's id: the API cannot list tokens"),
    ]
    return Plan("wmp.set_token", username or "", lines, functools.partial(client.set_token, hashes, username))


@planned
async def plan_unset_token(client: WebMinePoolClient, token_id: str) -> Plan:
    state = await client.get_token(token_id)
    if not state.verified:
        raise MoveRefused(f"token {clean(token_id, limit=40)} is not verified yet (done at {state.end_hashes:,} hashes); "
                          "the server deletes only a verified token")
    user = str(client.roster.tokens.get(token_id, {}).get("user") or "")
    lines = [
        ("Delete token", token_id),
        ("And its user", user or "whichever user the token is for (the API does not say which)"),
        ("Note", "the documents say deleting a verified token deletes its user as well"),
    ]
    return Plan("wmp.get_token.unset", user, lines, functools.partial(client.get_token_unset, token_id))
