"""`gmtui get partner` and `gmtui get attention`: every user of every profile asked
for, whatever its platform, and what needs a person today (see api/partner.py)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from gmtui.api import partner
from gmtui.api.errors import GmtuiError
from gmtui.output import render, say

RESOURCES = {"partner": "every user of every profile asked for, in one table (--all-profiles)",
             "attention": "what needs a person today, most money at stake first"}


def open_sources(args: argparse.Namespace) -> tuple[list[partner.Source], list[partner.Row]]:
    """The profiles asked for (--demo: every demo; --all-profiles; --profile; else the
    active one), and a failing row for each profile that could not be opened."""
    from gmtui import config, session

    if getattr(args, "demo", False):
        opened = session.open_demos(getattr(args, "faults", None), clock=args.clock)
        wanted = getattr(args, "profile", None)
        return [_source(s) for s in opened if not wanted or s.profile == wanted], []
    if not getattr(args, "all_profiles", False):
        return [_source(session.open_profile(getattr(args, "profile", None), clock=args.clock))], []
    sources, failed = [], []
    for name, profile in config.load().profiles.items():
        try:
            sources.append(_source(session.open_profile(name, args.clock, overrides=False)))
        except GmtuiError as exc:
            failed.append(partner.Row(profile.platform, name, "", error=f"cannot open the profile: {exc}",
                                      flags=(partner.Flag("read-failed", f"cannot open the profile: {exc}", ""),)))
    if not sources and not failed:
        from gmtui.api.errors import ConfigError

        raise ConfigError("no profile configured: add one with `gmtui profile add`, or use --demo")
    return sources, failed


def _source(s: Any) -> partner.Source:
    return partner.Source(s.profile, s.platform, s.client, list(s.users))


def act(row: partner.Row, flag: partner.Flag) -> str:
    """Where to act: the section and its number key on that profile ("Wallets (4)")."""
    section, key = partner.where(row, flag)
    return f"{section.rsplit('-', 1)[-1].title()} ({key})"  # "vault-activities": Activities, as the bar says


async def read(args: argparse.Namespace) -> tuple[partner.View, partner.Progress]:
    opened, failed = open_sources(args)
    sources, notes = partner.one_per_account(opened)
    for note in notes:
        say(f"gmtui: {note}", err=True)
    progress = partner.Progress()
    latest: dict[tuple[str, str], partner.Row] = {}
    shown = sys.stderr.isatty()
    started = time.monotonic()
    try:
        async for row in partner.gather(sources, progress, cached_first=args.offline, fresh=not args.offline):
            latest[(row.profile, row.user)] = row
            if shown:
                print(f"\r{progress.done:,} of {progress.total:,} users", end="", file=sys.stderr, flush=True)
    finally:
        for s in opened:
            await s.client.aclose()
        if shown:
            print("\r\033[K", end="", file=sys.stderr, flush=True)
    if progress.failed:
        say(f"gmtui: {progress.failed:,} of {progress.total:,} users could not be read (see their error)", err=True)
    elif shown:
        say(f"gmtui: {progress.total:,} users in {time.monotonic() - started:.1f} s", err=True)
    order = {s.profile: i for i, s in enumerate(sources)}
    rows = sorted(latest.values(), key=lambda r: (order.get(r.profile, -1), r.user.lower(), r.user))
    return partner.view([*failed, *rows]), progress


async def cmd(args: argparse.Namespace) -> int:
    fmt = args.format or ("table" if sys.stdout.isatty() else "json")
    view, progress = await read(args)
    now = args.clock
    # 1 (as for any API error) when no user at all could be read, or no profile opened
    code = 1 if (progress.total and progress.failed == progress.total) or (not progress.total and any(r.error for r in view.rows)) else 0
    if args.resource == "attention":
        items = [{"profile": r.profile, "platform": r.platform, "user": r.user, "kind": f.kind,
                  "stake": None if f.stake is None else str(f.stake), "why": f.why, "act": act(r, f)}
                 for r, f in view.flags]
        sys.stdout.write(render(items, fmt) if items or fmt != "table" else "nothing needs a person today\n")
        return code
    records = [partner.record(r, now) for r in view.rows]
    if fmt == "json":
        sys.stdout.write(render({
            "rows": records,
            "totals_by_unit": {u: f"{v:f}" for u, v in view.totals.items()},
            "daily_by_unit": {u: f"{v:f}" for u, v in view.daily.items()},
            "btc_equivalent_total": f"{view.btc:f}",
            "attention": len(view.flags),
        }, fmt))
        return code
    if fmt == "csv":
        sys.stdout.write(render([{**r, "flags": ";".join(r["flags"])} for r in records], fmt))
        return code
    sys.stdout.write(render([_line(r, now()) for r in view.rows], fmt))
    say("totals: " + " · ".join(f"{v:,f} {u}" for u, v in view.totals.items())
        + f"; BTC equivalent {view.btc:,f}"
        + "".join(f"; net {v:,f} {u} a day" for u, v in view.daily.items())
        + f"; {len(view.flags)} to look at (gmtui get attention)")
    return code


def _line(r: partner.Row, now: float) -> dict[str, Any]:
    age = r.age_s(now)
    return {
        "platform": r.platform, "profile": r.profile, "user": r.user,
        "holds": "" if r.holds is None else str(r.holds),
        "btc eq.": "" if r.btc is None else f"{r.btc:,f}",
        "net/day": "" if r.daily is None else str(r.daily),
        "figures": r.summary,
        "flags": ", ".join(f.kind for f in r.flags),
        "age": "" if age is None else f"{age:.0f} s",
        "error": r.error,
    }
