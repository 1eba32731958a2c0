"""Bounded parsing: a hostile answer (huge numbers, deep nesting, oversized or slow
bodies, pages repeated forever) ends in a clear error naming the operation, never a
hang, a traceback or gigabytes of memory; what a person types is read strictly."""

from __future__ import annotations

import asyncio
import json
import resource
import time
from collections.abc import AsyncIterator, Callable
from decimal import Decimal

import httpx
import pytest

from gmtui.api.body import MAX_BYTES as MAX_BODY_BYTES
from gmtui.api.errors import NetworkError, OutcomeUnknown, PendingMoveError, UnexpectedResponse
from gmtui.api.gomining.client import GoMiningClient
from gmtui.api.journal import UNKNOWN, Journal
from gmtui.api.retry import NO_RETRY
from gmtui.cli import main
from gmtui.sandbox import BASE_URL, in_process

from conftest import Clock

JSON = {"Content-Type": "application/json"}


class Rigged(httpx.AsyncBaseTransport):
    """The sandbox, but the operations whose path ends with a key get ``answers[key]``."""

    def __init__(self, inner: httpx.AsyncBaseTransport, answers: dict[str, Callable[[httpx.Request], httpx.Response]]):
        self.inner, self.answers = inner, answers
        self.calls: dict[str, int] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        for suffix, answer in self.answers.items():
            if request.url.path.endswith(suffix):
                self.calls[suffix] = self.calls.get(suffix, 0) + 1
                return answer(request)
        return await self.inner.handle_async_request(request)


def body(text: str | bytes, status: int = 200, headers: dict[str, str] | None = None) -> Callable[[httpx.Request], httpx.Response]:
    raw = text.encode() if isinstance(text, str) else text
    return lambda request: httpx.Response(status, content=raw, headers={**JSON, **(headers or {})})


def rigged_client(state, answers, **kw) -> GoMiningClient:
    opts = state.options
    return GoMiningClient(BASE_URL, opts.api_key, opts.api_secret, transport=Rigged(in_process(state), answers),
                          clock=state.clock, retry=NO_RETRY, **kw)


# ---- numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("literal", ["1e999999999", "1E+40000", "0e999999999", "1e-999999999", "9" * 200, '"1e999999999"'])
async def test_a_huge_number_is_a_clear_error_at_once(state, literal):
    answers = {"/calculate-commission": body('{"data": {"incomeWithdrawMinValue": %s, "incomeWithdrawCommission": 0.02}}' % literal)}
    started = time.perf_counter()
    async with rigged_client(state, answers) as client:
        with pytest.raises(UnexpectedResponse, match=r"withdraw\.commission.*(out of range|more than)"):
            await client.commission("alice")
    assert time.perf_counter() - started < 1


async def test_a_huge_decimal_string_in_a_balance_is_refused(state):
    rows = [{"id": 1, "valueNumericAtSyncDate": "1e999999999"}]
    async with rigged_client(state, {"/s2s/wallet-balance/find-by-user": body(json.dumps({"data": {"array": rows}}))}) as client:
        with pytest.raises(UnexpectedResponse, match=r"balances\.s2s.*valueNumericAtSyncDate.*out of range"):
            await client.balances("alice")


def test_get_commission_with_a_huge_number_exits_1_without_filling_memory(capsys, monkeypatch):
    import gmtui.sandbox as sandbox

    real = sandbox.in_process
    answers = {"/calculate-commission": body('{"data": {"incomeWithdrawMinValue": 1e999999999, "incomeWithdrawCommission": 1}}')}
    monkeypatch.setattr(sandbox, "in_process", lambda state: Rigged(real(state), answers))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    code = main(["get", "commission", "--demo", "--format", "table"], clock=Clock())
    out, err = capsys.readouterr()
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert code == 1 and out == "" and "withdraw.commission" in err and "out of range" in err
    assert grown_mb < 50


# ---- nesting and size ------------------------------------------------------------------


@pytest.mark.parametrize("depth", [65, 2_000, 200_000])
async def test_deep_nesting_is_refused_without_a_recursion_error(state, depth):
    nested = '{"data": {"incomeWithdrawMinValue": 1, "incomeWithdrawCommission": 0, "x": %s}}' % ("[" * depth + "]" * depth)
    async with rigged_client(state, {"/calculate-commission": body(nested)}) as client:
        with pytest.raises(UnexpectedResponse, match="nested more than 64 levels|more than 200,000 objects"):
            await client.commission("alice")


async def test_an_oversized_body_is_refused_by_its_declared_length(state):
    answers = {"/calculate-commission": body(b"{}", headers={"Content-Length": str(MAX_BODY_BYTES + 1)})}
    async with rigged_client(state, answers) as client:
        with pytest.raises(UnexpectedResponse, match="over the 20 MB gmtui reads"):
            await client.commission("alice")


async def test_an_oversized_body_without_a_length_stops_at_the_cap(state):
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"data": "'
        for _ in range(30):  # 30 MB, one megabyte at a time
            yield b"x" * (1024 * 1024)
        yield b'"}'

    answers = {"/calculate-commission": lambda request: httpx.Response(200, content=chunks(), headers=JSON)}
    async with rigged_client(state, answers) as client:
        with pytest.raises(UnexpectedResponse, match=r"withdraw\.commission.*over the 20 MB"):
            await client.commission("alice")


# ---- slow bodies: one overall deadline per request --------------------------------------


async def dribble(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A server that sends its answer one byte every 50 ms, forever."""
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n")
    try:
        while True:
            writer.write(b" ")
            await writer.drain()
            await asyncio.sleep(0.05)
    except (ConnectionError, asyncio.CancelledError):
        writer.close()


async def test_a_body_sent_a_byte_at_a_time_ends_at_the_deadline_over_a_socket(state):
    server = await asyncio.start_server(dribble, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    opts = state.options
    try:
        async with GoMiningClient(f"http://127.0.0.1:{port}", opts.api_key, opts.api_secret, clock=state.clock,
                                  retry=NO_RETRY, timeout=0.2, deadline_s=0.6) as client:
            started = time.perf_counter()
            with pytest.raises(NetworkError, match=r"withdraw\.commission: no complete answer within 0\.6 s"):
                await client.commission("alice")  # the 0.2 s read timeout alone restarts with every byte
            assert time.perf_counter() - started < 2
    finally:
        server.close()


async def test_a_slow_answer_to_a_withdrawal_is_unknown_and_never_resent(state, clock):
    async def forever() -> AsyncIterator[bytes]:
        yield b'{"data": '
        await asyncio.Event().wait()

    answers = {"/create-24h": lambda request: httpx.Response(200, content=forever(), headers=JSON)}
    journal = Journal(clock=clock)
    address = state.world.users["alice"].wallets[0].address
    async with rigged_client(state, answers, journal=journal, deadline_s=0.3) as client:
        with pytest.raises(OutcomeUnknown, match="no complete answer within 0.3 s"):
            await client.withdraw("alice", address, Decimal("0.001"))
        with pytest.raises(PendingMoveError):
            await client.withdraw("alice", address, Decimal("0.001"))
    assert client._http._transport.calls["/create-24h"] == 1
    assert journal.entries()[0].outcome == UNKNOWN


# ---- paging ----------------------------------------------------------------------------


def _wallets(n: int, first: int = 1) -> list[dict[str, object]]:
    return [{"id": i, "createdAt": "2026-01-01T00:00:00.000Z", "address": f"1Addr{i}", "type": "BTC"} for i in range(first, first + n)]


async def test_a_server_that_ignores_offset_is_stopped_not_read_forever(state):
    page = json.dumps({"data": {"array": _wallets(999)}})
    async with rigged_client(state, {"/s2s/wallet/find-by-user": body(page)}) as client:
        with pytest.raises(UnexpectedResponse, match=r"wallet\.list\.s2s.*same page again at offset 999.*ignore offset"):
            await client.fetch_all("wallet.list.s2s", {"partnerUserId": "alice"})
        assert client._http._transport.calls["/s2s/wallet/find-by-user"] <= 8


async def test_a_server_that_ignores_limit_is_stopped(state):
    page = json.dumps({"data": {"array": _wallets(12)}})
    async with rigged_client(state, {"/s2s/wallet/find-by-user": body(page)}) as client:
        with pytest.raises(UnexpectedResponse, match="12 items for a page of 5"):
            await client.fetch_all("wallet.list.s2s", {"partnerUserId": "alice"}, page_size=5)


# ---- what a person types ---------------------------------------------------------------

ADDRESS = "1NeTVrZEZvx9niuKrFRMQsdF3YSnhkyaCB"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), clock=Clock())
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("amount", "why"), [
    ("٠.٠٠٠٦", "is not a BTC amount: write digits"), ("0.0006", None), ("1_000", "is not a BTC amount"),
    ("1e-3", "is not a BTC amount"), ("NaN", "is not a BTC amount"), ("99999999999999999999999", "at most 21,000,000"),
    ("0.000600001", "at most 8 decimals"), ("0x10", "is not a BTC amount"), (" 0.0006 ", None),
])
def test_withdrawal_amounts_are_ascii_digits_and_one_point(capsys, amount, why):
    code, out, err = run(capsys, "--demo", "withdraw", "--to", ADDRESS, "--yes", "--", amount)
    if why is None:
        assert code == 0 and "done: withdraw 0.00060000 BTC" in out
    else:
        assert code == 2 and "refused, nothing was sent" in err and why in err and "Traceback" not in err


@pytest.mark.parametrize(("argv", "why"), [
    (["upgrade", "price", "--miner", "10001", "--power", "NaN"], "is not a target power"),
    (["upgrade", "price", "--miner", "1_0001", "--power", "300"], "is not an id"),
    (["upgrade", "price", "--miner", "١٠٠٠١", "--power", "300"], "is not an id"),
    (["upgrade", "price", "--miner", "10001", "--power", "1e999999999"], "is not a target power"),
    (["buy", "99999999999999999999"], "is not an id"),
    (["get", "daily", "--to", "0001-01-05"], "out of range: dates run from 2009-01-03"),
    (["get", "daily", "--from", "2026-02-30"], "not a date in the calendar"),
    (["get", "daily", "--from", "２０２６-01-01"], "is not a date"),
    (["get", "miners", "--limit", "1_000"], "is not a positive whole number"),
    (["get", "miners", "--offset", "-5"], "is not a positive whole number"),
])
def test_odd_command_line_input_is_a_usage_error_not_a_traceback(capsys, argv, why):
    with pytest.raises(SystemExit) as ended:
        run(capsys, "--demo", *argv) if argv[0] != "get" else run(capsys, *argv, "--demo")
    _, err = capsys.readouterr()
    assert ended.value.code == 2 and why in err and "Traceback" not in err


# ---- compressed and crowded bodies -------------------------------------------------------


def gzipped(raw: bytes, times: int = 1) -> bytes:
    import gzip

    for _ in range(times):
        raw = gzip.compress(raw, compresslevel=9)
    return raw


async def serve_once(payload: bytes, encoding: str) -> asyncio.AbstractServer:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: {encoding}\r\n"
                f"Content-Length: {len(payload)}\r\n\r\n").encode()
        writer.write(head + payload)
        await writer.drain()
        writer.close()

    return await asyncio.start_server(answer, "127.0.0.1", 0)


@pytest.mark.parametrize(("encoding", "times", "why"), [
    ("gzip", 1, "over the 20 MB gmtui reads"),
    ("gzip, gzip", 2, "encoded as 'gzip, gzip', which gmtui did not ask for"),
    ("br", 1, "encoded as 'br'"),
])
async def test_a_compression_bomb_is_stopped_at_the_cap_without_inflating_it_all(state, encoding, times, why):
    bomb = gzipped(b'{"data": "' + b"0" * (200 * 1024 * 1024) + b'"}', times)  # 200 MB once inflated
    server = await serve_once(bomb, encoding)
    port = server.sockets[0].getsockname()[1]
    opts = state.options
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        async with GoMiningClient(f"http://127.0.0.1:{port}", opts.api_key, opts.api_secret, clock=state.clock,
                                  retry=NO_RETRY) as client:
            started = time.perf_counter()
            with pytest.raises(UnexpectedResponse, match=why):
                await client.commission("alice")
            assert time.perf_counter() - started < 5
    finally:
        server.close()
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024 < 150  # MB


async def test_a_gzipped_answer_of_normal_size_is_read(state):
    server = await serve_once(gzipped(b'{"data": {"incomeWithdrawMinValue": 0.0005, "incomeWithdrawCommission": 0.02}}'), "gzip")
    port = server.sockets[0].getsockname()[1]
    opts = state.options
    try:
        async with GoMiningClient(f"http://127.0.0.1:{port}", opts.api_key, opts.api_secret, clock=state.clock,
                                  retry=NO_RETRY) as client:
            assert (await client.commission("alice")).income_withdraw_min_value == Decimal("0.0005")
    finally:
        server.close()


@pytest.mark.parametrize(("body", "why"), [
    (b'{"data": [' + b"{}," * 300_000 + b"{}]}", "more than 200,000 objects and lists"),
    (b'{"data": [' + b"1," * 1_200_000 + b"1]}", "more than 1,000,000 values"),
])
async def test_a_body_of_millions_of_tiny_values_is_refused_before_parsing(state, body, why):
    async with rigged_client(state, {"/calculate-commission": lambda request: httpx.Response(200, content=body, headers=JSON)}) as client:
        with pytest.raises(UnexpectedResponse, match=why):
            await client.commission("alice")


async def test_a_server_that_cycles_pages_is_stopped(state):
    pages = [json.dumps({"data": {"array": _wallets(999, first)}}).encode() for first in (1, 1000)]
    served = iter(range(1_000_000))
    answer = lambda request: httpx.Response(200, content=pages[next(served) % 2], headers=JSON)  # noqa: E731
    async with rigged_client(state, {"/s2s/wallet/find-by-user": answer}) as client:
        with pytest.raises(UnexpectedResponse, match="same page again at offset 1998"):
            await client.fetch_all("wallet.list.s2s", {"partnerUserId": "alice"}, concurrency=1)


async def test_a_dated_list_claiming_a_billion_items_is_refused_not_truncated(state):
    day = {"createdAt": "2026-01-01T00:00:00Z", "reward": 0, "poolReward": 0, "totalPower": 1, "avgEnergyEfficiency": 20,
           "serviceFee": 0, "totalDiscount": 0, "status": "calculated"}
    page = json.dumps({"data": [day] * 100, "totalCount": 10**9})
    async with rigged_client(state, {"/find-by-user-and-date-range": body(page)}) as client:
        with pytest.raises(UnexpectedResponse, match=r"income\.by_dates: .*more than 100,099 items.*narrow the request"):
            await client.fetch_all("income.by_dates", {"partnerUserId": "alice", "startDate": "2026-01-01T00:00:00Z",
                                                       "endDate": "2026-02-01T00:00:00Z"})
