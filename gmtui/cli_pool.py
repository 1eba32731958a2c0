"""Command line for WebMinePool moves: `gmtui pool withdraw|reset|reset-all`,
`pool user add|delete|list`, `pool token set|check`. Each is planned from fresh
figures, shown, confirmed (or --yes), journaled and sent once, like every money move
(see cli_money.py): exit 3 when the outcome is unknown."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gmtui.api.text import clean

EXIT_OK, EXIT_USAGE = 0, 2


def _hashes(text: str) -> int:
    from gmtui.api import inputs
    from gmtui.cli import _typed

    return int(_typed(lambda t: inputs.whole(t, "a number of hashes", maximum=10**18))(text))


def add_parsers(sub: Any) -> None:
    from functools import partial

    from gmtui.cli_money import move_options

    common = partial(move_options, user=False)

    pool = sub.add_parser("pool", help="WebMinePool: withdraw or reset hashes, users, tokens")
    psub = pool.add_subparsers(dest="pool_action", required=True, metavar="ACTION")
    w = psub.add_parser("withdraw", help="withdraw hashes from a user (at most what it holds now)")
    w.add_argument("username")
    w.add_argument("hashes", type=_hashes, help="a whole number of hashes above 0")
    common(w)
    r = psub.add_parser("reset", help="reset a user's hashes to 0")
    r.add_argument("username")
    common(r)
    common(psub.add_parser("reset-all", help="reset every user's hashes to 0 (asks you to type reset-all)"))

    u = psub.add_parser("user", help="create, delete or list the partner's users")
    usub = u.add_subparsers(dest="user_action", required=True, metavar="ACTION")
    add = usub.add_parser("add", help="create a user on the server (one it has already: kept in gmtui's roster)")
    add.add_argument("username")
    add.add_argument("--referral", help="the referral text the API takes")
    common(add)
    rm = usub.add_parser("delete", help="delete a user on the server")
    rm.add_argument("username")
    common(rm)
    common(usub.add_parser("list", help="every user of gmtui's roster with its hashes"), confirm=False)

    t = psub.add_parser("token", help="set a token, or check one (and delete it with --unset)")
    tsub = t.add_subparsers(dest="token_action", required=True, metavar="ACTION")
    ts = tsub.add_parser("set", help="a token verified once HASHES more hashes are mined")
    ts.add_argument("hashes", type=_hashes, help="a whole number of hashes above 0")
    ts.add_argument("--user", dest="username", help="the user who mines them (default: the whole account)")
    common(ts)
    tc = tsub.add_parser("check", help="a token's state; --unset deletes a verified token and its user")
    tc.add_argument("token_id")
    tc.add_argument("--unset", action="store_true", help="delete the token (and its user) once verified")
    common(tc)


def _open(args: argparse.Namespace) -> Any:
    from gmtui.cli_money import open_platform

    return open_platform(args, "webminepool", "pool")


async def cmd_pool(args: argparse.Namespace) -> int:
    from gmtui.api.moves import execute
    from gmtui.api.webminepool import moves
    from gmtui.cli_money import approved
    from gmtui.output import say

    opened = _open(args)
    read_only = opened.read_only or getattr(args, "read_only", False)
    async with opened.client as client:
        action, who = args.pool_action, str(getattr(args, "username", None) or "")
        if action == "user" and args.user_action == "list":
            return await _list(client, args)
        if action == "token" and args.token_action == "check" and not args.unset:
            state = await client.get_token(args.token_id)
            done = f", done at {clean(state.done_at.date, limit=40)} {clean(state.done_at.timezone, limit=40)}" if state.done_at else ""
            say(f"token {clean(args.token_id, limit=128)}: {'verified' if state.verified else 'not verified yet'} "
                f"(end hashes {state.end_hashes:,}{done})")
            return EXIT_OK
        try:
            if action == "withdraw":
                plan = await moves.plan_withdraw(client, who, args.hashes)
            elif action == "reset":
                plan = await moves.plan_reset(client, who)
            elif action == "reset-all":
                plan = await moves.plan_reset_all(client)
            elif action == "user":
                plan = await (moves.plan_add_user(client, who, args.referral) if args.user_action == "add"
                              else moves.plan_delete_user(client, who))
            elif args.token_action == "set":
                plan = await moves.plan_set_token(client, args.hashes, who or None)
            else:
                plan = await moves.plan_unset_token(client, args.token_id)
        except moves.AlreadyThere as exc:
            say(str(exc))
            return EXIT_OK
        if not approved(plan, args, read_only):
            return EXIT_OK
        answer = await execute(plan)
    token = getattr(answer, "token_id", None)
    say(f"done: {plan.lines[0][0].lower()} {clean(plan.lines[0][1], limit=200)}"
        + (f"; token id {clean(token, limit=128)}" if token else "") + " (see: gmtui journal)")
    return EXIT_OK


async def _list(client: Any, args: argparse.Namespace) -> int:
    from gmtui.api.webminepool.views import roster
    from gmtui.output import render

    found = await roster(client)
    rows = [{"name": m.name, "hashes": m.hashes, "satoshi": m.sat(found.hash_rate_sat), "active": m.active,
             "known": m.known, "error": m.error} for m in found.members]
    sys.stdout.write(render(rows, "table" if sys.stdout.isatty() else "json"))
    return EXIT_OK
