"""What every platform's sandbox answers with, whether in process or served."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

from gmtui.api import wire


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def json_answer(payload: Any, status: int = 200, *, clock_s: float) -> Answer:
    """``payload`` as JSON, with the server's ``Date``."""
    return Answer(status, wire.dumps(payload).encode(), {"Content-Type": "application/json",
                                                          "Date": formatdate(clock_s, usegmt=True)})
