"""`gmtui profile add|list|use|remove`: connection profiles, the secret asked for (or
read from stdin or GMTUI_API_SECRET) and checked with a live call before it is saved."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from gmtui.cli import EXIT_OK


def _read_secret() -> str:
    env = os.environ.get("GMTUI_API_SECRET")
    if env:
        return env
    if sys.stdin.isatty():
        return getpass.getpass("API secret (WebMinePool: the secret key; Mithril Vault: the client key): ")
    return sys.stdin.readline().strip()


def cmd_profile(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from gmtui import config, session
    from gmtui.api.errors import ConfigError
    from gmtui.api.text import clean
    from gmtui.output import say

    cfg = config.load()
    if args.action == "add":
        secret = _read_secret()
        if not secret:
            raise ConfigError("no API secret given (type it at the prompt, pipe it on stdin, or set GMTUI_API_SECRET)")
        users_file = os.path.abspath(os.path.expanduser(args.users_file)) if args.users_file else ""
        try:
            profile = config.Profile.model_validate(
                {"name": args.name, "platform": args.platform, "base_url": args.base_url, "api_key": args.api_key,
                 "api_secret": secret, "users": args.users, "mining_key": args.mining_key, "web_url": args.web_url,
                 "redirect_uri": args.redirect_uri, "users_file": users_file})
        except ValidationError as exc:
            raise ConfigError(config.explain(exc)) from None
        listed = config.read_users_file(users_file) if users_file else []  # a bad file is said now, not at first use
        if not args.no_check:
            say(f"check: {asyncio.run(session.check_profile(profile))}")
        where = session.save_profile(profile, secret, keyring=not args.no_keyring)
        cfg = config.load()
        from gmtui.api.platforms import platform

        say(f"{platform(profile.platform).secret_label} kept in {where}")
        say(f"saved profile {profile.name!r} to {config.paths().config_file}{' (active)' if cfg.active == profile.name else ''}")
        if users_file:
            say(f"users file {clean(users_file)}: {len(listed):,} users now (read again each time the profile is used)")
    elif args.action == "list":
        if not cfg.profiles:
            say("no profiles; add one with: gmtui profile add NAME --base-url URL --api-key KEY --user ID")
        for name, p in cfg.profiles.items():
            key = p.api_key.get_secret_value()
            mark = "*" if name == cfg.active else " "
            say(f"{mark} {clean(name):<16} {p.platform:<12} {clean(p.base_url):<36} "
                f"{'key ' + clean(key[:4]) + '…' if key else ''}  users: {clean(', '.join(p.users)) or '-'}"
                f"{'  users file: ' + clean(p.users_file) if p.users_file else ''}")
    elif args.action == "use":
        if args.name not in cfg.profiles:
            raise ConfigError(f"no profile named {args.name!r}")
        cfg.active = args.name
        config.save(cfg)
        say(f"active profile: {args.name}")
    elif args.action == "remove":
        removed = cfg.profiles.pop(args.name, None)
        if removed is None:
            raise ConfigError(f"no profile named {args.name!r}")
        if removed.secret_store == "keyring":
            from gmtui import keyring_store

            keyring_store.delete(args.name)
        if cfg.active == args.name:
            cfg.active = next(iter(cfg.profiles), None)
        config.save(cfg)
        say(f"removed profile {args.name!r}")
    return EXIT_OK
