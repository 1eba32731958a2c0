"""Mithril Vault's signature, as the seed's Python sample computes it: the seed's own
vector, and vectors of ours for a POST with a small reward and a GET with a cursor
(each expected string written out by hand, then HMAC'd independently)."""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal

import pytest

from gmtui.api.mithril import signing

SEED_KEY = ("ba25da088600b74d608ea44a4cb03bd0c898432875be9eaa0ffaf273f03949707d58b6d9724bcdf94f33aeedfb9418d931ef8b"
            "ebf0e081251f16ce91b7e80730")
CLIENT = "3b6fdff04b7127e9a3bca33b7f2ec731"


def expected(text: str) -> str:
    return hmac.new(bytes.fromhex(SEED_KEY), text.encode(), hashlib.sha512).hexdigest()


def test_the_seeds_own_vector():
    payload = {"client_id": CLIENT, "nonce": "2a4355be3210faeb9007111228132f3b", "timestamp": 1543593600}
    assert signing.sign(payload, SEED_KEY) == (
        "e09d0997c3399b9575c7ad33b12903fbc0899a8812f1ad9de017f570404e165ab220a9ff0bdf36c276dc08452e9e03a649445dfe2"
        "64a8db96a6b5768e1fa9641")


def test_a_post_signs_a_small_reward_as_the_server_parses_it():
    body = {"client_id": CLIENT, "timestamp": 1779306148, "nonce": "n1", "mining_key": "demo",
            "uuid": "7d0c6a1e-0000-4000-8000-000000000001", "reward": Decimal("0.00001"),
            "happened_at": "2026-11-23T10:00:00"}
    raw, signature = signing.signed_body(body, SEED_KEY)
    assert json.loads(raw)["reward"] == 0.00001 and b'"reward":0.00001' in raw  # the bytes sent: digit for digit
    text = ("client_id=3b6fdff04b7127e9a3bca33b7f2ec731&happened_at=2026-11-23T10:00:00&mining_key=demo&nonce=n1"
            "&reward=1e-05&timestamp=1779306148&uuid=7d0c6a1e-0000-4000-8000-000000000001")
    assert signature == expected(text)


def test_a_whole_reward_keeps_its_fraction_as_python_prints_it():
    _, signature = signing.signed_body({"reward": Decimal("20.50000000")}, SEED_KEY)
    assert signature == expected("reward=20.5")


def test_a_get_with_a_cursor_signs_its_query_as_text():
    query, signature = signing.signed_query(
        {"client_id": CLIENT, "timestamp": 1779306148, "nonce": "n2", "mining_key": "demo", "next_id": 40}, SEED_KEY)
    assert query["next_id"] == "40" and query["timestamp"] == "1779306148"
    assert signature == expected(f"client_id={CLIENT}&mining_key=demo&next_id=40&nonce=n2&timestamp=1779306148")


def test_lists_and_nested_objects_follow_the_sample():
    assert signing.canonical({"b": [1, "x", {"d": 2, "c": None}], "a": True}) == "a=True&b=[1,x,c=None&d=2]"


def test_a_nonce_is_fresh_and_short_enough():
    a, b = signing.nonce(), signing.nonce()
    assert a != b and len(a) <= 64


def test_a_key_that_is_not_hex_is_said_so():
    with pytest.raises(ValueError, match="not a hex string"):
        signing.sign({}, "not-hex")


# ---- the catalogue and the answers' shapes


def test_the_activity_list_is_read_in_either_shape():
    from gmtui.api.mithril.models import Activities

    row = {"uuid": "u1", "reward": "0.5", "status": "PENDING", "happened_at": "2026-11-23T10:00:00"}
    bare = Activities.model_validate([row])
    wrapped = Activities.model_validate({"results": [row], "next_id": 40})
    assert bare.items == wrapped.items and str(bare.items[0].value) == "0.5"
    assert (bare.next_id, wrapped.next_id) == (None, "40")
    with pytest.raises(ValueError):
        Activities.model_validate({"results": [row], "data": [row]})  # two candidates: ambiguous, refused


def test_every_operation_of_the_seed_is_catalogued_and_moves_are_labelled():
    from gmtui.api.mithril.catalogue import CATALOGUE

    assert {(o.method, o.path) for o in CATALOGUE} == {
        ("POST", "/oauth/token"), ("DELETE", "/oauth/token"), ("GET", "/oauth/user-info"), ("GET", "/oauth/balance"),
        ("GET", "/mining"), ("POST", "/mining"), ("DELETE", "/mining")}
    assert all(o.label for o in CATALOGUE if o.moves_money)
    assert "hidden" in repr(__import__("gmtui.api.mithril.models", fromlist=["Token"]).Token(token="abc"))
