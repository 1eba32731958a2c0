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
from pathlib import Path

MASK = "***"
LOG_FILE = "gmtui.log"  # in the state dir
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


def start(path: Path, secrets: list[str]) -> None:
    """Log gmtui's records to ``path`` (0600; GMTUI_LOG_LEVEL, default INFO) through a
    redacting filter that also masks ``secrets``. Called again for the same file, it
    only adds the secrets; for another file, it moves there."""
    quiet_http_loggers()
    root = logging.getLogger("gmtui")
    for old in [h for h in root.handlers if getattr(h, "_gmtui", False)]:
        if getattr(old, "baseFilename", None) == str(path.absolute()):
            for f in old.filters:
                if isinstance(f, RedactingFilter):
                    f.add(*secrets)
            return
        root.removeHandler(old)
        old.close()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.touch(mode=0o600, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    handler._gmtui = True  # type: ignore[attr-defined]
    handler.addFilter(RedactingFilter(secrets))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    level = os.environ.get("GMTUI_LOG_LEVEL", "INFO").upper()
    root.setLevel(level if level in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL") else "INFO")
