"""Secrets: the keyring with a deadline, 0600 files, the scan run after the suite."""

from __future__ import annotations

import stat
import sys
import threading
import time
import types

import pytest

from gmtui import config, keyring_store
from gmtui.cli import main
from gmtui.sandbox import Faults

from conftest import scan_for_secrets


def fake_keyring(monkeypatch, *, hang: threading.Event | None = None) -> dict[tuple[str, str], str]:
    """A keyring module; with ``hang``, reads block until that event is set."""
    store: dict[tuple[str, str], str] = {}
    module = types.ModuleType("keyring")

    def get_password(service, account):
        if hang is not None:
            hang.wait()
        return store.get((service, account))

    module.get_password = get_password
    module.set_password = lambda service, account, secret: store.__setitem__((service, account), secret)
    module.delete_password = lambda service, account: store.pop((service, account))
    monkeypatch.setitem(sys.modules, "keyring", module)
    return store


def test_a_keyring_that_hangs_is_given_up_on_time(monkeypatch):
    hung = threading.Event()
    fake_keyring(monkeypatch, hang=hung)
    started = time.monotonic()
    try:
        with pytest.raises(keyring_store.Unavailable, match="did not answer within 0.2 s"):
            keyring_store.get("main", timeout=0.2)
        assert time.monotonic() - started < 1
    finally:
        hung.set()  # the stuck call ends with the test, not 30 s later


def test_without_keyring_the_secret_goes_to_the_0600_file(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "keyring", None)  # not installed
    monkeypatch.setenv("GMTUI_API_SECRET", "top-secret-value")
    assert main(["profile", "add", "main", "--base-url", "http://x.invalid", "--api-key", "k", "--no-check"]) == 0
    assert "(mode 0600); no usable keyring" in capsys.readouterr().out
    path = config.paths().config_file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and "top-secret-value" in path.read_text()


def test_with_a_keyring_the_secret_stays_out_of_the_config_file(monkeypatch, capsys):
    store = fake_keyring(monkeypatch)
    monkeypatch.setenv("GMTUI_API_SECRET", "top-secret-value")
    assert main(["profile", "add", "main", "--base-url", "http://x.invalid", "--api-key", "k", "--no-check"]) == 0
    assert "kept in the system keyring" in capsys.readouterr().out
    assert "top-secret-value" not in config.paths().config_file.read_text()
    monkeypatch.delenv("GMTUI_API_SECRET")
    assert config.resolve().api_secret.get_secret_value() == "top-secret-value"
    assert main(["profile", "remove", "main"]) == 0 and not store


def test_a_keyring_that_stops_answering_gives_a_clear_error(monkeypatch):
    fake_keyring(monkeypatch)
    monkeypatch.setenv("GMTUI_API_SECRET", "top-secret-value")
    main(["profile", "add", "main", "--base-url", "http://x.invalid", "--api-key", "k", "--no-check"])
    monkeypatch.delenv("GMTUI_API_SECRET")
    monkeypatch.setitem(sys.modules, "keyring", None)
    with pytest.raises(config.ConfigError, match="keeps its API secret in the keyring.*GMTUI_API_SECRET"):
        config.resolve()


def test_the_secret_scan_finds_what_it_looks_for(tmp_path):
    (tmp_path / "gmtui.log").write_text("ok line\nAuthorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlMTIz\n")
    (tmp_path / "cache-v1.sqlite").write_bytes(b"...gmtui-demo-secret-0f3b9c2e...")
    (tmp_path / "journal-v1.sqlite").write_bytes(b"clean")
    found = scan_for_secrets([tmp_path])
    for planted in tmp_path.iterdir():
        planted.unlink()  # or the scan after the suite would (rightly) fail
    assert len(found) == 2 and any("gmtui.log" in f for f in found) and any("cache-v1" in f for f in found)


def test_fault_specs_parse_and_refuse_nonsense():
    f = Faults.parse("latency=200ms,5xx=0.2,429=0.1,retry-after=2,drop-before=0.05,drop-after=0.05,clock=-30,jwt=20,seed=3,ops=withdraw|wallet")
    assert (f.latency_ms, f.error_rate, f.rate_limit_rate, f.retry_after_s) == (200, 0.2, 0.1, 2)
    assert (f.clock_offset_s, f.jwt_lifetime_s, f.seed, f.ops) == (-30, 20, 3, ("withdraw", "wallet"))
    for bad in ("5xx=2", "nonsense=1", "latency=fast", "jwt"):
        with pytest.raises(ValueError):
            Faults.parse(bad)
    with pytest.raises(SystemExit):
        main(["sandbox", "--faults", "5xx=abc"])
