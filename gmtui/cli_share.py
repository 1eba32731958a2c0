"""`gmtui ssh-demo` and `gmtui serve`: the demo (or, with --allow-live, the dashboard)
shown to people who do not install gmtui, over SSH or in a browser. Both need the
``share`` extra (asyncssh, textual-serve); without it they say how to install it and
exit 2. The servers themselves live in gmtui/share/."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import Any

from gmtui.cli import EXIT_OK, EXIT_USAGE, _offset, _positive
from gmtui.share import IDLE_TIMEOUT_S, MAX_DURATION_S

NEEDS = "gmtui {command} needs {package}: pip install 'gmtui[share]'"


def _port(text: str) -> int:
    port = _offset(text)
    if port > 65535:
        raise argparse.ArgumentTypeError("a port is 0 to 65535")
    return port


def add_parsers(sub: Any) -> None:
    s = sub.add_parser("ssh-demo", help="serve the demo dashboard over SSH (one throwaway process per session)",
                       description="Serve `gmtui --demo --read-only` over SSH: each session gets its own process on "
                                   "its own terminal, with its own throwaway folder.")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    s.add_argument("--port", type=_port, default=2222, help="default: 2222")
    who = s.add_mutually_exclusive_group(required=True)
    who.add_argument("--authorized-keys", metavar="FILE", help="let in the public keys of FILE (OpenSSH format)")
    who.add_argument("--open", action="store_true", help="let anyone in, without authentication")
    s.add_argument("--max-sessions", type=_positive, default=4, metavar="N", help="sessions at once (default: 4)")
    _limits(s)
    s.add_argument("--banner", metavar="TEXT", help="the line shown before the dashboard (plain text)")
    s.add_argument("--host-key", metavar="PATH",
                   help="the server's private key (made there, ed25519, when missing; default: in gmtui's state folder)")

    w = sub.add_parser("serve", help="serve the demo dashboard to a browser (textual-serve)",
                       description="Serve `gmtui --demo --read-only` to web browsers; the printed address carries "
                                   "the token every request needs.")
    w.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    w.add_argument("--port", type=_port, default=8000, help="default: 8000")
    w.add_argument("--public-url", metavar="URL",
                   help="the address browsers use, behind a proxy (e.g. https://demo.example.com); "
                        "the page's links and the Origin check follow it")
    w.add_argument("--max-sessions", type=_positive, default=4, metavar="N", help="browser sessions at once (default: 4)")
    _limits(w)
    w.add_argument("--allow-live", action="store_true",
                   help="serve `gmtui` on your configured profile instead of the read-only demo")


def _limits(parser: Any) -> None:
    parser.add_argument("--idle-timeout", type=_offset, default=IDLE_TIMEOUT_S, metavar="SECONDS",
                        help=f"end a session after this long without input (default: {IDLE_TIMEOUT_S:g}; 0: never)")
    parser.add_argument("--max-duration", type=_offset, default=MAX_DURATION_S, metavar="SECONDS",
                        help=f"end a session after this long (default: {MAX_DURATION_S:g}; 0: never)")


def _missing(command: str, package: str, module: str) -> bool:
    from importlib.util import find_spec

    from gmtui.output import say

    if find_spec(module) is None:
        say(NEEDS.format(command=command, package=package), err=True)
        return True
    return False


def _stopper() -> asyncio.Event:
    """Set by Ctrl+C, SIGTERM or SIGHUP (handled from now on: no signal is lost)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for each in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(each, stop.set)
    return stop


def cmd_ssh_demo(args: argparse.Namespace) -> int:
    if _missing("ssh-demo", "asyncssh", "asyncssh"):
        return EXIT_USAGE
    from pathlib import Path

    from gmtui.share.ssh import DEFAULT_BANNER, DemoServer, Settings

    settings = Settings(host=_host(args.host), port=args.port, open=args.open, max_sessions=args.max_sessions,
                        authorized_keys=Path(args.authorized_keys).expanduser() if args.authorized_keys else None,
                        idle_timeout_s=args.idle_timeout, max_duration_s=args.max_duration,
                        banner=args.banner if args.banner is not None else DEFAULT_BANNER,
                        host_key=Path(args.host_key).expanduser() if args.host_key else None)
    return asyncio.run(_ssh_demo(DemoServer(settings)))


async def _ssh_demo(server: Any) -> int:
    from gmtui.api.errors import ConfigError
    from gmtui.api.text import clean
    from gmtui.output import say
    from gmtui.share import is_loopback

    s = server.settings
    stop = _stopper()
    try:
        await server.start()
    except OSError as exc:
        raise ConfigError(f"cannot listen on {clean(s.host)}:{s.port}: {clean(exc.strerror or exc)}") from None
    host = f"[{s.host}]" if ":" in s.host else s.host
    say(f"gmtui ssh-demo: the demo dashboard (made-up data, read-only) over SSH on {host}:{server.port}")
    say(f"  connect:   ssh -t -p {server.port} demo@{host}")
    made = "made now in" if server.host_key_created else "from"
    say(f"  host key:  {server.fingerprint()} (ed25519, {made} {clean(server.host_key_path)})")
    say(f"  who:       {'anyone, without authentication' if s.open else 'the keys in ' + clean(s.authorized_keys)}")
    say(f"  limits:    {s.max_sessions} sessions at once, {_limits_said(s)}")
    say("  Ctrl+C stops the server and ends every session.")
    sys.stdout.flush()
    if s.open:
        where = "this machine" if is_loopback(s.host) else "this address, FROM OTHER MACHINES TOO"
        say(f"gmtui ssh-demo: WARNING: --open: anyone who can reach {where} gets a session, no authentication",
            err=True)
    try:
        await stop.wait()
    finally:
        say(f"gmtui ssh-demo: stopping ({len(server.sessions)} sessions running)")
        await server.close()
    return EXIT_OK


def _limits_said(settings: Any) -> str:
    idle = f"{settings.idle_timeout_s} s without input" if settings.idle_timeout_s else "no idle limit"
    longest = f"{settings.max_duration_s} s each" if settings.max_duration_s else "no time limit"
    return f"{idle}, {longest}"


def _host(host: str) -> str:
    """``0`` (every IPv4 address, as the C library reads it) written out."""
    return "0.0.0.0" if host == "0" else host


def _live_profile() -> None:
    """--allow-live serves a configured profile; without one, visitors would get the form
    that adds one (and could make the server sign requests to an address they choose)."""
    import os

    from gmtui.api.errors import ConfigError
    from gmtui.config import load, resolve

    config = load()
    sole = next(iter(config.profiles)) if len(config.profiles) == 1 else None
    name = os.environ.get("GMTUI_PROFILE") or config.active or sole
    if not name or name not in config.profiles:
        raise ConfigError("gmtui serve --allow-live needs a configured profile (none is active): add one with "
                          "`gmtui profile add`, pick one with `gmtui profile use NAME`, or serve the demo without "
                          "--allow-live")
    resolve(name, config)  # its secret can be read


def cmd_serve(args: argparse.Namespace) -> int:
    if _missing("serve", "textual-serve", "textual_serve"):
        return EXIT_USAGE
    from gmtui.api.errors import ConfigError
    from gmtui.share import is_loopback
    from gmtui.share.web import GuardedServer

    args.host = _host(args.host)
    if args.host in ("0.0.0.0", "::", "") and not args.public_url:
        raise ConfigError("--host {} listens on every address: add --public-url, the address browsers use "
                          "(the page's links and the Origin check need it)".format(args.host or "''"))
    if args.port == 0:
        raise ConfigError("gmtui serve needs a port number (the page's addresses carry it)")
    if args.public_url and not args.public_url.startswith(("http://", "https://")):
        raise ConfigError("--public-url starts with http:// or https://")
    if args.allow_live:
        _live_profile()
    server = GuardedServer(host=args.host, port=args.port, live=args.allow_live, max_sessions=args.max_sessions,
                           public_url=args.public_url, idle_timeout_s=args.idle_timeout,
                           max_duration_s=args.max_duration)
    return asyncio.run(_serve(server, local=is_loopback(args.host)))


async def _serve(server: Any, *, local: bool) -> int:
    from gmtui.api.errors import ConfigError
    from gmtui.api.text import clean
    from gmtui.output import say
    from gmtui.share.web import start

    stop = _stopper()
    try:
        runner = await start(server)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {clean(server.host)}:{server.port}: {clean(exc.strerror or exc)}") from None
    what = "gmtui on your configured profile" if server.live else "the demo dashboard (made-up data, read-only)"
    say(f"gmtui serve: {what} for web browsers")
    say(f"  open:      {server.url}")
    say(f"  limits:    {server.max_sessions} sessions at once, {_limits_said(server)}; "
        "the address's token is needed by every page")
    say("  Ctrl+C stops the server and ends every session.")
    sys.stdout.flush()
    if server.live:
        say("gmtui serve: WARNING: --allow-live: whoever opens this address drives gmtui on YOUR CONFIGURED "
            "PROFILE, with its real data and its money moves (unless the profile is read-only)", err=True)
    if not local and not server.public_url.startswith("https:"):
        say("gmtui serve: WARNING: plain HTTP beyond this machine: the token can be read on the way; "
            "put an HTTPS proxy in front (--public-url https://...)", err=True)
    try:
        await stop.wait()
    finally:
        say(f"gmtui serve: stopping ({server.sessions} sessions running)")
        await runner.cleanup()
    return EXIT_OK
