"""Binding a partner user to Mithril Vault (OAuth's authorization code): the page where
the Vault user approves (shown, selectable, and copied to the clipboard with OSC 52),
then the address Vault redirected to, pasted (or its bare grant code) and exchanged at
once for the user's token. What goes wrong is said here and the dialog stays. In the
demo a button approves as the embedded Vault's user."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from gmtui.api.errors import ApiError, GmtuiError
from gmtui.api.mithril import moves
from gmtui.ui.text import markup, plain

if TYPE_CHECKING:
    from gmtui.ui.app import GmtuiApp


class VaultBindScreen(ModalScreen[str | None]):
    """Dismissed with the partner user bound, or None (the binding then waits for its
    10 minutes: enter on its row in Users pastes the redirect later)."""

    if TYPE_CHECKING:
        app: GmtuiApp  # the dashboard's app, typed for the checker

    DEFAULT_CSS = """
    VaultBindScreen { align: center middle; }
    #bind { width: 78; max-width: 98%; height: auto; max-height: 100%; border: round $accent; background: $panel;
            padding: 0 1; }
    #bind Static { color: $text-muted; }
    #bind #url { color: $text; background: $boost; margin-bottom: 1; }
    #bind #message { display: none; }
    #bind #message.-problem { display: block; color: $error; }
    #bind #message.-note { display: block; color: $success; }
    #buttons { height: auto; margin-top: 1; }
    #buttons Button { margin-right: 2; }
    """
    BINDINGS = [Binding("escape", "close", "Close", id="vault_bind.close")]

    def __init__(self, user: str, state: str, url: str | None, approve: Callable[[str, str], str] | None = None):
        """``url``: the authorize page (None: a binding started before, only its
        redirect to paste). ``approve``: the demo's stand-in for the Vault user."""
        super().__init__()
        self.user, self.state, self.url, self.approve = user, state, url, approve

    def compose(self) -> ComposeResult:
        where = self.app.vault.redirect_uri or "the redirect address registered with Vault"
        with Vertical(id="bind") as box:
            box.border_title = plain(f"Bind {self.user} to Mithril Vault", limit=70)
            box.border_subtitle = "enter binds · tab: buttons · esc closes"
            if self.url is not None:
                yield Static("1. Open this page in a browser: the Vault user signs in and approves (valid 10 "
                             "minutes). It is on your clipboard:")
                yield Static(plain(self.url), id="url")
            step = "2. Vault then sends" if self.url is not None else "Once the Vault user approves, Vault sends"
            yield Static(markup("$step the browser to $where: paste that whole address here (or only its grant "
                                "code) and press enter.", step=step, where=where))
            yield Input(placeholder="the address Vault redirected to, or the grant code", id="redirect")
            yield Static("", id="message")
            with Horizontal(id="buttons"):
                if self.url is not None:
                    yield Button("Copy the page's address", id="copy", compact=True)
                if self.approve is not None:
                    yield Button("Approve as the demo Vault user", id="approve", variant="primary", compact=True)
                yield Button("Close", id="close", compact=True)

    def on_mount(self) -> None:
        if self.url is not None:
            self.app.copy_to_clipboard(self.url)
        self.query_one("#redirect").focus()

    def _say(self, problem: str = "", note: str = "") -> None:
        """What went wrong (in red), or what happened; nothing takes no room."""
        message = self.query_one("#message", Static)
        message.update(plain(problem or note, limit=400))
        message.set_class(bool(problem), "-problem")
        message.set_class(bool(note) and not problem, "-note")

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "copy" and self.url is not None:
            self.app.copy_to_clipboard(self.url)
            self._say(note="The page's address is on your clipboard again.")
        elif event.button.id == "approve":
            self.action_approve()
        elif event.button.id == "close":
            self.action_close()

    def action_approve(self) -> None:
        """The demo: the embedded Vault's user approves; its redirect fills the field."""
        if self.approve is None:
            return
        try:
            address = self.approve(self.state, self.user)
        except Exception as exc:  # the embedded Vault's refusal (e.g. already bound there)
            self._say(problem=f"The demo Vault refused: {getattr(exc, 'message', None) or exc}")
            return
        field = self.query_one("#redirect", Input)
        field.value = address
        field.focus()
        self._say(note="The demo Vault user approved: press enter to finish the binding.")

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#redirect")
    def submitted(self, event: Input.Submitted) -> None:
        self.exchange(event.value)

    @on(Input.Changed, "#redirect")
    def editing(self) -> None:
        if self.query_one("#message").has_class("-problem"):
            self._say()  # what was wrong is being corrected

    @work(exclusive=True, group="vault-exchange")
    async def exchange(self, text: str) -> None:
        client = self.app.vault
        self._say(note="exchanging the grant code…")
        try:
            got = moves.redirect(text, [self.state])
            user = await client.exchange(got.state, got.grant_code)
        except GmtuiError as exc:
            spent = not any(s == self.state for s, _, _ in client.bindings.pending())
            said = (f"Vault refused it (HTTP {exc.status}): {exc.server_message}"
                    if isinstance(exc, ApiError) and exc.status else exc.message)
            self._say(problem=said + (" · This binding's page is spent: esc, then b starts again." if spent else ""))
            return
        except Exception as exc:  # a bug: logged, said, and the dialog stays
            from gmtui.crash import report

            report(exc)
            self._say(problem=f"gmtui could not finish it ({type(exc).__name__}; a bug, logged)")
            return
        self.dismiss(user)
