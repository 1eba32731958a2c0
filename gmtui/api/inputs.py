"""What a person types, read strictly: ASCII digits and at most one ``.``, within a
range, or a clear message saying what is expected. No locale digits (``٠.٠٠٠٦``),
no underscores (``1_000``), no exponents, no NaN; no value that would overflow later.
The CLI and the dashboard's forms both read their values here."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from gmtui.api.errors import InputError

_DECIMAL = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+", re.ASCII)
_WHOLE = re.compile(r"[0-9]+", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)

SAT = Decimal("0.00000001")
MAX_BTC = Decimal(21_000_000)
FIRST_DAY = date(2009, 1, 3)  # the first Bitcoin block: no income before it
LAST_DAY = date(2100, 12, 31)


def decimal(text: str, what: str, *, places: int, maximum: Decimal, example: str) -> Decimal:
    """A positive decimal with at most ``places`` decimals and at most ``maximum``."""
    value = (text or "").strip()
    if not value:
        raise InputError(f"type {what}, e.g. {example}")
    if len(value) > 40 or not _DECIMAL.fullmatch(value):
        raise InputError(f"{value[:40]!r} is not {what}: write digits and at most one '.', e.g. {example}")
    number = Decimal(value)
    if number <= 0:
        raise InputError(f"{what} must be more than 0")
    if number > maximum:
        raise InputError(f"{what} must be at most {maximum:,}")
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise InputError(f"{what} has at most {places} decimals")
    return number


def btc_amount(text: str) -> Decimal:
    """A positive BTC amount with at most 8 decimals, exactly as typed."""
    return decimal(text, "a BTC amount", places=8, maximum=MAX_BTC, example="0.0015")


def whole(text: str, what: str, *, maximum: int = 10**12) -> int:
    """A positive whole number (an id, a count)."""
    value = (text or "").strip()
    if not _WHOLE.fullmatch(value) or len(value) > len(str(maximum)):
        raise InputError(f"{value[:40]!r} is not {what}: write digits only, e.g. 10001")
    number = int(value)
    if not 1 <= number <= maximum:
        raise InputError(f"{what} must be between 1 and {maximum:,}")
    return number


def day(text: str) -> date:
    """A calendar date written YYYY-MM-DD, from 2009-01-03 to 2100-12-31."""
    value = (text or "").strip()
    if not _DATE.fullmatch(value):
        raise InputError(f"{value[:40]!r} is not a date: write it like 2026-01-31")
    try:
        found = date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{value} is not a date in the calendar") from None
    if not FIRST_DAY <= found <= LAST_DAY:
        raise InputError(f"{value} is out of range: dates run from {FIRST_DAY} to {LAST_DAY}")
    return found


def day_range(text: str) -> tuple[date, date]:
    """``FROM..TO`` (both YYYY-MM-DD), the first not after the second."""
    first, sep, last = text.replace(" ", "").partition("..")
    if not sep:
        raise InputError("write the range as YYYY-MM-DD..YYYY-MM-DD")
    start, end = day(first), day(last)
    if end < start:
        raise InputError("the range ends before it starts")
    return start, end
