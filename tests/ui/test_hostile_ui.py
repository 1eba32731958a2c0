"""The dashboard against a hostile server: every section, dialog and notification
shows server text as text. Nothing is parsed as markup (no click action, no link, no
crash on ``[/]``), no control character reaches the terminal, and a confirmation is
sent by `y` alone, never by a click on its text."""

from __future__ import annotations

from decimal import Decimal

import pytest
from textual.app import App
from textual.widgets import Static

from gmtui.api.gomining.client import GoMiningClient
from gmtui.api.journal import UNKNOWN, Journal
from gmtui.sandbox import BASE_URL, in_process
from gmtui.ui.app import GmtuiApp
from gmtui.ui.screens.confirm import ConfirmScreen
from hostile import HOSTILE, Hostile, harmless, screen_text

SIZES = [(80, 24), (120, 40)]
# (section key, key that opens a dialog or a mode there, or None)
STEPS = [
    ("1", None), ("2", None), ("2", "t"), ("3", None), ("3", "m"), ("4", None), ("4", "b"), ("5", None),
    ("6", None), ("6", "enter"), ("6", "c"), ("7", None), ("7", "enter"), ("8", None), ("8", "x"),
    ("1", "question_mark"), ("1", "u"), ("1", "ctrl+p"),
]


def hostile_app(state, mode: str = "text", journal: Journal | None = None) -> GmtuiApp:
    opts = state.options
    client = GoMiningClient(BASE_URL, opts.api_key, opts.api_secret, transport=Hostile(in_process(state), mode),
                            clock=state.clock, journal=journal or Journal(clock=state.clock), scope="demo")
    return GmtuiApp(client, list(state.world.users), profile="demo", clock=state.clock, refresh_s=0)


def journal_with_a_hostile_entry(state) -> Journal:
    journal = Journal(clock=state.clock)
    entry = journal.begin("demo", "alice", "withdraw.create_24h", {"amount": Decimal("0.001"), "walletAddress": "bc1" + HOSTILE},
                          before={"withdrawn": Decimal("0.002")})
    journal.settle(entry, UNKNOWN, "answer lost: [/] " + HOSTILE)
    return journal


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def walk(pilot, problems: list[str]) -> None:
    app = pilot.app
    for section, key in STEPS:
        await pilot.press(section)
        await settle(pilot)
        if key:
            await pilot.press(key)
            for _ in range(4):
                await pilot.pause(0.02)
        where = f"{section}/{key}"
        problems += [f"{where}: {p}" for p in harmless(app)]
        assert app.is_running, where
        assert "a bug, logged" not in screen_text(app), where
        if key:
            await pilot.press("escape")
            await pilot.press("escape")
            await settle(pilot)


def test_the_check_can_fail():
    class Marked(App[None]):
        def compose(self):
            yield Static("[@click=app.quit]quit[/] \x1b[2J")

    async def run() -> list[str]:
        app = Marked()
        async with app.run_test(size=(40, 5)):
            return harmless(app)

    import asyncio

    found = asyncio.run(run())
    assert any("action" in f for f in found) and any("control character" in f for f in found)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_section_and_dialog_shows_poisoned_text_as_text(state, size):
    app = hostile_app(state, journal=journal_with_a_hostile_entry(state))
    problems: list[str] = []
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await walk(pilot, problems)
        await pilot.press("2")
        await settle(pilot)
        assert "[@click=app.quit]" in screen_text(app)  # the name is there, as text
    assert problems == []


async def test_poisoned_error_messages_and_refusals_are_plain(state):
    app = hostile_app(state, mode="errors", journal=journal_with_a_hostile_entry(state))
    problems: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        status = str(app.screen.query_one("#status").render())
        assert status.startswith("Could not load alice: ") and "HTTP 400: refused [@click=app.quit]q[/]" in status
        await walk(pilot, problems)
        await pilot.press("8")
        await settle(pilot)
        await pilot.press("R")  # reconcile: the server's poisoned refusal comes back in a notification
        await settle(pilot)
        notes = [n.message for n in app._notifications]
        assert any("[/]" in n for n in notes)  # shown (a `[/]` once made the notification vanish)
        problems += harmless(app)
    assert problems == []


async def test_a_click_on_the_confirmation_text_sends_nothing(state):
    app = hostile_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        await pilot.press("enter")
        for _ in range(5):
            await pilot.pause(0.02)
        assert isinstance(app.screen, ConfirmScreen)
        plan = app.screen.query_one("#plan")
        assert "[@click=screen.send]s[/]" in str(plan.render())
        for y in range(3):
            for x in range(plan.size.width):
                await pilot.click("#plan", offset=(x, y))
        assert isinstance(app.screen, ConfirmScreen) and app.is_running and not state.upgrades
        await pilot.press("y")
        await settle(pilot)
    assert len(state.upgrades) == 1


async def test_wallets_listed_twice_do_not_crash_the_screen(state):
    user = state.world.users["alice"]
    user.wallets.append(user.wallets[0])
    app = hostile_app(state)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert app.is_running and app.screen.query_one("#wallets").row_count == len(user.wallets)


async def test_an_export_that_cannot_be_written_is_said_and_a_user_id_cannot_steer_it(state, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gmtui-journal.csv").mkdir()  # in the way
    app = hostile_app(state, journal=journal_with_a_hostile_entry(state))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert app.is_running and any(n.title == "Not exported" for n in app._notifications)
        app.screen.export_csv("gmtui-earnings-../../etc/x-2026-01-01", ["a"], [["1"]], "1 day")  # a user id with slashes
    written = [p.name for p in tmp_path.iterdir() if p.is_file()]
    assert written == ["gmtui-earnings-.._.._etc_x-2026-01-01.csv"]  # no slash: it stays where it was asked
