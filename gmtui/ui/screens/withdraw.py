"""Withdraw: the on-balance amount, the minimum and the fast commission; an amount
typed exactly, a bound wallet, 24 h or fast with fee and net shown as you type; then
the confirmation and the result (journaled, unknown shown as unknown)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal

from textual import on, work
from textual.content import Content
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from gmtui.api.gomining import models as m
from gmtui.api.gomining.figures import SAT, btc
from gmtui.api.errors import InputError
from gmtui.api.inputs import btc_amount
from gmtui.api.gomining.moves import plan_withdrawal
from gmtui.ui.screens.confirm import run_move
from gmtui.ui.screens.section import Section, masked
from gmtui.ui.text import markup, rich_plain


FAST = {False: "Fast: no (within 24 h, no fee)", True: "Fast: yes (commission applies)"}


@dataclass(frozen=True)
class Terms:
    totals: m.IncomeTotals
    commission: m.Commission
    wallets: list[m.Wallet]


class WithdrawScreen(Section):
    CSS_PATH = "withdraw.tcss"
    TITLE = "Withdraw"
    GUIDE = (
        "Income on balance can be withdrawn to a bound wallet: within 24 h at no fee, or fast "
        "for the commission shown. The preview gives the fee, what arrives and the balance after; "
        "nothing is sent before you confirm, and the move is journaled first."
    )
    AUTO_FOCUS = ""  # nothing: number keys keep switching sections until tab enters the form
    MOVES = frozenset({"review"})
    BINDINGS = [Binding("ctrl+s", "review", "Review and send", id="withdraw.review")]

    def body(self) -> ComposeResult:
        with Horizontal(id="withdraw"):
            yield Static("…", id="terms")
            with Vertical(id="form"):
                yield Label("Amount (BTC, up to 8 decimals)")
                yield Input(placeholder="e.g. 0.0015", id="amount", restrict=r"[0-9.]*", compact=True)
                yield Label("To a bound wallet")
                yield Select([], id="to", prompt="pick a wallet", compact=True)
                yield Checkbox(FAST[False], id="fast", compact=True)
                yield Static("", id="preview")
                yield Button("Review and send", variant="warning", id="review")

    def on_mount(self) -> None:
        self.terms: Terms | None = None
        self.query_one("#terms").border_title = "Balance and terms"
        form = self.query_one("#form")
        form.border_title = "New withdrawal"
        if self.app.read_only:  # said and shown before anything is typed
            form.border_title = "New withdrawal · read-only: money moves are off"
            for field in form.query("Input, Select, Checkbox, Button"):
                field.disabled = True
        super().on_mount()

    @on(Checkbox.Changed, "#fast")
    def _fast_label(self, event: Checkbox.Changed) -> None:
        event.checkbox.label = FAST[event.value]  # the state in words: a box's glyph can read either way

    async def fetch(self, user: str) -> Terms:
        client = self.app.service
        totals, commission, wallets = await asyncio.gather(
            client.income_totals(user), client.commission(user), client.fetch_all("wallet.list.s2s", {"partnerUserId": user})
        )
        return Terms(totals, commission, wallets)

    def show(self, terms: Terms) -> None:
        self.terms = terms
        amount = masked(self.app, btc)
        self.query_one("#terms", Static).update(
            f"On balance   {amount(terms.totals.on_balance_amount)} BTC\n"
            f"Withdrawn    {amount(terms.totals.withdrawn_amount)} BTC\n"
            f"Minimum      {btc(terms.commission.income_withdraw_min_value)} BTC\n"
            f"Fast fee     {terms.commission.income_withdraw_commission * 100:g}% of amount\n"
            f"24 h fee     none\n"
            f"Wallets      {len(terms.wallets)} bound"
        )
        select = self.query_one("#to", Select)
        current = select.value
        select.set_options([(rich_plain(w.address), w.address) for w in terms.wallets])
        if current in {w.address for w in terms.wallets}:
            select.value = current
        self.preview()

    @on(Input.Changed, "#amount")
    @on(Checkbox.Changed, "#fast")
    def preview(self) -> None:
        box = self.query_one("#preview", Static)
        text = self.query_one("#amount", Input).value
        if not text or self.terms is None:
            box.update("")
            return
        try:
            amount = btc_amount(text)
        except InputError as exc:
            box.update(markup("[red]$why[/]", why=exc))
            return
        fast = self.query_one("#fast", Checkbox).value
        fee = (amount * self.terms.commission.income_withdraw_commission).quantize(SAT) if fast else Decimal(0)
        warn = ""
        if amount > self.terms.totals.on_balance_amount:
            warn = "\n[red]more than the balance[/]"
        elif amount < self.terms.commission.income_withdraw_min_value:
            warn = "\n[red]below the minimum[/]"
        box.update(Content.from_markup(f"Fee {btc(fee)} BTC · you receive [b]{btc(amount - fee)}[/] BTC{warn}"))  # figures only

    @on(Button.Pressed, "#review")
    @on(Input.Submitted, "#amount")
    def action_review(self) -> None:
        self.send()

    @work(exclusive=True, group="withdraw")
    async def send(self) -> None:
        to = self.query_one("#to", Select).value
        if not isinstance(to, str):  # nothing picked yet
            self.app.notify("Pick a bound wallet first (tab to the field, then enter).", severity="warning")
            return
        try:
            amount = btc_amount(self.query_one("#amount", Input).value)
        except InputError as exc:
            self.app.notify(str(exc), title="Refused: nothing was sent", severity="error")
            return
        fast = self.query_one("#fast", Checkbox).value
        outcome = await run_move(self, plan_withdrawal(self.app.service, self.app.user, str(to), amount, fast=fast))
        if outcome in ("ok", "unknown"):
            self.query_one("#amount", Input).value = ""
            self.action_refresh()
