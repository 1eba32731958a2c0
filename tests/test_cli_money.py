"""Money moves from the command line: every refusal says why and sends nothing; a
lost answer exits 3; confirmation is required."""

from __future__ import annotations

import json

import pytest

from gmtui.cli import main

from conftest import Clock

ADDRESS = "1NeTVrZEZvx9niuKrFRMQsdF3YSnhkyaCB"  # alice's first wallet in the seeded demo
NEW = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
BOUND_BECH32 = "bc1qz6tklm2swe9g5a4uuy9fdw5gcd36dg2ejpfhvu"  # alice's second wallet
V1_40_BYTES = "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(["--demo", *argv], clock=Clock())  # the demo world of a fixed day
    out, err = capsys.readouterr()
    return code, out, err


def test_a_fast_withdrawal_spells_out_fee_and_net(capsys):
    code, out, _ = run(capsys, "withdraw", "0.001", "--to", ADDRESS, "--fast", "--yes")
    assert code == 0
    assert "Fee            0.00002000 BTC" in out and "You receive    0.00098000 BTC" in out and "done: withdraw" in out


@pytest.mark.parametrize(("argv", "why"), [
    (["withdraw", "0.0001", "--to", ADDRESS], "below the minimum of 0.00050000 BTC"),
    (["withdraw", "5", "--to", ADDRESS], "more than the 0.01057546 BTC on balance"),
    (["withdraw", "0.0010000001", "--to", ADDRESS], "at most 8 decimals"),
    (["withdraw", "-1", "--to", ADDRESS], "'-1' is not a BTC amount"),
    (["withdraw", "0", "--to", ADDRESS], "must be more than 0"),
    (["withdraw", "0.001", "--to", NEW], "not a wallet bound to 'alice'"),
    (["wallet", "bind", NEW[:-1] + "5"], "not a Bitcoin address to bind: bad checksum"),
    (["wallet", "bind", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7"], "not a mainnet"),
    (["wallet", "bind", ADDRESS], "already bound"),
    (["wallet", "bind", BOUND_BECH32.upper()], "already bound"),  # bech32 is the same address in either case
    (["wallet", "bind", "BC1SQQQQKFW08P"], "witness version 16 is not in use yet"),
    (["wallet", "bind", V1_40_BYTES], "witness v1 program of 40 bytes is not Taproot"),
    (["upgrade", "create", "--miner", "10001", "--power", "100"], "goes above the current 200"),
    (["upgrade", "create", "--miner", "99", "--power", "300"], "not one of 'alice'"),
    (["transfer", "10002", "--to", "alice"], "already belongs"),
    (["buy", "99"], "no collection 99"),
])
def test_refusals_say_why_and_send_nothing(capsys, argv, why):
    code, _, err = run(capsys, *argv, "--yes")
    assert code == 2 and "refused, nothing was sent" in err and why in err


def test_read_only_refuses_every_move(capsys):
    code, _, err = run(capsys, "--read-only", "transfer", "10002", "--to", "bob", "--yes")
    assert code == 2 and "read-only" in err


def test_without_a_terminal_a_move_needs_yes(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, out, err = run(capsys, "transfer", "10002", "--to", "bob")
    assert code == 2 and "needs --yes" in err and "Transfer" in out


def test_a_typed_no_cancels(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    code, out, _ = run(capsys, "wallet", "bind", NEW)
    assert code == 0 and "cancelled: nothing was sent" in out


def test_a_lost_answer_exits_3_with_what_to_do(capsys):
    code, _, err = run(capsys, "--faults", "drop-after=1,ops=withdraw.create", "withdraw", "0.001", "--to", ADDRESS, "--yes")
    assert code == 3 and "gmtui reconcile" in err


def test_upgrade_price_shows_the_payback_without_sending(capsys):
    code, out, _ = run(capsys, "upgrade", "price", "--miner", "10001", "--efficiency", "20")
    assert code == 0
    assert "Price                 $1,240.00" in out and "Payback               645.8 days" in out
    assert "Break-even BTC price" in out and "done" not in out


def test_buy_then_journal_in_one_process(capsys):
    code, out, _ = run(capsys, "buy", "2", "--yes")
    assert code == 0 and "Payment id  gmtui-" in out
    code, out, _ = run(capsys, "journal", "--format", "json")
    assert code == 0 and json.loads(out) == []  # the demo journal lives in memory, per process


def test_a_bech32_address_is_bound_in_its_lower_case_form(capsys):
    code, out, _ = run(capsys, "wallet", "bind", NEW.upper(), "--yes")
    assert code == 0 and f"Bind wallet  {NEW}" in out
