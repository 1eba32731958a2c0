"""Mithril Vault's sections: the bound users with their Vault balances, binding through
Vault's page and redirect (the demo's approval standing in for the Vault user),
unbinding, the current user's activities with their statuses, rewards and
cancellations through the same confirmation as every money move, the capital and
what is promised of it; outside text left plain; SVG snapshots at 80x24 and 120x40."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gmtui.api.journal import OK, Journal
from gmtui.sandbox import vault_client
from gmtui.sandbox.mithril.state import MINED, MINING, PENDING, TICK_S, State, vault_time
from gmtui.session import Session
from gmtui.ui.app import GmtuiApp, dashboard
from gmtui.ui.screens.ask import AskText
from gmtui.ui.screens.confirm import ConfirmScreen
from gmtui.ui.screens.vault_activities import LIVE_ACTIVITY_S
from gmtui.ui.screens.vault_bind import VaultBindScreen
from gmtui.ui.widgets.vtable import VirtualTable

from hostile import HOSTILE, Hostile, harmless, screen_text

PROFILE = "demo-mithril"


@pytest.fixture
def vault(clock) -> State:
    return State(clock=clock)


def make_app(vault: State, refresh_s: float = 0, **kw) -> GmtuiApp:
    """The Mithril demo's world on the fixed clock, its session with the demo's approval."""
    client = kw.pop("client", None) or vault_client(vault, scope=PROFILE, journal=Journal(clock=vault.clock))
    users = [b.user for b in client.bindings.users()]
    app = GmtuiApp(client, users, profile=PROFILE, platform="mithril", clock=vault.clock, refresh_s=refresh_s, **kw)
    app.sessions[PROFILE] = Session(client, users, PROFILE, platform="mithril", approve=vault.approve)
    return app


async def settle(pilot) -> None:
    """Wait for the data (never after opening a modal: its worker waits on it)."""
    for _ in range(2):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def opened(pilot) -> None:
    """Let a modal that a key opened come up."""
    for _ in range(5):
        await pilot.pause(0.02)


async def press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def rows(app) -> dict[str, tuple]:
    return {r[0]: r for r in app.screen.query_one(VirtualTable).rows}


def pick(app, key: str) -> None:
    table = app.screen.query_one(VirtualTable)
    table.cursor = [r[0] for r in table.rows].index(key)


def notes(app) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def token_of(vault: State, user: str) -> str:
    return next(t for t, b in vault.bindings.items() if b.user_id == user)


def listed(vault: State, user: str) -> list[dict]:
    """The user's first page, as Vault lists it."""
    return vault.listing(vault.bindings[token_of(vault, user)], None, None)["results"]


# ---- Users


async def test_users_lists_the_bound_users_with_their_vault_balances(vault):
    app = make_app(vault)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.current_mode == "vault-users"
        shown = rows(app)
        assert list(shown) == ["alice", "bob", "carol"]
        for i, user in enumerate(shown):
            account = vault.accounts[i]
            assert shown[user][1:6] == (account.balance, account.amount, account.staked_amount, account.kyc_level,
                                        account.stake_level)
            assert shown[user][7] == "bound"
        screen = screen_text(app)
        assert f"{vault.accounts[1].balance:,f}" in screen and "3 users bound" in screen
        assert f"alice: {vault.accounts[0].balance:,f} MITH = {vault.accounts[0].amount:,f} MITH on hand" in text(
            app, "#detail")
        await press(pilot, "p")  # presenter mode: the amounts hidden, the levels kept
        assert f"{vault.accounts[1].balance:,f}" not in screen_text(app) and "•••" in text(app, "#detail")


async def test_a_binding_vault_dropped_keeps_its_row_with_the_reason(vault):
    app = make_app(vault)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        vault.unbind(token_of(vault, "carol"))  # unbound on Vault's side
        await press(pilot, "r")
        carol = rows(app)["carol"]
        assert carol[1] is None and carol[7] == "gone" and "Vault refused its binding" in carol[8]
        assert rows(app)["alice"][7] == "bound"
        pick(app, "carol")
        await settle(pilot)
        assert "b binds it again, U forgets it" in text(app, "#detail")
        await press(pilot, "U")  # nothing to unbind in Vault: gmtui forgets it, nothing is sent
        assert list(rows(app)) == ["alice", "bob"] and "carol" not in app.users
        assert notes(app)[-1].startswith("Forgotten: nothing was sent") and app.vault.journal.entries() == []


async def test_binding_a_user_through_the_demo_approval_lists_it(vault):
    app = make_app(vault)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await opened(pilot)
        assert isinstance(app.screen, AskText)
        await pilot.press(*"alice", "enter")  # bound already: said in the dialog
        await opened(pilot)
        assert isinstance(app.screen, AskText) and "bound already" in text(app, "#problem")
        app.screen.query_one("Input").value = ""
        await pilot.press(*"dave", "enter")
        await opened(pilot)
        assert isinstance(app.screen, VaultBindScreen)
        url = str(app.screen.query_one("#url").render())
        assert url == app.clipboard and "user_id=dave" in url  # shown, and on the clipboard
        assert "dave" in [u for _, u, _ in app.vault.bindings.pending()]

        await pilot.press(*"not-a-code", "enter")  # a wrong grant code: said, the dialog stays
        await opened(pilot)
        assert isinstance(app.screen, VaultBindScreen)
        assert text(app, "#message") == "Vault refused it (HTTP 400): unknown grant code or state"
        assert "dave" in [u for _, u, _ in app.vault.bindings.pending()]  # still waiting: the right code works

        await pilot.click("#approve")
        await opened(pilot)
        assert "grant_code=" in app.screen.query_one("#redirect").value
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, VaultBindScreen)
        assert rows(app)["dave"][7] == "bound" and "dave" in app.users
        assert rows(app)["dave"][1] == vault.accounts[3].balance  # the first Vault account not bound yet
        assert "Bound: dave is bound to Mithril Vault: it can be rewarded now." in notes(app)


async def test_a_waiting_binding_is_listed_and_finished_later(vault):
    app = make_app(vault)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await opened(pilot)
        await pilot.press(*"dave", "enter")
        await opened(pilot)
        await pilot.press("escape")  # the page is not approved yet
        await settle(pilot)
        dave = rows(app)["dave"]
        assert dave[1:8] == ("", "", "", "", "", "10 min left", "waiting")
        assert "1 waiting for Vault's redirect" in str(app.screen.query_one(VirtualTable).border_title)
        pick(app, "dave")
        await pilot.press("enter")
        await opened(pilot)
        assert isinstance(app.screen, VaultBindScreen) and not app.screen.query("#url")  # only the redirect to paste
        await pilot.click("#approve")
        await opened(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert rows(app)["dave"][7] == "bound" and app.vault.bindings.pending() == []


async def test_unbinding_is_confirmed_and_removes_the_user(vault):
    app = make_app(vault)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pick(app, "bob")
        await pilot.press("U")
        await opened(pilot)
        assert isinstance(app.screen, ConfirmScreen) and "bob from Mithril Vault" in app.screen.plan.summary()
        await press(pilot, "y")
        assert list(rows(app)) == ["alice", "carol"] and "bob" not in app.users
        assert all(b.user_id != "bob" for b in vault.bindings.values())
        assert [(e.operation, e.outcome) for e in app.vault.journal.entries()] == [("vault.oauth.unbind", OK)]


async def test_the_demo_starts_on_mithril_and_binds_with_its_approval(clock, monkeypatch):
    monkeypatch.setenv("GMTUI_PLATFORM", "mithril")
    app = dashboard(demo=True, clock=clock, refresh_s=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert (app.profile, app.current_mode) == (PROFILE, "vault-users")
        assert list(rows(app)) == ["alice", "bob", "carol"]
        await pilot.press("b")
        await opened(pilot)
        await pilot.press(*"erin", "enter")
        await opened(pilot)
        await pilot.click("#approve")
        await opened(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert rows(app)["erin"][7] == "bound"


# ---- Activities


async def test_activities_show_the_current_users_activities_and_their_statuses(vault):
    app = make_app(vault)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        assert app.current_mode == "vault-activities"
        table = app.screen.query_one(VirtualTable)
        expected = listed(vault, "alice")
        assert [r[0] for r in table.rows] == [a["uuid"] for a in expected]  # newest first, as Vault lists them
        assert [r[3] for r in table.rows] == [a["status"] for a in expected]
        assert {PENDING, MINING, MINED} <= {r[3] for r in table.rows}
        screen = screen_text(app)
        assert "PENDING" in screen and "MINED" in screen and "a: every page" in screen
        assert f"{expected[0]['uuid'][:8]}…{expected[0]['uuid'][-4:]}" in screen  # shortened at 80 columns
        assert "Happened" in screen and "Updated" in screen
        assert text(app, "#detail").startswith("PENDING: valid, not processed yet")

        await press(pilot, "a")  # every page
        assert len(table.rows) > len(expected) and "all " in str(table.border_title)

        await press(pilot, "u")  # another user: its activities
        options = app.screen.query_one("OptionList")
        options.highlighted = options.get_option_index("user:bob")
        await press(pilot, "enter")
        assert app.user == "bob" and str(table.border_title).startswith("bob")


async def test_a_reward_is_confirmed_listed_pending_and_journaled(vault):
    app = make_app(vault)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        before = len(vault.activities)
        await pilot.press("n")
        await opened(pilot)
        await pilot.press(*"12.123456789", "enter")  # 9 decimals: said in the dialog
        await opened(pilot)
        assert isinstance(app.screen, AskText) and "at most 8 decimals" in text(app, "#problem")
        await pilot.press("backspace", "enter")
        await opened(pilot)
        assert isinstance(app.screen, ConfirmScreen) and "12.12345678 MITH" in app.screen.plan.summary()
        await press(pilot, "y")
        assert len(vault.activities) == before + 1
        first = app.screen.query_one(VirtualTable).rows[0]
        assert (first[1], first[3]) == (Decimal("12.12345678"), PENDING)
        [entry] = app.vault.journal.entries()
        assert (entry.operation, entry.user, entry.outcome) == ("vault.mining.submit", "alice", OK)
        assert entry.params["uuid"] == first[0]


async def test_x_cancels_a_pending_activity(vault):
    app = make_app(vault)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        uuid = next(r[0] for r in app.screen.query_one(VirtualTable).rows if r[3] == PENDING)
        pick(app, uuid)
        await pilot.press("x")
        await opened(pilot)
        assert isinstance(app.screen, ConfirmScreen) and uuid in app.screen.plan.summary()
        await press(pilot, "y")
        assert rows(app)[uuid][3] == "DELETED" and vault.activities[uuid].status == "DELETED"


async def test_x_on_a_mined_activity_is_refused_and_says_why(vault):
    app = make_app(vault)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        uuid = next(r[0] for r in app.screen.query_one(VirtualTable).rows if r[3] == MINED)
        pick(app, uuid)
        await pilot.press("x")
        await opened(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        said = notes(app)[-1]
        assert said.startswith("Not cancelled: nothing was sent: Only a PENDING activity can be cancelled")
        assert "is MINED (processed and paid to the user)" in said
        assert vault.activities[uuid].status == MINED and app.vault.journal.entries() == []


async def test_activities_refresh_more_often_while_one_is_on_its_way(vault, clock):
    app = make_app(vault, refresh_s=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        assert app.screen.every == LIVE_ACTIVITY_S and app.screen.in_flight == 2
        assert f"refreshed every {LIVE_ACTIVITY_S:.0f} s" in str(app.screen.query_one(VirtualTable).border_title)
        clock.advance(2 * TICK_S)  # Vault processes them: none on its way any more
        await press(pilot, "r")
        assert app.screen.in_flight == 0 and app.screen.every == 60
        assert app.sub_title == f"{PROFILE} · alice · data live"


async def test_an_unbound_current_user_is_said_plainly(vault):
    app = make_app(vault)
    app.users.append("zed")  # a configured user, never bound
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.user = "zed"
        await press(pilot, "2")
        assert "zed is not bound to Mithril Vault in this profile: Users (1), b binds it" in text(app, "#status")


async def test_read_only_offers_no_move(vault):
    app = make_app(vault, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in ("b", "U", "2", "n", "x"):
            await pilot.press(key)
            await opened(pilot)
            assert app.screen.__class__.__name__.startswith("Vault"), key  # no dialog came up
        await settle(pilot)
        assert app.vault.journal.entries() == [] and len(app.vault.bindings.users()) == 3


# ---- Capital


async def test_capital_shows_the_balance_what_is_promised_and_what_is_left(vault):
    app = make_app(vault)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        promised = sum((Decimal(str(a["reward"])) for u in ("alice", "bob", "carol") for a in listed(vault, u)
                        if a["status"] in (PENDING, MINING)), Decimal(0))
        assert promised > 0
        assert f"{vault.capital:,f} MITH" in text(app, "#balances") and "updated " in text(app, "#balances")
        assert text(app, "#pending").startswith(f"{promised:,f} MITH") and "3 bound users" in text(app, "#pending")
        assert text(app, "#left").startswith(f"{vault.capital - promised:,f} MITH")
        await press(pilot, "p")
        assert f"{vault.capital:,f}" not in screen_text(app)


# ---- outside text


@pytest.mark.parametrize("mode", ["text", "errors"])
async def test_hostile_answers_stay_plain(vault, mode):
    from gmtui.sandbox import _Transport
    from gmtui.sandbox.mithril.server import VaultSandbox

    client = vault_client(vault, scope=PROFILE, journal=Journal(clock=vault.clock))
    client._http._transport = Hostile(_Transport(VaultSandbox(vault)), mode=mode)
    app = make_app(vault, client=client)
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("1", "2", "3", "4", "1"):
            await press(pilot, key)
            assert harmless(app) == [], key
        await pilot.press("2", "x")
        await opened(pilot)
        assert harmless(app) == [] and not isinstance(app.screen, ConfirmScreen)


async def test_a_hostile_uuid_is_shown_plain_and_never_sent(vault):
    now = vault.now()
    vault._add(0, HOSTILE, Decimal(1), vault_time(now), now)  # alice's newest: PENDING
    app = make_app(vault)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        assert app.screen.query_one(VirtualTable).rows[0][0] == HOSTILE
        assert harmless(app) == [] and "[@click=app.quit]q[/]" in text(app, "#detail")
        await pilot.press("x")
        await opened(pilot)
        assert not isinstance(app.screen, ConfirmScreen) and harmless(app) == []
        assert notes(app)[-1].startswith("Refused: nothing was sent: a uuid has 1 to 64")


# ---- snapshots

SIZES = [(80, 24), (120, 40)]


async def press_settled(pilot, *keys: str) -> None:
    for key in keys:
        await settle(pilot)
        await pilot.press(key)
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(("section", "key"), [("users", "1"), ("activities", "2"), ("capital", "3")])
def test_vault_snapshot(snap_compare, vault, section, key, size):
    assert snap_compare(make_app(vault), terminal_size=size, run_before=lambda pilot: press_settled(pilot, key))
