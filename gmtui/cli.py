"""Command line: the TUI, the demo, the sandbox server, profiles and `get`.

Exit codes: 0 ok, 1 API or network error, 2 usage or configuration error (and a money
move refused by a check before sending), 3 a money move whose outcome is unknown,
70 gmtui itself failed (a bug: the message says where the log is; no traceback, no
variable's value is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import Any, NoReturn

from gmtui import __version__

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_UNKNOWN, EXIT_CRASH = 0, 1, 2, 3, 70

# Startup work gmtui has no use for (benchmarks/tui.py measures the start):
# - httpx imports its own command-line client when click is installed (uvicorn, used by
#   `gmtui sandbox`, installs it): ~50 ms of click and pygments; `httpx.main` becomes a stub;
# - pydantic scans every installed package's metadata for plugins (~12 ms); gmtui uses none.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


class Parser(argparse.ArgumentParser):
    """argparse, whose messages (they repeat what was typed) are made plain."""

    def _print_message(self, message: str, file: Any = None) -> None:
        from gmtui.api.text import clean

        if message:
            (file or sys.stderr).write(clean(message, newlines=True))


def _typed(read: Any) -> Any:
    """An argparse type from a reader of gmtui.api.inputs (its message on refusal)."""

    def parse(text: str) -> Any:
        from gmtui.api.errors import InputError

        try:
            return read(text)
        except InputError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def _date(text: str) -> date:
    from gmtui.api import inputs

    return _typed(inputs.day)(text)


def _positive(text: str) -> int:
    from gmtui.api import inputs

    return _typed(lambda t: inputs.whole(t, "a positive whole number"))(text)


def _offset(text: str) -> int:
    return 0 if text.strip() == "0" else _positive(text)


FAULTS_HELP = (
    "inject faults, e.g. latency=200,5xx=0.2,429=0.1,retry-after=1,drop-before=0.05,"
    "drop-after=0.05,clock=+30,jwt=20,seed=1,ops=withdraw"
)


def _faults(text: str) -> Any:
    from gmtui.sandbox.faults import Faults

    try:
        return Faults.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class _Whole(Exception):
    """What the dashboard's parser cannot take: the whole parser takes it (see ``parse``)."""


class _DashboardParser(Parser):
    """The dashboard's options alone: what it cannot read, the whole parser reads."""

    def error(self, message: str) -> NoReturn:
        raise _Whole(message)


def _dashboard_options(p: argparse.ArgumentParser) -> None:
    """The options of the dashboard (no command): the top level of ``parser``."""
    from gmtui.display import COLOR_MODES

    p.add_argument("--demo", action="store_true", help="use the embedded sandbox with demo data")
    p.add_argument("--profile", help="profile to use (default: GMTUI_PROFILE, else the active one)")
    p.add_argument("--faults", type=_faults, metavar="SPEC", help="with --demo: " + FAULTS_HELP)
    p.add_argument("--read-only", action="store_true", help="refuse every money move")
    p.add_argument("--presenter", action="store_true", help="start the dashboard with balances and amounts hidden")
    p.add_argument("--refresh", type=int, metavar="SECONDS", help="auto-refresh interval of the dashboard (0: off; default: the profile's, 60)")
    p.add_argument("--color", choices=COLOR_MODES, help="the dashboard's colours (default: the config's color, else auto: "
                   "what the terminal says, knowing the truecolor ones by TERM or TERM_PROGRAM)")
    p.add_argument("--no-mouse", dest="mouse", action="store_false", default=None,
                   help="no mouse in the dashboard: the terminal's own text selection works (config: mouse = false)")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """``argv`` (default: the command line) read as ``parser()`` reads it. The dashboard's
    own options (no command) are read by a parser of those alone: building every
    command's parser costs ~30 ms (their modules' imports) before the dashboard's first
    frame. Anything else (a command, help, the version, any error) goes to the whole
    parser, so what is printed and the exit codes are its own."""
    lean = _DashboardParser(prog="gmtui", add_help=False)
    _dashboard_options(lean)
    try:
        args = lean.parse_args(argv)
    except _Whole:
        return parser().parse_args(argv)
    args.command = None  # as the whole parser leaves it without a command
    return args


def parser() -> argparse.ArgumentParser:
    from gmtui.api import platforms
    from gmtui.output import FORMATS

    described = [platforms.platform(name) for name in platforms.NAMES]
    resources = sorted({resource for each in described for resource in each.resources} | {"partner", "attention"})

    p = Parser(prog="gmtui", description="Dashboard and CLI for cloud-mining partners.")
    p.add_argument("--version", action="version", version=f"gmtui {__version__}")
    _dashboard_options(p)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    g = sub.add_parser("get", help="print a resource for scripts", description="Print a resource.")
    g.add_argument("resource", choices=resources, metavar="RESOURCE",
                   help="; ".join(f"{each.title}: {', '.join(each.resources)}" for each in described)
                   + "; every platform: partner (every user of every profile), attention (what needs a person today)")
    g.add_argument("--user", help="partner user id (default: GMTUI_USER, else the profile's first user)")
    g.add_argument("--format", choices=FORMATS, help="default: table on a terminal, json otherwise")
    g.add_argument("--from", dest="start", type=_date, metavar="YYYY-MM-DD", help="first day (daily)")
    g.add_argument("--to", dest="end", type=_date, metavar="YYYY-MM-DD", help="last day (daily)")
    g.add_argument("--all", action="store_true", help="fetch every page of a list")
    g.add_argument("--limit", type=_positive, help="page size of a list")
    g.add_argument("--offset", type=_offset, help="items to skip in a list")
    g.add_argument("--id", "--uuid", dest="id", help="a token's id (WebMinePool: token); an activity's uuid "
                                                     "(Mithril Vault: activities)")
    g.add_argument("--offline", action="store_true", help="print cached data and its age; send nothing")
    g.add_argument("--demo", action="store_true", default=argparse.SUPPRESS, help="use the embedded sandbox")
    g.add_argument("--profile", default=argparse.SUPPRESS, help="profile to use")
    g.add_argument("--all-profiles", action="store_true", help="partner, attention: every configured profile")

    from gmtui.cli_sandbox import add_parser as add_sandbox_parser

    add_sandbox_parser(sub)
    from gmtui.cli_share import add_parsers as add_share_parsers

    add_share_parsers(sub)

    j = sub.add_parser("journal", help="list money moves and their outcomes; settle one by hand")
    j.add_argument("--unknown", action="store_true", help="only moves whose outcome is unknown")
    j.add_argument("--format", choices=FORMATS, help="default: table on a terminal, json otherwise")
    j.add_argument("--limit", type=_positive, default=50)
    j.add_argument("--profile", default=argparse.SUPPRESS, help="profile to use")
    jsub = j.add_subparsers(dest="journal_action", metavar="ACTION")
    settle = jsub.add_parser("settle", help="settle an unknown move by hand, with how you know (recorded as such)")
    settle.add_argument("entry", type=_positive, help="the journal entry (#) to settle")
    settle.add_argument("outcome", choices=("ok", "failed"), help="what the platform says happened")
    settle.add_argument("--note", required=True, help="how you know, e.g. 'support ticket 1234: not received'")
    settle.add_argument("--profile", default=argparse.SUPPRESS, help="profile to use")
    rc = sub.add_parser("reconcile", help="settle unknown money moves by checking the server's state")
    rc.add_argument("--profile", default=argparse.SUPPRESS, help="profile to use")
    from gmtui.cli_money import add_parsers
    from gmtui.cli_pool import add_parsers as add_pool_parsers
    from gmtui.cli_vault import add_parsers as add_vault_parsers

    add_parsers(sub)
    add_pool_parsers(sub)
    add_vault_parsers(sub)

    pr = sub.add_parser("profile", help="manage connection profiles")
    psub = pr.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = psub.add_parser("add", help="add or replace a profile (the secret is prompted or read from stdin)")
    add.add_argument("name")
    add.add_argument("--platform", choices=("gomining", "webminepool", "mithril"), default="gomining",
                     help="the platform the profile speaks to (default: gomining)")
    add.add_argument("--base-url", required=True)
    add.add_argument("--api-key", default="", help="the partner API key (GoMining) or client id (Mithril Vault); "
                                                   "WebMinePool has none")
    add.add_argument("--mining-key", default="", help="Mithril Vault: the mining key")
    add.add_argument("--web-url", default="", help="Mithril Vault: the Vault web front end (its authorize page)")
    add.add_argument("--redirect-uri", default="", help="Mithril Vault: the redirect URI registered with Vault")
    add.add_argument("--user", action="append", default=[], dest="users", help="a partner user id (repeatable)")
    add.add_argument("--users-file", default="", metavar="PATH",
                     help="a file of more partner user ids, one a line (# comments), read each time the profile is used")
    add.add_argument("--no-check", action="store_true", help="save without a live signed call")
    add.add_argument("--no-keyring", action="store_true", help="keep the secret in the 0600 config file")
    psub.add_parser("list", help="list profiles")
    use = psub.add_parser("use", help="make a profile the active one")
    use.add_argument("name")
    rm = psub.add_parser("remove", help="delete a profile")
    rm.add_argument("name")
    return p


def _say(line: str) -> None:
    from gmtui.output import say  # not before the dashboard's first frame: ~4 ms (csv, json, hashlib)

    say(line, err=True)


def main(argv: list[str] | None = None, *, clock: Callable[[], float] = time.time) -> int:
    """Run gmtui; ``clock`` is the one source of "now" (and "today") for everything it
    opens: the sandbox's world, the client, the journal, the dashboard."""
    args = parse(argv)
    args.clock = clock
    from gmtui.api.errors import (
        ApiError, ConfigError, GmtuiError, InputError, MoveRefused, NetworkError, OutcomeUnknown, UnexpectedResponse,
    )
    from gmtui.api.logs import quiet_http_loggers

    quiet_http_loggers()  # httpx logs full URLs, signatures included

    try:
        if args.command == "get":
            return asyncio.run(cmd_get(args))
        if args.command == "sandbox":
            from gmtui.cli_sandbox import cmd_sandbox

            return cmd_sandbox(args)
        if args.command in ("ssh-demo", "serve"):
            from gmtui import cli_share

            return cli_share.cmd_ssh_demo(args) if args.command == "ssh-demo" else cli_share.cmd_serve(args)
        if args.command == "profile":
            from gmtui.cli_profile import cmd_profile

            return cmd_profile(args)
        if args.command in ("journal", "reconcile", "wallet", "withdraw", "upgrade", "buy", "transfer"):
            from gmtui import cli_money

            return asyncio.run(cli_money.COMMANDS[args.command](args))
        if args.command == "pool":
            from gmtui import cli_pool

            return asyncio.run(cli_pool.cmd_pool(args))
        if args.command == "vault":
            from gmtui import cli_vault

            return asyncio.run(cli_vault.cmd_vault(args))
        return cmd_tui(args)
    except (ConfigError, InputError) as exc:
        _say(f"gmtui: {exc}")
        return EXIT_USAGE
    except OutcomeUnknown as exc:
        _say(f"gmtui: {exc}")
        return EXIT_UNKNOWN
    except MoveRefused as exc:
        _say(f"gmtui: refused, nothing was sent: {exc}")
        return EXIT_USAGE
    except (ApiError, NetworkError, UnexpectedResponse) as exc:
        _say(f"gmtui: {exc}")
        return EXIT_USAGE if getattr(exc, "status", 0) is None and isinstance(exc, ApiError) else EXIT_API
    except GmtuiError as exc:
        _say(f"gmtui: {exc}")
        return EXIT_API
    except ArithmeticError as exc:  # a server's figure out of the range gmtui computes with
        _say(f"gmtui: the server's figures cannot be computed with ({type(exc).__name__})")
        return EXIT_API
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `gmtui get miners | head`: the reader is gone, nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # a bug: say so, where the details are, and nothing else
        from gmtui.crash import report

        _say(report(exc))
        return EXIT_CRASH


def open_session(args: argparse.Namespace, platform: str | None = None) -> Any:
    """The session a command asked for: --demo (with its --faults; the demo of
    GMTUI_PLATFORM, else of ``platform``) or a profile."""
    from gmtui import session

    if getattr(args, "demo", False):
        return session.open_demo(getattr(args, "faults", None), clock=args.clock,
                                 platform=os.environ.get("GMTUI_PLATFORM") or platform)
    if getattr(args, "faults", None):
        from gmtui.api.errors import ConfigError

        raise ConfigError("--faults applies to the embedded sandbox: add --demo (or use `gmtui sandbox --faults`)")
    return session.open_profile(getattr(args, "profile", None), clock=args.clock)


async def cmd_get(args: argparse.Namespace) -> int:
    from gmtui.api.cache import describe_age, tracking
    from gmtui.api.errors import ConfigError
    from gmtui.api.platforms import Query, platform
    from gmtui.output import render, say

    if args.start and args.end and args.end < args.start:
        raise ConfigError("--to is before --from")
    if args.resource in ("partner", "attention"):
        from gmtui import cli_partner

        return await cli_partner.cmd(args)
    if args.all_profiles:
        raise ConfigError("--all-profiles applies to partner and attention")
    from gmtui.api.platforms import NAMES

    owning = [name for name in NAMES if args.resource in platform(name).resources]  # the demo that has it
    opened = open_session(args, owning[0] if owning else None)
    client, described = opened.client, platform(opened.platform)
    async with client:
        if args.resource not in described.resources:
            raise ConfigError(f"{described.title} has no resource {args.resource!r}; "
                              f"its resources: {', '.join(described.resources)}")
        user = args.user or (opened.users[0] if opened.users else "")
        if not user and args.resource in described.needs_user:
            raise ConfigError("no partner user: pass --user ID, set GMTUI_USER, or add one to the profile")
        query = Query(user, args.all, args.start, args.end, args.limit, args.offset, getattr(args, "id", None))
        with tracking(cache_only=args.offline) as fresh:
            data = await described.get(client, args.resource, query)
    age = fresh.age_s(client.clock())
    if age is not None:
        note = "offline" if args.offline else "the server did not answer"
        say(f"gmtui: {note}: cached data, fetched {describe_age(age)} ago", err=True)
    fmt = args.format or ("table" if sys.stdout.isatty() else "json")
    sys.stdout.write(render(data, fmt))
    return EXIT_OK


def cmd_tui(args: argparse.Namespace) -> int:
    from gmtui import display
    from gmtui.api.errors import ConfigError

    if args.faults and not args.demo:
        raise ConfigError("--faults applies to the embedded sandbox: add --demo (or use `gmtui sandbox --faults`)")
    if args.refresh is not None and args.refresh < 0:
        raise ConfigError("--refresh takes a number of seconds, 0 or more")
    why = display.not_a_terminal()
    if why:  # Textual would draw into a pipe or a file, and spin on the end of its input
        _say(f"gmtui: the dashboard needs a terminal ({why}); use `gmtui get ...` for scripts")
        return EXIT_USAGE
    color, mouse = display.settings()
    gc.disable()  # until the dashboard is up: gmtui.ui.startup
    try:
        from gmtui.ui.app import run

        return run(demo=args.demo, profile=args.profile, faults=args.faults, refresh_s=args.refresh,
                   read_only=args.read_only, presenter=args.presenter, clock=args.clock,
                   color=display.color_mode(args.color or color, os.environ),
                   mouse=mouse if args.mouse is None else args.mouse)
    finally:
        gc.enable()  # whether or not the app got to it
