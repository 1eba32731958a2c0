"""The command line: get, profiles, exit codes, config files."""

from __future__ import annotations

import json
import os
import stat

import pytest

from gmtui import config
from gmtui.cli import main

from conftest import Clock


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv), clock=Clock())
    out, err = capsys.readouterr()
    return code, out, err


RESOURCES = ["overview", "stats", "miners", "earnings", "daily", "totals", "wallets", "balances",
             "collections", "income-per-th", "rates", "commission", "incentives"]
LISTS = {"miners", "earnings", "daily", "wallets", "balances", "collections", "rates"}


@pytest.mark.parametrize("resource", RESOURCES)
def test_get_every_resource_as_json(capsys, resource):
    code, out, err = run(capsys, "get", resource, "--demo", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert isinstance(data, list) if resource in LISTS else isinstance(data, dict)


def test_json_keeps_the_api_names_and_exact_numbers(capsys):
    _, out, _ = run(capsys, "get", "stats", "--demo", "--format", "json", "--user", "bob")
    data = json.loads(out, parse_float=str)
    assert data["user"]["partnerUserId"] == "bob"
    assert set(data["stats"]) >= {"totalPowerTH", "avgEnergyEfficiency", "totalIncome"}
    _, out, _ = run(capsys, "get", "overview", "--demo", "--format", "json")
    assert set(json.loads(out)) == {"stats", "totals", "incomePerTh", "rates", "balances"}


def test_daily_range_and_all_pages(capsys):
    code, out, _ = run(capsys, "get", "daily", "--demo", "--format", "json", "--from", "2026-01-01", "--to", "2026-06-30", "--all")
    days = json.loads(out)
    assert code == 0 and len(days) == 181  # more than one page of 100
    assert {d["createdAt"][:10] for d in days} >= {"2026-01-01", "2026-06-30"}


def test_earnings_all_pages_match_the_count(capsys):
    code, out, _ = run(capsys, "get", "earnings", "--demo", "--format", "json", "--all", "--user", "bob")
    records = json.loads(out)
    assert code == 0 and len(records) > 100 and len({(r["createdAt"], r["nftId"]) for r in records}) == len(records)


def test_csv_and_table(capsys):
    code, out, _ = run(capsys, "get", "miners", "--demo", "--format", "csv", "--limit", "2")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("id,createdAt,name,power,energyEfficiency") and len(lines) == 3
    code, out, _ = run(capsys, "get", "wallets", "--demo", "--format", "table")
    assert code == 0 and out.splitlines()[0].split()[:3] == ["id", "createdAt", "address"]


def test_exit_codes(capsys):
    code, _, err = run(capsys, "get", "stats", "--demo", "--user", "ghost")
    assert code == 1 and "not found" in err
    code, _, err = run(capsys, "get", "stats")
    assert code == 2 and "no profile configured" in err
    code, _, err = run(capsys, "get", "daily", "--demo", "--from", "2026-02-01", "--to", "2026-01-01")
    assert code == 2 and "--to is before --from" in err
    with pytest.raises(SystemExit) as info:
        main(["get", "nonsense"])
    assert info.value.code == 2


def test_network_error_exit_code(capsys, monkeypatch):
    monkeypatch.setenv("GMTUI_BASE_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("GMTUI_API_KEY", "k")
    monkeypatch.setenv("GMTUI_API_SECRET", "s")
    code, _, err = run(capsys, "get", "stats", "--user", "alice")
    assert code == 1 and "cannot connect" in err and "s" * 1 not in err.split(":")[0]


def add_profile(capsys, monkeypatch, name="main", *extra):
    monkeypatch.setenv("GMTUI_API_SECRET", "top-secret-value")
    code, out, err = run(capsys, "profile", "add", name, "--base-url", "https://api.example.test",
                         "--api-key", "key-1234", "--user", "u1", "--no-check", *extra)
    monkeypatch.delenv("GMTUI_API_SECRET")
    return code, out, err


def test_profiles_round_trip(capsys, monkeypatch, isolated_home):
    code, out, _ = add_profile(capsys, monkeypatch)
    assert code == 0 and "active" in out
    path = config.paths().config_file
    assert path.is_relative_to(isolated_home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    add_profile(capsys, monkeypatch, "second")
    code, out, _ = run(capsys, "profile", "list")
    assert "* main" in out and "second" in out and "top-secret-value" not in out and "key-1234" not in out
    assert run(capsys, "profile", "use", "second")[0] == 0
    assert config.load().active == "second"
    assert run(capsys, "profile", "remove", "second")[0] == 0
    assert config.load().active == "main"
    assert run(capsys, "profile", "use", "nope")[0] == 2


def test_profile_add_checks_credentials_live(capsys, monkeypatch):
    monkeypatch.setenv("GMTUI_API_SECRET", "s")
    code, _, err = run(capsys, "profile", "add", "bad", "--base-url", "http://127.0.0.1:9", "--api-key", "k")
    assert code == 2 and "cannot reach http://127.0.0.1:9" in err
    assert not config.paths().config_file.exists()


def test_env_overrides_the_profile(capsys, monkeypatch):
    add_profile(capsys, monkeypatch)
    monkeypatch.setenv("GMTUI_USER", "u9")
    monkeypatch.setenv("GMTUI_BASE_URL", "https://other.example.test/")
    profile = config.resolve()
    assert profile.users[0] == "u9" and profile.base_url == "https://other.example.test"
    assert profile.api_secret.get_secret_value() == "top-secret-value"
    assert "top-secret-value" not in repr(profile)


def test_a_config_readable_by_others_is_refused(capsys, monkeypatch):
    add_profile(capsys, monkeypatch)
    path = config.paths().config_file
    os.chmod(path, 0o644)
    code, _, err = run(capsys, "get", "stats")
    assert code == 2 and "chmod 600" in err


def test_a_corrupt_config_is_a_clear_error(capsys):
    path = config.paths().config_file
    path.parent.mkdir(parents=True)
    path.write_text("[profiles.main\nbase_url = ")
    os.chmod(path, 0o600)
    code, _, err = run(capsys, "get", "stats")
    assert code == 2 and "not valid TOML" in err
    path.write_text('[profiles.main]\nbase_url = "ftp://x"\napi_key = "k"\napi_secret = "s"\n')
    code, _, err = run(capsys, "profile", "list")
    assert code == 2 and "Base URL: must start with http:// or https://" in err
