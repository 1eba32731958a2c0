"""The confirmation of a money move: the plan spelled out (plain text: a name from the
server is only text), and the move sent only on the `y` key, never on a click: the
dialog has no Send button, and nothing in it can carry an action. Cancel is focused.
Also the helper that runs a move from any screen: plan, confirm, send once, and say
what happened (unknown included)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from collections.abc import Awaitable
from typing import Any, cast

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Static

from gmtui.api.platforms import label
from gmtui.api.errors import GmtuiError, MoveRefused, OutcomeUnknown, PendingMoveError, ReadOnly
from gmtui.api.moves import Plan, execute, guard
from gmtui.ui.screens.section import MASK
from gmtui.ui.text import plain


if TYPE_CHECKING:
    from gmtui.ui.app import GmtuiApp


class ConfirmScreen(ModalScreen[bool]):
    if TYPE_CHECKING:
        app: GmtuiApp  # the dashboard's app, typed for the checker

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    #confirm { width: 76; max-width: 98%; height: auto; border: thick $warning; background: $panel; padding: 0 1; }
    #plan { margin: 1 0; }
    #buttons { height: auto; align-horizontal: right; }
    #hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("y", "send", "Send", id="confirm.send"),
        Binding("escape,n", "cancel", "Cancel", id="confirm.cancel"),
        Binding("p", "app.presenter", "Presenter", show=False),  # a modal screen hides the app's keys
    ]

    def __init__(self, plan: Plan):
        super().__init__()
        self.plan = plan

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(self._summary(), id="plan")
            if self.plan.word:  # a move on every user: typed, not a key that may be pressed by habit
                yield Input(placeholder=f"type {self.plan.word} and press enter to send it, once", id="word")
                yield Static(plain(f"type {self.plan.word} to send it · esc cancels · nothing is sent until then"),
                             id="hint")
            else:
                yield Static("press [b]y[/] to send it, once · [b]esc[/] cancels · nothing is sent until then", id="hint")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel")

    def _summary(self) -> Content:
        mask = MASK if self.app.presenter else None
        return plain(self.plan.summary(mask), newlines=True)  # its values were made plain one by one

    def on_mount(self) -> None:
        self.watch(self.app, "presenter", lambda _: self.query_one("#plan", Static).update(self._summary()), init=False)
        box = self.query_one("#confirm")
        box.border_title = f"Confirm: {label(self.plan.operation)}"
        self.query_one("#word" if self.plan.word else "#cancel").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "send" and self.plan.word)  # only the typed word sends it

    @on(Input.Submitted, "#word")
    def typed(self, event: Input.Submitted) -> None:
        if event.value.strip().lower() == self.plan.word:
            self.dismiss(True)
        else:
            self.notify(f"Type {self.plan.word} exactly to send it, or esc to cancel.", severity="warning")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(False)  # the only button is Cancel: a click never sends

    def action_send(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


async def run_move(screen: Screen[Any], planning: Awaitable[Plan]) -> str:
    """Plan, confirm and send a move; returns ok, cancelled, refused, failed or unknown.
    Must run in a worker (it waits for the confirmation)."""
    app = cast("GmtuiApp", screen.app)
    try:
        plan = await planning
        guard(plan, app.read_only)
    except ReadOnly as exc:
        app.notify(str(exc), title="Read-only", severity="warning")
        return "refused"
    except MoveRefused as exc:
        app.notify(str(exc), title=getattr(exc, "title", "Refused: nothing was sent"),
                   severity=getattr(exc, "severity", "error"), timeout=8)
        return "refused"
    except GmtuiError as exc:
        app.notify(str(exc), title="Could not prepare the move", severity="error", timeout=8)
        return "failed"
    except Exception as exc:  # a bug while planning: said, logged, nothing sent
        from gmtui.crash import report

        report(exc)
        app.notify(f"gmtui could not prepare it ({type(exc).__name__}; a bug, logged)", title="Refused: nothing was sent",
                   severity="error", timeout=10)
        return "failed"
    if not await app.push_screen_wait(ConfirmScreen(plan)):
        app.notify("Nothing was sent.", title="Cancelled")
        return "cancelled"
    try:
        await execute(plan)
    except OutcomeUnknown as exc:
        app.moved()
        app.notify(f"{exc.message}. It may have happened: do not repeat it. In the {_journal(app)}, R asks the server "
                   "and settles it.", title="Outcome UNKNOWN: do not repeat it", severity="warning", timeout=15)
        return "unknown"
    except PendingMoveError as exc:
        app.notify(f"{exc.message}. In the {_journal(app)}, R asks the server and settles it first.",
                   title="Refused: an identical move is unsettled", severity="error", timeout=12)
        return "refused"
    except MoveRefused as exc:  # e.g. the journal cannot be trusted
        app.notify(str(exc), title="Refused: nothing was sent", severity="error", timeout=12)
        return "refused"
    except GmtuiError as exc:
        app.notify(str(exc), title="The server said no", severity="error", timeout=10)
        return "failed"
    app.moved()
    app.notify(f"{plan.lines[0][0]}: {plan.lines[0][1]}", title="Done")
    return "ok"


def _journal(app: GmtuiApp) -> str:
    """"Journal (8)": the section and its number key on the active profile's platform."""
    from gmtui.api.platforms import platform

    sections = platform(getattr(app, "platform", "gomining")).sections
    return f"Journal ({sections.index('journal') + 1})" if "journal" in sections else "Journal"
