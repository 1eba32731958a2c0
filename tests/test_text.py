"""The one rule for outside text: control characters made visible, CSV cells that no
spreadsheet reads as formulas, JSON with nothing raw a terminal would act on."""

from __future__ import annotations

import json

import pytest

from gmtui.api.text import clean, csv_cell, json_safe
from hostile import CONTROL, HOSTILE


def test_escape_sequences_become_visible_and_inert():
    shown = clean(HOSTILE)
    assert not CONTROL.search(shown)
    assert "␛[2J" in shown and "␛]52;c;" in shown and "␇" in shown  # visible, so a person sees the attempt
    assert "[@click=app.quit]" in shown  # markup is left alone here: the screen shows it as text


@pytest.mark.parametrize(("raw", "shown"), [
    ("a\nb", "a␊b"), ("a\tb", "a b"), ("a\rb", "a␍b"), ("\x9b31m", "\ufffd31m"), ("\u202eevil", "\ufffdevil"),
    ("Ice Maker #1", "Ice Maker #1"), ("ünïcødé ₿", "ünïcødé ₿"),
])
def test_clean_keeps_text_and_shows_controls(raw, shown):
    assert clean(raw) == shown


def test_newlines_stay_only_when_asked_and_long_text_is_clipped():
    assert clean("a\nb", newlines=True) == "a\nb"
    assert clean("x" * 50, limit=10) == "x" * 9 + "…"


@pytest.mark.parametrize(("cell", "written"), [
    ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"), ("+1+1", "'+1+1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("-2+3", "'-2+3"), ("\tx", " x"), ("\rx", "␍x"), ("-0.5", "-0.5"), ("12.5", "12.5"), ("alice", "alice"),
])
def test_csv_cells_are_never_formulas(cell, written):
    assert csv_cell(cell) == written


def test_json_stays_the_same_data_with_nothing_raw():
    text = json.dumps({"name": "a\x9bb\u202ec\x7f"}, ensure_ascii=False)
    safe = json_safe(text)
    assert not CONTROL.search(safe) and json.loads(safe) == json.loads(text)
