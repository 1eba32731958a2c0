from decimal import Decimal

import pytest

from gmtui.api import wire

SECRET = "123a6fd0-f542-46dc-a91b-627146deb6c9"


def test_post_vector_from_the_seeds():
    body = wire.dumps({"partnerUserId": "123", "timestamp": 1721656927974})
    assert body == '{"partnerUserId":"123","timestamp":1721656927974}'
    assert wire.sign(SECRET, body) == "03955aeac5ffe46c02fbb74e2b41f0d36f3992b5363253949a4a7dd79c972a24"


def test_get_vector_from_the_seeds():
    query = wire.query_string([("partnerUserId", "123"), ("timestamp", 1721656927974), ("limit", 20), ("offset", 0)])
    assert query == "partnerUserId=123&timestamp=1721656927974&limit=20&offset=0"
    assert wire.sign(SECRET, query) == "0cefa897946a49e8027b2c5787a48c547c83a6dc9f7d172870ba7f81cef42bd5"


def test_signature_comparison_ignores_case():
    sig = wire.sign(SECRET, "x")
    assert wire.signatures_match(sig, sig.upper())
    assert not wire.signatures_match(sig, sig[:-1] + ("0" if sig[-1] != "0" else "1"))


@pytest.mark.parametrize(
    "value, literal",
    [(Decimal("0.00012345"), "0.00012345"), (Decimal("1E-7"), "0.0000001"), (Decimal("2000.8500"), "2000.85"),
     (Decimal("100"), "100"), (Decimal("-0"), "0"), (Decimal("12345678901234567890.1"), "12345678901234567890.1")],
)
def test_decimals_are_written_exactly(value, literal):
    assert wire.dumps(value) == literal


def test_floats_are_refused_and_json_is_read_as_decimal():
    with pytest.raises(TypeError):
        wire.dumps({"amount": 0.1})
    assert wire.loads('{"v": 0.1}') == {"v": Decimal("0.1")}
    with pytest.raises(ValueError):
        wire.loads('{"v": NaN}')


def test_non_ascii_is_written_as_is_and_queries_are_percent_encoded():
    assert wire.dumps({"n": "Zoë"}) == '{"n":"Zoë"}'
    assert wire.query_string([("partnerUserId", "a b&c")]) == "partnerUserId=a%20b%26c"


def test_pretty_output_round_trips():
    data = {"a": [1, {"b": Decimal("0.5")}], "c": None, "d": True, "e": {}}
    assert wire.loads(wire.dumps(data, indent=2)) == data
