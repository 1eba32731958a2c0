"""Printing for scripts and people: JSON (the API's own names), CSV, or a text table,
and the lines gmtui says. Everything that reaches the terminal passes through
``text.clean`` (CSV cells through ``text.csv_cell``, JSON through ``text.json_safe``):
no escape sequence from a server or a file gets through."""

from __future__ import annotations

import csv
import io
import shutil
import sys
from datetime import datetime
from decimal import Decimal
from typing import Any

from gmtui.api import wire
from gmtui.api.text import clean, csv_cell, json_safe

FORMATS = ("json", "csv", "table")


def flatten(row: Any, prefix: str = "") -> dict[str, Any]:
    """Nested objects become dotted columns; lists become compact JSON."""
    if not isinstance(row, dict):
        return {prefix or "value": row}
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and value:
            out.update(flatten(value, name))
        else:
            out[name] = value
    return out


def say(text: str, *, err: bool = False) -> None:
    """Print a line of gmtui's (its outside parts already on one line each), with
    every control character made visible."""
    print(clean(text, newlines=True), file=sys.stderr if err else sys.stdout)


def cell(value: Any) -> str:
    """A value as the text of one cell: exact decimals, compact JSON, plain text."""
    return clean(_text(value))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return wire.decimal_literal(value)
    if isinstance(value, datetime):
        return wire.dumps(value).strip('"')
    if isinstance(value, (dict, list)):
        return wire.dumps(value)
    return str(value)


def _rows(data: Any) -> tuple[list[str], list[dict[str, Any]]]:
    rows = [flatten(r) for r in (data if isinstance(data, list) else [data])]
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    return columns, rows


def render(data: Any, fmt: str) -> str:
    if fmt == "json":
        return json_safe(wire.dumps(data, indent=2)) + "\n"
    if fmt == "csv":
        columns, rows = _rows(data)
        return csv_text([csv_cell(c) for c in columns], [[csv_cell(_text(row.get(c))) for c in columns] for row in rows])
    if isinstance(data, dict):
        flat = {cell(k): v for k, v in flatten(data).items()}
        width = max((len(k) for k in flat), default=0)
        return "".join(f"{k.ljust(width)}  {cell(v)}\n" for k, v in flat.items())
    return table(*_rows(data))


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    """CSV of cells already made safe (see ``text.csv_cell``)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def table(columns: list[str], rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "(no items)\n"
    cells = [[cell(r.get(c)) for c in columns] for r in rows]
    limit = max(12, shutil.get_terminal_size((160, 24)).columns // max(1, len(columns)) + 8)
    widths = [min(limit, max(len(c), *(len(row[i]) for row in cells))) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        out = []
        for value, width in zip(values, widths, strict=True):
            out.append(value if len(value) <= width else value[: width - 1] + "…")
        return "  ".join(v.ljust(w) for v, w in zip(out, widths, strict=True)).rstrip() + "\n"

    return line([cell(c) for c in columns]) + line(["-" * w for w in widths]) + "".join(line(r) for r in cells)
