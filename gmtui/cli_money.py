"""Command line for money moves and their journal: `gmtui journal`, `gmtui reconcile`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from gmtui.api.journal import UNKNOWN, Entry

EXIT_OK, EXIT_UNKNOWN = 0, 3


def entry_row(e: Entry) -> dict[str, Any]:
    return {
        "id": e.id,
        "at": datetime.fromtimestamp(e.at, UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "user": e.user,
        "operation": e.operation,
        "amount": e.amount,
        "destination": e.destination,
        "outcome": e.outcome,
        "detail": e.detail,
    }


def _open(args: argparse.Namespace) -> Any:
    from gmtui import session

    return session.open_demo() if getattr(args, "demo", False) else session.open_profile(getattr(args, "profile", None))


async def cmd_journal(args: argparse.Namespace) -> int:
    from gmtui.output import render

    opened = _open(args)
    async with opened.client as client:
        assert client.journal is not None
        entries = client.journal.entries(outcome=UNKNOWN if args.unknown else None, limit=args.limit)
    fmt = args.format or ("table" if sys.stdout.isatty() else "json")
    sys.stdout.write(render([entry_row(e) for e in entries], fmt))
    return EXIT_OK


async def cmd_reconcile(args: argparse.Namespace) -> int:
    from gmtui.api.reconcile import reconcile

    opened = _open(args)
    async with opened.client as client:
        settled = await reconcile(client)
    if not settled:
        print("nothing to reconcile: no money move has an unknown outcome")
        return EXIT_OK
    for s in settled:
        print(f"entry {s.entry.id} {s.entry.operation} for {s.entry.user!r}: {s.outcome} ({s.reason})")
    return EXIT_UNKNOWN if any(s.outcome == UNKNOWN for s in settled) else EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], Awaitable[int]]] = {
    "journal": cmd_journal,
    "reconcile": cmd_reconcile,
}
