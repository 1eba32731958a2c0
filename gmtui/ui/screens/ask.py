"""Small modals that ask one thing: a line of text, or one of a few choices. Titles and
choices may hold outside text (a miner's name, user ids): they are shown plain."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static

from gmtui.api.errors import GmtuiError
from gmtui.api.text import clean
from gmtui.ui.text import plain

CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 70; max-width: 95%; height: auto; border: round $accent; background: $panel; padding: 0 1; }}
{name} Static {{ color: $text-muted; }}
"""


class AskText(ModalScreen[str | None]):
    """One line of text. With ``check`` (raising GmtuiError with what is wrong), a value
    that does not pass is said under the field and the dialog stays, the text kept."""

    DEFAULT_CSS = CSS.format(name="AskText") + "AskText #problem { color: $error; }"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="ask.cancel")]

    def __init__(self, title: str, placeholder: str = "", hint: str = "",
                 check: Callable[[str], object] | None = None):
        super().__init__()
        self.title_text, self.placeholder, self.hint, self.check = title, placeholder, hint, check

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = plain(self.title_text, limit=60)
            yield Input(placeholder=self.placeholder)
            problem = Static("", id="problem")
            problem.display = False
            yield problem
            yield Static(plain(self.hint or "enter to continue · esc cancels"))

    @on(Input.Submitted)
    def done(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if value and self.check is not None:
            try:
                self.check(value)
            except GmtuiError as exc:
                problem = self.query_one("#problem", Static)
                problem.update(plain(str(exc), limit=300))
                problem.display = True
                return
        self.dismiss(value or None)

    @on(Input.Changed)
    def editing(self) -> None:
        self.query_one("#problem").display = False


class AskChoice(ModalScreen[str | None]):
    DEFAULT_CSS = CSS.format(name="AskChoice") + "AskChoice OptionList { height: auto; max-height: 12; border: none; }"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="ask.cancel")]

    def __init__(self, title: str, choices: list[str]):
        super().__init__()
        self.title_text, self.choices = title, choices

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = plain(self.title_text, limit=60)
            yield OptionList(*[clean(c, limit=80) for c in self.choices], markup=False)
            yield Static("enter picks · esc cancels")

    @on(OptionList.OptionSelected)
    def done(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index])
