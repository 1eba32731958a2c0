"""The system keyring, asked with a deadline.

keyring can block forever on a headless machine or over SSH (a locked collection, a
D-Bus prompt nobody sees), so every call runs in a daemon thread and gives up after
``TIMEOUT_S``. Without the optional ``keyring`` package, or without a backend that
answers in time, callers fall back to the 0600 config file.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

SERVICE = "gmtui"
TIMEOUT_S = 3.0
log = logging.getLogger("gmtui.keyring")


class Unavailable(Exception):
    """No keyring answered (not installed, no backend, an error, or too slow)."""


def _call(name: str, *args: str, timeout: float) -> Any:
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            import keyring

            box["value"] = getattr(keyring, name)(SERVICE, *args)
        except Exception as exc:  # any backend failure means: no keyring
            box["error"] = exc

    thread = threading.Thread(target=work, name="gmtui-keyring", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)  # not join(timeout): a timed lock wait hangs under libfaketime
    if thread.is_alive():
        raise Unavailable(f"the keyring did not answer within {timeout:g} s")
    if "error" in box:
        raise Unavailable(f"no usable keyring ({type(box['error']).__name__})")
    return box.get("value")


def get(account: str, timeout: float = TIMEOUT_S) -> str | None:
    value = _call("get_password", account, timeout=timeout)
    return value if isinstance(value, str) else None


def put(account: str, secret: str, timeout: float = TIMEOUT_S) -> None:
    _call("set_password", account, secret, timeout=timeout)
    if get(account, timeout) != secret:  # some backends accept and forget (e.g. the fail backend)
        raise Unavailable("the keyring did not keep the secret")


def delete(account: str, timeout: float = TIMEOUT_S) -> None:
    try:
        _call("delete_password", account, timeout=timeout)
    except Unavailable as exc:
        log.info("could not delete %s from the keyring: %s", account, exc)
