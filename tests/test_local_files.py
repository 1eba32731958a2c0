"""Local files and settings gone wrong (a config of the wrong shape, a URL or a key
that cannot work, an unknown log level, a home whose path holds escapes): a clear
configuration error (exit 2) or the right fallback, never a crash, never raw escapes."""

from __future__ import annotations

import pytest

from gmtui.cli import main

from conftest import Clock

PROFILE = ["--base-url", "http://127.0.0.1:1", "--api-key", "k", "--user", "alice", "--no-check", "--no-keyring"]


def write_config(home, text: str) -> None:
    path = home / "config" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    path.chmod(0o600)


@pytest.mark.parametrize(("text", "why"), [
    ("profiles = [1]\n", "profiles must be a table"),
    ("profiles = 5\n", "profiles must be a table"),
    ("[profiles]\nprod = 3\n", "profiles must be a table"),
    ("x = " + "[" * 5000 + "]" * 5000 + "\n", "is not valid TOML"),
    ("[profiles.prod]\nbase_url = 'http://[::1'\napi_key = 'k'\napi_secret = 's'\n", "is not a URL"),
])
def test_a_config_of_the_wrong_shape_is_a_configuration_error(capsys, isolated_home, text, why):
    write_config(isolated_home, text)
    assert main(["profile", "list"]) == 2
    assert why in capsys.readouterr().err


@pytest.mark.parametrize(("env", "why"), [
    ({"GMTUI_BASE_URL": "http://[::1"}, "is not a URL"),
    ({"GMTUI_BASE_URL": "http://127.0.0.1:99999"}, "is not a URL"),
    ({"GMTUI_API_KEY": "key\u200b"}, "must be printable ASCII"),
    ({"GMTUI_API_KEY": "key with space"}, "must be printable ASCII"),
    ({"GMTUI_USER": "alice\x1b[2J"}, "no control or invisible characters"),
])
def test_environment_values_that_cannot_work_are_configuration_errors(capsys, monkeypatch, env, why):
    base = {"GMTUI_BASE_URL": "http://127.0.0.1:1", "GMTUI_API_KEY": "k", "GMTUI_API_SECRET": "s", "GMTUI_USER": "alice"}
    for name, value in {**base, **env}.items():
        monkeypatch.setenv(name, value)
    assert main(["get", "stats"], clock=Clock()) == 2
    err = capsys.readouterr().err
    assert why in err and "\x1b" not in err


def test_an_unknown_log_level_falls_back_to_info(capsys, monkeypatch):
    monkeypatch.setenv("GMTUI_LOG_LEVEL", "VERBOSE")
    assert main(["--demo", "get", "rates", "--format", "json"], clock=Clock()) == 0


def test_nothing_raw_reaches_stderr_from_a_home_whose_path_holds_escapes(capfd, monkeypatch, tmp_path):
    home = tmp_path / "home-\x1b[31mRED\x1b]52;c;aGk=\x07"
    (home / "state" / "journal-v1.sqlite").mkdir(parents=True)  # a journal that cannot be opened
    monkeypatch.setenv("GMTUI_HOME", str(home))
    monkeypatch.setenv("GMTUI_API_SECRET", "s")
    assert main(["profile", "add", "h", *PROFILE]) == 0
    main(["get", "rates", "--offline"], clock=Clock())
    out, err = capfd.readouterr()
    assert "\x1b" not in out + err and "\x07" not in out + err
