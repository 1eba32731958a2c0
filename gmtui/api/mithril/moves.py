"""Mithril Vault's moves, planned before they are sent (the shared rules: api/moves.py),
and the binding steps that are not moves.

A reward moves MITH from the application's capital to a user: its plan reads the
capital and the rewards still pending fresh, makes a uuid (journaled before it leaves)
and, when the same reward to the same user is unknown in the journal, offers to send
that one again with its own uuid: Vault takes a uuid once, so a resend cannot pay
twice (a 409 then says the first arrived). A cancellation is planned only while the
activity is PENDING; an unbinding is confirmed like a move. No UI here.
"""

from __future__ import annotations

import asyncio
import functools
import uuid as uuids
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit

from gmtui.api.errors import ApiError, InputError, MoveRefused, NetworkError
from gmtui.api.journal import UNKNOWN
from gmtui.api.mithril import models as m
from gmtui.api.mithril.catalogue import DONATE_MIN_MITH
from gmtui.api.mithril.client import HAPPENED_AT, UUID, MithrilClient, NotBound, happened_at, reward_amount
from gmtui.api.moves import Plan, planned
from gmtui.api.text import clean

WAITING = ("PENDING", "MINING")  # not paid yet: still to come out of the capital
FUTURE_S = 300  # a reward may not happen later than this after now


def mith(value: Decimal) -> str:
    return f"{value:,f} MITH"


def _bound(client: MithrilClient, user: str) -> None:
    if client.bindings.problem:
        raise MoveRefused(client.bindings.problem)
    if client.bindings.token(user) is None:
        raise MoveRefused(f"{clean(user, limit=70)!r} is not bound to Mithril Vault in this profile: "
                          "gmtui vault bind USER first")


async def capital(client: MithrilClient) -> Decimal:
    """The application's MITH now (never the cache)."""
    balances: m.AppBalances = await client.read_fresh("vault.oauth.balance")
    return sum((b.balance for b in balances.root if b.currency.upper() == "MITH"), Decimal(0))


async def pending(client: MithrilClient) -> tuple[Decimal, list[str]]:
    """MITH of every bound user's rewards not paid yet (their newest page, fresh), and
    the users whose activities could not be read."""
    users = [b.user for b in client.bindings.users()]
    gate = asyncio.Semaphore(2)  # Vault limits GET /mining

    async def one(user: str) -> Decimal | None:
        async with gate:
            try:
                page: m.Activities = await client.read_fresh("vault.mining.list", user=user)
            except (ApiError, NetworkError):
                return None
        return sum((a.value or Decimal(0) for a in page.items if a.status in WAITING), Decimal(0))

    found = await asyncio.gather(*(one(u) for u in users))
    return sum((f for f in found if f is not None), Decimal(0)), [u for u, f in zip(users, found) if f is None]


@dataclass(frozen=True)
class Unknown:
    """A reward whose outcome is unknown in the journal."""

    entry: int
    user: str
    reward: Decimal
    uuid: str
    at: str


def unknown_rewards(client: MithrilClient) -> list[Unknown]:
    """The rewards of this account whose outcome is unknown, newest first."""
    if client.journal is None:
        return []
    out = []
    for entry in client.journal.entries(outcome=UNKNOWN, limit=10_000):
        p = entry.params
        if entry.operation == "vault.mining.submit" and entry.scope in (client.account, client.scope):
            try:
                out.append(Unknown(entry.id, entry.user, Decimal(str(p.get("reward"))), str(p.get("uuid")),
                                   str(p.get("happened_at"))))
            except ArithmeticError:
                continue
    return out


def _moment(at: str, client: MithrilClient) -> str:
    if not HAPPENED_AT.fullmatch(at):
        raise MoveRefused("--at is YYYY-MM-DDTHH:MM:SS in UTC, without Z")
    try:
        datetime.strptime(at, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        raise MoveRefused(f"--at {at} is not a time in the calendar") from None
    if at > happened_at(client.clock() + client.clock_offset_ms / 1000 + FUTURE_S):
        raise MoveRefused("--at is in the future")
    return at


@planned
async def plan_reward(client: MithrilClient, user: str, reward: Decimal, uuid: str | None = None,
                      at: str | None = None) -> Plan:
    """A reward, or the resend of the same reward (user and amount) whose outcome is
    unknown, with its own uuid and time."""
    _bound(client, user)
    try:
        reward_amount(reward)
    except ValueError as exc:
        raise MoveRefused(f"a reward is {exc}") from None
    if uuid is not None and not UUID.fullmatch(uuid):
        raise MoveRefused("a uuid has 1 to 64 letters, digits, _ or -")
    if at is not None:
        at = _moment(at, client)
    unknown = unknown_rewards(client)
    taken = next((u for u in unknown if uuid is not None and u.uuid == uuid), None)
    if taken is not None and (taken.user, taken.reward) != (user, reward):
        raise MoveRefused(f"uuid {uuid} is that of journal entry {taken.entry} ({mith(taken.reward)} to {taken.user}), "
                          "whose outcome is unknown: settle it first (gmtui reconcile)")
    retry = taken or next((u for u in unknown if (u.user, u.reward) == (user, reward) and uuid is None), None)
    if retry is not None and at is not None and at != retry.at:
        raise MoveRefused(f"the same reward to {user!r} is unknown in the journal (entry {retry.entry}, happened "
                          f"{retry.at}): retry it without --at, or settle it first (gmtui reconcile)")
    if retry is None and uuid is not None and await client.find(user, uuid, fresh=True) is not None:
        raise MoveRefused(f"Vault already has an activity {uuid} for {user!r}: a uuid is taken once")
    (have, (waiting, unread)) = await asyncio.gather(capital(client), pending(client))
    if retry is None and have < reward + waiting:
        raise MoveRefused(f"the application's capital ({mith(have)}) does not cover {mith(reward)} plus the rewards "
                          f"not paid yet ({mith(waiting)})")
    lines = [("Reward", mith(reward)), ("To", f"{user} (bound Vault user)"),
             ("From", f"the application's capital: {mith(have)}, {mith(waiting)} of it promised to rewards not paid yet")]
    if unread:
        lines.append(("Not read", f"pending rewards of {', '.join(unread[:5])}{'…' if len(unread) > 5 else ''}"))
    if retry is not None:
        lines += [("Uuid", retry.uuid), ("Happened", f"{retry.at} UTC"),
                  ("Retry of", f"journal entry {retry.entry} (outcome unknown): the same uuid is sent, and Vault takes a "
                               "uuid once, so it cannot be paid twice")]
        send = functools.partial(client.resend_reward, retry.entry, user, retry.uuid, reward, retry.at)
    else:
        uuid = uuid or str(uuids.uuid4())
        at = at or happened_at(client.clock() + client.clock_offset_ms / 1000)
        lines += [("Uuid", uuid), ("Happened", f"{at} UTC"),
                  ("Paid", "by Vault when it processes it (every 10 minutes): PENDING, MINING, then MINED")]
        others = [u for u in unknown if u.user == user]
        if others:
            lines.append(("Unknown", f"entry {others[0].entry} ({mith(others[0].reward)} to {user}) has an unknown "
                                     "outcome: if this reward replaces it, settle it first (gmtui reconcile)"))
        send = functools.partial(client.reward, user, uuid, reward, at)
    return Plan("vault.mining.submit", user, lines, send, frozenset({"Reward", "From"}))


@planned
async def plan_cancel(client: MithrilClient, user: str, uuid: str) -> Plan:
    _bound(client, user)
    if not UUID.fullmatch(uuid):
        raise MoveRefused("a uuid has 1 to 64 letters, digits, _ or -")
    found = await client.find(user, uuid, fresh=True)
    if found is None:
        raise MoveRefused(f"Vault has no activity {uuid} for {user!r}")
    if found.status != "PENDING":
        raise MoveRefused(f"activity {uuid} is {clean(found.status, limit=20)}: only a PENDING one can be cancelled")
    lines = [("Cancel", f"activity {uuid} ({mith(found.value or Decimal(0))}, happened {clean(found.happened_at, limit=40)})"),
             ("User", user), ("Then", "Vault marks it DELETED and never pays it")]
    return Plan("vault.mining.delete", user, lines, functools.partial(client.cancel, user, uuid), frozenset({"Cancel"}))


class Forgotten(MoveRefused):
    """A binding Vault already dropped: gmtui forgets it; nothing is sent."""

    title = "Forgotten: nothing was sent"
    severity = "information"


@planned
async def plan_unbind(client: MithrilClient, user: str) -> Plan:
    _bound(client, user)
    try:
        await client.read_fresh("vault.oauth.user_info", user=user)
    except NotBound as exc:
        if exc.from_vault:  # Vault itself refuses the token: nothing left to unbind there
            client.bindings.forget(user)
            raise Forgotten(f"Vault no longer accepts the token of {user} ({exc.code}): gmtui forgot the binding; "
                            "nothing was sent") from None
        raise
    lines = [("Unbind", f"{user} from Mithril Vault"),
             ("Then", "gmtui cannot reward the user or read its activities until it is bound again")]
    return Plan("vault.oauth.unbind", user, lines, functools.partial(client.unbind, user))


# ---- binding and donations: not moves


@dataclass(frozen=True)
class Redirect:
    state: str
    grant_code: str


def redirect(text: str, waiting: list[str]) -> Redirect:
    """What Vault's redirect carried: the whole address (``?grant_code=..&state=..``,
    also after a ``#`` as single-page apps have it), its query, or the bare grant code
    (then the state is the one binding waiting)."""
    value = text.strip()
    if not value or len(value) > 4096:
        raise InputError("paste the address Vault redirected to (it holds grant_code and state), or the grant code")
    parts = urlsplit(value) if "://" in value else None
    queries = [parts.query, parts.fragment.partition("?")[2]] if parts else [value.lstrip("?#")]
    for query in queries:
        fields = parse_qs(query)
        if "error" in fields and "grant_code" not in fields:
            raise InputError(f"Vault refused the binding: {clean(fields['error'][0], limit=80)}")
        code, state = (fields.get("grant_code") or [""])[0], (fields.get("state") or [""])[0]
        if code and state:
            return Redirect(state, code)
    if parts is not None or "=" in value:
        raise InputError("that address has no grant_code and state: paste the whole address Vault redirected to")
    if len(waiting) != 1:
        raise InputError("paste the whole address Vault redirected to: a bare grant code says not which binding it is")
    return Redirect(waiting[0], value)


def donate_link(client: MithrilClient, user: str, amount: Decimal, description: str = "") -> str:
    """The documented donate page for ``user`` (the user confirms it in Vault by SMS;
    gmtui sends nothing)."""
    if amount < DONATE_MIN_MITH:
        raise InputError(f"Vault takes donations of at least {DONATE_MIN_MITH} MITH")
    query = {"app_id": client.mining_key, "user_id": user, "amount": f"{amount:f}", "state": uuids.uuid4().hex}
    if description:
        query["desc"] = clean(description, limit=200)
    return f"{client.web_url}/#/donate?" + urlencode(query)


__all__ = ["Forgotten", "Unknown", "unknown_rewards", "plan_reward", "plan_cancel", "plan_unbind", "redirect",
           "donate_link", "capital", "pending"]
