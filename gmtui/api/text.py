"""The one rule for outside text: what a server, a file or a person typed is shown
as plain text, never as markup or terminal control.

``clean`` makes every control character visible (C0 as its Unicode control picture,
e.g. ESC as ``␛``; DEL, C1, bidirectional overrides and line separators as ``�``), so
no escape sequence (CSI, OSC 52 clipboard writes, OSC 8 links) ever reaches a
terminal, and a name cannot fake a second line of a plan. ``csv_cell`` also keeps a
spreadsheet from reading a cell as a formula; ``json_safe`` escapes what JSON leaves
raw. The CLI and the dashboard both go through here (the dashboard wraps the result
in plain Textual content, never markup).
"""

from __future__ import annotations

import re

# C0 (but tab and newline are handled apart), DEL, C1, the characters that reorder or
# break lines behind the reader's back (bidi overrides and isolates, LS, PS), and the
# invisible ones that make look-alikes (soft hyphen, zero-width space, word joiners,
# BOM, tag characters).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f\u2028\u2029"
                      "\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]")
_REPLACEMENT = "\ufffd"
# Characters json.dumps(ensure_ascii=False) leaves raw that a terminal may act on.
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return chr(0x2400 + code) if code < 0x20 else _REPLACEMENT


def clean(text: object, *, newlines: bool = False, limit: int | None = None) -> str:
    """``text`` with every control character made visible. Tabs become spaces;
    newlines stay only with ``newlines`` (for gmtui's own multi-line text, whose
    outside parts were cleaned on their own first). ``limit`` clips long text."""
    value = text if isinstance(text, str) else str(text)
    if limit is not None and len(value) > limit:
        value = value[: max(0, limit - 1)] + "…"
    value = _CONTROL.sub(_visible, value)
    if "\t" in value or "\n" in value:
        value = value.replace("\t", " ")
        if not newlines:
            value = value.replace("\n", "\u240a")
    return value


def csv_cell(text: object) -> str:
    """A CSV cell a spreadsheet reads as text: control characters made visible, and a
    leading ``= + - @`` (tab, CR) quoted with ``'`` unless the cell is a plain number."""
    value = clean(text)
    if value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def json_safe(text: str) -> str:
    """JSON text with the characters ``json.dumps`` leaves raw (DEL, C1, bidi
    controls, line separators) written as ``\\uXXXX``: the same data, nothing a
    terminal acts on. Valid only for JSON text, where such characters sit in strings."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
