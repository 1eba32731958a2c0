"""Fault injection for the sandbox, set per run.

``Faults.parse("latency=200,5xx=0.2,429=0.1,retry-after=1,drop-before=0.05,"
"drop-after=0.05,clock=+30,jwt=20,seed=3,ops=withdraw")`` or from tests with keyword
arguments. Draws come from a seeded random stream, so a run is reproducible.

- latency: milliseconds added to every answer.
- 5xx: share of calls answered 503 before anything runs.
- 429: share answered 429 with ``Retry-After`` (seconds, ``retry-after``).
- drop-before: share whose connection drops before the state changes.
- drop-after: share whose connection drops after the state changed (commit-then-drop).
- clock: seconds the server's clock is ahead (+) or behind (-) the caller's.
- jwt: user JWT lifetime in seconds.
- ops: only operations whose name starts with one of these (``|``-separated).
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field, fields


class Dropped(Exception):
    """The sandbox drops the connection without an answer."""


@dataclass
class Faults:
    latency_ms: float = 0
    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    retry_after_s: float = 1.0
    drop_before_rate: float = 0.0
    drop_after_rate: float = 0.0
    clock_offset_s: float = 0.0
    jwt_lifetime_s: int | None = None
    seed: int = 0
    ops: tuple[str, ...] = ()
    injected: dict[str, int] = field(default_factory=dict, compare=False)

    _NAMES = {
        "latency": "latency_ms", "5xx": "error_rate", "429": "rate_limit_rate",
        "retry-after": "retry_after_s", "drop-before": "drop_before_rate",
        "drop-after": "drop_after_rate", "clock": "clock_offset_s", "jwt": "jwt_lifetime_s",
        "seed": "seed", "ops": "ops",
    }

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        for name in ("error_rate", "rate_limit_rate", "drop_before_rate", "drop_after_rate"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.latency_ms < 0 or self.retry_after_s < 0:
            raise ValueError("latency and retry-after cannot be negative")

    @classmethod
    def parse(cls, text: str) -> Faults:
        """Faults from ``name=value,...`` (see the module docstring for the names)."""
        kinds = {f.name: f.type for f in fields(cls)}
        values: dict[str, object] = {}
        for item in filter(None, (p.strip() for p in text.split(","))):
            name, sep, raw = item.partition("=")
            attr = cls._NAMES.get(name.strip())
            if not sep or attr is None:
                raise ValueError(f"unknown fault {item!r}; known: {', '.join(cls._NAMES)}")
            raw = raw.strip()
            try:
                if attr == "ops":
                    values[attr] = tuple(p for p in raw.split("|") if p)
                elif "int" in str(kinds[attr]) and "float" not in str(kinds[attr]):
                    values[attr] = int(raw)
                else:
                    values[attr] = float(raw.removesuffix("ms").removesuffix("s"))
            except ValueError:
                raise ValueError(f"fault {name!r} needs a number, not {raw!r}") from None
        return cls(**values)  # type: ignore[arg-type]

    def applies(self, operation: str) -> bool:
        return not self.ops or operation.startswith(self.ops)

    def _hit(self, kind: str, rate: float) -> bool:
        if rate and self._random.random() < rate:
            self.injected[kind] = self.injected.get(kind, 0) + 1
            return True
        return False

    async def before(self, operation: str) -> str | None:
        """Wait out the latency; then None, ``"5xx"``, ``"429"`` or raise Dropped."""
        if self.latency_ms:
            await asyncio.sleep(self.latency_ms / 1000)
        if not self.applies(operation):
            return None
        if self._hit("drop-before", self.drop_before_rate):
            raise Dropped(operation)
        if self._hit("5xx", self.error_rate):
            return "5xx"
        if self._hit("429", self.rate_limit_rate):
            return "429"
        return None

    def after(self, operation: str) -> None:
        """Called once the state has changed: maybe drop the answer."""
        if self.applies(operation) and self._hit("drop-after", self.drop_after_rate):
            raise Dropped(operation)
