"""Command line for money moves and their journal: `gmtui journal [settle]`,
`gmtui reconcile`, and the moves (`wallet bind`, `withdraw`, `upgrade`, `buy`,
`transfer`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

from gmtui.api.platforms import label
from gmtui.api.journal import UNKNOWN
from gmtui.api.text import clean

EXIT_OK, EXIT_USAGE, EXIT_UNKNOWN = 0, 2, 3


def _open(args: argparse.Namespace) -> Any:
    from gmtui.cli import open_session

    return open_session(args)


async def cmd_journal(args: argparse.Namespace) -> int:
    """The journal's entries (damaged ones marked), or `settle`: a person's verdict.
    Exit 2 when the journal cannot be trusted, so scripts notice."""
    from gmtui.api.errors import JournalUnavailable
    from gmtui.output import render, say

    opened = _open(args)
    async with opened.client as client:
        journal = client.journal
        assert journal is not None
        if getattr(args, "journal_action", None) == "settle":
            entry = journal.settle_by_hand(args.entry, args.outcome, args.note)
            say(f"entry {entry.id} ({label(entry.operation)}) for {entry.user!r}: {entry.outcome} ({entry.detail})")
            return EXIT_OK
        try:
            entries = journal.entries(outcome=UNKNOWN if args.unknown else None, limit=args.limit)
        except JournalUnavailable as exc:  # not a refused move: the listing itself cannot be read
            say(f"gmtui: {exc}", err=True)
            return EXIT_USAGE
        trouble = journal.trouble()
    fmt = args.format or ("table" if sys.stdout.isatty() else "json")
    sys.stdout.write(render([e.row() for e in entries], fmt))
    if trouble:
        say(f"gmtui: {trouble}", err=True)
        return EXIT_USAGE
    return EXIT_OK


async def cmd_reconcile(args: argparse.Namespace) -> int:
    from gmtui.api.platforms import platform
    from gmtui.output import say

    opened = _open(args)
    async with opened.client as client:
        settled = await platform(opened.platform).reconcile(client)
    if not settled:
        say("nothing to reconcile: no money move has an unknown outcome")
        return EXIT_OK
    for s in settled:
        say(f"entry {s.entry.id} ({label(s.entry.operation)}) for {s.entry.user!r}: {s.outcome} ({s.reason})")
    return EXIT_UNKNOWN if any(s.outcome == UNKNOWN for s in settled) else EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], Coroutine[Any, Any, int]]] = {
    "journal": cmd_journal,
    "reconcile": cmd_reconcile,
}


# ---- money moves ------------------------------------------------------------------------


def move_options(p: argparse.ArgumentParser, confirm: bool = True, user: bool = True) -> None:
    """The options every move command takes (and ``--user`` where a move names one)."""
    if user:
        p.add_argument("--user", help="partner user id (default: the profile's first user)")
    p.add_argument("--profile", default=argparse.SUPPRESS, help="profile to use")
    p.add_argument("--demo", action="store_true", default=argparse.SUPPRESS, help="use the embedded sandbox")
    if confirm:
        p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        p.add_argument("--read-only", action="store_true", default=argparse.SUPPRESS, help="refuse money moves")


def add_parsers(sub: Any) -> None:
    """`wallet bind`, `withdraw`, `upgrade price|create`, `buy`, `transfer`."""
    common = move_options

    w = sub.add_parser("wallet", help="bind a BTC wallet to a partner user")
    wsub = w.add_subparsers(dest="wallet_action", required=True, metavar="ACTION")
    bind = wsub.add_parser("bind", help="bind a mainnet BTC address (checked before sending)")
    bind.add_argument("address")
    common(bind)

    wd = sub.add_parser("withdraw", help="withdraw BTC income to a bound wallet")
    wd.add_argument("amount", help="BTC, at most 8 decimals, e.g. 0.0015 (digits and one '.')")
    wd.add_argument("--to", required=True, dest="address", help="a wallet bound to the user")
    wd.add_argument("--fast", action="store_true", help="fast withdrawal (commission applies)")
    common(wd)

    up = sub.add_parser("upgrade", help="price or create a miner upgrade, with payback")
    upsub = up.add_subparsers(dest="upgrade_action", required=True, metavar="ACTION")
    for action in ("price", "create"):
        u = upsub.add_parser(action, help=f"{action} an upgrade of one miner")
        u.add_argument("--miner", type=_id, required=True, help="the miner (NFT) id")
        target = u.add_mutually_exclusive_group(required=True)
        target.add_argument("--power", type=_target("a target power (TH/s)"), help="target TH/s")
        target.add_argument("--efficiency", type=_target("a target efficiency (W/TH)"), help="target W/TH")
        common(u, confirm=action == "create")

    b = sub.add_parser("buy", help="buy a miner from a collection (payment, then confirmation)")
    b.add_argument("collection", type=_id, help="collection id (see: gmtui get collections)")
    common(b)

    t = sub.add_parser("transfer", help="transfer a miner to another partner user")
    t.add_argument("miner", type=_id, help="the miner (NFT) id")
    t.add_argument("--to", required=True, dest="to_user", help="the partner user who receives it")
    common(t)


def _id(text: str) -> int:
    from gmtui.api import inputs
    from gmtui.cli import _typed

    return _typed(lambda t: inputs.whole(t, "an id"))(text)


def _target(what: str) -> Callable[[str], Decimal]:
    def parse(text: str) -> Decimal:
        from gmtui.api import inputs
        from gmtui.cli import _typed

        return _typed(lambda t: inputs.decimal(t, what, places=2, maximum=Decimal(100_000), example="20"))(text)

    return parse


def open_platform(args: argparse.Namespace, platform: str, command: str) -> Any:
    """The session of a command for one platform (``gmtui pool``, ``gmtui vault``):
    that platform's demo, or a profile of that platform."""
    from gmtui import session
    from gmtui.api.errors import ConfigError
    from gmtui.api.platforms import platform as described
    from gmtui.cli import open_session

    if getattr(args, "demo", False):
        return session.open_demo(getattr(args, "faults", None), clock=args.clock, platform=platform)
    opened = open_session(args)
    if opened.platform != platform:
        raise ConfigError(f"profile {opened.profile!r} is a {opened.platform} profile; `gmtui {command}` is for "
                          f"{described(platform).title} profiles (--profile NAME)")
    return opened


def approved(plan: Any, args: argparse.Namespace, read_only: bool) -> bool:
    """The read-only rule, then the confirmation (or --yes); says so when it is declined."""
    from gmtui.api.moves import guard
    from gmtui.output import say

    guard(plan, read_only)
    if confirm(plan, args):
        return True
    say("cancelled: nothing was sent")
    return False


def confirm(plan: Any, args: argparse.Namespace) -> bool:
    from gmtui.output import say

    say(plan.summary())
    if getattr(args, "yes", False):
        return True
    if not sys.stdin.isatty():
        from gmtui.api.errors import ConfigError

        raise ConfigError("a money move needs --yes when there is no terminal to confirm on")
    word = getattr(plan, "word", "") or "yes"
    answer = input(f"Type {word} to send this, anything else to cancel: ")
    return answer.strip().lower() == word


async def cmd_move(args: argparse.Namespace) -> int:
    from gmtui.api import inputs
    from gmtui.api.gomining import moves
    from gmtui.api.moves import execute
    from gmtui.api.errors import ConfigError, InputError, MoveRefused
    from gmtui.output import say

    opened = _open(args)
    read_only = opened.read_only or getattr(args, "read_only", False)
    async with opened.client as client:
        user = args.user or (opened.users[0] if opened.users else None)
        if not user:
            raise ConfigError("no partner user: pass --user ID")
        if args.command == "wallet":
            plan = await moves.plan_bind(client, user, args.address)
        elif args.command == "withdraw":
            try:
                amount = inputs.btc_amount(args.amount)
            except InputError as exc:
                raise MoveRefused(str(exc)) from None
            plan = await moves.plan_withdrawal(client, user, args.address, amount, fast=args.fast)
        elif args.command == "upgrade":
            kind: moves.Kind = "power" if args.power is not None else "efficiency"
            plan, _ = await moves.plan_upgrade(client, user, args.miner, kind, args.power if kind == "power" else args.efficiency)
            if args.upgrade_action == "price":
                say(plan.summary())
                return EXIT_OK
        elif args.command == "buy":
            plan = await moves.plan_purchase(client, user, args.collection)
        else:
            plan = await moves.plan_transfer(client, user, args.miner, args.to_user)
        if not approved(plan, args, read_only):
            return EXIT_OK
        await execute(plan)
    say(f"done: {plan.lines[0][0].lower()} {clean(plan.lines[0][1], limit=200)} (see: gmtui journal)")
    return EXIT_OK


for _name in ("wallet", "withdraw", "upgrade", "buy", "transfer"):
    COMMANDS[_name] = cmd_move
