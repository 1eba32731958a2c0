"""The dashboard driven with Pilot against the in-process sandbox: navigation, each
section's behaviour, user switching, help, errors."""

from __future__ import annotations

import csv
import re
from decimal import Decimal

import httpx

from gmtui.api.gomining.figures import btc
from gmtui.api.gomining.client import GoMiningClient
from gmtui.api.retry import NO_RETRY
from gmtui.sandbox import demo_client
from gmtui.sandbox.gomining.world import sats
from gmtui.ui.app import GmtuiApp
from gmtui import session
from gmtui.ui.screens.help import HelpScreen
from gmtui.ui.screens.login import Opened
from gmtui.ui.screens.users import UsersScreen
from gmtui.ui.widgets.vtable import VirtualTable


def make_app(state, **kw) -> GmtuiApp:
    return GmtuiApp(demo_client(state), list(state.world.users), profile="demo", clock=state.clock, refresh_s=0, **kw)


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_overview_shows_the_selected_users_figures(state):
    app = make_app(state)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert btc(sats(state.ledger("alice").total)) in text(app, "#income")
        assert "366 TH/s" in text(app, "#fleet")
        assert "Net" in text(app, "#daily") and "fees: power $" in text(app, "#daily")
        assert app.screen.query_one("#daily").border_title == "Per day, after the 20% discount"
        assert "updated 12:00:00 UTC" in text(app, "#status")
        assert app.sub_title == "demo · alice · data live"


async def test_number_keys_switch_sections_and_the_user_follows(state):
    app = make_app(state)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, mode in [("2", "miners"), ("3", "earnings"), ("4", "wallets"), ("1", "overview")]:
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == mode
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)
        assert "1 miner " in str(app.screen.query_one("OptionList").get_option_at_index(1).prompt)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.user == "bob" and "20 TH/s" in text(app, "#fleet")
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        assert {r[0] for r in table.rows} == {m.id for m in state.world.miners.values() if m.owner == "bob"}
        assert app.sub_title.startswith("demo · bob")


async def test_adding_a_user_logs_it_in(state):
    app = make_app(state)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        app.screen.query_one("#new").focus()
        logins = state.calls["auth.init"]
        await pilot.press(*"zoe", "enter")
        await settle(pilot)
        assert "no partner user 'zoe' yet" in text(app, "#note") and "zoe" not in app.users  # a typo, maybe
        assert state.calls["auth.init"] == logins and "zoe" not in state.world.users
        await pilot.press("enter")  # yes, create it
        await settle(pilot)
        assert app.user == "zoe" and "zoe" in app.users
        assert state.calls["auth.init"] == logins + 1 and "Miners       0" in text(app, "#fleet")


async def test_a_known_user_is_added_at_once(state):
    app = make_app(state)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.users.remove("carol")
        await pilot.press("u")
        await settle(pilot)
        app.screen.query_one("#new").focus()
        await pilot.press(*"carol", "enter")
        await settle(pilot)
        assert app.user == "carol" and "carol" in app.users


async def test_miners_sort_and_filter(state):
    app = make_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        assert len(table.rows) == 6
        await pilot.press("s", "s", "s")  # sort by TH/s
        assert table.sort_column == 2 and [r[2] for r in table.rows] == sorted(r[2] for r in table.rows)
        await pilot.press("S")
        assert [r[2] for r in table.rows] == sorted((r[2] for r in table.rows), reverse=True)
        assert "200 TH/s" in text(app, "#facts")  # the biggest miner is highlighted first
        await pilot.press("slash", *"night", "enter")
        assert {r[1].split(" #")[0] for r in table.rows} == {"Night Owl"} and len(table.rows) == 2
        assert "2 of 6 miners" in app.screen.query_one("#left").border_title
        await pilot.press("slash", *"zzz", "enter")
        assert not table.rows and "No miner matches" in text(app, "#facts")
        await pilot.press("escape")
        assert len(table.rows) == 6


async def test_earnings_range_per_miner_and_export(state, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        table = app.screen.query_one("#days", VirtualTable)
        assert len(table.rows) == 30
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert len(table.rows) == 7 and "7d:" in app.screen.query_one("#chart").border_title
        await pilot.press("d", *"2026-01-01..2026-01-31", "enter")
        await settle(pilot)
        assert len(table.rows) == 31 and "custom: 2026-01-01 to 2026-01-31" in app.screen.query_one("#chart").border_title
        await pilot.press("m")
        await settle(pilot)
        assert "per miner" in app.screen.query_one("#chart").border_title
        await pilot.press("e")
        await pilot.pause()
    [path] = tmp_path.glob("gmtui-earnings-alice-2026-01-01-2026-01-31.csv")
    rows = list(csv.reader(path.open()))
    assert rows[0][:2] == ["day", "gross_btc"] and len(rows) == 32 and rows[1][0] == "2026-01-01"


async def test_wallets_show_exact_balances_and_copy_an_address(state):
    app = make_app(state)
    copied = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        address = state.world.users["alice"].wallets[0].address
        assert app.screen.query_one("#wallets").row_count == len(state.world.users["alice"].wallets)
        await pilot.press("c")
        assert copied == [address]
        # the GMT record's parts are all shown, and add up to its value, exactly
        value, *parts = (Decimal(str(c).replace(",", "") or 0) for c in app.screen.query_one("#synced").get_row_at(1)[1:])
        assert value == sum(parts) and all(parts[:3])


async def test_help_explains_the_figures_and_lists_the_keys_of_the_screen(state):
    app = make_app(state)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3", "question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        keys = dict(app.screen.rows)
        assert {"Export CSV", "Per miner", "Refresh", "Users", "Quit"} <= set(keys.values())
        assert "fees are the electricity and service fees after the discount" in str(app.screen.query_one("#guide").render())
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        for key in "12345678":  # every section says what its figures mean
            await pilot.press(key)
            await settle(pilot)
            assert len(app.screen.GUIDE) > 80, app.current_mode


async def test_a_failing_server_is_said_plainly(state):
    def down(request):
        return httpx.Response(503, text="maintenance window")

    client = GoMiningClient("http://api.test", "k", "s", transport=httpx.MockTransport(down), retry=NO_RETRY)
    app = GmtuiApp(client, ["alice"], profile="broken", refresh_s=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        status = text(app, "#status")
        assert "Could not load alice" in status and "maintenance window" in status and "r to retry" in status


async def test_every_section_says_plainly_when_the_server_fails(state):
    def down(request):
        return httpx.Response(503, text="maintenance window")

    client = GoMiningClient("http://api.test", "k", "s", transport=httpx.MockTransport(down), retry=NO_RETRY)
    app = GmtuiApp(client, ["alice"], profile="broken", refresh_s=0)
    async with app.run_test(size=(120, 40)) as pilot:
        for key in "12345678":
            await pilot.press(key)
            await settle(pilot)
            status = text(app, "#status")
            if key == "8":  # the journal is local: it shows even when the server is down
                assert "Could not load" not in status
                continue
            assert "Could not load alice" in status and "maintenance window" in status, (key, status)


async def burst(app, keys: str) -> None:
    """Keys that arrive together (pasted, or typed fast over SSH): all queued at once."""
    from textual import events

    for key in keys:
        app.post_message(events.Key({"/": "slash"}.get(key, key), key))


async def test_keys_typed_right_after_a_field_opens_land_in_it(state):
    app = make_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await burst(app, "/Night/")
        await pilot.pause()
        assert app.screen.query_one("#filter").value == "Night/"  # "/" in the field is text
        await pilot.press("escape", "3")
        await settle(pilot)
        await burst(app, "d2026-01-01..2026-01-31")
        await pilot.pause()
        assert app.screen.query_one("#dates").value == "2026-01-01..2026-01-31"


async def test_slash_filters_the_upgrades_and_the_journal_too(state):
    app = make_app(state)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        everything = len(table.rows)
        await pilot.press("slash", *"night", "enter")
        assert table.rows and all(r[0].startswith("Night Owl") for r in table.rows) and len(table.rows) < everything
        assert table.border_subtitle == f"{len(table.rows)} of {everything} · filter “night”"
        assert app.focused is table  # enter hands the keys back to the table
        await pilot.press("escape")
        assert len(table.rows) == everything and not table.border_subtitle
        await pilot.press("8")
        await settle(pilot)
        assert app.screen.query_one("#filter").display is False
        await pilot.press("slash")
        assert app.focused is app.screen.query_one("#filter")
        await pilot.press("escape", "1", "slash")  # on a screen without a table, "/" does nothing
        await pilot.pause()
        assert app.current_mode == "overview" and not app.screen.query("#filter")


def layout(app) -> list[tuple[str, str | None, object, str]]:
    return [(type(w).__name__, w.id, w.region, str(w.styles.border)) for w in app.screen.walk_children() if w.display]


async def test_a_section_looks_the_same_whatever_was_shown_before(state):
    """Each screen's styles stay its own: ids like #detail or #form recur across screens."""
    alone = {}
    for key in "12345678":
        app = make_app(state)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press(key)
            await settle(pilot)
            alone[key] = layout(app)
    app = make_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        for key in "1234567887654321":
            await pilot.press(key)
            await settle(pilot)
            assert layout(app) == alone[key], app.current_mode
    app = GmtuiApp(None, [], profile="", clock=state.clock, refresh_s=0, problem="no profile configured")
    async with app.run_test(size=(120, 40)) as pilot:  # the login screen has a #form too
        await settle(pilot)
        app.screen.post_message(Opened(session.Session(demo_client(state), ["alice"], "demo")))
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        assert layout(app) == alone["5"]


async def test_a_terminal_below_80x24_is_said_once(state):
    app = make_app(state)
    async with app.run_test(size=(70, 20)) as pilot:
        await settle(pilot)
        await pilot.resize_terminal(72, 20)
        await settle(pilot)
        notes = [n for n in app._notifications if n.title == "Terminal too small"]
        assert len(notes) == 1 and "70x20" in notes[0].message


async def test_help_shows_bracket_keys_as_keys(state):
    """Earnings' range keys are `[` and `]`: help lists them as typed, not as markup."""
    from hostile import screen_text

    app = make_app(state)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        shown = screen_text(app)
        assert re.search(r"│ \[ {2,}Shorter", shown) and re.search(r"│ \] {2,}Longer", shown)  # in the help box
        assert "[/]" not in shown
