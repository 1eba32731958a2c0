"""WebMinePool against a hostile server: user names, token ids and messages carrying
markup and escape sequences, refusals whose words are poisoned. Nothing reaches the
terminal, nothing crashes, and a poisoned name never becomes a roster entry or a move."""

from __future__ import annotations

import json

import httpx
import pytest

import gmtui.sandbox as sandbox
from gmtui.api.webminepool.platform import PLATFORM
from gmtui.cli import main
from hostile import CONTROL, HOSTILE, Hostile

from conftest import Clock


class Refusing(httpx.AsyncBaseTransport):
    """Every call refused, ``success: false`` with poisoned words (HTTP 200)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = {"success": False, "message": "no " + HOSTILE, "error": HOSTILE}
        return httpx.Response(200, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"})


@pytest.fixture
def hostile(monkeypatch):
    real = sandbox._Transport

    def use(mode: str) -> None:
        make = (lambda s: Refusing()) if mode == "errors" else (lambda s: Hostile(real(s), mode))
        monkeypatch.setattr(sandbox, "_Transport", make)

    return use


def run(capsys, monkeypatch, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setenv("GMTUI_PLATFORM", "webminepool")
    code = main(["--demo", *argv], clock=Clock())
    out, err = capsys.readouterr()
    for stream in (out, err):
        assert not CONTROL.search(stream.replace("\n", "")), f"a control character got out: {stream[:300]!r}"
    assert "Traceback" not in err and code in (0, 1, 2, 3), (code, err)
    return code, out, err


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
@pytest.mark.parametrize("resource", sorted(set(PLATFORM.resources) - {"token"}))
def test_every_resource_is_inert(capsys, monkeypatch, hostile, resource, fmt):
    hostile("text")
    code, out, _ = run(capsys, monkeypatch, "get", resource, "--user", "ada", "--format", fmt)
    assert code == 0
    if resource == "users" and fmt == "json":
        names = [u["name"] for u in json.loads(out)]
        assert names and all(n.endswith(HOSTILE) for n in names)  # kept exactly, escaped by JSON


def test_the_roster_never_keeps_a_poisoned_name(capsys, monkeypatch, hostile):
    hostile("text")
    code, out, _ = run(capsys, monkeypatch, "pool", "user", "list")
    assert code == 0 and "ada" in out
    code, _, err = run(capsys, monkeypatch, "pool", "token", "set", "100", "--yes")
    assert code == 0


@pytest.mark.parametrize("argv", [
    ("get", "balance"), ("get", "users"), ("get", "token", "--id", "abc"),
    ("pool", "withdraw", "ada", "5", "--yes"), ("pool", "reset-all", "--yes"), ("pool", "user", "list"),
    ("pool", "token", "check", "abc"),
])
def test_poisoned_refusals_are_plain_and_send_nothing(capsys, monkeypatch, hostile, argv):
    hostile("errors")
    code, _, err = run(capsys, monkeypatch, *argv)
    assert code != 0 and "no " in err and "[@click" in err  # the words, as text
