"""Command line for Mithril Vault: `gmtui vault bind|unbind|reward|cancel|donate-link`.

Binding is OAuth's authorization code: gmtui prints (and copies, OSC 52) the page where
the Vault user approves, then takes Vault's redirect pasted on a terminal, given with
``--redirect``, or, when the registered redirect URI is on 127.0.0.1, by listening
there once. Rewards, cancellations and unbindings are money moves like every other:
planned from fresh figures, confirmed (or --yes), journaled and sent once; exit 3 when
the outcome is unknown.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import sys
from typing import Any
from urllib.parse import parse_qs, urlsplit

from gmtui.api.text import clean

EXIT_OK = 0
LISTEN_S = 300
_PAGE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\n\r\n"
         b"<!doctype html><title>gmtui</title><p>gmtui has the binding; you can close this page.</p>")


def _mith(text: str) -> Any:
    from gmtui.api import inputs
    from gmtui.cli import _typed

    return _typed(lambda t: inputs.decimal(t, "a MITH amount", places=8, maximum=inputs.Decimal(10**12),
                                           example="12.5"))(text)


def add_parsers(sub: Any) -> None:
    from functools import partial

    from gmtui.cli_money import move_options

    common = partial(move_options, user=False)
    vault = sub.add_parser("vault", help="Mithril Vault: bind users, reward them, cancel rewards, donate links")
    vsub = vault.add_subparsers(dest="vault_action", required=True, metavar="ACTION")
    b = vsub.add_parser("bind", help="bind a user to Vault (prints the page where the user approves)")
    b.add_argument("user", help="your id for the user (at most 64 letters, digits, _ . @ : -)")
    b.add_argument("--redirect", metavar="URL", help="the address Vault redirected to, to finish a binding started before")
    common(b, confirm=False)
    u = vsub.add_parser("unbind", help="unbind a user from Vault")
    u.add_argument("user")
    common(u)
    r = vsub.add_parser("reward", help="reward a bound user in MITH from the application's capital")
    r.add_argument("user")
    r.add_argument("amount", type=_mith, help="MITH, more than 0, at most 8 decimals")
    r.add_argument("--uuid", help="the activity's uuid (default: a new one; a retry reuses the unknown one's)")
    r.add_argument("--at", metavar="YYYY-MM-DDTHH:MM:SS", help="when it happened, UTC (default: now)")
    common(r)
    c = vsub.add_parser("cancel", help="cancel a reward Vault has not processed yet (PENDING)")
    c.add_argument("user")
    c.add_argument("uuid")
    common(c)
    d = vsub.add_parser("donate-link", help="print Vault's donate page for a user (gmtui sends nothing)")
    d.add_argument("user")
    d.add_argument("amount", type=_mith, help="MITH, at least 20")
    d.add_argument("--desc", default="", help="a description shown on the page")
    common(d, confirm=False)


def _open(args: argparse.Namespace) -> Any:
    from gmtui.cli_money import open_platform

    return open_platform(args, "mithril", "vault")


def copy_osc52(text: str) -> None:
    """Put ``text`` on the terminal's clipboard (OSC 52; terminals that do not support it ignore it)."""
    if sys.stdout.isatty():
        sys.stdout.write(f"\x1b]52;c;{base64.b64encode(text.encode()).decode()}\x07")
        sys.stdout.flush()


async def listen_once(redirect_uri: str, states: set[str], timeout_s: float = LISTEN_S) -> str:
    """The first request to ``redirect_uri``'s path on its loopback port that carries one
    of ``states`` (Vault's redirect for this binding, approved or refused), as a URL.
    Anything else gets a 404 and the listener goes on."""
    from gmtui.api.errors import InputError

    parts = urlsplit(redirect_uri)
    got: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = (await asyncio.wait_for(reader.readline(), 10)).decode("latin-1")
            target = line.split(" ")[1] if line.count(" ") >= 2 else ""
            path, _, query = target.partition("?")
            state = (parse_qs(query).get("state") or [""])[0]
            if path.rstrip("/") == (parts.path or "/").rstrip("/") and state in states and not got.done():
                got.set_result(f"{parts.scheme}://{parts.netloc}{target}")
                writer.write(_PAGE)
            else:
                writer.write(b"HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n")
            await writer.drain()
        except (OSError, TimeoutError, ValueError, IndexError):
            pass  # junk, a slow client or a line too long: ignored, the listener goes on
        finally:
            writer.close()

    try:
        server = await asyncio.start_server(one, parts.hostname, parts.port or 80, limit=16 * 1024)
    except OSError as exc:
        raise InputError(f"cannot listen on {parts.netloc} ({exc.strerror or exc}); the binding waits: finish it "
                         "with --redirect URL") from None
    try:
        async with server:
            return await asyncio.wait_for(got, timeout_s)
    except TimeoutError:
        raise InputError(f"no redirect came to {redirect_uri} within {timeout_s / 60:g} minutes; "
                         "the binding stays waiting: finish it with --redirect URL") from None


def _loopback(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost") and bool(parts.port)


async def _bind(opened: Any, args: argparse.Namespace) -> int:
    from gmtui.api.errors import ConfigError
    from gmtui.api.mithril import moves
    from gmtui.output import say

    client, user = opened.client, args.user
    if opened.read_only or getattr(args, "read_only", False):
        from gmtui.api.errors import ReadOnly

        raise ReadOnly("binding changes Vault and this session is read-only")
    if client.bindings.problem:
        raise ConfigError(client.bindings.problem)
    if args.redirect:
        got = moves.redirect(args.redirect, [s for s, _, _ in client.bindings.pending()])
        say(f"bound {clean(await client.exchange(got.state, got.grant_code), limit=70)!r} to Mithril Vault")
        return EXIT_OK
    if client.bindings.token(user) is not None:
        raise ConfigError(f"{user} is bound already in this profile (gmtui get bindings); unbind it first: "
                          f"gmtui vault unbind {user}")
    try:
        url = client.authorize_url(user)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    say("Open this page and have the user approve the binding (valid 10 minutes):")
    say(url)
    copy_osc52(url)
    if opened.approve is not None:  # the demo: the embedded Vault approves as one of its users
        text = opened.approve(client.bindings.pending(user)[0][0], user)
        say("demo: the embedded Vault approved it")
    elif _loopback(client.redirect_uri):
        say(f"waiting for Vault's redirect to {client.redirect_uri} (5 minutes; Ctrl-C stops)...")
        text = await listen_once(client.redirect_uri, {s for s, _, _ in client.bindings.pending(user)})
    elif sys.stdin.isatty():
        text = input("Paste the address Vault redirected to (or the grant code): ")
    else:
        say(f"the binding waits; when Vault redirects, finish it with: gmtui vault bind {user} --redirect URL")
        return EXIT_OK
    got = moves.redirect(text, [s for s, u, _ in client.bindings.pending(user)])
    say(f"bound {clean(await client.exchange(got.state, got.grant_code), limit=70)!r} to Mithril Vault")
    return EXIT_OK


async def cmd_vault(args: argparse.Namespace) -> int:
    from gmtui.api.errors import OutcomeUnknown
    from gmtui.api.mithril import moves
    from gmtui.api.moves import execute
    from gmtui.cli_money import approved
    from gmtui.output import say

    opened = _open(args)
    read_only = opened.read_only or getattr(args, "read_only", False)
    async with opened.client as client:
        action = args.vault_action
        if action == "bind":
            return await _bind(opened, args)
        if action == "donate-link":
            link = moves.donate_link(client, args.user, args.amount, args.desc)
            say("The user confirms this donation in Vault (by SMS); gmtui sends nothing:")
            say(link)
            copy_osc52(link)
            return EXIT_OK
        if action == "reward":
            plan = await moves.plan_reward(client, args.user, args.amount, args.uuid, args.at)
        elif action == "cancel":
            plan = await moves.plan_cancel(client, args.user, args.uuid)
        else:
            try:
                plan = await moves.plan_unbind(client, args.user)
            except moves.Forgotten as exc:
                say(str(exc))
                return EXIT_OK
        if not approved(plan, args, read_only):
            return EXIT_OK
        try:
            await execute(plan)
        except OutcomeUnknown as exc:
            if action == "reward":
                exc.hint = ("run the same command again: it resends this reward with the same uuid, which Vault takes "
                            "once; or `gmtui reconcile` to learn what happened")
            raise
    uuid = dict(plan.lines).get("Uuid")
    say(f"done: {plan.lines[0][0].lower()} {clean(plan.lines[0][1], limit=200)}"
        + (f"; uuid {uuid}" if uuid and action == "reward" else "") + " (see: gmtui journal)")
    return EXIT_OK
