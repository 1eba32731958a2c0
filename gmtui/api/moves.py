"""What every platform's money moves share: a plan spelled out before anything is
sent, the rule that a plan is never made from cached figures, the read-only guard,
and sending. A platform's ``moves`` module makes its plans; the CLI and the dashboard
show one, ask for confirmation, then call ``execute``; the client journals the move
and sends it once (see journal.py). No UI here.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from gmtui.api.cache import tracking
from gmtui.api.errors import MoveRefused, ReadOnly
from gmtui.api.platforms import label
from gmtui.api.text import clean


@dataclass(frozen=True)
class Plan:
    """What a move will do; ``lines`` are shown before asking for confirmation."""

    operation: str
    user: str
    lines: list[tuple[str, str]]
    send: Callable[[], Awaitable[Any]] = field(repr=False, default=lambda: _nothing())  # the client call, bound
    amounts: frozenset[str] = frozenset()  # the labels of lines that are amounts (hidden in presenter mode)
    word: str = ""  # a move on every user: confirmed only by typing this word

    def summary(self, mask: str | None = None) -> str:
        """The lines as text; values may hold outside text (names, addresses), each
        made plain and kept on its line, so a name cannot fake a line of the plan.
        With ``mask``, amounts are shown as it."""
        width = max(len(k) for k, _ in self.lines)
        return "\n".join(f"{k.ljust(width)}  {mask if mask and k in self.amounts else clean(v, limit=200)}"
                         for k, v in self.lines)


P = ParamSpec("P")
R = TypeVar("R")


def planned(make: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """A planning step that refuses, sending nothing, when a figure it read came from the
    cache (the server did not answer: a fee, a minimum or a balance of any age) or
    cannot be computed with (a server's number out of arithmetic range)."""

    @functools.wraps(make)
    async def plan(*args: P.args, **kwargs: P.kwargs) -> R:
        with tracking() as fresh:
            try:
                result = await make(*args, **kwargs)
            except ArithmeticError as exc:
                raise MoveRefused(f"the server's figures cannot be computed with ({type(exc).__name__})") from None
        if fresh.from_cache:
            raise MoveRefused("the server did not answer some of the reads this move needs; a money move is never "
                              "planned on cached figures: try again in a moment")
        return result

    return plan


def guard(plan: Plan, read_only: bool) -> None:
    """The one read-only rule: checked before a move is confirmed, in the CLI and the dashboard."""
    if read_only:
        raise ReadOnly(f"{label(plan.operation)} is a money move and this session is read-only")


async def execute(plan: Plan) -> Any:
    """Send the move the plan spells out (journaled and sent once by the client)."""
    return await plan.send()


async def _nothing() -> None:
    raise MoveRefused("this plan moves nothing")
