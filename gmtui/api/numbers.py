"""Bounded exact numbers for response models, shared by every platform.

Answers are parsed with ``wire.loads``, so no float is ever involved; a decimal beyond
gmtui's bounds (``1e999999999`` takes a gigabyte to print) is refused like any
malformed field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from gmtui.api import wire


def _bounded(value: Any) -> Any:
    return wire.bounded_decimal(value) if isinstance(value, (str, int, Decimal)) and not isinstance(value, bool) else value


Dec = Annotated[Decimal, BeforeValidator(_bounded)]
# Figures that make no sense otherwise: a price of 0 would divide by zero, a fraction
# above 1 would make a fee larger than what it is taken from.
Positive = Annotated[Dec, Field(gt=0)]
NonNegative = Annotated[Dec, Field(ge=0)]
Fraction = Annotated[Dec, Field(ge=0, le=1)]
