"""`gmtui sandbox`: the embedded sandboxes (GoMining, WebMinePool, Mithril Vault)
served over loopback, with their keys and users printed; ``--users-file`` writes the
GoMining sandbox's partner user ids to a file that GMTUI_USERS_FILE (or a profile's
``users_file``) reads."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from gmtui.cli import EXIT_OK, FAULTS_HELP, _date, _faults, _positive


def add_parser(sub: Any) -> None:
    s = sub.add_parser("sandbox", help="serve the sandbox API over HTTP on loopback")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8787)
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--users", type=_positive, default=5, help="partner users to generate")
    s.add_argument("--users-file", metavar="PATH",
                   help="write the partner user ids there, one a line (for GMTUI_USERS_FILE=PATH)")
    s.add_argument("--miners", type=_positive, help="miners per user (default: 1 to 50 each)")
    s.add_argument("--days", type=_positive, default=730, help="days of income history")
    s.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                   help="the day the seeded world is built for (default: today; the clock stays real)")
    s.add_argument("--jwt-lifetime", type=_positive, default=900, help="user JWT lifetime in seconds")
    s.add_argument("--faults", type=_faults, metavar="SPEC", help=FAULTS_HELP)


def write_users_file(path: str | Path, users: Iterable[str]) -> Path:
    """Write ``users``, one a line, to ``path`` atomically (a temporary file in the
    same folder, then a rename): a reader sees the old file or the new one, never half
    of one. Returns the absolute path; a ConfigError when it cannot be written."""
    from gmtui.api.errors import ConfigError
    from gmtui.api.text import clean

    target = Path(os.path.abspath(Path(path).expanduser()))
    data = "".join(f"{user}\n" for user in users).encode()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise ConfigError(f"cannot write the users file {clean(target)}: {clean(exc.strerror or exc)}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ConfigError(f"cannot write the users file {clean(target)}: {clean(exc.strerror or exc)}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def cmd_sandbox(args: argparse.Namespace) -> int:
    import uvicorn

    from gmtui.api.gomining.catalogue import PREFIX
    from gmtui.api.text import clean
    from gmtui.output import say
    from gmtui.sandbox import Options, State, WorldSize
    from gmtui.sandbox.gomining.server import Sandbox
    from gmtui.sandbox.mithril.server import VaultSandbox
    from gmtui.sandbox.mithril.state import State as VaultState
    from gmtui.sandbox.serve import VAULT_PREFIX, WMP_PREFIX, asgi
    from gmtui.sandbox.webminepool.server import PoolSandbox
    from gmtui.sandbox.webminepool.state import State as PoolState

    options = Options(seed=args.seed, size=WorldSize(args.users, args.miners, args.days), jwt_lifetime_s=args.jwt_lifetime,
                      today=args.today)
    state = State(options, clock=args.clock, faults=args.faults)
    base = f"http://{args.host}:{args.port}"
    users = list(state.world.users)
    written = write_users_file(args.users_file, users) if getattr(args, "users_file", None) else None
    say(f"gmtui sandbox (seed {args.seed}) at {base}")
    if args.faults:
        say(f"  faults:      {args.faults}")
    say(f"  API key:     {state.options.api_key}")
    say(f"  API secret:  {state.options.api_secret}")
    say(f"  partner id:  {state.options.partner_id}")
    say(f"  users:       {', '.join(users[:10])}{' …' if len(users) > 10 else ''} ({len(users)})")
    if written is not None:
        say(f"  users file:  wrote {len(users)} user ids to {clean(written)}; use it with "
            f"GMTUI_USERS_FILE={clean(shlex.quote(str(written)))} (or profile add --users-file)")
    say(f"  try:         GMTUI_BASE_URL={base} GMTUI_API_KEY={state.options.api_key} "
          f"GMTUI_API_SECRET={state.options.api_secret} gmtui get overview --user {users[0] if users else 'alice'}")
    pool = PoolState(seed=args.seed, clock=args.clock, faults=args.faults)
    say(f"WebMinePool at {base}{WMP_PREFIX}")
    say(f"  secret key:  {pool.secret}")
    say(f"  users:       {', '.join(pool.users)}")
    say(f"  try:         GMTUI_PLATFORM=webminepool GMTUI_BASE_URL={base}{WMP_PREFIX} GMTUI_API_SECRET={pool.secret} "
        "gmtui get users")
    vault = VaultState(seed=args.seed, clock=args.clock, faults=args.faults)
    vault_url, web_url = f"{base}{VAULT_PREFIX}", f"{base}{VAULT_PREFIX}/web/"
    say(f"Mithril Vault at {vault_url}")
    say(f"  web:         {web_url}")
    say(f"  client id:   {vault.client_id}")
    say(f"  client key:  {vault.client_key}")
    say(f"  mining key:  {vault.mining_key}")
    say(f"  bound users: {', '.join(vault.demo_tokens())} (redirect URI {vault.redirect_uri})")
    say(f"  try:         GMTUI_PLATFORM=mithril GMTUI_BASE_URL={vault_url} GMTUI_WEB_URL={web_url} "
        f"GMTUI_API_KEY={vault.client_id} GMTUI_API_SECRET={vault.client_key} GMTUI_MINING_KEY={vault.mining_key} "
        "gmtui get app-balance")
    sys.stdout.flush()
    import logging

    class _NoDropNoise(logging.Filter):  # an injected dropped connection is not a server error
        def filter(self, record: logging.LogRecord) -> bool:
            return not (record.exc_info and record.exc_info[0] and record.exc_info[0].__name__ == "LocalProtocolError")

    logging.getLogger("uvicorn.error").addFilter(_NoDropNoise())
    app = asgi({PREFIX: Sandbox(state), WMP_PREFIX: PoolSandbox(pool, WMP_PREFIX),
                VAULT_PREFIX: VaultSandbox(vault, VAULT_PREFIX)}, state)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return EXIT_OK
