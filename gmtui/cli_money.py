"""Command line for money moves and their journal: `gmtui journal`, `gmtui reconcile`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from gmtui.api.journal import UNKNOWN

EXIT_OK, EXIT_UNKNOWN = 0, 3


def _open(args: argparse.Namespace) -> Any:
    from gmtui import session

    if getattr(args, "demo", False):
        return session.open_demo(getattr(args, "faults", None))
    return session.open_profile(getattr(args, "profile", None))


async def cmd_journal(args: argparse.Namespace) -> int:
    from gmtui.output import render

    opened = _open(args)
    async with opened.client as client:
        assert client.journal is not None
        entries = client.journal.entries(outcome=UNKNOWN if args.unknown else None, limit=args.limit)
    fmt = args.format or ("table" if sys.stdout.isatty() else "json")
    sys.stdout.write(render([e.row() for e in entries], fmt))
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


# ---- money moves ------------------------------------------------------------------------


def add_parsers(sub: Any) -> None:
    """`wallet bind`, `withdraw`, `upgrade price|create`, `buy`, `transfer`."""

    def common(p: argparse.ArgumentParser, confirm: bool = True) -> None:
        p.add_argument("--user", help="partner user id (default: the profile's first user)")
        p.add_argument("--profile", default=argparse.SUPPRESS, help="profile to use")
        p.add_argument("--demo", action="store_true", default=argparse.SUPPRESS, help="use the embedded sandbox")
        if confirm:
            p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
            p.add_argument("--read-only", action="store_true", default=argparse.SUPPRESS, help="refuse money moves")

    w = sub.add_parser("wallet", help="bind a BTC wallet to a partner user")
    wsub = w.add_subparsers(dest="wallet_action", required=True, metavar="ACTION")
    bind = wsub.add_parser("bind", help="bind a mainnet BTC address (checked before sending)")
    bind.add_argument("address")
    common(bind)

    wd = sub.add_parser("withdraw", help="withdraw BTC income to a bound wallet")
    wd.add_argument("amount", help="BTC, at most 8 decimals, e.g. 0.0015")
    wd.add_argument("--to", required=True, dest="address", help="a wallet bound to the user")
    wd.add_argument("--fast", action="store_true", help="fast withdrawal (commission applies)")
    common(wd)

    up = sub.add_parser("upgrade", help="price or create a miner upgrade, with payback")
    upsub = up.add_subparsers(dest="upgrade_action", required=True, metavar="ACTION")
    for action in ("price", "create"):
        u = upsub.add_parser(action, help=f"{action} an upgrade of one miner")
        u.add_argument("--miner", type=int, required=True, help="the miner (NFT) id")
        target = u.add_mutually_exclusive_group(required=True)
        target.add_argument("--power", type=Decimal, help="target TH/s")
        target.add_argument("--efficiency", type=Decimal, help="target W/TH")
        common(u, confirm=action == "create")

    b = sub.add_parser("buy", help="buy a miner from a collection (payment, then confirmation)")
    b.add_argument("collection", type=int, help="collection id (see: gmtui get collections)")
    common(b)

    t = sub.add_parser("transfer", help="transfer a miner to another partner user")
    t.add_argument("miner", type=int, help="the miner (NFT) id")
    t.add_argument("--to", required=True, dest="to_user", help="the partner user who receives it")
    common(t)


def confirm(plan: Any, args: argparse.Namespace) -> bool:
    print(plan.summary())
    if getattr(args, "yes", False):
        return True
    if not sys.stdin.isatty():
        from gmtui.api.errors import ConfigError

        raise ConfigError("a money move needs --yes when there is no terminal to confirm on")
    answer = input("Type yes to send this, anything else to cancel: ")
    return answer.strip().lower() == "yes"


async def cmd_move(args: argparse.Namespace) -> int:
    from gmtui.api import moves
    from gmtui.api.errors import ConfigError

    opened = _open(args)
    read_only = opened.read_only or getattr(args, "read_only", False)
    async with opened.client as client:
        user = args.user or (opened.users[0] if opened.users else None)
        if not user:
            raise ConfigError("no partner user: pass --user ID")
        if args.command == "wallet":
            plan = await moves.plan_bind(client, user, args.address)
        elif args.command == "withdraw":
            plan = await moves.plan_withdrawal(client, user, args.address, moves.parse_amount(args.amount), fast=args.fast)
        elif args.command == "upgrade":
            kind, target = ("power", args.power) if args.power is not None else ("efficiency", args.efficiency)
            plan, _ = await moves.plan_upgrade(client, user, args.miner, kind, target)
            if args.upgrade_action == "price":
                print(plan.summary())
                return EXIT_OK
        elif args.command == "buy":
            plan = await moves.plan_purchase(client, user, args.collection)
        else:
            plan = await moves.plan_transfer(client, user, args.miner, args.to_user)
        moves.guard(plan, read_only)
        if not confirm(plan, args):
            print("cancelled: nothing was sent")
            return EXIT_OK
        await moves.execute(client, plan)
    print(f"done: {plan.lines[0][0].lower()} {plan.lines[0][1]} (see: gmtui journal)")
    return EXIT_OK


for _name in ("wallet", "withdraw", "upgrade", "buy", "transfer"):
    COMMANDS[_name] = cmd_move
