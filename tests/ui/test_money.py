"""Money moves in the dashboard: the confirmation spells the move out, refusals send
nothing, read-only refuses visibly, a lost answer is shown as unknown."""

from __future__ import annotations

from decimal import Decimal

from gmtui.api.journal import UNKNOWN, Journal
from gmtui.sandbox import Faults, demo_client
from gmtui.ui.app import GmtuiApp
from gmtui.ui.screens.confirm import ConfirmScreen

ADDRESS = "1NeTVrZEZvx9niuKrFRMQsdF3YSnhkyaCB"


def make_app(state, **kw) -> GmtuiApp:
    journal = Journal(clock=state.clock)
    return GmtuiApp(demo_client(state, journal=journal), list(state.world.users), profile="demo",
                    clock=state.clock, refresh_s=0, **kw)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_withdraw(pilot, amount: str, fast: bool = False) -> None:
    await settle(pilot)
    await pilot.press("5")
    await settle(pilot)
    screen = pilot.app.screen
    screen.query_one("#amount").value = amount
    screen.query_one("#to").value = ADDRESS
    screen.query_one("#fast").value = fast
    await pilot.pause()


async def review_and(pilot, key: str) -> None:
    """Open the confirmation of the withdrawal on screen, then press ``key``."""
    pilot.app.screen.action_review()
    await pilot.pause()
    await pilot.pause()
    await pilot.press(key)
    await settle(pilot)


def notes(app) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def test_a_fast_withdrawal_is_confirmed_then_sent_once(state):
    app = make_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_withdraw(pilot, "0.001", fast=True)
        assert "you receive 0.00098000" in str(app.screen.query_one("#preview").render())
        app.screen.action_review()
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        summary = str(app.screen.query_one("#plan").render())
        assert "Fee            0.00002000 BTC" in summary and ADDRESS in summary
        await pilot.press("y")
        await settle(pilot)
        assert len(state.withdrawals) == 1 and state.withdrawals[0]["amount"] == Decimal("0.001")
        assert any(n.startswith("Done") for n in notes(app))
        assert app.client.journal.entries()[0].outcome == "ok"


async def test_cancel_sends_nothing(state):
    app = make_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_withdraw(pilot, "0.001")
        app.screen.action_review()
        await pilot.pause()
        await pilot.pause()
        await pilot.press("enter")  # Cancel has the focus
        await settle(pilot)
        assert not state.withdrawals and any(n.startswith("Cancelled") for n in notes(app))


async def test_refusals_send_nothing(state):
    app = make_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        for amount, why in [("0.0001", "below the minimum"), ("1", "more than the"), ("0.000000001", "at most 8 decimals")]:
            await open_withdraw(pilot, amount)
            app.screen.action_review()
            await settle(pilot)
            assert not isinstance(app.screen, ConfirmScreen)
            assert any(why in n for n in notes(app)), (amount, notes(app))
    assert not state.withdrawals and state.calls["withdraw.create_24h"] == 0


async def test_read_only_refuses_visibly(state):
    app = make_app(state, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_withdraw(pilot, "0.001")
        assert "READ-ONLY" in app.sub_title
        app.screen.action_review()
        await settle(pilot)
        assert any(n.startswith("Read-only") for n in notes(app)) and not state.withdrawals


async def test_a_lost_answer_is_shown_as_unknown(state):
    state.faults = Faults(drop_after_rate=1.0, ops=("withdraw.create",))
    app = make_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_withdraw(pilot, "0.001")
        await review_and(pilot, "y")
        assert any("UNKNOWN" in n and "In the Journal (8), R asks the server" in n for n in notes(app))
        assert app.client.journal.entries()[0].outcome == UNKNOWN


async def test_presenter_mode_hides_amounts(state):
    app = make_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_withdraw(pilot, "")
        await pilot.press("p")
        await pilot.pause()
        terms = str(app.screen.query_one("#terms").render())
        assert "0.01057546" not in terms and "•••" in terms and "PRESENTER" in app.sub_title


async def test_presenter_mode_hides_the_overview_amounts(state):
    app = make_app(state, presenter=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        income = str(app.screen.query_one("#income").render())
        assert "•••" in income and "0.0264" not in income
        assert "366 TH/s" in str(app.screen.query_one("#fleet").render())  # the fleet is not money


async def test_every_move_from_its_screen_then_the_journal_reconciles(state):
    from gmtui.ui.screens.ask import AskChoice, AskText
    from gmtui.ui.widgets.vtable import VirtualTable

    app = make_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # bind a wallet (Wallets, b)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, AskText)
        await pilot.press(*"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "enter")
        await pilot.pause()
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4" in {w.address for w in state.world.users["alice"].wallets}
        # upgrade the best-payback candidate (Upgrades, enter)
        await pilot.press("6")
        await settle(pilot)
        best = app.screen.query_one(VirtualTable).current
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert "Payback" in str(app.screen.query_one("#plan").render())
        await pilot.press("y")
        await settle(pilot)
        assert state.upgrades and state.upgrades[-1]["nftId"] == best[-2]
        # buy collection 1 (Shop, enter)
        miners_before = len([m for m in state.world.miners.values() if m.owner == "alice"])
        await pilot.press("7")
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert len([m for m in state.world.miners.values() if m.owner == "alice"]) == miners_before + 1
        # transfer a miner to bob (Miners, t)
        await pilot.press("2")
        await settle(pilot)
        nft = app.screen.query_one(VirtualTable).current[0]
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, AskChoice)
        await pilot.press("enter")  # bob, the first other user
        await pilot.pause()
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert state.world.miners[nft].owner == "bob"
        # the journal lists them all
        await pilot.press("8")
        await settle(pilot)
        ops = [r[3] for r in app.screen.query_one(VirtualTable).rows]
        assert {"Wallet binding", "Miner upgrade", "Purchase (payment)", "Purchase (confirmation)", "Miner transfer"} <= set(ops)
        amounts = {r[3]: r[4] for r in app.screen.query_one(VirtualTable).rows}
        assert amounts["Miner upgrade"].startswith("$") and amounts["Purchase (payment)"].startswith("$")
        assert all(r[6] == "ok" for r in app.screen.query_one(VirtualTable).rows)


async def test_the_journal_screen_reconciles_an_unknown_move(state):
    from gmtui.ui.widgets.vtable import VirtualTable

    state.faults = Faults(drop_after_rate=1.0, ops=("withdraw.create",))
    app = make_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_withdraw(pilot, "0.001")
        await review_and(pilot, "y")
        state.faults = None
        await pilot.press("8")
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        assert table.rows[0][6] == UNKNOWN and "1 unknown" in table.border_title
        await pilot.press("R")
        await settle(pilot)
        assert table.rows[0][6] == "ok" and "0 unknown" in table.border_title


async def test_an_invalid_address_is_refused_before_anything_is_sent(state):
    app = make_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("b")
        await pilot.pause()
        typo = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5"
        await pilot.press(*typo, "enter")
        await pilot.pause()
        # said in the dialog, which stays with the address kept for correcting
        assert "bad checksum" in str(app.screen.query_one("#problem").render())
        assert app.screen.query_one("Input").value == typo
        await pilot.press("backspace", "4", "enter")  # corrected: the plan comes next
        for _ in range(4):
            await pilot.pause(0.02)
        assert "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4" in str(app.screen.query_one("#plan").render())
        await pilot.press("escape")
        await settle(pilot)
    assert state.calls["wallet.bind.s2s"] == 0


async def test_a_second_identical_move_is_refused_while_the_first_is_unknown(state):
    state.faults = Faults(drop_after_rate=1.0, ops=("withdraw.create",))
    app = make_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(2):
            await open_withdraw(pilot, "0.001")
            await review_and(pilot, "y")
        assert any("identical move is unsettled" in n for n in notes(app))
    assert state.calls["withdraw.create_24h"] == 1 and len(state.withdrawals) == 1


async def test_presenter_mode_hides_table_amounts(state):
    from gmtui.ui.widgets.vtable import VirtualTable

    app = make_app(state, presenter=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        assert table.columns[5].fmt(table.rows[0][5]) == "•••••••"
        assert "•••" in str(app.screen.query_one("#facts").render())
        await pilot.press("p")
        await pilot.pause()
        assert table.columns[5].fmt(table.rows[0][5]) != "•••••••"


async def test_an_upgrade_to_a_typed_target_shows_its_payback_first(state):
    from gmtui.ui.screens.confirm import ConfirmScreen as Confirm
    from gmtui.ui.widgets.vtable import VirtualTable

    app = make_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        row = app.screen.query_one(VirtualTable).current
        await pilot.press("c")
        await pilot.pause()
        box = app.screen.query_one("Input")
        box.value = "16" if row[-1] == "efficiency" else "1000"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, Confirm) and "Payback" in str(app.screen.query_one("#plan").render())
        await pilot.press("escape")
        await settle(pilot)
    assert not state.upgrades


def screen_text(app) -> str:
    import html
    import re

    return html.unescape("".join(re.findall(r"<text[^>]*>(.*?)</text>", app.export_screenshot()))).replace("\xa0", " ")


async def test_presenter_mode_hides_the_chart_values(state):
    app = make_app(state, presenter=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert "0.0001" not in screen_text(app) and "•••" in screen_text(app)  # y axis, table and title
        await pilot.press("p")
        await pilot.pause()
        assert "0.0001" in screen_text(app)  # the y axis shows BTC per day again
