"""Mithril Vault against a hostile server: poisoned statuses, uuids and messages, odd
list shapes, huge numbers, deep nesting, a cursor that never ends. Nothing reaches the
terminal, nothing crashes, and no token or key is ever printed."""

from __future__ import annotations

import json

import httpx
import pytest

import gmtui.sandbox as sandbox
from gmtui.api.errors import UnexpectedResponse
from gmtui.api.mithril.models import Activities
from gmtui.api.mithril.platform import PLATFORM
from gmtui.cli import main
from gmtui.sandbox import vault_client
from gmtui.sandbox.mithril.state import DEMO_CLIENT_KEY, State
from hostile import CONTROL, HOSTILE, Hostile

from conftest import Clock


class Answering(httpx.AsyncBaseTransport):
    """Every call answered with ``status`` and ``body`` (bytes)."""

    def __init__(self, status: int, body: bytes):
        self.status, self.body = status, body

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(self.status, content=self.body, headers={"Content-Type": "application/json"})


@pytest.fixture
def hostile(monkeypatch):
    real = sandbox._Transport

    def use(mode: str, status: int = 400) -> None:
        if mode == "errors":
            body = json.dumps({"error": HOSTILE, "message": "refused " + HOSTILE}).encode()
            monkeypatch.setattr(sandbox, "_Transport", lambda s: Answering(status, body))
        else:
            monkeypatch.setattr(sandbox, "_Transport", lambda s: Hostile(real(s), mode))

    return use


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["--demo", *argv], clock=Clock())
    out, err = capsys.readouterr()
    for stream in (out, err):
        assert not CONTROL.search(stream.replace("\n", "")), f"a control character got out: {stream[:300]!r}"
        assert DEMO_CLIENT_KEY not in stream
    assert "Traceback" not in err and code in (0, 1, 2, 3), (code, err)
    return code, out, err


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
@pytest.mark.parametrize("resource", sorted(PLATFORM.resources))
def test_every_resource_is_inert(capsys, monkeypatch, hostile, resource, fmt):
    monkeypatch.setenv("GMTUI_PLATFORM", "mithril")
    hostile("text")
    code, out, err = run(capsys, "get", resource, "--user", "alice", "--format", fmt)
    if resource in ("activities", "app-balance"):  # a poisoned status or currency is longer than any real one
        assert code == 1 and "unexpected response (field " in err
    else:
        assert code == 0 and out


@pytest.mark.parametrize("status", [400, 403, 409, 429, 500])
@pytest.mark.parametrize("argv", [
    ("get", "app-balance"), ("get", "user-info", "--user", "alice"), ("get", "activities", "--user", "alice"),
    ("vault", "reward", "alice", "1", "--yes"), ("vault", "cancel", "alice", "abc", "--yes"),
    ("vault", "unbind", "alice", "--yes"),
])
def test_poisoned_refusals_are_plain_and_send_nothing(capsys, monkeypatch, hostile, argv, status):
    monkeypatch.setenv("GMTUI_PLATFORM", "mithril")
    hostile("errors", status)
    code, _, err = run(capsys, *argv)
    assert code != 0 and "refused" in err and "[@click" in err  # the words, as text


@pytest.mark.parametrize(("body", "why"), [
    (b'{"results": [{"uuid": "a", "status": "MINED", "reward": 1e999999}]}', ""),
    (b'{"results": [{"uuid": "a", "status": "MINED", "reward": -5}]}', "greater than or equal"),
    (b'{"results": [], "data": []}', "one of"),
    (b'"null"', "bare array"),
    (b"[" * 5000 + b"]" * 5000, ""),
    (b'{"results": [{"uuid": "", "status": "MINED"}]}', "at least 1"),
])
async def test_malformed_activity_lists_are_clear_errors(clock, body, why):
    c = vault_client(State(clock=clock))
    c._http._transport = Answering(200, body)
    with pytest.raises(UnexpectedResponse, match=why or None):
        await c.activities("alice")


def test_the_list_shapes_the_documents_leave_open_are_all_read():
    one = {"uuid": "u1", "status": "PENDING", "reward": "1.5"}
    for shape in ([one], {"results": [one]}, {"data": [one], "next_id": 7}, {"activities": [one], "next_id": ""}):
        page = Activities.model_validate(shape)
        assert [a.uuid for a in page.items] == ["u1"]
    assert Activities.model_validate({"records": [one], "next_id": 7}).next_id == "7"


async def test_a_cursor_that_never_ends_is_stopped(clock):
    page = json.dumps({"results": [{"uuid": "same", "status": "MINED"}], "next_id": "again"}).encode()
    c = vault_client(State(clock=clock))
    c._http._transport = Answering(200, page)
    items = await c.all_activities("alice")
    assert len(items) == 2  # the first page, then the cursor repeats: stop


async def test_a_token_echoed_in_an_error_is_scrubbed(clock):
    vault = State(clock=clock)
    c = vault_client(vault)
    token = c.bindings.token("alice")
    c._http._transport = Answering(403, json.dumps({"error": "FORBIDDEN_ERROR", "message": f"bad token {token}"}).encode())
    with pytest.raises(Exception) as caught:
        await c.user_info("alice")
    assert token not in str(caught.value) and token not in repr(caught.value) and "***" in str(caught.value)
    assert token not in repr(c) and token not in repr(c.bindings)
