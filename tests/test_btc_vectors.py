"""BTC address validation against the published vectors (BIP173, BIP350, Bitcoin
Core key_io mainnet entries): valid mainnet addresses give the documented output
script; every other network, private keys and each invalid kind are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gmtui.api.gomining import btc

VECTORS = json.loads((Path(__file__).parent / "data" / "btc_vectors.json").read_text())


@pytest.mark.parametrize(("address", "script"), VECTORS["valid_mainnet"])
def test_valid_mainnet_addresses_pay_to_the_documented_script(address, script):
    assert btc.script_pubkey(address).hex() == script
    if address[:3].lower() == "bc1":  # bech32 is case-insensitive as a whole
        flipped = address.lower() if address.isupper() else address.upper()
        assert btc.script_pubkey(flipped).hex() == script


@pytest.mark.parametrize("address", VECTORS["valid_other_networks"])
def test_other_networks_are_refused(address):
    with pytest.raises(btc.AddressError):
        btc.validate(address)


@pytest.mark.parametrize("key", VECTORS["private_keys_not_addresses"])
def test_private_keys_are_not_addresses(key):
    assert not btc.is_valid(key)


@pytest.mark.parametrize(("address", "why"), VECTORS["invalid"])
def test_invalid_addresses_are_refused(address, why):
    with pytest.raises(btc.AddressError):
        btc.validate(address)


def test_kinds():
    safe = {btc.validate(a) for a, _ in VECTORS["valid_mainnet"] if btc.is_valid(a)}
    assert safe == {"p2pkh", "p2sh", "p2wpkh", "p2wsh", "p2tr"}


@pytest.mark.parametrize(("address", "why"), [
    (btc.encode_segwit(16, bytes(2)), "witness version 16 is not in use yet"),
    (btc.encode_segwit(2, bytes(32)), "witness version 2 is not in use yet"),
    (btc.encode_segwit(1, bytes(40)), "witness v1 program of 40 bytes is not Taproot"),
    (btc.encode_segwit(1, bytes(20)), "witness v1 program of 20 bytes is not Taproot"),
])
def test_addresses_anyone_could_spend_from_are_refused_with_the_reason(address, why):
    btc.script_pubkey(address)  # valid per BIP350...
    with pytest.raises(btc.AddressError, match=why):  # ...but not safe to pay
        btc.validate(address)


def test_canonical_form_folds_bech32_case_only():
    p2wpkh = btc.encode_segwit(0, bytes(range(20)))
    assert btc.canonical(p2wpkh.upper()) == btc.canonical(p2wpkh) == p2wpkh
    assert btc.canonical("1NeTVrZEZvx9niuKrFRMQsdF3YSnhkyaCB") == "1NeTVrZEZvx9niuKrFRMQsdF3YSnhkyaCB"
