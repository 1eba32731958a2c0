"""Logging that never carries a secret.

``RedactingFilter`` masks signatures, API keys, JWTs, refresh tokens and any secret
registered with it, in messages and their arguments, the path segment after
``/api/`` (WebMinePool's secret key travels there) and Mithril Vault's mining key and
headers. ``quiet_http_loggers`` keeps httpx
and httpcore (which log full URLs) at WARNING, and ``mask_http_urls`` redacts what
they log whoever set their level.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

MASK = "***"
LOG_FILE = "gmtui.log"  # in the state dir; a demo's in its own folder (gmtui.places)
_PATTERNS = [
    re.compile(r"(signature=)[^&\s\"']+", re.I),
    re.compile(r"(\"signature\"\s*:\s*\")[^\"]+", re.I),
    re.compile(r"(x-partner-api-key[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+", re.I),
    re.compile(r"(bearer\s+)[^\s\"',}]+", re.I),
    re.compile(r"(refreshToken[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+", re.I),
    re.compile(r"()eyJ[\w-]+\.[\w-]+\.[\w-]+"),  # any JWT
    re.compile(r"(/api/)(?!partner/)[^/?#\s\"']+"),  # WebMinePool: /api/{secret_key}/...
    re.compile(r"(mining_key=)[^&\s\"']+", re.I),  # Mithril Vault's mining key, in a query
    re.compile(r"((?:x-vault-signature|authorization)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+", re.I),
]


# Registered secrets shorter than this are not masked one by one: masking every "s"
# would wreck the log. Real API keys and secrets are far longer.
MIN_SECRET_LEN = 6


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: list[str] | None = None):
        super().__init__()
        self.secrets: list[str] = []
        self.add(*(secrets or []))

    def add(self, *secrets: str) -> None:
        self.secrets += [s for s in secrets if len(s or "") >= MIN_SECRET_LEN and s not in self.secrets]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        for pattern in _PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        return True


def quiet_http_loggers() -> None:
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    mask_http_urls()


def mask_http_urls() -> None:
    """Redact every record httpx and httpcore log, at the loggers themselves, so that no
    handler (a test's, an embedding program's) ever sees a URL's secret."""
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())


class _File(logging.FileHandler):
    """gmtui's log file, 0600 in a 0700 folder. ``where`` is its path, or a function
    that gives it when the first record comes (the folder is made only then)."""

    def __init__(self, where: Path | Callable[[], Path]):
        self.where = where
        super().__init__(where if isinstance(where, Path) else os.devnull, encoding="utf-8", delay=True)
        if isinstance(where, Path):
            _prepare(where)

    def _open(self) -> Any:
        if not isinstance(self.where, Path):
            path = self.where()
            _prepare(path)
            self.baseFilename = str(path.absolute())
        return super()._open()

    def names(self, where: Path | Callable[[], Path]) -> bool:
        return where is self.where if callable(where) else where.absolute() == Path(self.baseFilename)


def _prepare(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.touch(mode=0o600, exist_ok=True)


def start(where: Path | Callable[[], Path], secrets: list[str]) -> None:
    """Log gmtui's records to ``where`` (see ``_File``; GMTUI_LOG_LEVEL, default INFO)
    through a redacting filter that also masks ``secrets``. Called again for the same
    file, it only adds the secrets; for another file, it moves there, still masking
    every secret registered before."""
    quiet_http_loggers()
    root = logging.getLogger("gmtui")
    known: list[str] = []
    for old in [h for h in root.handlers if isinstance(h, _File)]:
        filters = [f for f in old.filters if isinstance(f, RedactingFilter)]
        if old.names(where):
            for f in filters:
                f.add(*secrets)
            return
        known += [s for f in filters for s in f.secrets]
        root.removeHandler(old)
        old.close()
    handler = _File(where)
    handler.addFilter(RedactingFilter(known + list(secrets)))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    level = os.environ.get("GMTUI_LOG_LEVEL", "INFO").upper()
    root.setLevel(level if level in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL") else "INFO")


def logging_to(where: Path | Callable[[], Path]) -> bool:
    """Whether gmtui's records go to ``where`` now."""
    return any(isinstance(h, _File) and h.names(where) for h in logging.getLogger("gmtui").handlers)


def stop(where: Path | Callable[[], Path]) -> None:
    """Stop logging to ``where`` (its file is closed; nothing is logged until ``start``)."""
    root = logging.getLogger("gmtui")
    for old in [h for h in root.handlers if isinstance(h, _File) and h.names(where)]:
        root.removeHandler(old)
        old.close()
