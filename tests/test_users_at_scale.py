"""Partners with thousands of users: GMTUI_USER as a list, users files (profile's
``users_file``, GMTUI_USERS_FILE, ``profile add --users-file``), ``gmtui sandbox
--users-file``, and the sandbox ledger's figures after it was made fast."""

from __future__ import annotations

import itertools
import os
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from gmtui import config
from gmtui.api.errors import ConfigError
from gmtui.cli import main
from gmtui.cli_sandbox import write_users_file
from gmtui.sandbox import Options, State, WorldSize
from gmtui.sandbox.gomining.world import EPOCH, Spec, income_sats

from conftest import NOW, Clock, small_state


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv), clock=Clock())
    out, err = capsys.readouterr()
    return code, out, err


def saved(users_file: str = "", users: tuple[str, ...] = ("u1", "u2")) -> config.Config:
    profile = config.Profile(name="main", base_url="https://api.example.test", api_key="k", api_secret="s",
                             users=list(users), users_file=users_file)
    return config.Config(active="main", profiles={"main": profile})


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


# ---- GMTUI_USER: one id or a list ----------------------------------------------------

def test_gmtui_user_one_id_goes_first(monkeypatch):
    monkeypatch.setenv("GMTUI_USER", "u2")
    assert config.resolve(config=saved()).users == ["u2", "u1"]


def test_gmtui_user_list_goes_first_in_its_order_without_duplicates(monkeypatch):
    monkeypatch.setenv("GMTUI_USER", "u9, u2,, ,u7,u9")
    assert config.resolve(config=saved()).users == ["u9", "u2", "u7", "u1"]


def test_gmtui_user_only_commas_changes_nothing(monkeypatch):
    monkeypatch.setenv("GMTUI_USER", " , ,")
    assert config.resolve(config=saved()).users == ["u1", "u2"]


def test_gmtui_user_items_are_checked_like_profile_users(monkeypatch):
    monkeypatch.setenv("GMTUI_USER", "ok,bad\x1bname")
    with pytest.raises(ConfigError, match="GMTUI_USER, item 2: a partner user id has no control or invisible"):
        config.resolve(config=saved())
    monkeypatch.setenv("GMTUI_USER", "x" * 256)
    with pytest.raises(ConfigError, match="GMTUI_USER, item 1: a partner user id has 1 to 255 characters"):
        config.resolve(config=saved())


def test_gmtui_user_is_ignored_without_overrides(monkeypatch):
    monkeypatch.setenv("GMTUI_USER", "u9,u8")
    assert config.resolve("main", config=saved(), overrides=False).users == ["u1", "u2"]


def test_gmtui_user_alone_defines_the_users_of_an_environment_profile(monkeypatch):
    monkeypatch.setenv("GMTUI_BASE_URL", "https://api.example.test")
    monkeypatch.setenv("GMTUI_API_KEY", "k")
    monkeypatch.setenv("GMTUI_API_SECRET", "s")
    monkeypatch.setenv("GMTUI_USER", "a,b")
    assert config.resolve(config=config.Config()).users == ["a", "b"]


# ---- users files ----------------------------------------------------------------------

def test_users_file_comments_blanks_whitespace_and_duplicates(tmp_path):
    path = write(tmp_path / "users.txt", "\ufeff# partner users\n\nalice\n  bob  \r\n#carol\n\talice\ndave\n   \nbob\n")
    assert config.read_users_file(path) == ["alice", "bob", "dave"]


def test_users_file_users_come_after_gmtui_user_and_the_profile_users(tmp_path, monkeypatch):
    path = write(tmp_path / "users.txt", "f1\nu2\nf2\nu9\n")
    monkeypatch.setenv("GMTUI_USER", "u9")
    profile = config.resolve(config=saved(str(path)))
    assert profile.users == ["u9", "u1", "u2", "f1", "f2"]
    assert profile.users_file == str(path)


def test_users_file_of_a_profile_is_read_without_overrides_too(tmp_path):
    path = write(tmp_path / "users.txt", "f1\n")
    assert config.resolve("main", config=saved(str(path)), overrides=False).users == ["u1", "u2", "f1"]


def test_gmtui_users_file_overrides_the_profile_s_and_only_with_overrides(tmp_path, monkeypatch):
    own = write(tmp_path / "own.txt", "own1\n")
    other = write(tmp_path / "other.txt", "other1\nother2\n")
    monkeypatch.setenv("GMTUI_USERS_FILE", str(other))
    assert config.resolve(config=saved(str(own))).users == ["u1", "u2", "other1", "other2"]
    assert config.resolve(config=saved()).users == ["u1", "u2", "other1", "other2"]
    assert config.resolve("main", config=saved(str(own)), overrides=False).users == ["u1", "u2", "own1"]
    assert config.resolve("main", config=saved(), overrides=False).users == ["u1", "u2"]


def test_users_file_path_expands_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    write(tmp_path / "users.txt", "h1\n")
    assert config.resolve(config=saved("~/users.txt")).users == ["u1", "u2", "h1"]


def test_users_file_is_saved_in_and_loaded_from_config_toml(tmp_path):
    path = write(tmp_path / "users.txt", "f1\n")
    config.save(saved(str(path)))
    assert f'users_file = "{path}"' in config.paths().config_file.read_text()
    loaded = config.load()
    assert loaded.profiles["main"].users_file == str(path)
    assert loaded.profiles["main"].users == ["u1", "u2"]  # as saved: the file is read by resolve
    assert config.resolve().users == ["u1", "u2", "f1"]


@pytest.mark.parametrize(("text", "where"), [
    ("alice\n# fine\n" + "x" * 256 + "\n", r"line 3: a partner user id has 1 to 255 characters"),
    ("alice\nbob\n\n\nbad\x1b[31mred\n", r"line 5: a partner user id has no control or invisible characters"),
    ("alice\nzero\u200bwidth\n", r"line 2: a partner user id has no control or invisible characters"),
    (b"alice\nbob\n\xff\xfe\n", r"line 3: is not UTF-8 text"),
])
def test_a_bad_line_is_named_by_its_number(tmp_path, text, where):
    path = write(tmp_path / "users.txt", text)
    with pytest.raises(ConfigError, match=f"^users file {path}, {where}"):
        config.read_users_file(path)
    with pytest.raises(ConfigError, match=f"^users file {path}, {where}"):
        config.resolve(config=saved(str(path)))


def test_a_missing_file_or_a_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match=f"^users file {tmp_path / 'nope.txt'}: cannot be read \\(No such file"):
        config.resolve(config=saved(str(tmp_path / "nope.txt")))
    with pytest.raises(ConfigError, match=f"^users file {tmp_path}: cannot be read"):
        config.resolve(config=saved(str(tmp_path)))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_a_clear_error(tmp_path):
    path = write(tmp_path / "users.txt", "alice\n")
    path.chmod(0)
    with pytest.raises(ConfigError, match=f"^users file {path}: cannot be read \\(Permission denied"):
        config.read_users_file(path)


def test_a_file_over_10_mb_is_refused(tmp_path):
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        handle.truncate(10 * 1024 * 1024 + 1)
    with pytest.raises(ConfigError, match=f"^users file {path}: is over 10 MB"):
        config.read_users_file(path)
    with path.open("wb") as handle:  # exactly 10 MB is read (and its one line of NULs refused)
        handle.truncate(10 * 1024 * 1024)
    with pytest.raises(ConfigError, match=f"^users file {path}, line 1: a partner user id"):
        config.read_users_file(path)


def test_more_than_100_000_users_is_refused_but_100_000_are_read(tmp_path):
    many = "".join(f"user-{i:06d}\n" for i in range(100_000))
    path = write(tmp_path / "users.txt", "# header\n" + many + "user-000000\n")  # a duplicate does not count
    users = config.read_users_file(path)
    assert len(users) == 100_000 and users[0] == "user-000000" and users[-1] == "user-099999"
    write(path, many + "one-more\n")
    with pytest.raises(ConfigError, match=f"^users file {path}: lists more than 100,000 users \\(line 100001\\)"):
        config.read_users_file(path)


def test_a_bad_users_file_is_exit_2_with_its_message_and_no_traceback(tmp_path, capsys, monkeypatch):
    path = write(tmp_path / "users.txt", "alice\n\x07bell\n")
    monkeypatch.setenv("GMTUI_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("GMTUI_API_KEY", "k")
    monkeypatch.setenv("GMTUI_API_SECRET", "s")
    monkeypatch.setenv("GMTUI_USERS_FILE", str(path))
    code, out, err = run(capsys, "get", "stats")
    assert code == 2 and not out
    assert f"users file {path}, line 2: a partner user id has no control" in err and "Traceback" not in err
    monkeypatch.setenv("GMTUI_USERS_FILE", str(tmp_path / "gone.txt"))
    code, _, err = run(capsys, "get", "stats")
    assert code == 2 and "gone.txt: cannot be read" in err and "Traceback" not in err


def test_a_path_with_control_characters_is_refused_in_a_profile():
    with pytest.raises(ValidationError) as caught:
        config.Profile(name="p", base_url="https://a.example", api_key="k", users_file="a\nb")
    assert config.explain(caught.value) == "Users file: a path has no control or invisible characters"


# ---- gmtui profile add --users-file ---------------------------------------------------

def add(capsys, monkeypatch, *extra) -> tuple[int, str, str]:
    monkeypatch.setenv("GMTUI_API_SECRET", "top-secret-value")
    try:
        return run(capsys, "profile", "add", "main", "--base-url", "https://api.example.test", "--api-key", "key-1",
                   "--user", "u1", "--no-check", "--no-keyring", *extra)
    finally:
        monkeypatch.delenv("GMTUI_API_SECRET")


def test_profile_add_users_file_is_stored_absolute_and_read_when_used(tmp_path, capsys, monkeypatch):
    write(tmp_path / "users.txt", "f1\nu1\nf2\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = add(capsys, monkeypatch, "--users-file", "users.txt")
    assert code == 0, err
    absolute = str(tmp_path / "users.txt")
    assert f"users file {absolute}: 3 users now" in out
    assert config.load().profiles["main"].users_file == absolute
    monkeypatch.chdir("/")
    assert config.resolve().users == ["u1", "f1", "f2"]
    write(tmp_path / "users.txt", "f3\n")  # read again each time
    assert config.resolve().users == ["u1", "f3"]
    code, out, _ = run(capsys, "profile", "list")
    assert code == 0 and f"users file: {absolute}" in out


def test_profile_add_refuses_a_bad_users_file_and_saves_nothing(tmp_path, capsys, monkeypatch):
    write(tmp_path / "users.txt", "ok\n" + "y" * 300 + "\n")
    code, _, err = add(capsys, monkeypatch, "--users-file", str(tmp_path / "users.txt"))
    assert code == 2 and "line 2: a partner user id has 1 to 255 characters" in err
    code, _, err = add(capsys, monkeypatch, "--users-file", str(tmp_path / "missing.txt"))
    assert code == 2 and "missing.txt: cannot be read" in err
    assert not config.paths().config_file.exists()


def test_profile_add_without_users_file_stores_none(capsys, monkeypatch):
    assert add(capsys, monkeypatch)[0] == 0
    assert "users_file" not in config.paths().config_file.read_text()


# ---- gmtui sandbox --users-file -------------------------------------------------------

def test_write_users_file_writes_every_sandbox_user_one_a_line(tmp_path):
    state = State(Options(size=WorldSize(30, miners=1, days=5), today=NOW.date()), clock=Clock())
    path = tmp_path / "users.txt"
    path.write_text("old contents\n")
    written = write_users_file(path, state.world.users)
    assert written == path
    lines = path.read_text().splitlines()
    assert len(lines) == 30 and lines == list(state.world.users) and lines[:2] == ["alice", "bob"]
    assert lines[-1] == "user-0030" and path.read_text().endswith("\n")
    assert config.read_users_file(path) == lines
    assert sorted(p.name for p in tmp_path.iterdir()) == ["users.txt"]  # no temporary file left


def test_write_users_file_in_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot write the users file .*/nope/users.txt: No such file"):
        write_users_file(tmp_path / "nope" / "users.txt", ["a"])


def test_gmtui_sandbox_users_30_users_file(tmp_path, capsys, monkeypatch):
    import uvicorn

    served: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(app=app, **kw))  # no server is started
    path = tmp_path / "sandbox users.txt"
    code, out, err = run(capsys, "sandbox", "--users", "30", "--users-file", str(path), "--days", "5",
                         "--today", "2026-11-21")
    assert code == 0, err
    assert "app" in served
    lines = path.read_text().splitlines()
    assert len(lines) == 30 and len(set(lines)) == 30 and lines[0] == "alice"
    assert f"wrote 30 user ids to {path}" in out and f"GMTUI_USERS_FILE='{path}'" in out


# ---- the ledger: the same figures as a straightforward recomputation --------------------

def reference_ledger(state: State, partner_id: str) -> tuple[int, dict[int, int], tuple[int, int] | None, list[int]]:
    """(total, per miner, (newest day, its net), days newest first): day by day, miner by
    miner, with income_sats and spec_on, as the ledger was first written."""
    user = state.world.users[partner_id]
    first, last = state.world.first_day, state.yesterday
    per_miner: dict[int, int] = {}
    daily: dict[int, int] = {}
    for miner in state.world.miners.values():
        for h in miner.holdings:
            if h.user != partner_id:
                continue
            start, end = max(h.start, first), min(h.end if h.end is not None else last + 1, last + 1)
            if start >= end:
                continue
            total = 0
            for day in range(start, end):
                net = income_sats(state.market, miner.spec_on(day), day, user.discount)[0]
                total += net
                daily[day] = daily.get(day, 0) + net
            per_miner[miner.id] = per_miner.get(miner.id, 0) + total
    days = sorted(daily, reverse=True)
    return sum(per_miner.values()), per_miner, (days[0], daily[days[0]]) if days else None, days


def assert_same(state: State, users: list[str]) -> None:
    for user in users:
        ledger = state.ledger(user)
        total, per_miner, last, days = reference_ledger(state, user)
        assert (ledger.total, ledger.per_miner, ledger.last, ledger.days) == (total, per_miner, last, days), user


def test_ledger_figures_equal_a_day_by_day_recomputation(clock):
    state = State(Options(seed=7, today=NOW.date(), size=WorldSize(40)), clock=clock)
    users = list(state.world.users)
    assert_same(state, users[:4] + users[-3:])


def test_ledger_figures_with_upgrades_and_transfers_in_the_past(clock):
    state = small_state(clock, users=6, days=400)
    world, first = state.world, state.world.first_day
    miners = sorted(world.miners.values(), key=lambda m: m.id)
    assert len(miners) >= 6
    a, b, c = miners[0], miners[1], miners[2]
    d = next(m for m in miners[3:] if m.holdings[0].start < first + 200)
    # upgrades in the past: a spec change halfway, and another before the miner's first day
    a.specs = [a.specs[0], Spec(first + 200, a.spec.power * 2, a.spec.efficiency),
               Spec(first + 300, a.spec.power * 2, Decimal(15))]
    b.specs = [Spec(b.specs[0].since, Decimal(3), Decimal(21)), Spec(first - 10, Decimal(7), Decimal(19))]
    c.specs = [Spec(first, Decimal(5), Decimal(20)), Spec(first + 300, Decimal(9), Decimal(17)),
               Spec(first + 100, Decimal(4), Decimal(25))]  # out of order: spec_on decides day by day
    # transfers in the past, one of them back to its first owner
    owner, other = d.owner, next(u for u in world.users if u != d.owner)
    world.hand_over(d, other, max(d.holdings[-1].start + 1, first + 250))
    world.hand_over(d, owner, state.yesterday - 5)
    state.changed()
    assert_same(state, list(world.users))


def test_ledger_figures_when_the_history_starts_before_the_market(clock):
    state = small_state(clock, users=3, days=(NOW.date() - EPOCH).days + 40)
    assert state.world.first_day < 0
    assert_same(state, list(state.world.users))


def test_ledger_figures_after_a_transfer_today(state):
    before = state.ledger("alice").total
    miner = state.world.owned("alice")[0]
    state.transfer("alice", miner.id, "bob")
    assert state.ledger("alice").total == before  # past income stays earned
    assert_same(state, ["alice", "bob"])


def test_running_totals_equal_income_sats_day_by_day(clock):
    state = small_state(clock, users=4, days=120)
    for user in state.world.users:
        state.ledger(user)
    assert state.world._runs  # one table per (power, efficiency, discount) used
    first = state.world.first_day
    for (power, efficiency, discount), running in itertools.islice(state.world._runs.items(), 20):
        spec = Spec(first, power, efficiency)
        nets = [income_sats(state.market, spec, day, discount)[0] for day in range(first, state.yesterday + 1)]
        assert [b - a for a, b in itertools.pairwise(running)] == nets
