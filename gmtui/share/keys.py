"""The keys of `gmtui ssh-demo`: its host key (ed25519, made on first use, mode 0600,
kept in gmtui's state folder unless --host-key says where) and the public keys it
lets in (--authorized-keys, OpenSSH's format)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import asyncssh

from gmtui.api.errors import ConfigError
from gmtui.api.text import clean

HOST_KEY_NAME = "ssh-demo-host-key"


def host_key_path(given: Path | None) -> Path:
    from gmtui.config import paths

    return given if given is not None else paths().state / HOST_KEY_NAME


def load_host_key(path: Path) -> tuple[asyncssh.SSHKey, bool]:
    """The host key in ``path``, made there (ed25519, mode 0600) when there is none;
    and whether it was made now. A key file others can read is refused."""
    try:
        path.stat()
    except FileNotFoundError:
        return _new_host_key(path)
    except OSError:
        pass  # said by _read_host_key
    return _read_host_key(path), False


def _read_host_key(path: Path) -> asyncssh.SSHKey:
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise ConfigError(f"cannot read the host key {clean(path)}: {clean(exc.strerror or exc)}") from None
    if mode & 0o077:
        raise ConfigError(f"the host key {clean(path)} can be read by others: chmod 600 it")
    try:
        return asyncssh.read_private_key(path)
    except (OSError, ValueError, asyncssh.KeyImportError) as exc:
        raise ConfigError(f"cannot read the host key {clean(path)}: {clean(exc)}") from None


def _new_host_key(path: Path) -> tuple[asyncssh.SSHKey, bool]:
    key = asyncssh.generate_private_key("ssh-ed25519", comment="gmtui ssh-demo")
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # a unique name, mode 0600
        with os.fdopen(fd, "wb") as handle:
            handle.write(key.export_private_key())
            handle.flush()
            os.fsync(handle.fileno())
        os.link(tmp, path)  # never replaces a key another server made meanwhile
    except FileExistsError:
        created = False
    except OSError as exc:
        raise ConfigError(f"cannot write the host key {clean(path)}: {clean(exc.strerror or exc)}") from None
    else:
        created = True
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    if not created:  # another server made it meanwhile: that one is read
        return _read_host_key(path), False
    return key, True


def read_authorized_keys(path: Path) -> asyncssh.SSHAuthorizedKeys:
    try:
        keys = asyncssh.read_authorized_keys(str(path))
    except (OSError, ValueError, asyncssh.KeyImportError) as exc:
        raise ConfigError(f"cannot read the authorized keys {clean(path)}: {clean(exc)}") from None
    return keys
