"""Every CLI command against a hostile server: no escape sequence reaches the terminal
(tables, CSV, JSON, plans, the journal, errors on stderr), JSON keeps the server's
strings exactly (escaped), CSV cells are never formulas, nothing crashes."""

from __future__ import annotations

import csv
import io
import json

import pytest

import gmtui.sandbox as sandbox
from gmtui.api.gomining.platform import PLATFORM

RESOURCES = tuple(PLATFORM.resources)
from gmtui.cli import main
from hostile import CONTROL, HOSTILE, Hostile

from conftest import Clock


NO_TEXT = ("income-per-th", "commission", "totals", "earnings", "balances", "collections")  # numbers and dates only


@pytest.fixture
def hostile(monkeypatch):
    """``hostile("text")`` or ``hostile("errors")``: the demo's sandbox behind it."""
    real = sandbox.in_process

    def use(mode: str) -> None:
        monkeypatch.setattr(sandbox, "in_process", lambda state: Hostile(real(state), mode))

    return use


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [s for item in items for s in strings(item)]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["--demo", *argv], clock=Clock())
    out, err = capsys.readouterr()
    assert not CONTROL.search(out.replace("\n", "")), f"a control character reached stdout: {out[:300]!r}"
    assert not CONTROL.search(err.replace("\n", "")), f"a control character reached stderr: {err[:300]!r}"
    assert "Traceback" not in err and code in (0, 1, 2, 3), (code, err)
    return code, out, err


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
@pytest.mark.parametrize("resource", RESOURCES)
def test_every_resource_in_every_format_is_inert(capsys, hostile, resource, fmt):
    hostile("text")
    code, out, err = run(capsys, "get", resource, "--format", fmt)
    assert code == 0, err
    if fmt == "json":  # the same data, exactly: only its escaping differs
        assert any(HOSTILE in text for text in strings(json.loads(out))) or resource in NO_TEXT
    if fmt == "csv":
        for row in csv.reader(io.StringIO(out)):
            assert not any(cell.startswith(("=", "+", "@")) for cell in row)


@pytest.mark.parametrize("resource", RESOURCES)
def test_hostile_error_messages_are_plain_on_stderr(capsys, hostile, resource):
    hostile("errors")
    code, out, err = run(capsys, "get", resource)
    assert code == 1 and out == "" and "refused [@click=app.quit]" in err and "␛[2J" in err


@pytest.mark.parametrize("argv", [
    ["upgrade", "price", "--miner", "10001", "--efficiency", "20"],
    ["transfer", "10002", "--to", "bob", "--yes"],
    ["buy", "2", "--yes"],
    ["wallet", "bind", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "--yes"],
    ["withdraw", "0.001", "--to", "1NeTVrZEZvx9niuKrFRMQsdF3YSnhkyaCB", "--yes"],
])
def test_printed_plans_show_server_names_as_text(capsys, hostile, argv):
    hostile("text")
    run(capsys, *argv)


def test_the_journal_and_reconcile_print_plain_text(capsys, hostile, monkeypatch, tmp_path):
    from gmtui.api.journal import UNKNOWN, Journal

    path = tmp_path / "journal.sqlite"
    journal = Journal(path)
    entry = journal.begin("demo", "alice" + HOSTILE, "withdraw.create_24h" + HOSTILE, {"amount": "1" + HOSTILE, "walletAddress": HOSTILE})
    journal.settle(entry, UNKNOWN, "answer lost: " + HOSTILE)
    monkeypatch.setattr("gmtui.session.Journal", lambda clock=None: Journal(path, clock))
    hostile("errors")
    for fmt in ("table", "csv", "json"):
        run(capsys, "journal", "--format", fmt)
    code, out, _ = run(capsys, "reconcile")
    assert code == 3 and "alice[@click=app.quit]" in out and "␛[2J" in out  # shown, inert
    code, out, _ = run(capsys, "journal", "settle", "1", "failed", "--note", "ticket\x1b[2J 42")
    assert code == 0 and "ticket␛[2J 42" in out


def test_odd_characters_typed_on_the_command_line_come_back_plain(capsys):
    with pytest.raises(SystemExit) as ended:
        main(["get", "\x1b]52;c;aGk=\x07miners"])
    err = capsys.readouterr().err
    assert ended.value.code == 2 and "invalid choice" in err and not CONTROL.search(err.replace("\n", ""))
