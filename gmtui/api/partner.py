"""The partner-wide view: one row per user per profile, whatever the platform, and the
attention queue (what needs a person today, most money at stake first).

A platform says what a row holds in ``gmtui/api/<platform>/partner.py``:
``context(client)`` reads what every row of a profile shares (prices, rates), once;
``users(client, users)`` the users to show; ``row(client, user, context)`` one user's
row. Amounts stay exact and in their own unit: totals are kept per unit, never summed
across units; ``btc`` is a BTC equivalent only where the platform has a rate.

``gather`` paints what the cache holds first (each row with its age), then reads every
user afresh, as many at once as each client's gate allows (see ``api/gate.py``), and
yields rows as they arrive. A user whose reads fail keeps its row, with the error; the
others still show.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal, localcontext
from typing import Any

from gmtui.api import cache as cache_mod, gate
from gmtui.api.entries import UNKNOWN
from gmtui.api.errors import GmtuiError
from gmtui.api.text import clean


@dataclass(frozen=True)
class Amount:
    value: Decimal
    unit: str  # "BTC", "MITH", "hashes"

    def __str__(self) -> str:
        return f"{self.value:,f} {self.unit}"


@dataclass(frozen=True)
class Flag:
    """Something a person should look at: why, where to act, and what is at stake."""

    kind: str  # "unknown-move", "losing-miners", "no-wallet", "rejected", "binding-lost", "idle", "read-failed"
    why: str
    section: str  # the dashboard section where it is acted on (ui/sections.py); "": the platform's first
    stake: Amount | None = None
    stake_btc: Decimal | None = None  # the stake in BTC, where a rate exists (for ordering)


@dataclass(frozen=True)
class Row:
    platform: str
    profile: str
    user: str
    holds: Amount | None = None  # the user's balance on that platform
    btc: Decimal | None = None  # ``holds`` in BTC, where a rate exists
    daily: Amount | None = None  # net per day at today's prices
    summary: str = ""  # the platform's key figures in a few words
    figures: dict[str, Any] = field(default_factory=dict)  # every figure, exact, for json/csv
    flags: tuple[Flag, ...] = ()
    error: str = ""  # why some or all of the row could not be read
    fetched_at: float | None = None  # when its oldest figure was read; None: just now
    cached: bool = False  # painted from the cache before the fresh read

    def age_s(self, now: float) -> float | None:
        return None if self.fetched_at is None else max(0.0, now - self.fetched_at)


@dataclass
class Source:
    """One profile to read: its client and users."""

    profile: str
    platform: str
    client: Any
    users: list[str]


@dataclass
class Progress:
    done: int = 0
    total: int = 0
    failed: int = 0


def module(platform: str) -> Any:
    return importlib.import_module(f"gmtui.api.{platform}.partner")


def where(row: Row, flag: Flag) -> tuple[str, int]:
    """The section of ``row``'s platform where ``flag`` is acted on, and its number key:
    the platform's first section when the flag's is not one of its (a failed read)."""
    from gmtui.api.platforms import platform

    sections = platform(row.platform).sections
    section = flag.section if flag.section in sections else sections[0]
    return section, sections.index(section) + 1


def failed_row(source: Source, user: str, exc: BaseException, cached: Row | None = None) -> Row:
    why = clean(str(exc) if isinstance(exc, GmtuiError) else f"{type(exc).__name__}: {exc}", limit=200)
    flag = Flag("read-failed", f"reads failed: {why}", "")
    if cached is not None:  # the last figures known stay, with their age and the error
        return replace(cached, error=why, flags=(*cached.flags, flag), cached=False)
    return Row(source.platform, source.profile, user, error=why, flags=(flag,))


def unknown_moves(source: Source) -> dict[str, list[Flag]]:
    """user -> a flag per money move of this account whose outcome is unknown ("": a
    move of no one user, or a journal that cannot be read)."""
    journal = getattr(source.client, "journal", None)
    if journal is None:
        return {}
    try:
        return _unknown_moves(source, journal)
    except Exception as exc:  # the journal fails closed for moves; the view goes on
        why = clean(str(exc), limit=200) or type(exc).__name__
        return {"": [Flag("unknown-move", f"the journal cannot be read, so moves of unknown outcome cannot be "
                                          f"listed: {why}", "journal")]}


def _unknown_moves(source: Source, journal: Any) -> dict[str, list[Flag]]:
    from gmtui.api.platforms import label, unit

    out: dict[str, list[Flag]] = {}
    for e in journal.entries(outcome=UNKNOWN):
        if e.scope not in (source.client.account, source.client.scope):
            continue
        amount = _decimal(e.amount)
        stake = Amount(amount, unit(e.operation)) if amount is not None else None
        out.setdefault(e.user, []).append(Flag(
            "unknown-move", f"{label(e.operation)} #{e.id}: outcome unknown (reconcile, or settle it by hand)",
            "journal", stake, amount if stake and stake.unit == "BTC" else None,
        ))
    return out


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "")) if text else None
    except ArithmeticError:
        return None


def one_per_account(sources: list[Source]) -> tuple[list[Source], list[str]]:
    """The sources with every partner account read once: profiles of one account (the
    same platform, server and key) are read as the first of them, with the users of all;
    and what was merged, in words."""
    kept: dict[tuple[str, str, str], Source] = {}
    notes: list[str] = []
    for source in sources:
        key = (source.platform, str(getattr(source.client, "base_url", "")), str(getattr(source.client, "account", source.profile)))
        first = kept.get(key)
        if first is None:
            kept[key] = replace(source, users=list(source.users))
            continue
        known = set(first.users)
        first.users.extend(u for u in source.users if u not in known)
        notes.append(f"profiles {first.profile} and {source.profile} are one account on {source.platform}: "
                     f"its users are read once, under {first.profile}")
    return list(kept.values()), notes


def leftovers(source: Source, users: list[str], moves: dict[str, list[Flag]]) -> Row | None:
    """A row of the profile itself for the moves of no listed user."""
    shown = set(users)
    flags = [f for user, fs in moves.items() if user not in shown for f in fs]
    return Row(source.platform, source.profile, "", summary="the profile", flags=tuple(flags)) if flags else None


def partly(row: Row) -> Row:
    """A row with an error says so in the queue too."""
    if not row.error or any(f.kind == "read-failed" for f in row.flags):
        return row
    return replace(row, flags=(*row.flags, Flag("read-failed", f"partly read: {row.error}", "")))


async def _one(source: Source, user: str, context: Any, cache_only: bool,
               context_at: float | None = None) -> tuple[Row, float | None]:
    """A user's row, and when the oldest cached answer it rests on was fetched (the
    profile's shared ``context`` counts: a row taken from a cached list is as old as it)."""
    with cache_mod.tracking(cache_only=cache_only) as fresh:
        row = await module(source.platform).row(source.client, user, context)
    ats = [at for at in (fresh.oldest, context_at) if at is not None]
    return replace(row, profile=source.profile), min(ats) if ats else None


async def _context(source: Source, cache_only: bool) -> tuple[Any, float | None]:
    """The profile's shared reads and their fetch time if cached; or the error (each row
    then says what it lacks)."""
    try:
        with cache_mod.tracking(cache_only=cache_only) as fresh:
            return await module(source.platform).context(source.client), fresh.oldest
    except Exception as exc:
        return exc, None


async def _users(source: Source, cache_only: bool) -> list[str]:
    with cache_mod.tracking(cache_only=cache_only):
        return await module(source.platform).users(source.client, source.users)


async def gather(sources: list[Source], progress: Progress | None = None, *,
                 cached_first: bool = True, fresh: bool = True, users_at_once: int = 128) -> AsyncIterator[Row]:
    """Every user's row of every source: cached rows first (``cached`` set; painted
    before anything is sent, the user lists too taken from the cache), then fresh ones
    as they arrive (a fresh row replaces the cached one of its profile and user).
    ``fresh`` False: the cached rows alone (nothing is sent)."""
    progress = progress if progress is not None else Progress()
    known: dict[tuple[str, str], Row] = {}
    moves = {source.profile: unknown_moves(source) for source in sources}
    if cached_first:
        for source in sources:
            try:
                users = await _users(source, True)
            except GmtuiError:
                users = list(source.users)
            context, context_at = await _context(source, True)
            for user in users:
                try:
                    row, at = await _one(source, user, context, True, context_at)
                except Exception:  # nothing (or not all) cached: the fresh read shows it
                    continue
                row = replace(row, cached=True, fetched_at=at,
                              flags=(*moves[source.profile].get(user, ()), *partly(row).flags))
                known[(source.profile, user)] = row
                yield row
    listed: list[tuple[Source, list[str]]] = []
    for source in sources:
        try:
            users = await _users(source, not fresh)  # offline: not even the user list is asked for
        except GmtuiError as exc:
            users = list(source.users)
            if not users:
                why = clean(str(exc), limit=200)
                yield Row(source.platform, source.profile, "", error=why,
                          flags=(Flag("read-failed", f"the user list failed: {why}", ""),))
                continue
        listed.append((source, users))
    progress.total = sum(len(u) for _, u in listed)
    for source, users in listed:
        if (extra := leftovers(source, users, moves[source.profile])) is not None:
            yield extra
    if not fresh:
        return
    queue: asyncio.Queue[Row | None] = asyncio.Queue()
    slots = asyncio.Semaphore(users_at_once)

    async def read(source: Source, user: str, context: tuple[Any, float | None], moves: list[Flag], rank: int) -> None:
        async with slots:
            gate.RANK.set(rank)  # this task's requests (and its children's) go before later users'
            try:
                row, at = await _one(source, user, context[0], False, context[1])
                row = replace(row, fetched_at=at, flags=(*moves, *partly(row).flags))
            except Exception as exc:  # a defect for one user must not hide the others either
                row = failed_row(source, user, exc, known.get((source.profile, user)))
                row = replace(row, flags=(*moves, *row.flags))
                progress.failed += 1
            progress.done += 1
            await queue.put(row)

    async def run_source(source: Source, users: list[str]) -> None:
        context = await _context(source, False)
        mine = moves[source.profile]
        await asyncio.gather(*(read(source, u, context, mine.get(u, []), n) for n, u in enumerate(users)))

    async def run_all() -> None:
        try:
            await asyncio.gather(*(run_source(s, u) for s, u in listed))
        finally:
            await queue.put(None)

    task = asyncio.ensure_future(run_all())
    try:
        while (arrived := await queue.get()) is not None:
            yield arrived
        await task
    finally:
        task.cancel()


@dataclass
class View:
    rows: list[Row]
    totals: dict[str, Decimal]  # unit -> the sum of ``holds`` in it
    daily: dict[str, Decimal]  # unit -> the sum of ``daily`` in it
    btc: Decimal  # the sum of the BTC equivalents
    flags: list[tuple[Row, Flag]]  # the attention queue, most at stake first


def view(rows: list[Row]) -> View:
    with localcontext(prec=80):  # exact sums: a hash count may have 30 digits
        return _view(rows)


def _view(rows: list[Row]) -> View:
    totals: dict[str, Decimal] = {}
    daily: dict[str, Decimal] = {}
    btc = Decimal(0)
    for r in rows:
        if r.holds is not None:
            totals[r.holds.unit] = totals.get(r.holds.unit, Decimal(0)) + r.holds.value
        if r.daily is not None:
            daily[r.daily.unit] = daily.get(r.daily.unit, Decimal(0)) + r.daily.value
        btc += r.btc or 0
    return View(rows, totals, daily, btc, queue(rows))


ORDER = ("unknown-move", "binding-lost", "read-failed", "no-wallet", "rejected", "losing-miners", "idle")


def queue(rows: list[Row]) -> list[tuple[Row, Flag]]:
    """Every flag of ``rows``: money moves of unknown outcome first; then most BTC at
    stake; then stakes in other units, largest first within a unit; then the rest by kind."""
    items = [(r, f) for r in rows for f in r.flags]

    def key(item: tuple[Row, Flag]) -> tuple[Any, ...]:
        r, f = item
        rank = ORDER.index(f.kind) if f.kind in ORDER else len(ORDER)
        first = 0 if f.kind == "unknown-move" else 1
        if f.stake_btc is not None:
            return (first, 0, -f.stake_btc, rank, r.profile, r.user)
        if f.stake is not None:
            return (first, 1, f.stake.unit, -f.stake.value, rank, r.profile, r.user)
        return (first, 2, Decimal(0), rank, r.profile, r.user)

    return sorted(items, key=key)


def record(row: Row, now: Callable[[], float]) -> dict[str, Any]:
    """A row as plain data (json, csv): exact amounts as strings, flags as text."""
    age = row.age_s(now())
    return {
        "platform": row.platform, "profile": row.profile, "user": row.user,
        "holds": None if row.holds is None else f"{row.holds.value:f}",
        "unit": None if row.holds is None else row.holds.unit,
        "btc_equivalent": None if row.btc is None else f"{row.btc:f}",
        "daily": None if row.daily is None else f"{row.daily.value:f}",
        "daily_unit": None if row.daily is None else row.daily.unit,
        **{k: (f"{v:f}" if isinstance(v, Decimal) else v) for k, v in row.figures.items()},
        "flags": [f.kind for f in row.flags],
        "error": row.error or None,
        "age_s": None if age is None else round(age),
    }
